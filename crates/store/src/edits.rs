//! Merging edits made outside the app (an exported matrix edited in Excel) into assessments.
//! A row still at the revision it was exported at takes its edits. A row changed in the app
//! since then is merged field by field, three ways: the value exported (the base), the value in
//! the engagement now and the value edited in the file. A field the app left as exported takes
//! the edit; a field already holding the edited value needs nothing; a field changed on both
//! sides to different values is a conflict and is not overwritten, while the row's other
//! fields still merge.

use crate::audit::AuditEvent;
use crate::engagement::{Actor, Engagement};
use crate::error::{Result, StoreError};
use crosswalk_domain::Coverage;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

/// The editable fields of one requirement's assessment (engagement-wide or for one workload);
/// `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssessmentEdit {
    /// `Some(None)` removes the coverage override; `Some(Some((coverage, reason)))` sets it.
    pub coverage: Option<Option<(Coverage, String)>>,
    pub owner: Option<String>,
    pub evidence: Option<String>,
    pub notes: Option<String>,
}

/// What the edited fields of a row showed when it was exported: the base of the three-way
/// merge. `None` for a field: not known, so a change made to it in the app since the export is
/// a conflict.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportedFields {
    /// The Coverage override cell ("" for none).
    pub coverage: Option<String>,
    /// The Override reason cell.
    pub reason: Option<String>,
    pub owner: Option<String>,
    pub evidence: Option<String>,
    pub notes: Option<String>,
}

/// An editable field of an assessment, as a merge conflict names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentField {
    /// The coverage override with its reason.
    CoverageOverride,
    Owner,
    Evidence,
    Notes,
}

/// A field changed both in the app since the export and in the file, to different values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldConflict {
    pub field: AssessmentField,
    /// As exported; `None` when not known.
    pub exported: Option<String>,
    /// In the engagement now (kept).
    pub current: String,
    /// In the file (not merged).
    pub edited: String,
}

/// An edit to the requirement `set:reference`, exported at `expected_revision`: applied whole
/// while the requirement is still at that revision, merged field by field against `exported`
/// once it has changed.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardedEdit {
    pub set: String,
    pub reference: String,
    /// The workload whose assessment is edited; `None`: the engagement-wide assessment.
    pub workload: Option<String>,
    pub expected_revision: i64,
    pub edit: AssessmentEdit,
    /// What the edited fields showed when exported.
    pub exported: ExportedFields,
    /// Where the edit comes from (file, cells, before/after), kept in its audit entry.
    pub detail: serde_json::Value,
}

/// What became of one guarded edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum EditOutcome {
    /// Written, with its audit entry; the requirement is now at `revision`.
    Applied { revision: i64 },
    /// The fields without a conflict were written (with the audit entry); `conflicts` were not.
    Partial {
        revision: i64,
        conflicts: Vec<FieldConflict>,
    },
    /// The assessment already holds exactly these values (for example the same file merged
    /// twice); nothing was written.
    AlreadyApplied,
    /// Every edited field changed in the app since the export too, to another value: nothing
    /// written.
    Conflict {
        current_revision: i64,
        conflicts: Vec<FieldConflict>,
    },
    /// No such requirement (or workload) in the engagement.
    Missing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Stored {
    coverage: Option<String>,
    reason: String,
    owner: String,
    evidence: String,
    notes: String,
    backlog_story: String,
}

impl Stored {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "coverage": self.coverage,
            "coverage_reason": self.reason,
            "owner": self.owner,
            "evidence": self.evidence,
            "notes": self.notes,
            "backlog_story": self.backlog_story,
        })
    }

    fn with(&self, edit: &AssessmentEdit) -> Stored {
        let mut out = self.clone();
        match &edit.coverage {
            Some(Some((c, reason))) => {
                out.coverage = Some(c.as_str().to_string());
                out.reason = reason.clone();
            }
            Some(None) => {
                out.coverage = None;
                out.reason = String::new();
            }
            None => {}
        }
        for (field, value) in [
            (&mut out.owner, &edit.owner),
            (&mut out.evidence, &edit.evidence),
            (&mut out.notes, &edit.notes),
        ] {
            if let Some(v) = value {
                *field = v.clone();
            }
        }
        out
    }
}

fn stored(tx: &Transaction<'_>, item_id: i64, workload_id: Option<i64>) -> Result<Option<Stored>> {
    Ok(tx
        .query_row(
            "SELECT coverage, coverage_reason, owner, evidence, notes, backlog_story
             FROM assessments WHERE item_id = ?1 AND ifnull(workload_id, 0) = ifnull(?2, 0)",
            params![item_id, workload_id],
            |r| {
                Ok(Stored {
                    coverage: r.get(0)?,
                    reason: r.get(1)?,
                    owner: r.get(2)?,
                    evidence: r.get(3)?,
                    notes: r.get(4)?,
                    backlog_story: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// What a workload's matrix row showed when the workload had no assessment of its own: the
/// engagement-wide owner, evidence and notes (its coverage override applies through the coverage
/// rules, so it is not copied).
fn shown_for_workload(general: Option<&Stored>) -> Stored {
    Stored {
        coverage: None,
        reason: String::new(),
        owner: general.map(|g| g.owner.clone()).unwrap_or_default(),
        evidence: general.map(|g| g.evidence.clone()).unwrap_or_default(),
        notes: general.map(|g| g.notes.clone()).unwrap_or_default(),
        backlog_story: String::new(),
    }
}

/// What a matrix row of the requirement `item_id` shows now, for the workload or the engagement
/// as a whole, as the export writes it: a workload's own owner, evidence and notes once it has
/// its own assessment (else the engagement-wide ones), its own override (else the
/// engagement-wide one).
fn shown(tx: &Transaction<'_>, item_id: i64, workload_id: Option<i64>) -> Result<Stored> {
    let general = stored(tx, item_id, None)?;
    let Some(w) = workload_id else {
        return Ok(general.unwrap_or_else(|| shown_for_workload(None)));
    };
    let own = stored(tx, item_id, Some(w))?;
    let mut out = match &own {
        Some(o) => o.clone(),
        None => shown_for_workload(general.as_ref()),
    };
    if out.coverage.is_none() {
        if let Some(g) = general.as_ref().filter(|g| g.coverage.is_some()) {
            out.coverage = g.coverage.clone();
            out.reason = g.reason.clone();
        }
    }
    Ok(out)
}

/// The three-way merge of `edit` into a row that shows `current` now and showed `exported`
/// when it left: the part of the edit to write, and the fields changed on both sides.
fn merge_fields(
    current: &Stored,
    exported: &ExportedFields,
    edit: &AssessmentEdit,
) -> (AssessmentEdit, Vec<FieldConflict>) {
    let mut take = AssessmentEdit::default();
    let mut conflicts = Vec::new();
    if let Some(theirs) = &edit.coverage {
        let (cov, reason) = match theirs {
            Some((c, r)) => (c.as_str().to_string(), r.clone()),
            None => (String::new(), String::new()),
        };
        let now_cov = current.coverage.clone().unwrap_or_default();
        let same_as_edit = now_cov == cov && (cov.is_empty() || current.reason == reason);
        let as_exported = exported.coverage.as_deref() == Some(now_cov.as_str())
            && (now_cov.is_empty()
                || exported
                    .reason
                    .as_deref()
                    .is_none_or(|r| r == current.reason));
        if as_exported && !same_as_edit {
            take.coverage = Some(theirs.clone());
        } else if !same_as_edit {
            let show = |c: &str, r: &str| {
                if c.is_empty() {
                    String::new()
                } else {
                    format!("{c} ({r})")
                }
            };
            conflicts.push(FieldConflict {
                field: AssessmentField::CoverageOverride,
                exported: exported
                    .coverage
                    .as_deref()
                    .map(|c| show(c, exported.reason.as_deref().unwrap_or(""))),
                current: show(&now_cov, &current.reason),
                edited: show(&cov, &reason),
            });
        }
    }
    for (field, theirs, now, base, slot) in [
        (
            AssessmentField::Owner,
            &edit.owner,
            &current.owner,
            &exported.owner,
            &mut take.owner,
        ),
        (
            AssessmentField::Evidence,
            &edit.evidence,
            &current.evidence,
            &exported.evidence,
            &mut take.evidence,
        ),
        (
            AssessmentField::Notes,
            &edit.notes,
            &current.notes,
            &exported.notes,
            &mut take.notes,
        ),
    ] {
        let Some(theirs) = theirs else { continue };
        if theirs == now {
            continue;
        }
        if base.as_ref() == Some(now) {
            *slot = Some(theirs.clone());
        } else {
            conflicts.push(FieldConflict {
                field,
                exported: base.clone(),
                current: now.clone(),
                edited: theirs.clone(),
            });
        }
    }
    (take, conflicts)
}

impl Engagement {
    /// Applies every edit whose requirement is still at its expected revision, in one
    /// transaction: one `assessment.set` audit entry per written assessment (before, after and
    /// the edit's detail) and one `matrix.import` entry carrying `source` and the outcome counts.
    /// Edits that would change nothing are skipped; conflicting ones are left out and reported.
    /// When nothing is written, no audit entry is made either.
    pub fn apply_guarded_edits(
        &mut self,
        actor: &Actor,
        edits: &[GuardedEdit],
        source: &serde_json::Value,
    ) -> Result<Vec<EditOutcome>> {
        for e in edits {
            if let Some(Some((_, reason))) = &e.edit.coverage {
                if reason.trim().is_empty() {
                    return Err(StoreError::Invalid(format!(
                        "overriding the coverage of {}:{} needs a reason",
                        e.set, e.reference
                    )));
                }
            }
        }
        let now = actor.timestamp();
        self.mutate(actor, |tx| {
            let mut outcomes = Vec::with_capacity(edits.len());
            let mut events = Vec::new();
            let mut conflicts = Vec::new();
            // Every requirement's revision is read before anything is written: two rows of one
            // requirement (one per workload) were exported at the same revision, and writing the
            // first must not turn the second into a conflict.
            // What each row shows now is read up front for the same reason: a workload's row
            // showing the engagement-wide owner must be compared with what it showed, not with
            // an engagement-wide edit of this same file.
            let mut targets = Vec::with_capacity(edits.len());
            for e in edits {
                let found: Option<(i64, i64)> = tx
                    .query_row(
                        "SELECT i.id, i.revision FROM items i JOIN frameworks f ON f.id = i.framework_id
                         WHERE f.key = ?1 AND f.kind = 'requirements' AND i.ref = ?2",
                        params![e.set, e.reference],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                let workload_id: Option<Option<i64>> = match &e.workload {
                    None => Some(None),
                    Some(name) => tx
                        .query_row("SELECT id FROM workloads WHERE name = ?1", [name], |r| {
                            r.get(0)
                        })
                        .optional()?
                        .map(Some),
                };
                let target = found.zip(workload_id);
                let now = match target {
                    Some(((item_id, _), workload_id)) => Some(shown(tx, item_id, workload_id)?),
                    None => None,
                };
                targets.push(target.zip(now));
            }
            for (e, target) in edits.iter().zip(targets) {
                let scope = match &e.workload {
                    Some(w) => format!("{}:{} @ {w}", e.set, e.reference),
                    None => format!("{}:{}", e.set, e.reference),
                };
                let Some((((item_id, revision), workload_id), shown_now)) = target else {
                    conflicts.push(scope);
                    outcomes.push(EditOutcome::Missing);
                    continue;
                };
                let before = stored(tx, item_id, workload_id)?;
                let base = match (&before, workload_id) {
                    (Some(b), _) => b.clone(),
                    (None, None) => shown_for_workload(None),
                    (None, Some(_)) => shown_for_workload(stored(tx, item_id, None)?.as_ref()),
                };
                // Unchanged since the export: the whole edit. Changed: what the three-way merge
                // of each field allows.
                let (edit, field_conflicts) = if revision == e.expected_revision {
                    (e.edit.clone(), Vec::new())
                } else {
                    merge_fields(&shown_now, &e.exported, &e.edit)
                };
                let after = base.with(&edit);
                if after == base {
                    if field_conflicts.is_empty() {
                        outcomes.push(EditOutcome::AlreadyApplied);
                    } else {
                        conflicts.push(scope);
                        outcomes.push(EditOutcome::Conflict {
                            current_revision: revision,
                            conflicts: field_conflicts,
                        });
                    }
                    continue;
                }
                tx.execute(
                    "INSERT INTO assessments (item_id, workload_id, coverage, coverage_reason, owner,
                         evidence, notes, backlog_story, updated_at, updated_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT (item_id, ifnull(workload_id, 0)) DO UPDATE SET
                         coverage = excluded.coverage, coverage_reason = excluded.coverage_reason,
                         owner = excluded.owner, evidence = excluded.evidence,
                         notes = excluded.notes, updated_at = excluded.updated_at,
                         updated_by = excluded.updated_by",
                    params![
                        item_id,
                        workload_id,
                        after.coverage,
                        after.reason,
                        after.owner,
                        after.evidence,
                        after.notes,
                        after.backlog_story,
                        now,
                        actor.name
                    ],
                )?;
                let revision: i64 =
                    tx.query_row("SELECT revision FROM items WHERE id = ?1", [item_id], |r| {
                        r.get(0)
                    })?;
                let mut after_json = after.json();
                after_json["via"] = e.detail.clone();
                if !field_conflicts.is_empty() {
                    after_json["not_merged"] = serde_json::to_value(&field_conflicts)?;
                    conflicts.push(scope.clone());
                }
                let mut event = AuditEvent::new("assessment.set", format!("assessment:{scope}"))
                    .after(after_json);
                if let Some(b) = &before {
                    event = event.before(b.json());
                }
                events.push(event);
                outcomes.push(if field_conflicts.is_empty() {
                    EditOutcome::Applied { revision }
                } else {
                    EditOutcome::Partial {
                        revision,
                        conflicts: field_conflicts,
                    }
                });
            }
            if !events.is_empty() {
                let count = |f: fn(&EditOutcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
                let mut summary = source.clone();
                if !summary.is_object() {
                    summary = serde_json::json!({ "source": summary });
                }
                summary["applied"] = count(|o| {
                    matches!(o, EditOutcome::Applied { .. } | EditOutcome::Partial { .. })
                })
                .into();
                summary["already_applied"] =
                    count(|o| matches!(o, EditOutcome::AlreadyApplied)).into();
                summary["conflicts"] = serde_json::json!(conflicts);
                let subject = source
                    .get("file")
                    .and_then(|f| f.as_str())
                    .map_or_else(|| "matrix".to_string(), |f| format!("matrix:{f}"));
                events.push(AuditEvent::new("matrix.import", subject).after(summary));
            }
            Ok((outcomes, events))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(coverage: Option<&str>, reason: &str, owner: &str, notes: &str) -> Stored {
        Stored {
            coverage: coverage.map(str::to_string),
            reason: reason.into(),
            owner: owner.into(),
            evidence: String::new(),
            notes: notes.into(),
            backlog_story: String::new(),
        }
    }

    #[test]
    fn each_field_merges_three_ways() {
        let exported = ExportedFields {
            owner: Some("Ops".into()),
            notes: Some(String::new()),
            ..Default::default()
        };
        let edit = AssessmentEdit {
            owner: Some("Cloud team".into()),
            notes: Some("from the file".into()),
            ..Default::default()
        };
        // Owner as exported: the edit is taken. Notes changed in the app: a conflict.
        let (take, conflicts) =
            merge_fields(&row(None, "", "Ops", "from the app"), &exported, &edit);
        assert_eq!(take.owner.as_deref(), Some("Cloud team"));
        assert_eq!(take.notes, None);
        assert_eq!(
            conflicts,
            [FieldConflict {
                field: AssessmentField::Notes,
                exported: Some(String::new()),
                current: "from the app".into(),
                edited: "from the file".into(),
            }]
        );
        // Already the edited value: nothing to take, nothing in conflict.
        let (take, conflicts) = merge_fields(
            &row(None, "", "Cloud team", "from the file"),
            &exported,
            &edit,
        );
        assert_eq!(take, AssessmentEdit::default());
        assert!(conflicts.is_empty());
        // An exported value that is not known cannot show the app left the field alone.
        let (take, conflicts) =
            merge_fields(&row(None, "", "Ops", ""), &ExportedFields::default(), &edit);
        assert_eq!(take, AssessmentEdit::default());
        assert_eq!(conflicts.len(), 2);
    }

    #[test]
    fn the_override_merges_with_its_reason() {
        let edit = AssessmentEdit {
            coverage: Some(Some((Coverage::NotApplicable, "no data stored".into()))),
            ..Default::default()
        };
        let exported = ExportedFields {
            coverage: Some(String::new()),
            reason: Some(String::new()),
            ..Default::default()
        };
        let (take, conflicts) = merge_fields(&row(None, "", "", ""), &exported, &edit);
        assert_eq!(
            take.coverage, edit.coverage,
            "no override then or now: taken"
        );
        assert!(conflicts.is_empty());
        let (take, conflicts) =
            merge_fields(&row(Some("gap"), "not yet built", "", ""), &exported, &edit);
        assert_eq!(take.coverage, None);
        assert_eq!(conflicts[0].field, AssessmentField::CoverageOverride);
        assert_eq!(conflicts[0].current, "gap (not yet built)");
        assert_eq!(conflicts[0].edited, "not_applicable (no data stored)");
        // Clearing an override the app left as exported.
        let clear = AssessmentEdit {
            coverage: Some(None),
            ..Default::default()
        };
        let exported = ExportedFields {
            coverage: Some("gap".into()),
            ..Default::default()
        };
        let (take, conflicts) = merge_fields(
            &row(Some("gap"), "not yet built", "", ""),
            &exported,
            &clear,
        );
        assert_eq!(take.coverage, Some(None));
        assert!(conflicts.is_empty());
    }
}

//! Merging edits made outside the app (an exported matrix edited in Excel) into assessments,
//! guarded by the revision each row had when it left: a row changed on both sides since then is
//! a conflict and is not overwritten.

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

/// An edit to the requirement `set:reference`, to apply only if the requirement is still at
/// `expected_revision` (the revision it was exported at).
#[derive(Debug, Clone, PartialEq)]
pub struct GuardedEdit {
    pub set: String,
    pub reference: String,
    /// The workload whose assessment is edited; `None`: the engagement-wide assessment.
    pub workload: Option<String>,
    pub expected_revision: i64,
    pub edit: AssessmentEdit,
    /// Where the edit comes from (file, cells, before/after), kept in its audit entry.
    pub detail: serde_json::Value,
}

/// What became of one guarded edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum EditOutcome {
    /// Written, with its audit entry; the requirement is now at `revision`.
    Applied { revision: i64 },
    /// The assessment already holds exactly these values (for example the same file merged
    /// twice); nothing was written.
    AlreadyApplied,
    /// The requirement changed since the export and the edit would change it again: not written.
    Conflict { current_revision: i64 },
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
                targets.push(found.zip(workload_id));
            }
            for (e, target) in edits.iter().zip(targets) {
                let scope = match &e.workload {
                    Some(w) => format!("{}:{} @ {w}", e.set, e.reference),
                    None => format!("{}:{}", e.set, e.reference),
                };
                let Some(((item_id, revision), workload_id)) = target else {
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
                let after = base.with(&e.edit);
                if after == base {
                    outcomes.push(EditOutcome::AlreadyApplied);
                    continue;
                }
                if revision != e.expected_revision {
                    conflicts.push(scope);
                    outcomes.push(EditOutcome::Conflict {
                        current_revision: revision,
                    });
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
                let mut event = AuditEvent::new("assessment.set", format!("assessment:{scope}"))
                    .after(after_json);
                if let Some(b) = &before {
                    event = event.before(b.json());
                }
                events.push(event);
                outcomes.push(EditOutcome::Applied { revision });
            }
            if !events.is_empty() {
                let count = |f: fn(&EditOutcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
                let mut summary = source.clone();
                if !summary.is_object() {
                    summary = serde_json::json!({ "source": summary });
                }
                summary["applied"] = count(|o| matches!(o, EditOutcome::Applied { .. })).into();
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

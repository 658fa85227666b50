//! The Excel round trip: merging the customer's edits from an exported matrix back into the
//! engagement (`import-matrix`), and checking whether an exported matrix was altered (`verify`).

use crate::engagement::open_read;
use crate::error::{ApiError, Result};
use crosswalk_matrix::{
    Alteration, CellEdit, EditProblem, EditableField, ExportStamp, MatrixError, RowEdit,
    VerifyReport,
};
use crosswalk_store::{
    Actor, AssessmentEdit, AssessmentField, EditOutcome, Engagement, ExportedFields, FieldConflict,
    GuardedEdit,
};
use serde::Serialize;
use std::path::Path;

/// One matrix row whose edits were merged (or were already in the engagement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergedRow {
    pub key: String,
    pub set: String,
    #[serde(rename = "ref")]
    pub reference: String,
    /// The workload whose assessment the row holds (`None`: the engagement-wide one).
    pub workload: Option<String>,
    /// 1-based row in the workbook.
    pub row: u32,
    pub changes: Vec<CellEdit>,
}

/// Edits of one matrix row that were not merged: the same field changed in the engagement since
/// the export too, to another value (or the requirement is no longer there). The row's other
/// edits are merged, and listed under `applied`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictRow {
    pub key: String,
    pub set: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub workload: Option<String>,
    pub row: u32,
    pub exported_version: u64,
    /// `None` when the requirement is not in the engagement.
    pub current_version: Option<u64>,
    pub reason: String,
    /// The edited cells not merged.
    pub changes: Vec<CellEdit>,
    /// Each field changed on both sides: as exported, in the engagement now (kept), in the file.
    pub fields: Vec<FieldConflict>,
}

/// What `import-matrix` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixImportReport {
    pub file: String,
    pub export: ExportStamp,
    /// Rows whose edits were written, each with its audit entry.
    pub applied: Vec<MergedRow>,
    /// Rows whose edits the engagement already holds (nothing written).
    pub already_applied: Vec<MergedRow>,
    /// Fields changed on both sides to different values: not overwritten (the row's other
    /// fields are merged).
    pub conflicts: Vec<ConflictRow>,
    /// Changes to read-only cells, rows or sheets: never merged, listed so nobody is surprised.
    pub ignored: Vec<Alteration>,
    /// Rows whose Set, Req ID or Workload cell disagrees with the requirement their hidden key
    /// names (only some columns sorted, keys pasted over), and rows matching no exported row that
    /// hold edits: which requirement an edit is about is uncertain, so when there is any,
    /// nothing at all was merged.
    pub identity_alterations: Vec<Alteration>,
}

impl MatrixImportReport {
    /// 0 when every edit merged; 3 when rows changed on both sides were left alone (conflicts),
    /// as `../shared/CLI.md` asks.
    pub fn exit_code(&self) -> i32 {
        if self.conflicts.is_empty() && self.identity_alterations.is_empty() {
            0
        } else {
            3
        }
    }

    /// Whether the merge was refused because rows no longer match their hidden keys.
    pub fn refused(&self) -> bool {
        !self.identity_alterations.is_empty()
    }
}

/// `verify`: the report of `crosswalk-matrix`, with the file it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixVerifyReport {
    pub file: String,
    #[serde(flatten)]
    pub report: VerifyReport,
}

impl MatrixVerifyReport {
    pub fn exit_code(&self) -> i32 {
        self.report.exit_code()
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| ApiError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn in_file(path: &Path) -> impl Fn(MatrixError) -> ApiError + '_ {
    move |source| ApiError::MatrixFile {
        path: path.to_path_buf(),
        source,
    }
}

/// `set:ref` → (set, ref). Set names never contain a colon; refs may.
fn split_key(key: &str) -> Option<(&str, &str)> {
    key.split_once(':')
        .filter(|(s, r)| !s.is_empty() && !r.is_empty())
}

/// Merges the editable columns of an exported matrix into the engagement `db` (which must
/// exist). Rows unchanged in the engagement since the export take their edits, all in one
/// transaction with an audit entry each; rows changed on both sides are reported, not
/// overwritten. A file that is unreadable, not a matrix, or not sealed by this engagement is
/// refused before anything is written.
pub fn import_matrix(db: &Path, actor: &Actor, file: &Path) -> Result<MatrixImportReport> {
    let bytes = read_file(file)?;
    // Everything is read and checked before the engagement is opened for writing, so a refused
    // file leaves the engagement file exactly as it was.
    let reader = open_read(db)?;
    let secret = reader
        .export_secret()?
        .ok_or_else(|| never_exported(db, file))?;
    let edits = crosswalk_matrix::read_matrix(&bytes, &secret).map_err(in_file(file))?;
    let refuse = |problems: Vec<EditProblem>| ApiError::MatrixRefused {
        path: file.to_path_buf(),
        problems,
    };
    if !edits.identity_alterations.is_empty() {
        // Edits cannot be attributed with certainty: report, write nothing (exit 3, as for
        // conflicts and as `verify` does for altered read-only data).
        return Ok(MatrixImportReport {
            file: file.display().to_string(),
            export: edits.export.clone(),
            applied: Vec::new(),
            already_applied: Vec::new(),
            conflicts: Vec::new(),
            ignored: edits.alterations.clone(),
            identity_alterations: edits.identity_alterations.clone(),
        });
    }
    if !edits.problems.is_empty() {
        return Err(refuse(edits.problems.clone()));
    }

    let mut guarded = Vec::with_capacity(edits.rows.len());
    let mut unusable = Vec::new();
    for row in &edits.rows {
        // A workload's row is keyed `set:ref@workload`; the workload itself comes from the
        // sealed snapshot, so a workload name holding '@' or ':' cannot mislead the split.
        let requirement_key = match &row.workload {
            Some(w) => row
                .key
                .strip_suffix(&crate::export::workload_key("", w))
                .unwrap_or(""),
            None => row.key.as_str(),
        };
        let Some((set, reference)) = split_key(requirement_key) else {
            unusable.push(row);
            continue;
        };
        let edit = AssessmentEdit {
            coverage: row
                .coverage_override
                .as_ref()
                .map(|o| o.as_ref().map(|o| (o.coverage(), o.reason().to_string()))),
            owner: row.owner.clone(),
            evidence: row.evidence.clone(),
            notes: row.notes.clone(),
        };
        let exported = exported_fields(row, &edit);
        guarded.push((
            row,
            GuardedEdit {
                set: set.to_string(),
                reference: reference.to_string(),
                workload: row.workload.clone(),
                expected_revision: i64::try_from(row.exported_version).unwrap_or(i64::MAX),
                edit,
                exported,
                detail: serde_json::json!({
                    "file": file_name(file),
                    "content_hash": edits.export.content_hash,
                    "row": row.row,
                    "cells": row.changes.iter().map(|c| serde_json::json!({
                        "cell": c.cell, "column": c.column, "before": c.before, "after": c.after,
                    })).collect::<Vec<_>>(),
                }),
            },
        ));
    }
    let inherited = inherited_override_clears(&reader, &guarded)?;
    drop(reader);
    if !inherited.is_empty() {
        return Err(refuse(inherited));
    }
    let inputs: Vec<GuardedEdit> = guarded.iter().map(|(_, g)| g.clone()).collect();
    let source = serde_json::json!({
        "file": file_name(file),
        "content_hash": edits.export.content_hash,
        "exported_at": edits.export.generated_at,
    });
    let mut e = Engagement::open(db, actor, crate::shipped_catalogue())?;
    let outcomes = e.apply_guarded_edits(actor, &inputs, &source)?;
    e.close()?;

    let mut report = MatrixImportReport {
        file: file.display().to_string(),
        export: edits.export.clone(),
        applied: Vec::new(),
        already_applied: Vec::new(),
        conflicts: Vec::new(),
        ignored: edits.alterations.clone(),
        identity_alterations: Vec::new(),
    };
    for ((row, g), outcome) in guarded.iter().zip(outcomes) {
        let merged = || MergedRow {
            key: row.key.clone(),
            set: g.set.clone(),
            reference: g.reference.clone(),
            workload: g.workload.clone(),
            row: row.row,
            changes: row.changes.clone(),
        };
        let conflict =
            |current: Option<u64>, reason: String, fields: Vec<FieldConflict>| ConflictRow {
                key: row.key.clone(),
                set: g.set.clone(),
                reference: g.reference.clone(),
                workload: g.workload.clone(),
                row: row.row,
                exported_version: row.exported_version,
                current_version: current,
                reason,
                changes: if fields.is_empty() {
                    row.changes.clone()
                } else {
                    cells_of(row, &fields, true)
                },
                fields,
            };
        let both_sides = |current_revision: i64, fields: Vec<FieldConflict>| {
            conflict(
                Some(current_revision.max(0) as u64),
                format!(
                    "{} changed in the engagement since the export too (version {} then, {} \
                     now): {}; not merged",
                    scope(g),
                    row.exported_version,
                    current_revision,
                    fields.iter().map(describe).collect::<Vec<_>>().join("; ")
                ),
                fields,
            )
        };
        match outcome {
            EditOutcome::Applied { .. } => report.applied.push(merged()),
            EditOutcome::Partial {
                revision,
                conflicts,
            } => {
                let mut m = merged();
                m.changes = cells_of(row, &conflicts, false);
                report.applied.push(m);
                report.conflicts.push(both_sides(revision, conflicts));
            }
            EditOutcome::AlreadyApplied => report.already_applied.push(merged()),
            EditOutcome::Conflict {
                current_revision,
                conflicts,
            } => report
                .conflicts
                .push(both_sides(current_revision, conflicts)),
            EditOutcome::Missing => report.conflicts.push(conflict(
                None,
                format!(
                    "{} is not in the engagement any more; its edits were not merged",
                    scope(g)
                ),
                Vec::new(),
            )),
        }
    }
    for row in unusable {
        report.conflicts.push(ConflictRow {
            key: row.key.clone(),
            set: String::new(),
            reference: String::new(),
            workload: row.workload.clone(),
            row: row.row,
            exported_version: row.exported_version,
            current_version: None,
            reason: format!("row key '{}' names no requirement", row.key),
            changes: row.changes.clone(),
            fields: Vec::new(),
        });
    }
    Ok(report)
}

/// A workload's row shows the engagement-wide override when the workload has none of its own;
/// clearing that cell cannot remove it (it still holds for the workload), so such an edit is
/// refused with the cell named rather than silently doing nothing.
fn inherited_override_clears(
    reader: &crosswalk_store::View,
    guarded: &[(&crosswalk_matrix::RowEdit, GuardedEdit)],
) -> Result<Vec<EditProblem>> {
    let mut out = Vec::new();
    let general: std::collections::HashSet<i64> = reader
        .assessments(None)?
        .into_iter()
        .filter(|a| a.assessment.coverage.is_some())
        .map(|a| a.item_id)
        .collect();
    for (row, g) in guarded {
        let (Some(workload), Some(None)) = (&g.workload, &g.edit.coverage) else {
            continue;
        };
        let Ok(item) = crate::refs::resolve(
            reader,
            &format!("{}:{}", g.set, g.reference),
            crate::refs::Want::Requirement,
        ) else {
            continue;
        };
        let own = reader
            .assessments(Some(workload))?
            .iter()
            .any(|a| a.item_id == item.id && a.assessment.coverage.is_some());
        if own || !general.contains(&item.id) {
            continue;
        }
        let cell = row
            .changes
            .iter()
            .find(|c| c.field == crosswalk_matrix::EditableField::CoverageOverride)
            .map_or_else(String::new, |c| c.cell.clone());
        out.push(EditProblem {
            sheet: "Matrix".into(),
            row: row.row,
            column: "Coverage override".into(),
            cell,
            key: row.key.clone(),
            message: format!(
                "the override shown for workload '{workload}' is the engagement-wide one of \
                 {}:{}; clearing it on this row cannot remove it: remove it for the whole \
                 engagement, or give '{workload}' its own coverage and reason",
                g.set, g.reference
            ),
        });
    }
    Ok(out)
}

/// What the edited fields of `row` showed when exported: an edited cell's value before the
/// edit; a cell of the override left as it was (only its reason or only its coverage edited)
/// still holds its exported value, which the edit carries.
fn exported_fields(row: &RowEdit, edit: &AssessmentEdit) -> ExportedFields {
    let before = |f: EditableField| {
        row.changes
            .iter()
            .find(|c| c.field == f)
            .map(|c| c.before.clone())
    };
    let (edited_coverage, edited_reason) = match &edit.coverage {
        Some(Some((c, r))) => (Some(c.as_str().to_string()), Some(r.clone())),
        // Cleared: the coverage cell was emptied; an untouched reason cell is not known here.
        Some(None) => (None, None),
        None => (None, None),
    };
    ExportedFields {
        coverage: before(EditableField::CoverageOverride).or(edited_coverage),
        reason: before(EditableField::OverrideReason).or(edited_reason),
        owner: before(EditableField::Owner),
        evidence: before(EditableField::Evidence),
        notes: before(EditableField::Notes),
    }
}

fn editable_fields(field: AssessmentField) -> &'static [EditableField] {
    match field {
        AssessmentField::CoverageOverride => &[
            EditableField::CoverageOverride,
            EditableField::OverrideReason,
        ],
        AssessmentField::Owner => &[EditableField::Owner],
        AssessmentField::Evidence => &[EditableField::Evidence],
        AssessmentField::Notes => &[EditableField::Notes],
    }
}

/// The edited cells of `row` that belong to the conflicting `fields` (`conflicting`), or those
/// that do not (the merged ones).
fn cells_of(row: &RowEdit, fields: &[FieldConflict], conflicting: bool) -> Vec<CellEdit> {
    row.changes
        .iter()
        .filter(|c| {
            fields
                .iter()
                .any(|f| editable_fields(f.field).contains(&c.field))
                == conflicting
        })
        .cloned()
        .collect()
}

fn describe(f: &FieldConflict) -> String {
    let name = match f.field {
        AssessmentField::CoverageOverride => "coverage override",
        AssessmentField::Owner => "owner",
        AssessmentField::Evidence => "evidence",
        AssessmentField::Notes => "notes",
    };
    format!(
        "{name} '{}' when exported, '{}' in the engagement now, '{}' in the file",
        f.exported.as_deref().unwrap_or("?"),
        f.current,
        f.edited
    )
}

/// `set:ref`, or `set:ref @ workload` for a workload's row.
fn scope(g: &GuardedEdit) -> String {
    match &g.workload {
        Some(w) => format!("{}:{} @ {w}", g.set, g.reference),
        None => format!("{}:{}", g.set, g.reference),
    }
}

fn never_exported(db: &Path, file: &Path) -> ApiError {
    ApiError::Invalid(format!(
        "{}: {} has never exported a matrix, so this file cannot be one of its exports",
        file.display(),
        db.display()
    ))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Checks an exported matrix against the seal it carries, with this engagement's key: untouched,
/// only the editable columns changed (listed), or read-only data altered (each cell named).
/// Reads only; a file that is not a readable xlsx or not a Crosswalk matrix is an error.
pub fn verify_matrix(db: &Path, file: &Path) -> Result<MatrixVerifyReport> {
    let bytes = read_file(file)?;
    let secret = open_read(db)?
        .export_secret()?
        .ok_or_else(|| never_exported(db, file))?;
    let report = crosswalk_matrix::verify(&bytes, &secret).map_err(in_file(file))?;
    Ok(MatrixVerifyReport {
        file: file.display().to_string(),
        report,
    })
}

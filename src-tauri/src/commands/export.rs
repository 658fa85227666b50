//! Export of the matrix, merging an edited matrix back, and the audit log.

use super::{actor, blocking, AppState};
use crate::error::CmdResult;
use crate::jobs::{Feed, Progress, Reporter};
use crosswalk_api::{
    AuditEntry, ExportControl, ExportFormat, ExportProgress, ExportReport, ExportRequest,
    ExportStage,
};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

/// How many stages an export reports (see [`export_progress`]).
pub const EXPORT_STEPS: u32 = 5;

/// The window's words for a progress report of the core's export.
pub fn export_progress(p: ExportProgress) -> Progress {
    let (key, step, unit) = match p.stage {
        ExportStage::Reading => ("reading", 0, ""),
        ExportStage::Rows => ("rows", 1, "rows"),
        ExportStage::GapStories => ("gap_stories", 2, "gaps"),
        ExportStage::Writing => ("writing", 3, "rows"),
        ExportStage::Saving => ("saving", 4, ""),
    };
    let label = p.stage.label();
    let mut stage = label[..1].to_uppercase();
    stage.push_str(&label[1..]);
    Progress {
        stage,
        key: key.to_string(),
        step,
        steps: EXPORT_STEPS,
        done: p.done as u64,
        total: p.total as u64,
        unit: unit.to_string(),
    }
}

/// Writes the matrix to the path chosen in the save dialog, as a job: the core reports each
/// stage (rows, gap stories, writing, saving) and checks the cancel flag as it goes; a cancelled
/// export writes nothing (an earlier file at the path stays as it was).
#[tauri::command]
pub async fn export_matrix(
    state: State<'_, AppState>,
    job: String,
    path: String,
    format: String,
    on_progress: Channel<Progress>,
) -> CmdResult<ExportReport> {
    let db = state.current()?;
    let out = state.paths.require(&path)?;
    let format = ExportFormat::parse(&format)?;
    let guard = state.jobs.start(&job)?;
    let feed = Feed::new(
        move |p| drop(on_progress.send(p)),
        guard.flag(),
        guard.hold(),
    );
    let result = blocking(move || {
        let progress = |p: ExportProgress| feed.report(export_progress(p));
        let report = crosswalk_api::export_controlled(
            &db,
            &actor(),
            &ExportRequest {
                out,
                format: Some(format),
            },
            &ExportControl {
                progress: Some(&progress),
                cancel: Some(feed.cancel_flag()),
            },
        )?;
        feed.finish(EXPORT_STEPS);
        Ok(report)
    })
    .await;
    drop(guard);
    result
}

/// What merging an edited matrix did, in the words the window shows.
#[derive(Debug, Serialize)]
pub struct MergeOutcome {
    /// Rows whose edits were written (one audit entry each).
    pub applied: usize,
    /// Rows whose edits the engagement already held.
    pub already_applied: usize,
    /// Rows with a field changed both in the engagement since the export and in the file, to
    /// different values (that field kept as it is here, the row's other fields merged), or
    /// whose requirement is gone; each with its fields' three values.
    pub conflicts: Vec<crosswalk_api::ConflictRow>,
    /// Changes to read-only cells, rows or sheets: never merged, listed so nobody is surprised.
    pub ignored: Vec<String>,
    /// True when nothing at all was merged because of `refusals`.
    pub refused: bool,
    /// Why the merge was refused, one entry per cell or row: rows whose Set, Req ID or Workload
    /// no longer match their hidden key, and edited cells that cannot be merged as written.
    pub refusals: Vec<MergeIssue>,
}

/// One reason a merge was refused, located in the workbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergeIssue {
    pub sheet: String,
    /// 1-based row in the workbook as it is now.
    pub row: Option<u32>,
    pub column: Option<String>,
    pub cell: Option<String>,
    /// The requirement the row's hidden key names (`SET:REF`, `@workload` for a workload's row).
    pub key: Option<String>,
    /// What is wrong, in words.
    pub what: String,
    /// The value as exported, when a cell changed.
    pub was: Option<String>,
    /// The value in the file now.
    pub now: Option<String>,
}

impl From<&crosswalk_api::Alteration> for MergeIssue {
    fn from(a: &crosswalk_api::Alteration) -> Self {
        use crosswalk_api::AlterationKind as K;
        let what = match a.kind {
            K::CellChanged => "identifying cell changed: the row no longer matches its hidden key",
            K::RowAdded => "row with edits matches no exported row",
            K::RowDeleted => "exported row deleted",
            K::ColumnMissing => "exported column deleted",
            K::SheetMissing => "exported sheet deleted",
            K::IntegrityMissing => "integrity data missing",
            K::IntegrityAltered => "integrity data altered",
        };
        MergeIssue {
            sheet: a.sheet.clone(),
            row: a.row,
            column: a.column.clone(),
            cell: a.cell.clone(),
            key: a.key.clone(),
            what: what.into(),
            was: a.expected.clone(),
            now: a.found.clone(),
        }
    }
}

impl From<&crosswalk_api::EditProblem> for MergeIssue {
    fn from(p: &crosswalk_api::EditProblem) -> Self {
        MergeIssue {
            sheet: p.sheet.clone(),
            row: Some(p.row),
            column: Some(p.column.clone()),
            cell: Some(p.cell.clone()),
            key: Some(p.key.clone()),
            what: p.message.clone(),
            was: None,
            now: None,
        }
    }
}

impl From<crosswalk_api::MatrixImportReport> for MergeOutcome {
    fn from(r: crosswalk_api::MatrixImportReport) -> Self {
        MergeOutcome {
            applied: r.applied.len(),
            already_applied: r.already_applied.len(),
            conflicts: r.conflicts.clone(),
            ignored: r.ignored.iter().map(|a| a.to_string()).collect(),
            refused: r.refused(),
            refusals: r
                .identity_alterations
                .iter()
                .map(MergeIssue::from)
                .collect(),
        }
    }
}

/// The outcome the window shows for a merge the core refused because edited cells cannot be
/// merged as written (nothing was written), or `None` for any other failure.
pub fn refused_outcome(e: &crosswalk_api::ApiError) -> Option<MergeOutcome> {
    match e {
        crosswalk_api::ApiError::MatrixRefused { problems, .. } => Some(MergeOutcome {
            applied: 0,
            already_applied: 0,
            conflicts: Vec::new(),
            ignored: Vec::new(),
            refused: true,
            refusals: problems.iter().map(MergeIssue::from).collect(),
        }),
        _ => None,
    }
}

/// Merges the editable columns of a matrix the customer edited (chosen in the open dialog).
/// The core reads and checks the whole file before it writes, so a refused file (not a matrix,
/// not sealed by this engagement, a bad cell) changes nothing; a cancel takes effect only
/// before the merge starts.
#[tauri::command]
pub async fn import_matrix(
    state: State<'_, AppState>,
    job: String,
    path: String,
    on_progress: Channel<Progress>,
) -> CmdResult<MergeOutcome> {
    let db = state.current()?;
    let file = state.paths.require(&path)?;
    let guard = state.jobs.start(&job)?;
    let flag = guard.flag();
    let result = blocking(move || {
        let mut r = Reporter::new(move |p| drop(on_progress.send(p)), flag);
        r.stage("Reading, checking and merging the matrix", 0, 1)?;
        let outcome = match crosswalk_api::import_matrix(&db, &actor(), &file) {
            Ok(report) => MergeOutcome::from(report),
            Err(e) => refused_outcome(&e).ok_or(e)?,
        };
        r.stage("Done", 1, 1).ok();
        Ok(outcome)
    })
    .await;
    drop(guard);
    result
}

#[derive(Debug, Serialize)]
pub struct AuditPage {
    pub total: usize,
    pub entries: Vec<AuditEntry>,
}

/// A page of the audit log, newest first. The core checks the hash chain before answering.
#[tauri::command]
pub async fn audit_log(
    state: State<'_, AppState>,
    offset: usize,
    limit: usize,
) -> CmdResult<AuditPage> {
    let db = state.current()?;
    let limit = limit.clamp(1, 1000);
    blocking(move || {
        let mut all = crosswalk_api::audit_log(&db)?;
        all.reverse();
        let total = all.len();
        let entries = all.into_iter().skip(offset).take(limit).collect();
        Ok(AuditPage { total, entries })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crosswalk_api::{Alteration, AlterationKind, EditProblem};
    use std::path::PathBuf;

    #[test]
    fn export_stages_become_numbered_steps_in_words() {
        let p = export_progress(ExportProgress {
            stage: ExportStage::GapStories,
            done: 12,
            total: 40,
        });
        assert_eq!(
            p,
            Progress {
                stage: "Proposing gap stories".into(),
                key: "gap_stories".into(),
                step: 2,
                steps: EXPORT_STEPS,
                done: 12,
                total: 40,
                unit: "gaps".into(),
            }
        );
        let last = export_progress(ExportProgress {
            stage: ExportStage::Saving,
            done: 1,
            total: 1,
        });
        assert_eq!((last.step, last.stage.as_str()), (4, "Saving the file"));
        // The writer counts the rows it has written across the sheets.
        let writing = export_progress(ExportProgress {
            stage: ExportStage::Writing,
            done: 1024,
            total: 30_000,
        });
        assert_eq!(
            (writing.step, writing.unit.as_str(), writing.done),
            (3, "rows", 1024)
        );
    }

    #[test]
    fn a_row_whose_identity_changed_is_located_with_what_changed() {
        let a = Alteration {
            kind: AlterationKind::CellChanged,
            sheet: "Matrix".into(),
            row: Some(7),
            column: Some("Req ID".into()),
            cell: Some("B7".into()),
            key: Some("acme:R-2".into()),
            expected: Some("R-2".into()),
            found: Some("R-9".into()),
        };
        let issue = MergeIssue::from(&a);
        assert_eq!(
            (
                issue.row,
                issue.column.as_deref(),
                issue.was.as_deref(),
                issue.now.as_deref()
            ),
            (Some(7), Some("Req ID"), Some("R-2"), Some("R-9"))
        );
        assert!(issue.what.contains("hidden key"), "{}", issue.what);
    }

    #[test]
    fn cells_that_cannot_be_merged_become_a_refused_outcome_not_an_error() {
        let e = crosswalk_api::ApiError::MatrixRefused {
            path: PathBuf::from("/tmp/m.xlsx"),
            problems: vec![EditProblem {
                sheet: "Matrix".into(),
                row: 4,
                column: "Notes".into(),
                cell: "P4".into(),
                key: "acme:R-1".into(),
                message: "a formula cannot be merged".into(),
            }],
        };
        let out = refused_outcome(&e).expect("a refusal");
        assert!(out.refused);
        assert_eq!(out.applied, 0);
        assert_eq!(out.refusals.len(), 1);
        assert_eq!(out.refusals[0].cell.as_deref(), Some("P4"));
        assert_eq!(out.refusals[0].what, "a formula cannot be merged");
        assert!(refused_outcome(&crosswalk_api::ApiError::Invalid("x".into())).is_none());
    }
}

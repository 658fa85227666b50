//! Export of the matrix, merging an edited matrix back, and the audit log.

use super::{actor, blocking, AppState};
use crate::error::CmdResult;
use crate::jobs::{Progress, Reporter};
use crosswalk_api::{AuditEntry, ExportFormat, ExportReport, ExportRequest};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

/// Writes the matrix to the path chosen in the save dialog. The core writes the file in one go
/// (to a temporary file renamed into place), so a cancel takes effect only before it starts.
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
    let flag = guard.flag();
    let result = blocking(move || {
        let mut r = Reporter::new(move |p| drop(on_progress.send(p)), flag);
        r.stage("Building and writing the matrix", 0, 1)?;
        let report = crosswalk_api::export(
            &db,
            &actor(),
            &ExportRequest {
                out,
                format: Some(format),
            },
        )?;
        r.stage("Done", 1, 1).ok();
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
    /// Rows changed in the engagement since the export too: left alone, one line each.
    pub conflicts: Vec<String>,
    /// Changes to read-only cells, rows or sheets: never merged, listed so nobody is surprised.
    pub ignored: Vec<String>,
}

impl From<crosswalk_api::MatrixImportReport> for MergeOutcome {
    fn from(r: crosswalk_api::MatrixImportReport) -> Self {
        MergeOutcome {
            applied: r.applied.len(),
            already_applied: r.already_applied.len(),
            conflicts: r
                .conflicts
                .iter()
                .map(|c| format!("{} (row {}): {}", c.reference, c.row, c.reason))
                .collect(),
            ignored: r.ignored.iter().map(|a| a.to_string()).collect(),
        }
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
        let report = crosswalk_api::import_matrix(&db, &actor(), &file)?;
        r.stage("Done", 1, 1).ok();
        Ok(MergeOutcome::from(report))
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

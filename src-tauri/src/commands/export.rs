//! Export of the matrix, merging an edited matrix back, and the audit log.

use super::{actor, blocking, AppState};
use crate::error::{CmdResult, CommandError};
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

#[derive(Debug, Serialize)]
pub struct MergeOutcome {
    pub applied: usize,
    pub conflicts: Vec<String>,
}

/// Merging an edited matrix back needs `import_matrix` in crosswalk-api, which has not landed;
/// until then the window says so instead of pretending.
#[tauri::command]
pub async fn import_matrix(
    state: State<'_, AppState>,
    job: String,
    path: String,
    on_progress: Channel<Progress>,
) -> CmdResult<MergeOutcome> {
    let _ = (
        state.current()?,
        state.paths.require(&path)?,
        job,
        on_progress,
    );
    Err(CommandError::new(
        "unavailable",
        "merging an edited matrix is not available in this build yet; use `crosswalk import-matrix`",
    ))
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

//! The import wizard: a dry run for the preview, then the import as a cancellable job.

use super::{actor, blocking, AppState};
use crate::error::CmdResult;
use crate::jobs::{Progress, Reporter};
use crosswalk_api::{ImportReport, ImportRequest};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::State;

/// The wizard's choices. Column roles are not sent yet: the core's import request has no field
/// for them (the importer detects them, and a saved profile keeps sheet and header row).
#[derive(Debug, Clone, Deserialize)]
pub struct ImportChoices {
    pub set: Option<String>,
    #[serde(default)]
    pub sheets: Vec<String>,
    pub header_row: Option<u32>,
    pub profile: Option<String>,
}

impl ImportChoices {
    fn request(&self, file: PathBuf, dry_run: bool) -> ImportRequest {
        ImportRequest {
            file,
            set: self.set.clone().filter(|s| !s.trim().is_empty()),
            sheets: self.sheets.clone(),
            all_sheets: false,
            header_row: self.header_row,
            profile: self.profile.clone().filter(|s| !s.trim().is_empty()),
            dry_run,
            columns: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ImportPreview {
    pub report: ImportReport,
    /// The sheets the importer read plus the same-shape ones it left out, to choose from.
    pub sheet_names: Vec<String>,
}

/// A dry run against the open engagement: what would be added, changed and removed.
#[tauri::command]
pub async fn preview_import(
    state: State<'_, AppState>,
    path: String,
    choices: ImportChoices,
) -> CmdResult<ImportPreview> {
    let db = state.current()?;
    let file = state.paths.require(&path)?;
    blocking(move || {
        let report = crosswalk_api::import(&db, &actor(), &choices.request(file, true))?;
        let mut sheet_names: Vec<String> = report.sheets.iter().map(|s| s.name.clone()).collect();
        for s in &report.alternative_sheets {
            if !sheet_names.contains(s) {
                sheet_names.push(s.clone());
            }
        }
        Ok(ImportPreview {
            report,
            sheet_names,
        })
    })
    .await
}

/// Imports as a job: the file is read and checked in full (a dry run) before anything is
/// stored, and a cancel between the two stages stores nothing.
#[tauri::command]
pub async fn import_sheet(
    state: State<'_, AppState>,
    job: String,
    path: String,
    choices: ImportChoices,
    on_progress: Channel<Progress>,
) -> CmdResult<ImportReport> {
    let db = state.current()?;
    let file = state.paths.require(&path)?;
    let guard = state.jobs.start(&job)?;
    let flag = guard.flag();
    let result = blocking(move || {
        let mut r = Reporter::new(move |p| drop(on_progress.send(p)), flag);
        r.stage("Reading and checking the sheet", 0, 2)?;
        let dry = crosswalk_api::import(&db, &actor(), &choices.request(file.clone(), true))?;
        r.stage(&format!("Storing {} requirements", dry.requirements), 1, 2)?;
        let report = crosswalk_api::import(&db, &actor(), &choices.request(file, false))?;
        r.stage("Done", 2, 2).ok();
        Ok(report)
    })
    .await;
    drop(guard);
    result
}

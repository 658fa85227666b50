//! The commands the window calls, grouped by area. Each one is `async` and runs the core's
//! blocking work in `spawn_blocking`, so the GTK main thread never waits on SQLite or a sheet.

pub mod engagement;
pub mod export;
pub mod grid;
pub mod import;
pub mod profile;
pub mod workplan;

use crate::error::{CmdResult, CommandError};
use crate::jobs::Jobs;
use crate::paths::Paths;
use crosswalk_api::Actor;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Mutex;
use tauri::State;
use tauri_plugin_dialog::DialogExt;

/// What the shell keeps between commands: which engagement file is open, the running jobs and
/// the paths the user handed over. No connection is kept: each call of the core opens the file.
pub struct AppState {
    pub engagement: Mutex<Option<PathBuf>>,
    pub jobs: Jobs,
    pub paths: Paths,
    pub recent: crate::recent::RecentStore,
}

impl AppState {
    pub fn new(test_hooks: bool) -> Self {
        AppState {
            engagement: Mutex::new(None),
            jobs: Jobs::default(),
            paths: Paths::new(test_hooks),
            recent: crate::recent::RecentStore::new(None),
        }
    }

    /// The open engagement file, or `no_engagement`.
    pub fn current(&self) -> CmdResult<PathBuf> {
        self.engagement
            .lock()
            .map_err(|_| CommandError::new("internal", "engagement state unusable"))?
            .clone()
            .ok_or_else(CommandError::no_engagement)
    }

    pub fn set_current(&self, path: Option<PathBuf>) -> CmdResult<()> {
        *self
            .engagement
            .lock()
            .map_err(|_| CommandError::new("internal", "engagement state unusable"))? = path;
        Ok(())
    }
}

/// The host decides who and when; the core never reads the clock or the user name itself.
pub fn actor() -> Actor {
    let name = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "consultant".to_string());
    Actor::new(name, time::OffsetDateTime::now_utc())
}

/// Runs blocking core work on the blocking pool and waits for it without holding the UI thread.
pub async fn blocking<T, F>(f: F) -> CmdResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> CmdResult<T> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| CommandError::new("internal", format!("the background task failed: {e}")))?
}

#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub catalogue_version: String,
    pub test_hooks: bool,
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> CmdResult<AppInfo> {
    Ok(AppInfo {
        version: crosswalk_api::APP_VERSION,
        catalogue_version: crosswalk_api::shipped_catalogue().version.clone(),
        test_hooks: state.paths.test_hooks(),
    })
}

#[tauri::command]
pub async fn cancel_job(state: State<'_, AppState>, job: String) -> CmdResult<bool> {
    state.jobs.cancel(&job)
}

/// Why the window asks for a path; decides the dialog's kind, title and filters.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DialogPurpose {
    NewEngagement,
    OpenEngagement,
    ImportSheet,
    Export,
    ImportMatrix,
    ReadinessReport,
    Backlog,
}

/// Shows the native open/save dialog (or, in end-to-end tests, takes the handed-over path) and
/// grants the chosen path. `None` when the user cancelled.
#[tauri::command]
pub async fn pick_path(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    purpose: DialogPurpose,
    suggested_name: Option<String>,
) -> CmdResult<Option<String>> {
    let chosen = match state.paths.take_handed_over() {
        Some(p) => Some(p),
        None => blocking(move || Ok(show_dialog(&app, purpose, suggested_name))).await?,
    };
    Ok(chosen.map(|p| {
        state.paths.grant(&p);
        p.display().to_string()
    }))
}

fn show_dialog(
    app: &tauri::AppHandle,
    purpose: DialogPurpose,
    suggested: Option<String>,
) -> Option<PathBuf> {
    let d = app.dialog().file();
    let picked = match purpose {
        DialogPurpose::NewEngagement => d
            .set_title("Create the engagement file")
            .add_filter("Crosswalk engagement", &["crosswalk", "db", "sqlite"])
            .set_file_name(suggested.unwrap_or_else(|| "engagement.crosswalk".into()))
            .blocking_save_file(),
        DialogPurpose::OpenEngagement => d
            .set_title("Open an engagement")
            .add_filter("Crosswalk engagement", &["crosswalk", "db", "sqlite"])
            .blocking_pick_file(),
        DialogPurpose::ImportSheet => d
            .set_title("Import a requirement sheet")
            .add_filter(
                "Spreadsheets",
                &["xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "tsv", "txt"],
            )
            .blocking_pick_file(),
        DialogPurpose::Export => d
            .set_title("Export the traceability matrix")
            .set_file_name(suggested.unwrap_or_else(|| "matrix.xlsx".into()))
            .blocking_save_file(),
        DialogPurpose::ImportMatrix => d
            .set_title("Merge an edited matrix")
            .add_filter("Excel workbook", &["xlsx"])
            .blocking_pick_file(),
        DialogPurpose::ReadinessReport => d
            .set_title("Save the readiness report")
            .add_filter("Excel workbook", &["xlsx"])
            .set_file_name(suggested.unwrap_or_else(|| "readiness.xlsx".into()))
            .blocking_save_file(),
        DialogPurpose::Backlog => d
            .set_title("Save the story backlog")
            .add_filter("CSV for issue trackers", &["csv"])
            .set_file_name(suggested.unwrap_or_else(|| "backlog.csv".into()))
            .blocking_save_file(),
    };
    picked.and_then(|p| p.into_path().ok())
}

/// End-to-end tests only (the app must run with `CROSSWALK_TEST_HOOKS=1`): queue the path that
/// the next dialog would have returned, because WebDriver cannot operate a native GTK dialog.
#[tauri::command]
pub async fn test_hand_over_path(state: State<'_, AppState>, path: String) -> CmdResult<()> {
    state.paths.hand_over(&path)
}

/// End-to-end tests only (refused unless the app runs with `CROSSWALK_TEST_HOOKS=1`): the next
/// job, once it reports the stage `key` (an export's `rows`, say), shows that report and waits
/// for its cancel, so a test presses the real Cancel button at a known point of a real job.
#[tauri::command]
pub async fn test_hold_next_job(state: State<'_, AppState>, key: String) -> CmdResult<()> {
    if !state.paths.test_hooks() {
        return Err(CommandError::new(
            "invalid",
            format!(
                "the test hooks are off; start the app with {}=1",
                crate::paths::TEST_HOOKS_ENV
            ),
        ));
    }
    state.jobs.hold_next(&key)
}

//! The Crosswalk desktop shell: thin Tauri commands over `crosswalk-api`. The shell runs no SQL
//! and reads no file itself; it keeps which engagement is open, the running jobs, and the paths
//! the user handed over through a dialog or a drop.

mod commands;
mod error;
mod jobs;
mod paths;
mod recent;

use commands::AppState;
use tauri::{DragDropEvent, Emitter, Manager, WindowEvent};

/// The event the window receives when a file is dropped on it (payload: the path).
pub const SHEET_DROPPED: &str = "crosswalk://sheet-dropped";

/// Builds and runs the app until its last window closes.
pub fn run() {
    let test_hooks = std::env::var(paths::TEST_HOOKS_ENV).is_ok_and(|v| v == "1");
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState::new(test_hooks))
        .setup(|app| {
            // The recent engagements live in the app's config directory, outside the webview's
            // storage, so clearing the page's data keeps them.
            if let Ok(dir) = app.path().app_config_dir() {
                app.state::<AppState>()
                    .recent
                    .set_file(dir.join(recent::RECENT_FILE));
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            // Native drop gives real paths; HTML5 drag-and-drop stays off (they cannot both be on).
            if let WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) = event {
                if let Some(path) = paths.first() {
                    window.state::<AppState>().paths.grant(path);
                    let _ = window.emit(SHEET_DROPPED, path.display().to_string());
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::cancel_job,
            commands::pick_path,
            commands::test_hand_over_path,
            commands::test_hold_next_job,
            commands::engagement::profile_presets,
            commands::engagement::create_engagement,
            commands::engagement::open_engagement,
            commands::engagement::engagement_summary,
            commands::engagement::close_engagement,
            commands::engagement::recent_engagements,
            commands::engagement::forget_recent_engagement,
            commands::engagement::list_workloads,
            commands::engagement::add_workload,
            commands::import::preview_import,
            commands::import::import_sheet,
            commands::grid::query_requirements,
            commands::grid::requirement_sections,
            commands::grid::requirement_detail,
            commands::grid::decide_mapping,
            commands::grid::search_catalogue,
            commands::grid::update_assessment,
            commands::grid::suggest_all,
            commands::profile::landing_zone_profile,
            commands::profile::set_control_enabled,
            commands::profile::apply_preset,
            commands::profile::coverage_summary,
            commands::export::export_matrix,
            commands::export::import_matrix,
            commands::export::audit_log,
            commands::workplan::workplan_list,
            commands::workplan::workplan_set,
            commands::workplan::readiness_list,
            commands::workplan::readiness_set,
            commands::workplan::stories_list,
            commands::workplan::export_workstream,
        ])
        .run(tauri::generate_context!())
        .expect("the Tauri application failed to start");
}

//! Start screen: create, open and close an engagement.

use super::{actor, blocking, AppState};
use crate::error::CmdResult;
use crate::recent::RecentEngagement;
use crosswalk_api::{EngagementSummary, PresetInfo, WorkloadInfo};
use std::path::PathBuf;
use tauri::State;

#[tauri::command]
pub async fn profile_presets() -> CmdResult<Vec<PresetInfo>> {
    Ok(crosswalk_api::profile_presets())
}

#[tauri::command]
pub async fn create_engagement(
    state: State<'_, AppState>,
    path: String,
    customer: String,
    workloads: Vec<String>,
    preset: Option<String>,
) -> CmdResult<EngagementSummary> {
    let db = state.paths.require(&path)?;
    let target = db.clone();
    let summary = blocking(move || {
        Ok(crosswalk_api::create_engagement(
            &target,
            &actor(),
            &customer,
            &workloads,
            preset.as_deref(),
        )?)
    })
    .await?;
    state.set_current(Some(db))?;
    remember(&state, &summary);
    Ok(summary)
}

/// Puts the engagement first in the recent list. A list that cannot be saved (a read-only
/// config directory) must not keep the engagement from opening.
fn remember(state: &AppState, summary: &EngagementSummary) {
    let entry = RecentEngagement {
        path: summary.db.clone(),
        customer: summary.info.customer.clone(),
        opened_at: actor().timestamp(),
    };
    if let Err(e) = state.recent.remember(entry) {
        eprintln!("crosswalk: {e}");
    }
}

/// Opens an engagement file picked in the dialog or from the recent list. The core opens it
/// read-only to check it is an engagement before the window switches to it.
#[tauri::command]
pub async fn open_engagement(
    state: State<'_, AppState>,
    path: String,
) -> CmdResult<EngagementSummary> {
    let db = PathBuf::from(&path);
    let target = db.clone();
    let summary = blocking(move || Ok(crosswalk_api::engagement_summary(&target)?)).await?;
    state.paths.grant(&db);
    state.set_current(Some(db))?;
    remember(&state, &summary);
    Ok(summary)
}

#[tauri::command]
pub async fn engagement_summary(state: State<'_, AppState>) -> CmdResult<EngagementSummary> {
    let db = state.current()?;
    blocking(move || Ok(crosswalk_api::engagement_summary(&db)?)).await
}

#[tauri::command]
pub async fn close_engagement(state: State<'_, AppState>) -> CmdResult<()> {
    state.set_current(None)
}

/// The recently opened engagements, last opened first.
#[tauri::command]
pub async fn recent_engagements(state: State<'_, AppState>) -> CmdResult<Vec<RecentEngagement>> {
    state.recent.list()
}

/// Drops a file from the recent list (it was moved or deleted); returns the list left.
#[tauri::command]
pub async fn forget_recent_engagement(
    state: State<'_, AppState>,
    path: String,
) -> CmdResult<Vec<RecentEngagement>> {
    state.recent.forget(&path)
}

#[tauri::command]
pub async fn list_workloads(state: State<'_, AppState>) -> CmdResult<Vec<WorkloadInfo>> {
    let db = state.current()?;
    blocking(move || Ok(EngagementSummary::list_workloads(&db)?)).await
}

/// Adds a workload to the open engagement (one audit entry); returns every workload.
#[tauri::command]
pub async fn add_workload(
    state: State<'_, AppState>,
    name: String,
    description: String,
) -> CmdResult<Vec<WorkloadInfo>> {
    let db = state.current()?;
    blocking(move || {
        Ok(EngagementSummary::add_workload(
            &db,
            &actor(),
            &name,
            &description,
        )?)
    })
    .await
}

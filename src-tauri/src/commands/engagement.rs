//! Start screen: create, open and close an engagement.

use super::{actor, blocking, AppState};
use crate::error::CmdResult;
use crosswalk_api::{EngagementSummary, PresetInfo};
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
    Ok(summary)
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

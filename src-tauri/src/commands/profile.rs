//! Landing-zone profile and the coverage dashboard.

use super::{actor, blocking, AppState};
use crate::error::CmdResult;
use crosswalk_api::{CoverageSummary, ProfileControl};
use tauri::State;

#[tauri::command]
pub async fn landing_zone_profile(state: State<'_, AppState>) -> CmdResult<Vec<ProfileControl>> {
    let db = state.current()?;
    blocking(move || Ok(crosswalk_api::landing_zone_controls(&db)?)).await
}

#[tauri::command]
pub async fn set_control_enabled(
    state: State<'_, AppState>,
    r#ref: String,
    enabled: bool,
) -> CmdResult<()> {
    let db = state.current()?;
    blocking(move || {
        Ok(crosswalk_api::set_control_enabled(
            &db,
            &actor(),
            &r#ref,
            enabled,
        )?)
    })
    .await
}

#[tauri::command]
pub async fn apply_preset(state: State<'_, AppState>, preset: String) -> CmdResult<usize> {
    let db = state.current()?;
    blocking(move || Ok(crosswalk_api::apply_preset(&db, &actor(), &preset)?)).await
}

#[tauri::command]
pub async fn coverage_summary(state: State<'_, AppState>) -> CmdResult<CoverageSummary> {
    let db = state.current()?;
    blocking(move || Ok(crosswalk_api::coverage_summary(&db)?)).await
}

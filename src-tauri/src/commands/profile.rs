//! Landing-zone profile and the coverage dashboard.

use super::{actor, blocking, AppState};
use crate::error::CmdResult;
use crosswalk_api::{CoverageSummary, PresetInfo, ProfileChange, ProfileControl, ProfileReport};
use tauri::State;

/// Every landing-zone control, enabled or not, with the preset the profile matches (or the
/// nearest one and how far it is).
#[tauri::command]
pub async fn landing_zone_profile(state: State<'_, AppState>) -> CmdResult<ProfileReport> {
    let db = state.current()?;
    blocking(move || Ok(ProfileControl::profile(&db)?)).await
}

/// Switches one control (one audit entry) and says which requirements' coverage moved.
#[tauri::command]
pub async fn set_control_enabled(
    state: State<'_, AppState>,
    r#ref: String,
    enabled: bool,
) -> CmdResult<ProfileChange> {
    let db = state.current()?;
    blocking(move || Ok(ProfileControl::set_many(&db, &actor(), &[r#ref], enabled)?)).await
}

/// Makes the profile exactly a shipped preset, in one transaction; says what moved.
#[tauri::command]
pub async fn apply_preset(state: State<'_, AppState>, preset: String) -> CmdResult<ProfileChange> {
    let db = state.current()?;
    blocking(move || Ok(PresetInfo::apply(&db, &actor(), &preset)?)).await
}

#[tauri::command]
pub async fn coverage_summary(state: State<'_, AppState>) -> CmdResult<CoverageSummary> {
    let db = state.current()?;
    blocking(move || Ok(crosswalk_api::coverage_summary(&db)?)).await
}

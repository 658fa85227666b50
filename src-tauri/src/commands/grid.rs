//! The requirements grid and the mapping panel: windows of rows, one requirement's detail,
//! decisions, catalogue search, assessments, and the "accept strong suggestions" job.

use super::{actor, blocking, AppState};
use crate::error::{CmdResult, CommandError};
use crate::jobs::{Progress, Reporter};
use crosswalk_api::{
    AssessmentUpdate, Coverage, RequirementDetail, RequirementItem, RequirementList, SearchHit,
    SortColumn, SuggestRequest,
};
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::State;

/// The most rows one grid request may ask for: the grid pages, it never takes everything.
pub const MAX_PAGE: u32 = 1000;

#[derive(Debug, Clone, Deserialize)]
pub struct GridQuery {
    pub set: Option<String>,
    pub section: Option<String>,
    pub coverage: Option<Coverage>,
    pub search: Option<String>,
    pub sort: SortColumn,
    pub descending: bool,
    pub offset: u32,
    pub limit: u32,
}

impl GridQuery {
    pub fn to_core(&self) -> CmdResult<crosswalk_api::RequirementQuery> {
        if self.limit == 0 || self.limit > MAX_PAGE {
            return Err(CommandError::new(
                "invalid",
                format!("ask for 1 to {MAX_PAGE} rows at a time, not {}", self.limit),
            ));
        }
        let text = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
        Ok(crosswalk_api::RequirementQuery {
            set: text(&self.set),
            section: text(&self.section),
            coverage: self.coverage,
            search: text(&self.search),
            sort: self.sort,
            descending: self.descending,
            offset: self.offset,
            limit: Some(self.limit),
            ..Default::default()
        })
    }
}

#[tauri::command]
pub async fn query_requirements(
    state: State<'_, AppState>,
    query: GridQuery,
) -> CmdResult<RequirementList> {
    let db = state.current()?;
    let q = query.to_core()?;
    blocking(move || Ok(crosswalk_api::list_requirements(&db, &q)?)).await
}

#[tauri::command]
pub async fn requirement_sections(
    state: State<'_, AppState>,
    set: Option<String>,
) -> CmdResult<Vec<String>> {
    let db = state.current()?;
    blocking(move || {
        Ok(crosswalk_api::requirement_sections(
            &db,
            set.as_deref().filter(|s| !s.is_empty()),
        )?)
    })
    .await
}

#[tauri::command]
pub async fn requirement_detail(
    state: State<'_, AppState>,
    set: String,
    r#ref: String,
    top: usize,
) -> CmdResult<RequirementDetail> {
    let db = state.current()?;
    let top = top.clamp(1, 25);
    blocking(move || Ok(crosswalk_api::requirement_detail(&db, &set, &r#ref, top)?)).await
}

#[tauri::command]
pub async fn decide_mapping(
    state: State<'_, AppState>,
    set: String,
    r#ref: String,
    target: String,
    accept: bool,
) -> CmdResult<()> {
    let db = state.current()?;
    blocking(move || {
        let why = if accept {
            "accepted in the workbench"
        } else {
            "rejected in the workbench"
        };
        Ok(crosswalk_api::decide_mapping(
            &db,
            &actor(),
            &set,
            &r#ref,
            &target,
            accept,
            why,
        )?)
    })
    .await
}

#[tauri::command]
pub async fn search_catalogue(
    state: State<'_, AppState>,
    text: String,
    limit: usize,
) -> CmdResult<Vec<SearchHit>> {
    let db = state.current()?;
    let limit = limit.clamp(1, 100);
    blocking(move || Ok(crosswalk_api::catalogue_search(Some(&db), &text, limit)?.items)).await
}

#[allow(clippy::too_many_arguments)]
#[tauri::command]
pub async fn update_assessment(
    state: State<'_, AppState>,
    set: String,
    r#ref: String,
    owner: String,
    notes: String,
    coverage: Option<Coverage>,
    reason: String,
    workload: Option<String>,
) -> CmdResult<RequirementItem> {
    let db = state.current()?;
    blocking(move || {
        let update = AssessmentUpdate {
            set: &set,
            reference: &r#ref,
            // A blank workload is the engagement-wide assessment.
            workload: workload.as_deref().filter(|w| !w.trim().is_empty()),
            owner: &owner,
            notes: &notes,
            coverage,
            reason: &reason,
        };
        Ok(crosswalk_api::update_assessment_for(
            &db,
            &actor(),
            &update,
        )?)
    })
    .await
}

#[derive(Debug, Serialize)]
pub struct SuggestOutcome {
    pub accepted: usize,
    pub requirements: usize,
}

/// Accepts every suggestion scoring at least `accept_above`. The core ranks and stores in one
/// call, so a cancel takes effect only before that call starts.
#[tauri::command]
pub async fn suggest_all(
    state: State<'_, AppState>,
    job: String,
    set: Option<String>,
    accept_above: f64,
    on_progress: Channel<Progress>,
) -> CmdResult<SuggestOutcome> {
    let db = state.current()?;
    let guard = state.jobs.start(&job)?;
    let flag = guard.flag();
    let result = blocking(move || {
        let mut r = Reporter::new(move |p| drop(on_progress.send(p)), flag);
        r.stage("Ranking and accepting suggestions", 0, 1)?;
        let request = SuggestRequest {
            set: set.filter(|s| !s.is_empty()),
            top: 5,
            accept_above: Some(accept_above),
        };
        let report = crosswalk_api::suggest(&db, &actor(), &request)?;
        r.stage("Done", 1, 1).ok();
        Ok(SuggestOutcome {
            accepted: report.accepted,
            requirements: report.requirements.len(),
        })
    })
    .await;
    drop(guard);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(limit: u32) -> GridQuery {
        GridQuery {
            set: Some(" ".into()),
            section: None,
            coverage: Some(Coverage::Gap),
            search: Some("mfa root".into()),
            sort: SortColumn::Ref,
            descending: true,
            offset: 90_000,
            limit,
        }
    }

    #[test]
    fn a_grid_query_becomes_one_window_of_the_core_query() {
        let core = q(200).to_core().expect("a valid window");
        assert_eq!(core.offset, 90_000);
        assert_eq!(core.limit, Some(200), "the grid never asks for every row");
        assert_eq!(core.set, None, "a blank set means all sets");
        assert_eq!(core.search.as_deref(), Some("mfa root"));
        assert_eq!(core.coverage, Some(Coverage::Gap));
    }

    #[test]
    fn a_window_larger_than_a_page_is_refused() {
        assert_eq!(
            q(MAX_PAGE + 1).to_core().expect_err("too many rows").code,
            "invalid"
        );
        assert!(
            q(0).to_core().is_err(),
            "an empty window is a bug in the caller"
        );
    }
}

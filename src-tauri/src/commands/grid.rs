//! The requirements grid and the mapping panel: windows of rows, one requirement's detail,
//! decisions, catalogue search, assessments, and the "accept strong suggestions" job.

use super::{actor, blocking, AppState};
use crate::error::{CmdResult, CommandError};
use crate::jobs::{Feed, Progress};
use crosswalk_api::{
    AssessmentUpdate, Coverage, RequirementDetail, RequirementItem, RequirementList, SearchHit,
    SortColumn, SuggestControl, SuggestProgress, SuggestRequest, SuggestStage,
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

/// How many steps "accept strong suggestions" reports: ranking, accepting (then done).
pub const SUGGEST_STEPS: u32 = 2;

/// The window's words for a progress report of the core's suggestion run.
pub fn suggest_progress(p: SuggestProgress) -> Progress {
    let (stage, key, step, unit) = match p.stage {
        SuggestStage::Ranking => ("Ranking suggestions", "ranking", 0, "requirements"),
        SuggestStage::Accepting => ("Accepting suggestions", "accepting", 1, "suggestions"),
        SuggestStage::Done => ("Done", "done", SUGGEST_STEPS, ""),
    };
    Progress {
        stage: stage.to_string(),
        key: key.to_string(),
        step,
        steps: SUGGEST_STEPS,
        done: if unit.is_empty() { 0 } else { p.done as u64 },
        total: if unit.is_empty() { 0 } else { p.total as u64 },
        unit: unit.to_string(),
    }
}

/// Accepts every suggestion scoring at least `accept_above`, as a job: the core reports each
/// requirement ranked, and a cancel before the accepting step accepts nothing.
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
    let feed = Feed::new(
        move |p| drop(on_progress.send(p)),
        guard.flag(),
        guard.hold(),
    );
    let result = blocking(move || {
        let request = SuggestRequest {
            set: set.filter(|s| !s.is_empty()),
            top: 5,
            accept_above: Some(accept_above),
        };
        let progress = |p: SuggestProgress| feed.report(suggest_progress(p));
        let report = crosswalk_api::suggest_controlled(
            &db,
            &actor(),
            &request,
            &SuggestControl {
                progress: Some(&progress),
                cancel: Some(feed.cancel_flag()),
            },
        )?;
        feed.finish(SUGGEST_STEPS);
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
    fn suggest_stages_become_numbered_steps_counting_requirements_then_suggestions() {
        let ranking = suggest_progress(SuggestProgress {
            stage: SuggestStage::Ranking,
            done: 120,
            total: 497,
        });
        assert_eq!(
            (
                ranking.key.as_str(),
                ranking.step,
                ranking.done,
                ranking.total,
                ranking.unit.as_str()
            ),
            ("ranking", 0, 120, 497, "requirements")
        );
        let accepting = suggest_progress(SuggestProgress {
            stage: SuggestStage::Accepting,
            done: 0,
            total: 40,
        });
        assert_eq!(
            (accepting.key.as_str(), accepting.step, accepting.total),
            ("accepting", 1, 40)
        );
        let done = suggest_progress(SuggestProgress {
            stage: SuggestStage::Done,
            done: 40,
            total: 40,
        });
        assert_eq!((done.key.as_str(), done.step, done.steps), ("done", 2, 2));
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

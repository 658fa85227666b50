//! The security workstream: the workplan checklist (tasks, subtasks, policy decisions and the
//! controls that enforce them), the readiness assessment per security domain with its stories,
//! the merged story backlog, and the readiness report and backlog files.
use super::{actor, blocking, AppState};
use crate::error::{CmdResult, CommandError};
use crate::jobs::{Progress, Reporter};
use crosswalk_api::workplan::{
    self as wp, Dimension, ExportedFile, Priority, ReadinessList, ReadinessSetReport,
    ReadinessSetRequest, SecurityDomain, StoryList, StoryRequest, WorkplanList, WorkplanSetReport,
    WorkplanSetRequest, WorkplanStatus,
};
use crosswalk_api::Relationship;
use serde::Deserialize;
use std::str::FromStr;
use tauri::ipc::Channel;
use tauri::State;

/// A closed-vocabulary value typed or picked in the window; a wrong one is refused with the
/// list of allowed values (the core's own message).
fn term<T>(text: Option<&str>) -> CmdResult<Option<T>>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| T::from_str(t).map_err(|e| CommandError::new("invalid", e.to_string())))
        .transpose()
}

/// Texts from a list editor: blank lines are not values.
fn lines(values: Vec<String>) -> Vec<String> {
    values
        .into_iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

#[tauri::command]
pub async fn workplan_list(state: State<'_, AppState>) -> CmdResult<WorkplanList> {
    let db = state.current()?;
    blocking(move || Ok(wp::workplan_list(&db)?)).await
}

/// One edit of a task or subtask from the workplan view. Fields left out do not change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WorkplanEdit {
    #[serde(rename = "ref")]
    pub reference: String,
    pub status: Option<String>,
    pub reason: Option<String>,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub notes: Option<String>,
    pub decision: Option<String>,
    pub add_artifacts: Vec<String>,
    pub remove_artifacts: Vec<String>,
    pub enforced_by: Vec<String>,
    pub not_enforced_by: Vec<String>,
    pub relationship: Option<String>,
    pub rationale: Option<String>,
}

impl WorkplanEdit {
    pub fn to_core(&self) -> CmdResult<WorkplanSetRequest> {
        if self.reference.trim().is_empty() {
            return Err(CommandError::new(
                "invalid",
                "say which task or subtask to change",
            ));
        }
        Ok(WorkplanSetRequest {
            reference: self.reference.trim().to_string(),
            status: term::<WorkplanStatus>(self.status.as_deref())?,
            reason: self.reason.clone(),
            owner: self.owner.clone(),
            due: self.due.clone(),
            notes: self.notes.clone(),
            decision: self.decision.clone(),
            add_artifacts: lines(self.add_artifacts.clone()),
            remove_artifacts: lines(self.remove_artifacts.clone()),
            enforced_by: lines(self.enforced_by.clone()),
            not_enforced_by: lines(self.not_enforced_by.clone()),
            relationship: term::<Relationship>(self.relationship.as_deref())?,
            rationale: self.rationale.clone(),
        })
    }
}

#[tauri::command]
pub async fn workplan_set(
    state: State<'_, AppState>,
    edit: WorkplanEdit,
) -> CmdResult<WorkplanSetReport> {
    let db = state.current()?;
    let request = edit.to_core()?;
    blocking(move || Ok(wp::workplan_set(&db, &actor(), &request)?)).await
}

#[tauri::command]
pub async fn readiness_list(state: State<'_, AppState>) -> CmdResult<ReadinessList> {
    let db = state.current()?;
    blocking(move || Ok(wp::readiness_list(&db)?)).await
}

/// A story as the readiness view sends it: a new one, or the domain's story with this title.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StoryEdit {
    pub title: String,
    pub description: Option<String>,
    pub acceptance_criteria: Option<Vec<String>>,
    pub controls: Option<Vec<String>>,
    pub priority: Option<String>,
}

/// One edit of a domain from the readiness view.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReadinessEdit {
    pub domain: String,
    pub dimension: Option<String>,
    pub current_state: Option<String>,
    pub readiness_state: Option<String>,
    pub gap: Option<String>,
    pub story: Option<StoryEdit>,
    pub remove_story: Option<String>,
}

impl ReadinessEdit {
    pub fn to_core(&self) -> CmdResult<ReadinessSetRequest> {
        let domain = term::<SecurityDomain>(Some(&self.domain))?
            .ok_or_else(|| CommandError::new("invalid", "say which security domain to change"))?;
        let story = match &self.story {
            None => None,
            Some(s) => Some(StoryRequest {
                title: s.title.trim().to_string(),
                description: s.description.clone(),
                acceptance_criteria: s.acceptance_criteria.clone().map(lines),
                controls: s.controls.clone().map(lines),
                priority: term::<Priority>(s.priority.as_deref())?,
            }),
        };
        Ok(ReadinessSetRequest {
            domain,
            dimension: term::<Dimension>(self.dimension.as_deref())?,
            current_state: self.current_state.clone(),
            readiness_state: self.readiness_state.clone(),
            gap: self.gap.clone(),
            story,
            remove_story: self.remove_story.clone().filter(|t| !t.trim().is_empty()),
        })
    }
}

#[tauri::command]
pub async fn readiness_set(
    state: State<'_, AppState>,
    edit: ReadinessEdit,
) -> CmdResult<ReadinessSetReport> {
    let db = state.current()?;
    let request = edit.to_core()?;
    blocking(move || Ok(wp::readiness_set(&db, &actor(), &request)?)).await
}

/// The merged backlog: readiness stories and the matrix's requirement gaps, one story per
/// shared control.
#[tauri::command]
pub async fn stories_list(state: State<'_, AppState>) -> CmdResult<StoryList> {
    let db = state.current()?;
    blocking(move || Ok(wp::stories_list(&db, &actor())?)).await
}

/// Which workstream file to write.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkstreamFile {
    /// The readiness report (.xlsx): workplan status, one sheet per domain, the backlog.
    ReadinessReport,
    /// The story backlog (.csv) in the layout issue trackers import.
    Backlog,
}

/// Writes the readiness report or the backlog to a path chosen in the save dialog. The core
/// writes the whole file to a temporary name and renames it, so a cancel takes effect only
/// before it starts.
#[tauri::command]
pub async fn export_workstream(
    state: State<'_, AppState>,
    job: String,
    path: String,
    file: WorkstreamFile,
    on_progress: Channel<Progress>,
) -> CmdResult<ExportedFile> {
    let db = state.current()?;
    let out = state.paths.require(&path)?;
    let guard = state.jobs.start(&job)?;
    let flag = guard.flag();
    let result = blocking(move || {
        let mut r = Reporter::new(move |p| drop(on_progress.send(p)), flag);
        let written = match file {
            WorkstreamFile::ReadinessReport => {
                r.stage("Writing the readiness report", 0, 1)?;
                wp::readiness_export(&db, &actor(), &out)?
            }
            WorkstreamFile::Backlog => {
                r.stage("Writing the story backlog", 0, 1)?;
                wp::stories_export(&db, &actor(), &out)?
            }
        };
        r.stage("Done", 1, 1).ok();
        Ok(written)
    })
    .await;
    drop(guard);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workplan_edit_becomes_the_core_request_with_its_terms_parsed() {
        let edit = WorkplanEdit {
            reference: " T3.S3 ".into(),
            status: Some("in progress".into()),
            decision: Some("Root is used only for the tasks that need it".into()),
            enforced_by: vec!["ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED".into(), "  ".into()],
            relationship: Some("subset-of".into()),
            ..Default::default()
        };
        let r = edit.to_core().expect("a valid edit");
        assert_eq!(r.reference, "T3.S3");
        assert_eq!(r.status, Some(WorkplanStatus::InProgress));
        assert_eq!(r.enforced_by, vec!["ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED"]);
        assert_eq!(r.relationship, Some(Relationship::SubsetOf));
        assert_eq!(r.owner, None, "fields left out do not change");
    }

    #[test]
    fn an_unknown_status_is_refused_with_the_allowed_values() {
        let edit = WorkplanEdit {
            reference: "T1.S1".into(),
            status: Some("finished-ish".into()),
            ..Default::default()
        };
        let e = edit.to_core().expect_err("not a status");
        assert_eq!(e.code, "invalid");
        assert!(
            e.message.contains("not_started") && e.message.contains("not_applicable"),
            "{}",
            e.message
        );
        assert!(
            WorkplanEdit::default().to_core().is_err(),
            "no ref, no edit"
        );
    }

    #[test]
    fn a_readiness_edit_reads_domain_dimension_and_story_terms() {
        let edit = ReadinessEdit {
            domain: "Logging & monitoring".into(),
            dimension: Some("tools".into()),
            gap: Some("No central log archive".into()),
            story: Some(StoryEdit {
                title: " Central log archive ".into(),
                acceptance_criteria: Some(vec![
                    "Logs of every account land in one bucket".into(),
                    "".into(),
                ]),
                priority: Some("high".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let r = edit.to_core().expect("a valid edit");
        assert_eq!(r.domain, SecurityDomain::LoggingMonitoring);
        assert_eq!(r.dimension, Some(Dimension::Tools));
        let story = r.story.expect("a story");
        assert_eq!(story.title, "Central log archive");
        assert_eq!(story.priority, Some(Priority::High));
        assert_eq!(
            story.acceptance_criteria,
            Some(vec!["Logs of every account land in one bucket".to_string()])
        );
        let bad = ReadinessEdit {
            domain: "physical security".into(),
            ..Default::default()
        };
        assert_eq!(bad.to_core().expect_err("not a domain").code, "invalid");
    }
}

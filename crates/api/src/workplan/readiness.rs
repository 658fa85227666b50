//! The readiness assessment per security domain: the current state, the readiness state and the
//! gap for policy, process, tools and people, and the stories written from the gaps.

use super::{control_item, with_engagement, workplan_of, Progress};
use crate::engagement::open_read;
use crate::error::{ApiError, Result};
use crosswalk_readiness::{Dimension, Priority, SecurityDomain};
use crosswalk_store::workplan::{ReadinessEdit, StoredStory, StoryInput};
use crosswalk_store::{Actor, MappingChange, View};
use serde::Serialize;
use std::path::Path;

/// One dimension of a domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadinessDimensionView {
    pub dimension: Dimension,
    pub current_state: String,
    pub readiness_state: String,
    pub gap: String,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

/// A control or service a story names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoryControlView {
    #[serde(rename = "ref")]
    pub reference: String,
    pub kind: crosswalk_domain::TargetKind,
    pub title: String,
}

/// A story written from a readiness gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadinessStoryView {
    pub id: i64,
    pub dimension: Option<Dimension>,
    pub title: String,
    pub description: String,
    pub acceptance_criteria: Vec<String>,
    pub priority: Priority,
    pub controls: Vec<StoryControlView>,
    pub updated_at: String,
    pub updated_by: String,
}

/// One security domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadinessDomainView {
    pub domain: SecurityDomain,
    pub name: String,
    /// The workplan task of the domain (`T2` … `T6`) and how far its subtasks are.
    pub task: String,
    pub progress: Progress,
    /// Policy, process, tools, people.
    pub dimensions: Vec<ReadinessDimensionView>,
    pub stories: Vec<ReadinessStoryView>,
}

/// `readiness list --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadinessList {
    pub domains: Vec<ReadinessDomainView>,
}

fn parse<T: std::str::FromStr>(text: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e: T::Err| ApiError::Invalid(format!("stored value: {e}")))
}

pub(crate) fn story_view(s: &StoredStory) -> Result<ReadinessStoryView> {
    Ok(ReadinessStoryView {
        id: s.id,
        dimension: s.dimension.as_deref().map(parse).transpose()?,
        title: s.title.clone(),
        description: s.description.clone(),
        acceptance_criteria: s.acceptance_criteria.clone(),
        priority: parse(&s.priority)?,
        controls: s
            .controls
            .iter()
            .map(|c| StoryControlView {
                reference: c.qualified().to_string(),
                kind: c.kind.target_kind(),
                title: c.title.clone(),
            })
            .collect(),
        updated_at: s.updated_at.clone(),
        updated_by: s.updated_by.clone(),
    })
}

pub(crate) fn readiness_of(view: &View) -> Result<ReadinessList> {
    let cells = view.readiness()?;
    let stories = view.stories()?;
    let workplan = workplan_of(view)?;
    let mut domains = Vec::new();
    for &domain in SecurityDomain::ALL {
        let mut dimensions = Vec::new();
        for &dimension in Dimension::ALL {
            let cell = cells
                .iter()
                .find(|c| c.domain == domain.as_str() && c.dimension == dimension.as_str())
                .ok_or_else(|| {
                    ApiError::Invalid(format!(
                        "the engagement file has no readiness cell {domain}/{dimension}"
                    ))
                })?;
            dimensions.push(ReadinessDimensionView {
                dimension,
                current_state: cell.current_state.clone(),
                readiness_state: cell.readiness_state.clone(),
                gap: cell.gap.clone(),
                updated_at: cell.updated_at.clone(),
                updated_by: cell.updated_by.clone(),
            });
        }
        let progress = workplan
            .tasks
            .iter()
            .find(|t| t.reference == domain.task())
            .map(|t| t.progress)
            .unwrap_or_default();
        domains.push(ReadinessDomainView {
            domain,
            name: domain.label().to_string(),
            task: domain.task().to_string(),
            progress,
            dimensions,
            stories: stories
                .iter()
                .filter(|s| s.domain == domain.as_str())
                .map(story_view)
                .collect::<Result<_>>()?,
        });
    }
    Ok(ReadinessList { domains })
}

/// The readiness assessment of the engagement `db` (which must exist).
pub fn readiness_list(db: &Path) -> Result<ReadinessList> {
    let e = open_read(db)?;
    readiness_of(&e)
}

/// A story to add, or to update when the domain already has one with this title. Fields left
/// `None` keep what the story has (or their defaults for a new story).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoryRequest {
    pub title: String,
    pub description: Option<String>,
    /// Replaces the criteria when given.
    pub acceptance_criteria: Option<Vec<String>>,
    /// `FRAMEWORK:REF` or an unambiguous `REF` each; replaces the controls when given.
    pub controls: Option<Vec<String>>,
    /// Default for a new story: medium.
    pub priority: Option<Priority>,
}

/// `readiness set DOMAIN [...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadinessSetRequest {
    pub domain: SecurityDomain,
    /// Needed for the three texts; a story takes it as its dimension.
    pub dimension: Option<Dimension>,
    pub current_state: Option<String>,
    pub readiness_state: Option<String>,
    pub gap: Option<String>,
    pub story: Option<StoryRequest>,
    /// The title of a story of this domain to remove.
    pub remove_story: Option<String>,
}

/// What `readiness set` did, and the domain as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadinessSetReport {
    pub domain: ReadinessDomainView,
    pub dimension_changed: bool,
    /// `created`, `updated` or `unchanged` when a story was given.
    pub story: Option<MappingChange>,
    pub story_removed: bool,
}

/// Edits a domain's readiness in one transaction with its audit events. Refused, with nothing
/// written: the three texts without a dimension, a story without a title, a control that does
/// not resolve, removing a story the domain does not have, a request that changes nothing.
pub fn readiness_set(
    db: &Path,
    actor: &Actor,
    request: &ReadinessSetRequest,
) -> Result<ReadinessSetReport> {
    let texts = request.current_state.is_some()
        || request.readiness_state.is_some()
        || request.gap.is_some();
    if texts && request.dimension.is_none() {
        return Err(ApiError::Invalid(
            "--current, --target and --gap describe one dimension: add --dimension \
             (policy, process, tools or people)"
                .into(),
        ));
    }
    if !texts && request.story.is_none() && request.remove_story.is_none() {
        return Err(ApiError::Invalid(format!(
            "nothing to change for {}: give --current, --target or --gap with --dimension, \
             --story TITLE, or --remove-story TITLE",
            request.domain
        )));
    }
    if let Some(s) = &request.story {
        if s.title.trim().is_empty() {
            return Err(ApiError::Invalid(
                "a story needs a title (--story TITLE)".into(),
            ));
        }
    }
    with_engagement(db, actor, |e| {
        let story = match &request.story {
            None => None,
            Some(s) => {
                let existing = e
                    .stories()?
                    .into_iter()
                    .find(|x| x.domain == request.domain.as_str() && x.title == s.title.trim());
                let controls = match &s.controls {
                    Some(texts) => texts
                        .iter()
                        .map(|t| control_item(e, t).map(|i| i.id))
                        .collect::<Result<Vec<_>>>()?,
                    None => existing
                        .as_ref()
                        .map(|x| x.controls.iter().map(|c| c.id).collect())
                        .unwrap_or_default(),
                };
                Some(StoryInput {
                    dimension: request
                        .dimension
                        .map(|d| d.as_str().to_string())
                        .or_else(|| existing.as_ref().and_then(|x| x.dimension.clone())),
                    title: s.title.trim().to_string(),
                    description: s
                        .description
                        .clone()
                        .or_else(|| existing.as_ref().map(|x| x.description.clone()))
                        .unwrap_or_default(),
                    acceptance_criteria: s
                        .acceptance_criteria
                        .clone()
                        .or_else(|| existing.as_ref().map(|x| x.acceptance_criteria.clone()))
                        .unwrap_or_default(),
                    priority: s
                        .priority
                        .map(|p| p.as_str().to_string())
                        .or_else(|| existing.as_ref().map(|x| x.priority.clone()))
                        .unwrap_or_else(|| Priority::Medium.as_str().to_string()),
                    controls,
                })
            }
        };
        let outcome = e.edit_readiness(
            actor,
            &ReadinessEdit {
                domain: request.domain.as_str().to_string(),
                dimension: request.dimension.map(|d| d.as_str().to_string()),
                current_state: request.current_state.clone(),
                readiness_state: request.readiness_state.clone(),
                gap: request.gap.clone(),
                story,
                remove_story: request.remove_story.clone(),
            },
        )?;
        let domain = readiness_of(e)?
            .domains
            .into_iter()
            .find(|d| d.domain == request.domain)
            .ok_or_else(|| ApiError::Invalid(format!("no domain {}", request.domain)))?;
        Ok(ReadinessSetReport {
            domain,
            dimension_changed: outcome.cell_changed,
            story: outcome.story_change,
            story_removed: outcome.story_removed,
        })
    })
}

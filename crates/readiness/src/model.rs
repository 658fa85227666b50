//! What the readiness report and the backlog are made of. The api fills these from the
//! engagement; the writers only lay them out.

use crate::vocabulary::{Dimension, Priority, SecurityDomain, WorkplanStatus};
use crosswalk_domain::QualifiedRef;
use serde::Serialize;

/// How far a task's subtasks are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub not_started: u32,
    pub in_progress: u32,
    pub done: u32,
    pub not_applicable: u32,
}

impl Progress {
    pub fn add(&mut self, status: WorkplanStatus) {
        match status {
            WorkplanStatus::NotStarted => self.not_started += 1,
            WorkplanStatus::InProgress => self.in_progress += 1,
            WorkplanStatus::Done => self.done += 1,
            WorkplanStatus::NotApplicable => self.not_applicable += 1,
        }
    }

    pub fn total(&self) -> u32 {
        self.not_started + self.in_progress + self.done + self.not_applicable
    }

    /// Subtasks that count: the ones that apply.
    pub fn applicable(&self) -> u32 {
        self.total() - self.not_applicable
    }

    /// A task's status follows its subtasks: not applicable when none applies, done when every
    /// applicable one is, not started while none has moved, in progress otherwise.
    pub fn status(&self) -> WorkplanStatus {
        if self.total() > 0 && self.applicable() == 0 {
            WorkplanStatus::NotApplicable
        } else if self.applicable() > 0 && self.done == self.applicable() {
            WorkplanStatus::Done
        } else if self.in_progress == 0 && self.done == 0 {
            WorkplanStatus::NotStarted
        } else {
            WorkplanStatus::InProgress
        }
    }

    /// `3/5 done` (not-applicable subtasks left out of both numbers).
    pub fn summary(&self) -> String {
        format!("{}/{} done", self.done, self.applicable())
    }
}

/// A control or service a story or a policy names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlRef {
    #[serde(rename = "ref")]
    pub reference: QualifiedRef,
    pub title: String,
}

impl ControlRef {
    /// `ct:AWS-GR_… (Title)`, or the bare ref when the catalogue has no title for it.
    pub fn display(&self) -> String {
        if self.title.trim().is_empty() {
            self.reference.to_string()
        } else {
            format!("{} ({})", self.reference, self.title.trim())
        }
    }
}

/// One row of the workplan sheet: a task (with its progress) or a subtask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkplanRow {
    #[serde(rename = "ref")]
    pub reference: String,
    /// The task of a subtask; `None` for a task.
    pub task: Option<String>,
    pub title: String,
    pub msr_id: Option<String>,
    /// Whether the subtask sets a policy that controls should enforce.
    pub policy: bool,
    /// A subtask's own status, or a task's status derived from its subtasks.
    pub status: WorkplanStatus,
    /// Tasks only.
    pub progress: Option<Progress>,
    pub reason: String,
    pub owner: String,
    pub due: Option<String>,
    pub notes: String,
    pub decision: String,
    /// Accepted mappings from the subtask: what enforces the policy in this engagement.
    pub enforced_by: Vec<ControlRef>,
    pub artifacts: Vec<String>,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

/// A domain seen through one dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DimensionState {
    pub dimension: Dimension,
    pub current_state: String,
    pub readiness_state: String,
    pub gap: String,
}

/// The readiness of one security domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainReadiness {
    pub domain: SecurityDomain,
    /// The workplan task of the domain and how far its subtasks are.
    pub task: String,
    pub task_title: String,
    pub progress: Progress,
    /// Policy, process, tools, people, in that order.
    pub dimensions: Vec<DimensionState>,
    /// Requirements of the matrix whose coverage is a gap and whose CAF classification falls in
    /// this domain.
    pub requirement_gaps: usize,
}

/// Where a story comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StorySource {
    /// Written by the consultant from a readiness gap.
    Readiness {
        story_id: i64,
        domain: SecurityDomain,
        dimension: Option<Dimension>,
    },
    /// A requirement of the matrix whose coverage is a gap.
    Requirement {
        set: String,
        #[serde(rename = "ref")]
        reference: String,
        title: String,
    },
}

impl StorySource {
    /// `readiness:iam/tools`, `acme:R-12`.
    pub fn key(&self) -> String {
        match self {
            StorySource::Readiness {
                domain, dimension, ..
            } => match dimension {
                Some(d) => format!("readiness:{domain}/{d}"),
                None => format!("readiness:{domain}"),
            },
            StorySource::Requirement { set, reference, .. } => format!("{set}:{reference}"),
        }
    }
}

/// A story before merging: one readiness story or one requirement gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoryDraft {
    pub source: StorySource,
    pub domain: Option<SecurityDomain>,
    /// The section of the customer's sheet a requirement gap comes from: gaps of different
    /// sections never merge into one story of their own (a readiness story may still close
    /// gaps of several sections).
    pub section: Option<String>,
    pub title: String,
    pub description: String,
    pub acceptance_criteria: Vec<String>,
    pub controls: Vec<ControlRef>,
    pub priority: Priority,
}

/// A backlog story: one or more drafts that share controls, merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Story {
    /// Stable across exports: `story-12` for a readiness story (its id in the engagement file),
    /// `gap-acme:R-12` for a story made from requirement gaps only.
    pub key: String,
    pub title: String,
    pub description: String,
    pub acceptance_criteria: Vec<String>,
    pub controls: Vec<ControlRef>,
    pub priority: Priority,
    pub domains: Vec<SecurityDomain>,
    /// The readiness story first (when there is one), then the requirement gaps it closes.
    pub sources: Vec<StorySource>,
    /// Issue-tracker labels: `crosswalk`, the domains, `readiness-gap` / `requirement-gap`.
    pub labels: Vec<String>,
}

/// Everything the readiness report shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadinessReport {
    pub engagement: String,
    pub catalogue_version: String,
    pub app_version: String,
    /// RFC 3339; the time the host passed in, never the clock.
    pub generated_at: String,
    pub generated_by: String,
    pub workplan: Vec<WorkplanRow>,
    /// The five domains in workplan order.
    pub domains: Vec<DomainReadiness>,
    pub stories: Vec<Story>,
}

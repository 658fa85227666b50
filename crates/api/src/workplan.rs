//! The migration security workstream: the workplan as a living checklist, the readiness
//! assessment per security domain, the story backlog (readiness gaps and requirement gaps of the
//! matrix, merged by control), the readiness report (xlsx) and the backlog CSV for trackers.
//!
//! What a desktop view calls:
//! - workplan view: [`workplan_list`] (tasks with progress, subtasks with status, policy decision,
//!   enforcing controls and their coverage), [`workplan_set`] for every edit;
//! - readiness view: [`readiness_list`] (the five domains, four dimensions each, their stories),
//!   [`readiness_set`] for every edit, [`stories_list`] for the merged backlog,
//!   [`readiness_report`] for everything the report shows, and [`readiness_export`] /
//!   [`stories_export`] to write the files.

mod readiness;
mod stories;

pub use readiness::{
    readiness_list, readiness_set, ReadinessDimensionView, ReadinessDomainView, ReadinessList,
    ReadinessSetReport, ReadinessSetRequest, ReadinessStoryView, StoryRequest,
};
pub use stories::{
    readiness_export, readiness_report, stories_export, stories_list, ExportedFile, StoryList,
};

pub use crosswalk_readiness::{
    ControlRef, Dimension, Priority, Progress, ReadinessReport, SecurityDomain, Story, StorySource,
    UnknownValue, WorkplanStatus,
};

use crate::engagement::{open_read, shipped_catalogue};
use crate::error::{ApiError, Result};
use crate::map::default_responsibility;
use crate::refs::{resolve, Want};
use crosswalk_domain::{
    assess, Coverage, CoverageMapping, FrameworkKind, LandingZoneProfile, MappingStatus, Origin,
    QualifiedRef, Relationship,
};
use crosswalk_store::workplan::{WorkplanChange, WorkplanEntry};
use crosswalk_store::{
    Actor, Engagement, ItemRef, MappingChange, MappingFilter, MappingInput, MappingRow, View,
};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The subtasks that set a policy: their decision is recorded and traced to the controls and
/// services that enforce it. Chosen by what each subtask asks for (a definition the platform
/// then enforces), not by title words, so a reworded catalogue cannot silently change the list.
pub const POLICY_SUBTASKS: &[&str] = &[
    "T2.S4",  // encryption at rest and in transit
    "T2.S5",  // KMS key administrators and users
    "T3.S3",  // root account usage (MSR.IAM.2)
    "T3.S4",  // permanent credentials
    "T3.S5",  // multi-account user authentication
    "T3.S6",  // IAM naming standard
    "T3.S7",  // base preventive SCPs
    "T3.S11", // MFA enforcement (MSR.IAM.4)
    "T3.S12", // break-glass user
    "T4.S2",  // IR framework and playbooks (MSR.IR.3)
    "T5.S4",  // security groups and NACLs
    "T5.S5",  // IDS/IPS
    "T5.S6",  // certificates and secrets (MSR.IP.9)
    "T5.S7",  // WAF rules
    "T6.S3",  // logging strategy
    "T6.S4",  // base detective controls
];

/// The catalogue framework that ships the workplan.
const WORKPLAN_FRAMEWORK: &str = "msr";

pub fn is_policy_subtask(reference: &str) -> bool {
    POLICY_SUBTASKS.contains(&reference)
}

/// A control or service linked to a subtask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlView {
    /// Qualified: `ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED`.
    #[serde(rename = "ref")]
    pub reference: String,
    pub kind: crosswalk_domain::TargetKind,
    pub title: String,
    pub relationship: Relationship,
    /// For landing-zone controls: whether the engagement's profile enables it.
    pub enabled: Option<bool>,
    pub rationale: String,
}

/// One subtask of the workplan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkplanSubtask {
    #[serde(rename = "ref")]
    pub reference: String,
    pub task: String,
    pub title: String,
    pub text: String,
    pub msr_id: Option<String>,
    /// Whether it sets a policy (see [`POLICY_SUBTASKS`]).
    pub policy: bool,
    pub status: WorkplanStatus,
    pub reason: String,
    pub owner: String,
    pub due: Option<String>,
    pub notes: String,
    pub decision: String,
    /// Accepted mappings made in this engagement: what enforces the policy.
    pub enforced_by: Vec<ControlView>,
    /// Controls and services the consultant ruled out (rejected mappings).
    pub ruled_out: Vec<ControlView>,
    /// The catalogue's own reading of which controls and services serve the subtask.
    pub suggested_controls: Vec<ControlView>,
    /// For policy subtasks: the coverage of the policy by the same rules as a requirement
    /// (inherited when an enabled landing-zone control fully enforces it; gap when nothing does).
    pub coverage: Option<Coverage>,
    pub artifacts: Vec<String>,
    pub removed: bool,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

/// One task of the workplan with its subtasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkplanTask {
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub text: String,
    /// Follows the subtasks (see [`Progress::status`]).
    pub status: WorkplanStatus,
    pub progress: Progress,
    pub owner: String,
    pub due: Option<String>,
    pub notes: String,
    pub artifacts: Vec<String>,
    pub subtasks: Vec<WorkplanSubtask>,
}

/// `workplan list --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkplanList {
    pub tasks: Vec<WorkplanTask>,
    /// Over every subtask.
    pub progress: Progress,
}

fn parse_status(entry: &WorkplanEntry) -> Result<WorkplanStatus> {
    entry
        .status
        .parse()
        .map_err(|e| ApiError::Invalid(format!("{}: {e}", entry.reference)))
}

fn control_view(m: &MappingRow, profile: &LandingZoneProfile) -> ControlView {
    let target = m.target.qualified();
    ControlView {
        enabled: (m.target.kind == FrameworkKind::LzControls).then(|| profile.is_enabled(&target)),
        reference: target.to_string(),
        kind: m.target.kind.target_kind(),
        title: m.target.title.clone(),
        relationship: m.relationship,
        rationale: m.rationale.clone(),
    }
}

pub(crate) fn enabled_profile(view: &View) -> Result<LandingZoneProfile> {
    Ok(LandingZoneProfile::new(
        view.landing_zone_profile()?
            .into_iter()
            .filter(|p| p.enabled)
            .map(|p| QualifiedRef::new(p.framework, p.reference)),
    ))
}

/// The mappings that start at workplan items, by source item id: the catalogue's links and the
/// engagement's decisions.
fn workplan_mappings(view: &View) -> Result<HashMap<i64, Vec<MappingRow>>> {
    let mut out: HashMap<i64, Vec<MappingRow>> = HashMap::new();
    for m in view.mappings(&MappingFilter {
        set: Some(WORKPLAN_FRAMEWORK.into()),
        include_shipped: true,
        ..Default::default()
    })? {
        out.entry(m.source.id).or_default().push(m);
    }
    Ok(out)
}

fn subtask(
    entry: &WorkplanEntry,
    mappings: &[MappingRow],
    profile: &LandingZoneProfile,
) -> Result<WorkplanSubtask> {
    let mut enforced_by = Vec::new();
    let mut ruled_out = Vec::new();
    let mut suggested = Vec::new();
    let mut coverage_mappings = Vec::new();
    for m in mappings {
        if m.origin == Origin::Shipped {
            // The catalogue's links to other MSR ids, WA or CAF classify the subtask; only
            // controls and services are candidates to enforce it.
            if matches!(
                m.target.kind,
                FrameworkKind::LzControls | FrameworkKind::Services
            ) {
                suggested.push(control_view(m, profile));
            }
            continue;
        }
        match m.status {
            MappingStatus::Accepted => enforced_by.push(control_view(m, profile)),
            MappingStatus::Rejected => ruled_out.push(control_view(m, profile)),
            MappingStatus::Proposed => {}
        }
        coverage_mappings.push(CoverageMapping {
            target: m.target.qualified(),
            kind: m.target.kind.target_kind(),
            relationship: m.relationship,
            status: m.status,
            workload: None,
        });
    }
    let policy = is_policy_subtask(&entry.reference);
    Ok(WorkplanSubtask {
        reference: entry.reference.clone(),
        task: entry.parent.clone().unwrap_or_default(),
        title: entry.title.clone(),
        text: entry.text.clone(),
        msr_id: entry.msr_id.clone(),
        policy,
        status: parse_status(entry)?,
        reason: entry.reason.clone(),
        owner: entry.owner.clone(),
        due: entry.due.clone(),
        notes: entry.notes.clone(),
        decision: entry.decision.clone(),
        coverage: policy.then(|| assess(&coverage_mappings, profile, None, None).coverage),
        enforced_by,
        ruled_out,
        suggested_controls: suggested,
        artifacts: entry.artifacts.clone(),
        removed: entry.removed,
        updated_at: entry.updated_at.clone(),
        updated_by: entry.updated_by.clone(),
    })
}

pub(crate) fn workplan_of(view: &View) -> Result<WorkplanList> {
    let entries = view.workplan()?;
    let mappings = workplan_mappings(view)?;
    let profile = enabled_profile(view)?;
    let mut tasks: Vec<WorkplanTask> = Vec::new();
    let mut orphans: Vec<WorkplanSubtask> = Vec::new();
    for e in &entries {
        if e.is_task() {
            tasks.push(WorkplanTask {
                reference: e.reference.clone(),
                title: e.title.clone(),
                text: e.text.clone(),
                status: WorkplanStatus::NotStarted,
                progress: Progress::default(),
                owner: e.owner.clone(),
                due: e.due.clone(),
                notes: e.notes.clone(),
                artifacts: e.artifacts.clone(),
                subtasks: Vec::new(),
            });
        } else {
            let s = subtask(
                e,
                mappings.get(&e.item_id).map_or(&[][..], Vec::as_slice),
                &profile,
            )?;
            match tasks.iter_mut().find(|t| t.reference == s.task) {
                Some(t) => t.subtasks.push(s),
                None => orphans.push(s),
            }
        }
    }
    // Catalogue order puts each task before its subtasks; anything else still gets listed.
    for s in orphans {
        match tasks.iter_mut().find(|t| t.reference == s.task) {
            Some(t) => t.subtasks.push(s),
            None => {
                return Err(ApiError::Invalid(format!(
                    "workplan subtask {} has no task {} in this engagement",
                    s.reference, s.task
                )))
            }
        }
    }
    let mut total = Progress::default();
    for t in &mut tasks {
        for s in &t.subtasks {
            t.progress.add(s.status);
            total.add(s.status);
        }
        t.status = t.progress.status();
    }
    Ok(WorkplanList {
        tasks,
        progress: total,
    })
}

/// The workplan of the engagement `db` (which must exist).
pub fn workplan_list(db: &Path) -> Result<WorkplanList> {
    let e = open_read(db)?;
    workplan_of(&e)
}

/// `workplan set SUBTASK [...]`: every field is optional; only what is given changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkplanSetRequest {
    /// `T3.S3` or `msr:T3.S3`; a task (`T3`) takes owner, due date, notes and artifacts.
    pub reference: String,
    pub status: Option<WorkplanStatus>,
    /// Required with `not_applicable`.
    pub reason: Option<String>,
    pub owner: Option<String>,
    /// `YYYY-MM-DD`; empty clears it.
    pub due: Option<String>,
    pub notes: Option<String>,
    /// The policy decision (subtasks only).
    pub decision: Option<String>,
    pub add_artifacts: Vec<String>,
    pub remove_artifacts: Vec<String>,
    /// Controls and services that enforce the policy: `FRAMEWORK:REF` or an unambiguous `REF`.
    pub enforced_by: Vec<String>,
    /// Controls and services ruled out (recorded as rejected mappings).
    pub not_enforced_by: Vec<String>,
    /// For `enforced_by`; default subset-of ("the control does all the policy asks").
    pub relationship: Option<Relationship>,
    pub rationale: Option<String>,
}

/// What `workplan set` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkplanSetReport {
    #[serde(rename = "ref")]
    pub reference: String,
    /// Whether the entry's own fields changed.
    pub changed: bool,
    /// One per enforcing / ruled-out control, in the order given.
    pub mappings: Vec<WorkplanMappingChange>,
    /// The task or subtask as it now stands (for a task: its subtasks too).
    pub task: WorkplanTask,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkplanMappingChange {
    #[serde(rename = "ref")]
    pub reference: String,
    pub status: MappingStatus,
    pub change: MappingChange,
}

/// Reads a due date as `workplan set --due` takes it: `YYYY-MM-DD` naming a day that exists
/// (2024-02-29 does, 2025-02-29 does not). Returns the date as stored; the error names the text
/// and says what is wrong with it. An empty text (which clears a due date) is not a date: the
/// caller decides whether to allow it.
pub fn parse_due_date(text: &str) -> std::result::Result<String, String> {
    let text = text.trim();
    let example = "write it as YYYY-MM-DD (for example 2025-06-30)";
    let parts: Vec<&str> = text.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let [y, m, d] = parts[..] else {
        return Err(format!("'{text}' is not a due date; {example}"));
    };
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return Err(format!("'{text}' is not a due date; {example}"));
    }
    let (year, month, day): (i32, u8, u8) = (
        y.parse().unwrap_or_default(),
        m.parse().unwrap_or_default(),
        d.parse().unwrap_or_default(),
    );
    let Ok(month_name) = time::Month::try_from(month) else {
        return Err(format!(
            "'{text}' is not a due date: there is no month {m} (01 to 12); {example}"
        ));
    };
    let days = month_name.length(year);
    if day == 0 || day > days {
        return Err(format!(
            "'{text}' is not a due date: {month_name} {year} has {days} days; {example}"
        ));
    }
    time::Date::from_calendar_date(year, month_name, day)
        .map(|_| text.to_string())
        .map_err(|e| format!("'{text}' is not a due date: {e}; {example}"))
}

fn check_due(text: &str) -> Result<()> {
    parse_due_date(text).map(|_| ()).map_err(ApiError::Invalid)
}

/// The workplan item `text` names: `T3.S3`, `msr:T3.S3` (case-insensitive).
fn workplan_item(view: &View, text: &str) -> Result<(ItemRef, WorkplanEntry)> {
    let bare = text
        .trim()
        .strip_prefix("msr:")
        .or_else(|| text.trim().strip_prefix("MSR:"))
        .unwrap_or(text.trim());
    let not_found = || ApiError::NotFound {
        what: "workplan task or subtask",
        text: text.trim().to_string(),
        hint: "; `crosswalk workplan list` shows them (T1 … T7, T1.S1 …)".into(),
    };
    let mut found = view.find_items(Some(WORKPLAN_FRAMEWORK), bare)?;
    found.retain(|i| i.shipped);
    let item = match found.len() {
        0 => return Err(not_found()),
        _ => found.remove(0),
    };
    let entry = view.workplan_entry(item.id)?.ok_or_else(not_found)?;
    Ok((item, entry))
}

/// A target that a policy or story can name: a catalogue control, service or standard control,
/// never a customer requirement.
pub(crate) fn control_item(view: &View, text: &str) -> Result<ItemRef> {
    let item = resolve(view, text, Want::Target)?;
    if item.kind == FrameworkKind::Requirements {
        return Err(ApiError::Invalid(format!(
            "{} is a customer requirement; name a catalogue control or service \
             (`crosswalk catalogue search TEXT` finds them)",
            item.qualified()
        )));
    }
    Ok(item)
}

fn check_request(r: &WorkplanSetRequest) -> Result<()> {
    if let Some(due) = r.due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        check_due(due)?;
    }
    if let Some(bad) = r
        .add_artifacts
        .iter()
        .chain(&r.remove_artifacts)
        .find(|a| a.trim().is_empty())
    {
        return Err(ApiError::Invalid(format!(
            "an artifact needs a path or a URL, not '{bad}'"
        )));
    }
    Ok(())
}

/// Runs `change` on the engagement `db`, creating it when missing (as every writing command
/// does); when the file was made for this call and the change fails, the file is removed again,
/// so bad input never leaves a new engagement behind.
pub(crate) fn with_engagement<T>(
    db: &Path,
    actor: &Actor,
    change: impl FnOnce(&mut Engagement) -> Result<T>,
) -> Result<T> {
    let created = !db.exists();
    let run = || -> Result<T> {
        let mut e = crate::engagement::open_write(db, actor)?;
        let out = change(&mut e)?;
        e.close()?;
        Ok(out)
    };
    let out = run();
    if out.is_err() && created {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = db.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
    out
}

/// Changes one workplan task or subtask, and records the controls that enforce its policy, in
/// one transaction with its audit events. Refused, with nothing written: an unknown ref, a status
/// on a task (it follows the subtasks), `not_applicable` without a reason, a date that is not
/// `YYYY-MM-DD`, a decision or controls on a task, a control that does not resolve, a control
/// named both as enforcing and as ruled out.
pub fn workplan_set(
    db: &Path,
    actor: &Actor,
    request: &WorkplanSetRequest,
) -> Result<WorkplanSetReport> {
    check_request(request)?;
    with_engagement(db, actor, |e| {
        let (item, entry) = workplan_item(e, &request.reference)?;
        if entry.is_task() {
            let subtask_only = [
                (request.status.is_some(), "--status"),
                (request.reason.is_some(), "--reason"),
                (request.decision.is_some(), "--decision"),
                (
                    !request.enforced_by.is_empty() || !request.not_enforced_by.is_empty(),
                    "--enforced-by",
                ),
            ];
            if let Some((_, flag)) = subtask_only.iter().find(|(given, _)| *given) {
                return Err(ApiError::Invalid(format!(
                    "{} is a task: its status follows its subtasks, and {flag} belongs to a \
                     subtask ({}.S1 …)",
                    entry.reference, entry.reference
                )));
            }
        }
        let relationship = request.relationship.unwrap_or(Relationship::SubsetOf);
        let mut mappings = Vec::new();
        let mut named = Vec::new();
        // Each control as first named, by item: the same control written two ways
        // (`ct:X` and `X`) is still the same control.
        let mut seen: HashMap<i64, (String, MappingStatus)> = HashMap::new();
        for (texts, status) in [
            (&request.enforced_by, MappingStatus::Accepted),
            (&request.not_enforced_by, MappingStatus::Rejected),
        ] {
            for t in texts {
                let target = control_item(e, t)?;
                if let Some((first, first_status)) = seen.get(&target.id) {
                    if *first_status != status {
                        return Err(ApiError::Invalid(format!(
                            "{} is named both as enforcing {} (--enforced-by {first}) and as \
                             ruled out (--not-enforced-by {}); a control either enforces the \
                             policy or is ruled out, so name it once",
                            target.qualified(),
                            entry.reference,
                            t.trim(),
                        )));
                    }
                    // Named twice the same way: one mapping.
                    continue;
                }
                seen.insert(target.id, (t.trim().to_string(), status));
                named.push((target.qualified().to_string(), status));
                mappings.push(MappingInput {
                    source: item.id,
                    target: target.id,
                    relationship,
                    responsibility: default_responsibility(target.kind),
                    status,
                    rationale: request.rationale.clone().unwrap_or_default(),
                    origin: Origin::Manual,
                });
            }
        }
        let change = WorkplanChange {
            status: request.status.map(|s| s.as_str().to_string()),
            reason: request.reason.clone(),
            owner: request.owner.clone(),
            due: request
                .due
                .as_ref()
                .map(|d| Some(d.trim().to_string()).filter(|d| !d.is_empty())),
            notes: request.notes.clone(),
            decision: request.decision.clone(),
            add_artifacts: request.add_artifacts.clone(),
            remove_artifacts: request.remove_artifacts.clone(),
            mappings,
        };
        let update = e.update_workplan(actor, item.id, &change)?;
        let list = workplan_of(e)?;
        let task_ref = update
            .entry
            .parent
            .clone()
            .unwrap_or_else(|| update.entry.reference.clone());
        let mut task = list
            .tasks
            .into_iter()
            .find(|t| t.reference == task_ref)
            .ok_or_else(|| ApiError::Invalid(format!("task {task_ref} is not in the workplan")))?;
        if !entry.is_task() {
            task.subtasks
                .retain(|s| s.reference == update.entry.reference);
        }
        Ok(WorkplanSetReport {
            reference: update.entry.reference.clone(),
            changed: update.changed,
            mappings: named
                .into_iter()
                .zip(update.mappings)
                .map(|((reference, status), change)| WorkplanMappingChange {
                    reference,
                    status,
                    change,
                })
                .collect(),
            task,
        })
    })
}

/// The shipped catalogue's workplan refs (`T1`, `T1.S1`, …), in order: what a new engagement holds.
pub fn shipped_workplan_refs() -> Vec<String> {
    shipped_catalogue()
        .frameworks
        .iter()
        .filter(|f| f.id == WORKPLAN_FRAMEWORK)
        .flat_map(|f| &f.items)
        .filter(|i| {
            let mut chars = i.reference.chars();
            chars.next() == Some('T') && chars.next().is_some_and(|c| c.is_ascii_digit())
        })
        .map(|i| i.reference.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_subtask_is_a_subtask_of_the_shipped_workplan() {
        let refs = shipped_workplan_refs();
        for p in POLICY_SUBTASKS {
            assert!(
                refs.iter().any(|r| r == p) && p.contains(".S"),
                "{p} must name a shipped subtask, or its decision could never be recorded"
            );
        }
    }

    #[test]
    fn the_shipped_workplan_has_seven_tasks_and_thirty_eight_subtasks() {
        let refs = shipped_workplan_refs();
        let tasks = refs.iter().filter(|r| !r.contains('.')).count();
        assert_eq!(tasks, 7, "the workplan's seven tasks");
        assert_eq!(refs.len() - tasks, 38, "and its 38 subtasks");
    }

    #[test]
    fn a_due_date_must_be_a_real_day() {
        assert!(check_due("2025-06-30").is_ok());
        assert!(check_due("2025-02-30").is_err(), "February has no 30th");
        assert!(check_due("30/06/2025").is_err(), "only YYYY-MM-DD is read");
    }

    #[test]
    fn a_due_date_knows_month_lengths_and_leap_years() {
        assert_eq!(parse_due_date(" 2024-02-29 ").as_deref(), Ok("2024-02-29"));
        assert_eq!(parse_due_date("2000-02-29").as_deref(), Ok("2000-02-29"));
        assert_eq!(parse_due_date("2025-12-31").as_deref(), Ok("2025-12-31"));
        for (bad, says) in [
            ("2025-02-29", "February 2025 has 28 days"),
            ("1900-02-29", "February 1900 has 28 days"),
            ("2025-04-31", "April 2025 has 30 days"),
            ("2025-01-00", "January 2025 has 31 days"),
            ("2025-13-01", "there is no month 13"),
            ("2025-00-10", "there is no month 00"),
            ("next friday", "'next friday' is not a due date"),
            ("2025-6-30", "is not a due date"),
            ("+2025-06-30", "is not a due date"),
            ("2025-06-30T00:00", "is not a due date"),
            ("", "'' is not a due date"),
        ] {
            let err = parse_due_date(bad).expect_err(bad);
            assert!(err.contains(says), "{bad}: {err}");
            assert!(err.contains(&format!("'{}'", bad.trim())), "{bad}: {err}");
        }
    }
}

//! The story backlog and the two files made from it: readiness stories plus the requirements the
//! matrix shows as gaps (coverage derived exactly as the matrix export derives it), merged by
//! the controls they share; the readiness report (xlsx) and the backlog CSV for trackers.

use super::readiness::readiness_of;
use super::{workplan_of, ControlRef, WorkplanList};
use crate::engagement::open_read;
use crate::error::{ApiError, Result};
use crate::export::matrix_model;
use crosswalk_domain::{Coverage, FrameworkKind, MappingStatus, QualifiedRef};
use crosswalk_matrix::{GapStory, MatrixModel, MatrixRow};
use crosswalk_readiness::{
    merge_stories, DimensionState, DomainReadiness, Priority, ReadinessReport, SecurityDomain,
    Story, StoryDraft, StorySource, WorkplanRow,
};
use crosswalk_store::{Actor, MappingFilter, View};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// A requirement left uncovered is something the customer asked for: it outranks the default.
const REQUIREMENT_GAP_PRIORITY: Priority = Priority::High;

/// `stories list --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoryList {
    pub stories: Vec<Story>,
    /// Stories written in the readiness assessment.
    pub readiness_stories: usize,
    /// Requirements whose coverage is a gap (each is in exactly one story).
    pub requirement_gaps: usize,
}

/// The domain of a matrix row, from its CAF classification (epics first).
fn row_domain(row: &MatrixRow) -> Option<SecurityDomain> {
    row.caf_epics
        .iter()
        .chain(&row.caf_capabilities)
        .find_map(|r| SecurityDomain::of_caf(&r.reference))
}

fn first_words(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        format!("{}…", one_line.chars().take(max).collect::<String>())
    }
}

struct Drafts {
    readiness: Vec<StoryDraft>,
    gaps: Vec<StoryDraft>,
    /// Requirement gaps per domain (for the domain sheets).
    gaps_by_domain: HashMap<SecurityDomain, usize>,
}

fn readiness_drafts(view: &View) -> Result<Vec<StoryDraft>> {
    view.stories()?
        .iter()
        .map(|s| {
            let v = super::readiness::story_view(s)?;
            let domain: SecurityDomain = s
                .domain
                .parse()
                .map_err(|e| ApiError::Invalid(format!("story {}: {e}", s.id)))?;
            Ok(StoryDraft {
                source: StorySource::Readiness {
                    story_id: s.id,
                    domain,
                    dimension: v.dimension,
                },
                domain: Some(domain),
                section: None,
                title: v.title,
                description: v.description,
                acceptance_criteria: v.acceptance_criteria,
                controls: s
                    .controls
                    .iter()
                    .map(|c| ControlRef {
                        reference: c.qualified(),
                        title: c.title.clone(),
                    })
                    .collect(),
                priority: v.priority,
            })
        })
        .collect()
}

/// One draft per requirement whose coverage is a gap. Its controls: the landing-zone controls
/// and services the export's gap story proposes, the ones already proposed by hand, and (for a
/// gap set by override) the ones accepted.
fn gap_drafts(view: &View, model: &MatrixModel) -> Result<Vec<StoryDraft>> {
    let stories: HashMap<&str, &GapStory> =
        model.gaps.iter().map(|g| (g.row_key.as_str(), g)).collect();
    let mut titles: HashMap<QualifiedRef, String> = model
        .catalogue
        .iter()
        .map(|e| (e.reference.clone(), e.title.clone()))
        .collect();
    let mut proposed: HashMap<String, Vec<QualifiedRef>> = HashMap::new();
    for m in view.mappings(&MappingFilter {
        status: Some(MappingStatus::Proposed),
        ..Default::default()
    })? {
        if matches!(
            m.target.kind,
            FrameworkKind::LzControls | FrameworkKind::Services
        ) {
            titles.insert(m.target.qualified(), m.target.title.clone());
            proposed
                .entry(format!("{}:{}", m.source.framework, m.source.reference))
                .or_default()
                .push(m.target.qualified());
        }
    }
    let mut drafts = Vec::new();
    // With several workloads a requirement has a row per workload: one story per requirement
    // still, naming the workloads it is a gap for.
    let mut gap_workloads: HashMap<String, Vec<String>> = HashMap::new();
    for row in model.rows.iter().filter(|r| r.coverage == Coverage::Gap) {
        if let Some(w) = &row.workload {
            gap_workloads
                .entry(format!("{}:{}", row.set, row.reference))
                .or_default()
                .push(w.clone());
        }
    }
    let mut drafted: std::collections::HashSet<String> = std::collections::HashSet::new();
    for row in model.rows.iter().filter(|r| r.coverage == Coverage::Gap) {
        let requirement = format!("{}:{}", row.set, row.reference);
        if !drafted.insert(requirement.clone()) {
            continue;
        }
        let story = stories.get(row.key.as_str());
        let mut controls: Vec<QualifiedRef> = Vec::new();
        let candidates = story
            .map(|s| s.implement.as_slice())
            .unwrap_or_default()
            .iter()
            .chain(
                proposed
                    .get(&requirement)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
            )
            .chain(&row.inherited_controls)
            .chain(&row.workload_controls)
            .chain(&row.services);
        for c in candidates {
            if !controls.contains(c) {
                controls.push(c.clone());
            }
        }
        let subject = if row.title.trim().is_empty() {
            &row.text
        } else {
            &row.title
        };
        let mut criteria: Vec<String> = story
            .map(|s| s.acceptance_criteria.clone())
            .unwrap_or_default();
        criteria.push(format!(
            "{requirement} shows a coverage other than gap in the traceability matrix."
        ));
        let mut description = row.text.trim().to_string();
        if let Some(ws) = gap_workloads.get(&requirement) {
            description.push_str(&format!("\n\nA gap for the workloads: {}.", ws.join(", ")));
        }
        drafts.push(StoryDraft {
            source: StorySource::Requirement {
                set: row.set.clone(),
                reference: row.reference.clone(),
                title: first_words(subject, 120),
            },
            domain: row_domain(row),
            section: row.section.clone(),
            title: story
                .map(|s| s.title.clone())
                .unwrap_or_else(|| format!("Meet {}: {}", row.reference, first_words(subject, 80))),
            description,
            acceptance_criteria: criteria,
            controls: controls
                .into_iter()
                .map(|c| ControlRef {
                    title: titles.get(&c).cloned().unwrap_or_default(),
                    reference: c,
                })
                .collect(),
            priority: REQUIREMENT_GAP_PRIORITY,
        });
    }
    Ok(drafts)
}

fn drafts(view: &View, actor: &Actor) -> Result<Drafts> {
    let model = matrix_model(view, actor)?;
    let gaps = gap_drafts(view, &model)?;
    let mut gaps_by_domain = HashMap::new();
    for g in &gaps {
        if let Some(d) = g.domain {
            *gaps_by_domain.entry(d).or_insert(0) += 1;
        }
    }
    Ok(Drafts {
        readiness: readiness_drafts(view)?,
        gaps,
        gaps_by_domain,
    })
}

fn story_list(d: Drafts) -> StoryList {
    let readiness_stories = d.readiness.len();
    let requirement_gaps = d.gaps.len();
    StoryList {
        stories: merge_stories(d.readiness, d.gaps),
        readiness_stories,
        requirement_gaps,
    }
}

/// The merged backlog of the engagement `db` (which must exist), most urgent first. `actor`
/// gives the time the matrix is derived at, as for an export.
pub fn stories_list(db: &Path, actor: &Actor) -> Result<StoryList> {
    let e = open_read(db)?;
    Ok(story_list(drafts(&e, actor)?))
}

fn workplan_rows(list: &WorkplanList) -> Vec<WorkplanRow> {
    let mut rows = Vec::new();
    for t in &list.tasks {
        rows.push(WorkplanRow {
            reference: t.reference.clone(),
            task: None,
            title: t.title.clone(),
            msr_id: None,
            policy: false,
            status: t.status,
            progress: Some(t.progress),
            reason: String::new(),
            owner: t.owner.clone(),
            due: t.due.clone(),
            notes: t.notes.clone(),
            decision: String::new(),
            enforced_by: Vec::new(),
            artifacts: t.artifacts.clone(),
            updated_at: None,
            updated_by: None,
        });
        for s in &t.subtasks {
            rows.push(WorkplanRow {
                reference: s.reference.clone(),
                task: Some(s.task.clone()),
                title: s.title.clone(),
                msr_id: s.msr_id.clone(),
                policy: s.policy,
                status: s.status,
                progress: None,
                reason: s.reason.clone(),
                owner: s.owner.clone(),
                due: s.due.clone(),
                notes: s.notes.clone(),
                decision: s.decision.clone(),
                enforced_by: s
                    .enforced_by
                    .iter()
                    .map(|c| ControlRef {
                        reference: QualifiedRef::parse(&c.reference)
                            .unwrap_or_else(|| QualifiedRef::new("", c.reference.clone())),
                        title: c.title.clone(),
                    })
                    .collect(),
                artifacts: s.artifacts.clone(),
                updated_at: s.updated_at.clone(),
                updated_by: s.updated_by.clone(),
            });
        }
    }
    rows
}

fn report_of(view: &View, actor: &Actor) -> Result<ReadinessReport> {
    let info = view.info()?;
    let workplan = workplan_of(view)?;
    let readiness = readiness_of(view)?;
    let d = drafts(view, actor)?;
    let gaps_by_domain = d.gaps_by_domain.clone();
    let stories = story_list(d).stories;
    let domains = readiness
        .domains
        .iter()
        .map(|r| DomainReadiness {
            domain: r.domain,
            task: r.task.clone(),
            task_title: workplan
                .tasks
                .iter()
                .find(|t| t.reference == r.task)
                .map(|t| t.title.clone())
                .unwrap_or_default(),
            progress: r.progress,
            dimensions: r
                .dimensions
                .iter()
                .map(|c| DimensionState {
                    dimension: c.dimension,
                    current_state: c.current_state.clone(),
                    readiness_state: c.readiness_state.clone(),
                    gap: c.gap.clone(),
                })
                .collect(),
            requirement_gaps: gaps_by_domain.get(&r.domain).copied().unwrap_or(0),
        })
        .collect();
    Ok(ReadinessReport {
        engagement: info.customer,
        catalogue_version: info.catalogue_version,
        app_version: crate::APP_VERSION.to_string(),
        generated_at: actor.timestamp(),
        generated_by: actor.name.clone(),
        workplan: workplan_rows(&workplan),
        domains,
        stories,
    })
}

/// Everything the readiness report shows, for the engagement `db` (which must exist).
pub fn readiness_report(db: &Path, actor: &Actor) -> Result<ReadinessReport> {
    let e = open_read(db)?;
    report_of(&e, actor)
}

/// A written report or backlog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedFile {
    pub out: String,
    /// Workbook sheets, in order (empty for the CSV).
    pub sheets: Vec<String>,
    pub workplan_rows: usize,
    pub stories: usize,
    pub requirement_gaps: usize,
}

fn check_extension(out: &Path, wanted: &str) -> Result<()> {
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext != wanted {
        return Err(ApiError::Invalid(format!(
            "{}: name the file .{wanted}",
            out.display()
        )));
    }
    Ok(())
}

fn readiness_error(e: crosswalk_readiness::ReadinessError) -> ApiError {
    ApiError::Invalid(e.to_string())
}

/// Writes the readiness report of the engagement `db` (which must exist) to `out` (.xlsx):
/// the workplan status, one sheet per security domain, the story backlog, an about sheet.
pub fn readiness_export(db: &Path, actor: &Actor, out: &Path) -> Result<ExportedFile> {
    check_extension(out, "xlsx")?;
    let target = crate::output::destination(out, db)?;
    let report = readiness_report(db, actor)?;
    let bytes = crosswalk_readiness::write_readiness_xlsx(&report).map_err(readiness_error)?;
    crate::output::write_atomically(out, &target, &bytes)?;
    let mut sheets = vec![crosswalk_readiness::WORKPLAN_SHEET.to_string()];
    sheets.extend(
        report
            .domains
            .iter()
            .map(|d| crosswalk_readiness::domain_sheet(d.domain).to_string()),
    );
    sheets.push(crosswalk_readiness::BACKLOG_SHEET.into());
    sheets.push(crosswalk_readiness::ABOUT_SHEET.into());
    let requirement_gaps = report
        .stories
        .iter()
        .flat_map(|s| &s.sources)
        .filter(|s| matches!(s, StorySource::Requirement { .. }))
        .count();
    Ok(ExportedFile {
        out: out.display().to_string(),
        sheets,
        workplan_rows: report.workplan.len(),
        stories: report.stories.len(),
        requirement_gaps,
    })
}

/// Writes the story backlog of the engagement `db` (which must exist) to `out` (.csv) in the
/// layout of Jira's CSV importer: Summary, Description, Acceptance Criteria, Labels…, Priority.
pub fn stories_export(db: &Path, actor: &Actor, out: &Path) -> Result<ExportedFile> {
    check_extension(out, "csv")?;
    let target = crate::output::destination(out, db)?;
    let list = stories_list(db, actor)?;
    let bytes = crosswalk_readiness::write_backlog_csv(&list.stories).map_err(readiness_error)?;
    crate::output::write_atomically(out, &target, &bytes)?;
    Ok(ExportedFile {
        out: out.display().to_string(),
        sheets: Vec::new(),
        workplan_rows: 0,
        stories: list.stories.len(),
        requirement_gaps: list.requirement_gaps,
    })
}

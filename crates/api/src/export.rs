//! Exporting the traceability matrix: fill a `MatrixModel` from the engagement (coverage by the
//! domain rules, CAF, services, inherited and workload controls, assessments, gap stories) and
//! let `crosswalk-matrix` write it.

use crate::error::{ApiError, Result};
use crate::suggest::decided_by_a_person;
use crosswalk_domain::{
    assess, Catalogue, CoverageCounts, CoverageMapping, CoverageOverride, FrameworkKind,
    LandingZoneProfile, MappingStatus, QualifiedRef, TargetKind,
};
use crosswalk_domain::{CatalogueFramework, CatalogueItem};
use crosswalk_matrix::{
    CatalogueEntry, CoverageGroup, EngagementInfo, ExportWarning, GapStory, LandingZoneInfo,
    MatrixLink, MatrixModel, MatrixRow,
};
use crosswalk_readiness::SecurityDomain;
use crosswalk_store::{Actor, Engagement, EngagementReader, MappingRow, RequirementEntry, View};
use crosswalk_suggest::Engine;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Xlsx,
    Csv,
    Json,
}

impl ExportFormat {
    /// `xlsx`, `csv` or `json`.
    pub fn parse(text: &str) -> Result<ExportFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Ok(ExportFormat::Xlsx),
            "csv" => Ok(ExportFormat::Csv),
            "json" => Ok(ExportFormat::Json),
            other => Err(ApiError::Invalid(format!(
                "'{other}' is not an export format; use xlsx, csv or json"
            ))),
        }
    }

    fn from_path(path: &Path) -> Result<ExportFormat> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        ExportFormat::parse(&ext).map_err(|_| {
            ApiError::Invalid(format!(
                "{}: cannot tell the format from the extension; name it .xlsx, .csv or .json or give --format",
                path.display()
            ))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    pub out: PathBuf,
    /// Default: from the extension of `out`.
    pub format: Option<ExportFormat>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    pub out: String,
    pub format: ExportFormat,
    /// Matrix rows: one per requirement, or one per requirement and workload when the
    /// engagement has several workloads.
    pub rows: usize,
    /// Requirements in the matrix.
    pub requirements: usize,
    pub links: usize,
    pub gaps: usize,
    pub coverage: CoverageCounts,
    /// The keyed content hash on the About sheet (xlsx).
    pub content_hash: Option<String>,
    pub warnings: Vec<ExportWarning>,
}

/// How often (in rows or gaps) an export reports progress and looks at the cancel flag.
const PROGRESS_EVERY: usize = 256;

/// What an export is busy with, in the order the stages come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportStage {
    /// Reading requirements, mappings and assessments from the engagement file.
    Reading,
    /// Deriving each row's coverage.
    Rows,
    /// Proposing what would close each gap.
    GapStories,
    /// Laying out and sealing the workbook (or CSV, JSON).
    Writing,
    /// Writing the file to disk.
    Saving,
}

impl ExportStage {
    pub fn label(self) -> &'static str {
        match self {
            ExportStage::Reading => "reading the engagement",
            ExportStage::Rows => "deriving coverage",
            ExportStage::GapStories => "proposing gap stories",
            ExportStage::Writing => "writing the matrix",
            ExportStage::Saving => "saving the file",
        }
    }
}

/// Progress of an export: `done` of `total` units (rows, gaps) of the current stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExportProgress {
    pub stage: ExportStage,
    pub done: usize,
    pub total: usize,
}

/// What a host can do during a long export: hear of its progress, and stop it. The callback
/// may be called from several threads (hence `Sync`), a few hundred times at most per stage.
/// A cancelled export returns [`ApiError::Cancelled`] and writes nothing.
#[derive(Clone, Copy, Default)]
pub struct ExportControl<'a> {
    pub progress: Option<&'a (dyn Fn(ExportProgress) + Sync)>,
    pub cancel: Option<&'a AtomicBool>,
}

impl std::fmt::Debug for ExportControl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportControl")
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl ExportControl<'_> {
    fn report(&self, stage: ExportStage, done: usize, total: usize) {
        if let Some(p) = self.progress {
            p(ExportProgress { stage, done, total });
        }
    }

    /// `Err(ApiError::Cancelled)` once the host asked to stop.
    fn check(&self) -> Result<()> {
        match self.cancel {
            Some(flag) if flag.load(Ordering::Relaxed) => {
                Err(ApiError::Cancelled { what: "export" })
            }
            _ => Ok(()),
        }
    }
}

/// The catalogue looked up by ref, once per export: the matrix asks for an item, whether it is
/// an epic and its CAF neighbours for every mapping, and a scan per question made the export
/// grow with mappings × catalogue size.
struct CatalogueIndex<'a> {
    items: HashMap<QualifiedRef, (&'a CatalogueFramework, &'a CatalogueItem)>,
    epics: HashSet<QualifiedRef>,
    /// The CAF items linked to a ref (either direction), in the catalogue's link order.
    caf_links: HashMap<QualifiedRef, Vec<QualifiedRef>>,
}

impl<'a> CatalogueIndex<'a> {
    fn new(catalogue: &'a Catalogue) -> CatalogueIndex<'a> {
        // As `Catalogue::item` finds them: the first framework with an id, its first item
        // with a ref.
        let mut items = HashMap::new();
        let mut frameworks: HashSet<&str> = HashSet::new();
        let mut epics = HashSet::new();
        for fw in &catalogue.frameworks {
            if !frameworks.insert(fw.id.as_str()) {
                continue;
            }
            for item in &fw.items {
                let r = QualifiedRef::new(fw.id.clone(), item.reference.clone());
                if items.contains_key(&r) {
                    continue;
                }
                // CAF items of the older model are the core security epics; the others are
                // capabilities.
                if item
                    .attributes
                    .iter()
                    .any(|(k, v)| k == "model" && v.contains("epic"))
                {
                    epics.insert(r.clone());
                }
                items.insert(r, (fw, item));
            }
        }
        let mut caf_links: HashMap<QualifiedRef, Vec<QualifiedRef>> = HashMap::new();
        for l in &catalogue.links {
            if l.to.framework == "caf" {
                caf_links
                    .entry(l.from.clone())
                    .or_default()
                    .push(l.to.clone());
            }
            // A link from a CAF item to itself counts once, as its `to`.
            if l.from.framework == "caf" && !(l.to.framework == "caf" && l.to == l.from) {
                caf_links
                    .entry(l.to.clone())
                    .or_default()
                    .push(l.from.clone());
            }
        }
        CatalogueIndex {
            items,
            epics,
            caf_links,
        }
    }

    fn item(&self, r: &QualifiedRef) -> Option<(&'a CatalogueFramework, &'a CatalogueItem)> {
        self.items.get(r).copied()
    }

    fn is_epic(&self, r: &QualifiedRef) -> bool {
        self.epics.contains(r)
    }

    /// The CAF items linked to `r` by the catalogue (either direction).
    fn caf_neighbours(&self, r: &QualifiedRef) -> &[QualifiedRef] {
        self.caf_links.get(r).map(Vec::as_slice).unwrap_or_default()
    }

    fn entry(&self, r: &QualifiedRef, profile: &LandingZoneProfile) -> Option<CatalogueEntry> {
        let (fw, item) = self.item(r)?;
        Some(CatalogueEntry {
            reference: r.clone(),
            kind: fw.kind.target_kind(),
            framework: fw.name.clone(),
            title: item.display_title().into_owned(),
            description: item.text.clone(),
            provenance: fw.provenance.clone(),
            enabled: (fw.kind == FrameworkKind::LzControls).then(|| profile.is_enabled(r)),
        })
    }
}

fn first_words(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        format!("{}…", one_line.chars().take(max).collect::<String>())
    }
}

/// The matrix of the engagement as it stands, for `actor` at `actor.at`.
pub fn matrix_model(view: &View, actor: &Actor) -> Result<MatrixModel> {
    matrix_model_with(view, actor, &ExportControl::default())
}

/// As [`matrix_model`], reporting progress and stopping with [`ApiError::Cancelled`] when
/// `control` asks.
pub fn matrix_model_with(
    view: &View,
    actor: &Actor,
    control: &ExportControl,
) -> Result<MatrixModel> {
    control.check()?;
    control.report(ExportStage::Reading, 0, 1);
    let info = view.info()?;
    let catalogue = view.catalogue()?;
    let index = CatalogueIndex::new(&catalogue);
    let profile = LandingZoneProfile::new(
        view.landing_zone_profile()?
            .into_iter()
            .filter(|p| p.enabled)
            .map(|p| QualifiedRef::new(p.framework, p.reference)),
    );
    // Read for the export alone: no coverage derived in SQL (the rows derive their own), no
    // attributes parsed but a gap's, and no requirement text copied into every mapping.
    let requirements = view.requirement_entries()?;
    let mappings: Vec<MappingRow> = view.mappings_without_texts()?;
    let mut by_source: HashMap<i64, Vec<&MappingRow>> = HashMap::new();
    for m in &mappings {
        by_source.entry(m.source.id).or_default().push(m);
    }
    let assessments: HashMap<i64, crosswalk_store::Assessment> = view
        .assessments(None)?
        .into_iter()
        .map(|a| (a.item_id, a.assessment))
        .collect();
    let workloads = view.workloads()?;
    let mut per_workload: HashMap<&String, HashMap<i64, crosswalk_store::Assessment>> =
        HashMap::new();
    if workloads.len() > 1 {
        for w in &workloads {
            let own = view
                .assessments(Some(w))?
                .into_iter()
                .map(|a| (a.item_id, a.assessment))
                .collect();
            per_workload.insert(w, own);
        }
    }

    control.report(ExportStage::Reading, 1, 1);
    let mut rows = Vec::with_capacity(requirements.len());
    let mut links = Vec::new();
    let mut referenced: BTreeSet<QualifiedRef> = BTreeSet::new();
    // The requirement each row is for (an index into `requirements`).
    let mut row_requirement: Vec<usize> = Vec::with_capacity(requirements.len());
    let mut seconds = ToTheSecond::default();
    let scopes: Vec<Option<&String>> = if workloads.len() > 1 {
        workloads.iter().map(Some).collect()
    } else {
        vec![None]
    };
    // The gap requirements are ranked for their stories on other threads while the rows are
    // made: each is queued as soon as a row of it turns out a gap. `slot_of` gives each ranked
    // requirement (by index in `requirements`) its place in the ranking's answer.
    let mut slot_of: Vec<Option<usize>> = vec![None; requirements.len()];
    let (queue, inbox) = std::sync::mpsc::channel::<(usize, crosswalk_suggest::Query)>();
    let inbox = std::sync::Mutex::new(inbox);
    let pace = RankingPace::default();
    let (hints, slots) = std::thread::scope(|scope| -> Result<(Vec<Hints>, usize)> {
        let ranking =
            scope.spawn(|| rank_gaps(&catalogue, &requirements, &mappings, &inbox, &pace, control));
        let mut slots = 0usize;
        let walked = (|| -> Result<()> {
            for (done, r) in requirements.iter().enumerate() {
                if done.is_multiple_of(PROGRESS_EVERY) {
                    control.check()?;
                    control.report(ExportStage::Rows, done, requirements.len());
                }
                let key = format!("{}:{}", r.set, r.reference);
                let mine: &[&MappingRow] =
                    by_source.get(&r.id).map(Vec::as_slice).unwrap_or_default();
                let accepted: Vec<&MappingRow> = mine
                    .iter()
                    .copied()
                    .filter(|m| m.status == MappingStatus::Accepted)
                    .collect();
                let coverage_mappings: Vec<CoverageMapping> = mine
                    .iter()
                    .map(|m| CoverageMapping {
                        target: m.target.qualified(),
                        kind: m.target.kind.target_kind(),
                        relationship: m.relationship,
                        status: m.status,
                        workload: None,
                    })
                    .collect();
                let general = assessments.get(&r.id);
                let (mut capabilities, mut epics) = (BTreeSet::new(), BTreeSet::new());
                let (mut services, mut inherited, mut workload, mut framework) =
                    (Vec::new(), Vec::new(), Vec::new(), Vec::new());
                for m in &accepted {
                    let target = m.target.qualified();
                    referenced.insert(target.clone());
                    match m.target.kind.target_kind() {
                        TargetKind::Caf => {
                            let (own, other) = if index.is_epic(&target) {
                                (&mut epics, &mut capabilities)
                            } else {
                                (&mut capabilities, &mut epics)
                            };
                            // An epic names its capabilities and the other way round, through the
                            // catalogue's alignment links.
                            for n in index.caf_neighbours(&target) {
                                if index.is_epic(n) != index.is_epic(&target) {
                                    other.insert(n.clone());
                                }
                            }
                            own.insert(target.clone());
                        }
                        TargetKind::Service => services.push(target.clone()),
                        TargetKind::LzControl if profile.is_enabled(&target) => {
                            inherited.push(target.clone())
                        }
                        TargetKind::LzControl => workload.push(target.clone()),
                        TargetKind::FrameworkControl => framework.push(target.clone()),
                    }
                    links.push(MatrixLink {
                        key: m.id.to_string(),
                        row_key: key.clone(),
                        set: r.set.clone(),
                        requirement: r.reference.clone(),
                        workload: None,
                        target: target.clone(),
                        target_kind: m.target.kind.target_kind(),
                        // An entry whose source publishes no details says so instead of an empty title.
                        target_title: index
                            .item(&target)
                            .map(|(_, i)| i.display_title().into_owned())
                            .unwrap_or_else(|| m.target.title.clone()),
                        relationship: m.relationship,
                        responsibility: m.responsibility,
                        status: m.status,
                        origin: m.origin,
                        rationale: m.rationale.clone(),
                        author: m.author.clone(),
                        at: seconds.of(&m.updated_at),
                    });
                }
                referenced.extend(capabilities.iter().cloned());
                referenced.extend(epics.iter().cloned());
                let mut rationale: Vec<&str> = Vec::new();
                for m in &accepted {
                    let text = m.rationale.trim();
                    if !text.is_empty() && !rationale.contains(&text) {
                        rationale.push(text);
                    }
                }
                // The workplan's security domain, read from the CAF classification (epics first).
                let domain = epics
                    .iter()
                    .chain(&capabilities)
                    .find_map(|c| SecurityDomain::of_caf(&c.reference))
                    .map(|d| d.label().to_string());
                let last_changed = r
                    .changed_at
                    .as_deref()
                    .map(|t| seconds.of(t))
                    .unwrap_or_default();
                let rationale = rationale.join("; ");
                let (mut services, mut inherited, mut workload, mut framework) = (
                    Some(services),
                    Some(inherited),
                    Some(workload),
                    Some(framework),
                );
                // One row for the requirement as a whole, or one per workload when there are several.
                for (n, &scope) in scopes.iter().enumerate() {
                    // The last row takes the lists; the others copy them.
                    let last = n + 1 == scopes.len();
                    let take = |v: &mut Option<Vec<QualifiedRef>>| {
                        if last {
                            v.take().unwrap_or_default()
                        } else {
                            v.clone().unwrap_or_default()
                        }
                    };
                    let own = scope.and_then(|w| per_workload.get(w).and_then(|a| a.get(&r.id)));
                    let shown = match (scope, own) {
                        (Some(_), Some(own)) => own.clone(),
                        _ => general.cloned().unwrap_or_default(),
                    };
                    // A workload's own override wins; else the engagement-wide one holds for it too.
                    let overridden = match (
                        own.and_then(|o| o.coverage),
                        general.and_then(|g| g.coverage),
                    ) {
                        (Some(c), _) => Some((c, own.map(|o| o.coverage_reason.clone()))),
                        (None, Some(c)) => Some((c, general.map(|g| g.coverage_reason.clone()))),
                        (None, None) => None,
                    }
                    .map(|(c, reason)| {
                        CoverageOverride::new(c, reason.unwrap_or_default())
                            .map_err(|e| ApiError::Invalid(format!("{key}: {e}")))
                    })
                    .transpose()?;
                    let assessed = assess(
                        &coverage_mappings,
                        &profile,
                        scope.map(String::as_str),
                        overridden.as_ref(),
                    );
                    rows.push(MatrixRow {
                        key: match scope {
                            Some(w) => workload_key(&key, w),
                            None => key.clone(),
                        },
                        version: r.revision.max(0) as u64,
                        set: r.set.clone(),
                        reference: r.reference.clone(),
                        workload: scope.cloned(),
                        title: r.title.clone(),
                        text: r.text.clone(),
                        section: r.section.clone(),
                        domain: domain.clone(),
                        caf_capabilities: capabilities.iter().cloned().collect(),
                        caf_epics: epics.iter().cloned().collect(),
                        services: take(&mut services),
                        inherited_controls: take(&mut inherited),
                        workload_controls: take(&mut workload),
                        framework_controls: take(&mut framework),
                        responsibility: assessed.responsibility(),
                        coverage: assessed.coverage,
                        derived_coverage: assessed.derived,
                        coverage_override: assessed.overridden,
                        rationale: rationale.clone(),
                        owner: shown.owner,
                        evidence: shown.evidence,
                        notes: shown.notes,
                        last_changed: last_changed.clone(),
                    });
                    row_requirement.push(done);
                }
                let first_row = rows.len() - scopes.len();
                if rows[first_row..]
                    .iter()
                    .any(|row| row.coverage == crosswalk_domain::Coverage::Gap)
                {
                    slot_of[done] = Some(slots);
                    // The ranking ends only on an error of its own, which the join reports.
                    let _ = queue.send((slots, query_of(r)?));
                    slots += 1;
                }
            }
            Ok(())
        })();
        drop(queue);
        if walked.is_ok() {
            control.report(ExportStage::Rows, requirements.len(), requirements.len());
            pace.total.store(slots, Ordering::Relaxed);
            control.report(
                ExportStage::GapStories,
                pace.done.load(Ordering::Relaxed).min(slots),
                slots,
            );
        } else {
            pace.stop.store(true, Ordering::Relaxed);
        }
        let hints = ranking
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        walked?;
        Ok((hints?, slots))
    })?;
    let gaps = gap_stories(
        &index,
        &rows,
        &row_requirement,
        &requirements,
        &slot_of,
        &hints,
        &by_source,
    );
    control.report(ExportStage::GapStories, slots, slots);
    for g in &gaps {
        referenced.extend(g.implement.iter().cloned());
    }
    let mut owners: Vec<String> = rows
        .iter()
        .map(|r| r.owner.clone())
        .filter(|o| !o.is_empty())
        .collect();
    owners.sort();
    owners.dedup();
    let mut model = MatrixModel {
        engagement: EngagementInfo {
            name: info.customer.clone(),
            customer: info.customer.clone(),
            description: String::new(),
        },
        workloads: workloads.clone(),
        landing_zone: LandingZoneInfo {
            name: format!("{} enabled landing-zone controls", profile.enabled.len()),
            enabled_controls: profile.enabled.iter().cloned().collect(),
        },
        catalogue_version: info.catalogue_version,
        app_version: crate::APP_VERSION.to_string(),
        generated_at: actor.timestamp(),
        generated_by: actor.name.clone(),
        owners,
        rows,
        links,
        catalogue: referenced
            .iter()
            .filter_map(|r| index.entry(r, &profile))
            .collect(),
        coverage_by_capability: Vec::new(),
        coverage_by_domain: Vec::new(),
        gaps,
    };
    model.tally_coverage();
    model.coverage_by_domain = every_domain(std::mem::take(&mut model.coverage_by_domain));
    Ok(model)
}

/// The key of a requirement's row for one workload: the requirement's key, `@`, the workload.
/// `import-matrix` reads the workload from the sealed row, never by parsing this key.
pub(crate) fn workload_key(key: &str, workload: &str) -> String {
    format!("{key}@{workload}")
}

/// The five workplan domains in the workplan's order, each shown even when no row falls in it,
/// then the rows without a domain.
fn every_domain(mut groups: Vec<CoverageGroup>) -> Vec<CoverageGroup> {
    let mut out: Vec<CoverageGroup> = SecurityDomain::ALL
        .iter()
        .map(|d| {
            let name = d.label();
            match groups.iter().position(|g| g.name == name) {
                Some(i) => groups.remove(i),
                None => CoverageGroup {
                    name: name.to_string(),
                    counts: CoverageCounts::default(),
                },
            }
        })
        .collect();
    out.append(&mut groups);
    out
}

/// An RFC 3339 time as the matrix shows it: UTC, to the second. Text that is not RFC 3339 is
/// shown as it is.
fn to_the_second(text: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .and_then(|t| {
            t.to_offset(time::UtcOffset::UTC)
                .replace_nanosecond(0)
                .ok()?
                .format(&Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| text.to_string())
}

/// [`to_the_second`] for many times in a row: the mappings accepted together share their time,
/// so the last one is remembered instead of parsed again.
#[derive(Default)]
struct ToTheSecond {
    last: Option<(String, String)>,
}

impl ToTheSecond {
    fn of(&mut self, text: &str) -> String {
        match &self.last {
            Some((from, to)) if from == text => to.clone(),
            _ => {
                let to = to_the_second(text);
                self.last = Some((text.to_string(), to.clone()));
                to
            }
        }
    }
}

/// The query the suggestion engine reads for a requirement, as the suggestions use it (the
/// reference qualified by its set; the columns that hold references to other standards read
/// with the text).
fn query_of(r: &RequirementEntry) -> Result<crosswalk_suggest::Query> {
    let attributes = r.attributes()?;
    Ok(crosswalk_suggest::Query {
        reference: format!("{}:{}", r.set, r.reference),
        title: r.title.clone(),
        text: r.text.clone(),
        section: r.section.clone(),
    }
    .with_attributes(attributes.iter()))
}

/// The kinds a gap story proposes to put in place.
const STORY_KINDS: [TargetKind; 2] = [TargetKind::Service, TargetKind::LzControl];

/// The best service and landing-zone control of one gap requirement.
type Hints = Vec<crosswalk_suggest::Suggestion>;

/// How far the gap ranking is: gaps ranked, gaps found (`usize::MAX` while the rows are still
/// being made), and whether to stop.
struct RankingPace {
    done: AtomicUsize,
    total: AtomicUsize,
    stop: AtomicBool,
}

impl Default for RankingPace {
    fn default() -> RankingPace {
        RankingPace {
            done: AtomicUsize::new(0),
            total: AtomicUsize::new(usize::MAX),
            stop: AtomicBool::new(false),
        }
    }
}

/// The decisions a person made, each with its requirement's query (a removed requirement's read
/// from the mapping, as the suggestions do), for the engine to learn from.
fn decisions_of(
    requirements: &[RequirementEntry],
    mappings: &[MappingRow],
) -> Result<Vec<crosswalk_suggest::Decision>> {
    let position: HashMap<i64, usize> = requirements
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, i))
        .collect();
    let mut queries: HashMap<i64, crosswalk_suggest::Query> = HashMap::new();
    let mut decisions = Vec::new();
    for m in mappings.iter().filter(|m| decided_by_a_person(m)) {
        let requirement = match position.get(&m.source.id) {
            Some(&i) => match queries.get(&m.source.id) {
                Some(q) => q.clone(),
                None => {
                    let q = query_of(&requirements[i])?;
                    queries.insert(m.source.id, q.clone());
                    q
                }
            },
            None => crosswalk_suggest::Query {
                reference: m.source.qualified().to_string(),
                title: m.source.title.clone(),
                text: m.source.text.clone(),
                section: None,
            },
        };
        decisions.push(crosswalk_suggest::Decision {
            requirement,
            target: m.target.qualified(),
            accepted: m.status == MappingStatus::Accepted,
        });
    }
    Ok(decisions)
}

/// Ranks the queries arriving in `inbox` (slot, query) until it closes, on up to the machine's
/// cores: the best service and landing-zone control of each, by slot. The engine is made when
/// the first gap arrives (never, when there is none). Reports progress once the number of gaps
/// is known and stops early when `control` cancels or `pace.stop` is set.
fn rank_gaps(
    catalogue: &Catalogue,
    requirements: &[RequirementEntry],
    mappings: &[MappingRow],
    inbox: &std::sync::Mutex<std::sync::mpsc::Receiver<(usize, crosswalk_suggest::Query)>>,
    pace: &RankingPace,
    control: &ExportControl,
) -> Result<Vec<Hints>> {
    let next = || {
        inbox
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .recv()
            .ok()
    };
    let Some(first) = next() else {
        return Ok(Vec::new());
    };
    let engine = Engine::new(catalogue);
    let history = engine.history(&decisions_of(requirements, mappings)?);
    let work =
        |mut item: Option<(usize, crosswalk_suggest::Query)>| -> Result<Vec<(usize, Hints)>> {
            let mut out = Vec::new();
            while let Some((slot, query)) = item.take().or_else(next) {
                if pace.stop.load(Ordering::Relaxed) {
                    break;
                }
                out.push((
                    slot,
                    engine.suggest_kinds(&query, 1, &history, &STORY_KINDS),
                ));
                let n = pace.done.fetch_add(1, Ordering::Relaxed) + 1;
                if n.is_multiple_of(PROGRESS_EVERY) {
                    if let Err(e) = control.check() {
                        pace.stop.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                    let total = pace.total.load(Ordering::Relaxed);
                    if total != usize::MAX {
                        control.report(ExportStage::GapStories, n.min(total), total);
                    }
                }
            }
            Ok(out)
        };
    // Each gap is ranked on its own, so the work splits over the machine's cores; the result is
    // the same on any number of threads.
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let parts: Vec<Result<Vec<(usize, Hints)>>> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(|| work(None))).collect();
        let mut parts = vec![work(Some(first))];
        for h in helpers {
            parts.push(
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        parts
    });
    let mut hints: Vec<Hints> = Vec::new();
    for part in parts {
        for (slot, h) in part? {
            if hints.len() <= slot {
                hints.resize_with(slot + 1, Vec::new);
            }
            hints[slot] = h;
        }
    }
    Ok(hints)
}

/// A backlog story per gap: the best services and landing-zone controls not yet decided, with
/// acceptance criteria drawn from their catalogue descriptions.
///
/// `row_requirement` gives the index in `requirements` of each row's requirement, `slot_of`
/// each ranked requirement's place in `hints`, `by_source` the mappings of each requirement (by
/// item id).
fn gap_stories(
    index: &CatalogueIndex,
    rows: &[MatrixRow],
    row_requirement: &[usize],
    requirements: &[RequirementEntry],
    slot_of: &[Option<usize>],
    hints: &[Hints],
    by_source: &HashMap<i64, Vec<&MappingRow>>,
) -> Vec<GapStory> {
    let mut stories = Vec::new();
    for (row, &i) in rows.iter().zip(row_requirement) {
        if row.coverage != crosswalk_domain::Coverage::Gap {
            continue;
        }
        let Some(hint) = slot_of[i].and_then(|slot| hints.get(slot)) else {
            continue;
        };
        // Targets already decided for the requirement (in any status) are not proposed again.
        let mine: &[&MappingRow] = by_source
            .get(&requirements[i].id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let implement: Vec<QualifiedRef> = hint
            .iter()
            .filter(|s| matches!(s.kind, TargetKind::Service | TargetKind::LzControl))
            .filter(|s| !mine.iter().any(|m| m.target.qualified() == s.target))
            .map(|s| s.target.clone())
            .collect();
        let acceptance_criteria = implement
            .iter()
            .filter_map(|t| index.item(t))
            .map(|(_, i)| {
                if i.text.is_empty() {
                    format!("{} is in place for the workload.", i.display_title())
                } else {
                    format!("{}: {}", i.display_title(), first_words(&i.text, 240))
                }
            })
            .collect();
        let subject = if row.title.is_empty() {
            &row.text
        } else {
            &row.title
        };
        stories.push(GapStory {
            row_key: row.key.clone(),
            set: row.set.clone(),
            requirement: row.reference.clone(),
            workload: row.workload.clone(),
            title: format!("Meet {}: {}", row.reference, first_words(subject, 80)),
            implement,
            acceptance_criteria,
        });
    }
    stories
}

/// A fresh sealing key, made once per engagement.
fn fresh_secret() -> Result<[u8; 32]> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| {
        ApiError::Invalid(format!(
            "the system gave no random bytes for the export key: {e}"
        ))
    })?;
    Ok(key)
}

/// The engagement an export reads: open for writing (the first sealed export stores the
/// engagement's sealing key), or read-only (a file this process cannot write: only a key it
/// already holds can seal the matrix).
enum Source<'e> {
    Writable(&'e mut Engagement),
    ReadOnly(&'e EngagementReader),
}

impl Source<'_> {
    fn view(&self) -> &View {
        match self {
            Source::Writable(e) => e,
            Source::ReadOnly(r) => r,
        }
    }

    /// The sealing key, made and stored on first use when the file can be written.
    fn secret(&mut self, actor: &Actor) -> Result<Vec<u8>> {
        match self {
            Source::Writable(e) => Ok(e.ensure_export_secret(actor, &fresh_secret()?)?),
            Source::ReadOnly(r) => r.export_secret()?.ok_or_else(|| no_key_to_seal(r.path())),
        }
    }
}

/// Why a read-only engagement cannot give a sealed matrix before its first export.
fn no_key_to_seal(db: &Path) -> ApiError {
    ApiError::Invalid(format!(
        "{db}: the engagement file is read-only and has no sealing key yet. The first xlsx or \
         json export stores the key that seals the matrix in the engagement file, so this export \
         cannot be sealed and nothing was written. Make the file writable (for example \
         `chmod u+w {db}`) or export from a writable copy once; later exports also work from the \
         read-only file. A CSV export needs no key.",
        db = db.display()
    ))
}

pub(crate) fn export_with(
    e: &mut Engagement,
    actor: &Actor,
    request: &ExportRequest,
) -> Result<ExportReport> {
    export_from(
        Source::Writable(e),
        actor,
        request,
        &ExportControl::default(),
    )
}

fn export_from(
    mut source: Source,
    actor: &Actor,
    request: &ExportRequest,
    control: &ExportControl,
) -> Result<ExportReport> {
    let format = match request.format {
        Some(f) => f,
        None => ExportFormat::from_path(&request.out)?,
    };
    let sealed = matches!(format, ExportFormat::Xlsx | ExportFormat::Json);
    // Checked before anything is written, the engagement's export key included.
    let target = crate::output::destination(&request.out, source.view().path())?;
    // A read-only file without a key is refused before the work, not after it.
    if let (true, Source::ReadOnly(r)) = (sealed, &source) {
        if r.export_secret()?.is_none() {
            return Err(no_key_to_seal(r.path()));
        }
    }
    let model = matrix_model_with(source.view(), actor, control)?;
    control.check()?;
    control.report(ExportStage::Writing, 0, 1);
    let secret = if sealed {
        Some(source.secret(actor)?)
    } else {
        None
    };
    let (bytes, content_hash, warnings) = match (format, &secret) {
        (ExportFormat::Xlsx, Some(secret)) => {
            // Rows written, reported as they go; a cancel is heeded at the same points.
            let mut heed = |p: crosswalk_matrix::WriteProgress| {
                control.report(ExportStage::Writing, p.rows_done, p.rows_total);
                match control.check() {
                    Ok(()) => std::ops::ControlFlow::Continue(()),
                    Err(_) => std::ops::ControlFlow::Break(()),
                }
            };
            let x = match crosswalk_matrix::write_xlsx_with(&model, secret, &mut heed) {
                Err(crosswalk_matrix::MatrixError::Stopped) => {
                    return Err(ApiError::Cancelled { what: "export" })
                }
                other => other?,
            };
            (x.bytes, Some(x.content_hash), x.warnings)
        }
        (ExportFormat::Json, Some(secret)) => (
            crosswalk_matrix::write_json(&model, secret)?,
            None,
            Vec::new(),
        ),
        _ => (crosswalk_matrix::write_csv(&model)?, None, Vec::new()),
    };
    control.report(ExportStage::Writing, 1, 1);
    control.report(ExportStage::Saving, 0, 1);
    // The last moment to stop: after this the file is in place.
    control.check()?;
    crate::output::write_atomically(&request.out, &target, &bytes)?;
    control.report(ExportStage::Saving, 1, 1);
    let mut coverage = CoverageCounts::default();
    for r in &model.rows {
        coverage.add(r.coverage);
    }
    let report = ExportReport {
        out: request.out.display().to_string(),
        format,
        rows: model.rows.len(),
        requirements: model
            .rows
            .iter()
            .map(|r| (&r.set, &r.reference))
            .collect::<BTreeSet<_>>()
            .len(),
        links: model.links.len(),
        gaps: model.gaps.len(),
        coverage,
        content_hash,
        warnings,
    };
    // Freeing a large model takes a while and nothing waits for it.
    std::thread::spawn(move || drop(model));
    Ok(report)
}

/// Writes the traceability matrix of the engagement `db` (which must exist) to `request.out`.
pub fn export(db: &Path, actor: &Actor, request: &ExportRequest) -> Result<ExportReport> {
    export_controlled(db, actor, request, &ExportControl::default())
}

/// As [`export`], reporting progress to `control.progress` and stopping, with
/// [`ApiError::Cancelled`] and no file written, once `control.cancel` is set.
///
/// A file this process cannot write is exported read-only: CSV always, xlsx and JSON once an
/// earlier export stored the engagement's sealing key (else a clear error says what to do).
pub fn export_controlled(
    db: &Path,
    actor: &Actor,
    request: &ExportRequest,
    control: &ExportControl,
) -> Result<ExportReport> {
    // Refused before the engagement is even opened: `--out` must not be the engagement file.
    crate::output::destination(&request.out, db)?;
    control.check()?;
    match Engagement::open(db, actor, crate::shipped_catalogue()) {
        Ok(mut e) => {
            let report = export_from(Source::Writable(&mut e), actor, request, control)?;
            e.close()?;
            Ok(report)
        }
        Err(e) if e.is_read_only() => {
            let reader = crate::engagement::open_read(db)?;
            export_from(Source::ReadOnly(&reader), actor, request, control)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_utc_to_the_second() {
        assert_eq!(
            to_the_second("2026-12-03T22:16:07.123456789Z"),
            "2026-12-03T22:16:07Z"
        );
        assert_eq!(
            to_the_second("2026-12-03T23:16:07+01:00"),
            "2026-12-03T22:16:07Z"
        );
        assert_eq!(to_the_second("yesterday"), "yesterday");
    }

    #[test]
    fn every_workplan_domain_is_listed_in_order_then_the_unclassified_rows() {
        let mut counts = CoverageCounts::default();
        counts.add(crosswalk_domain::Coverage::Gap);
        let groups = vec![
            CoverageGroup {
                name: crosswalk_matrix::UNCLASSIFIED.to_string(),
                counts,
            },
            CoverageGroup {
                name: "IAM".to_string(),
                counts,
            },
        ];
        let names: Vec<String> = every_domain(groups).into_iter().map(|g| g.name).collect();
        assert_eq!(
            names,
            [
                "Data protection",
                "IAM",
                "Incident response",
                "Infrastructure protection",
                "Logging & monitoring",
                "(unclassified)"
            ]
        );
    }
}

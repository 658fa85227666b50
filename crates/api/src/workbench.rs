//! Use cases the desktop workbench needs beyond the CLI's: creating an engagement with its
//! workloads and landing-zone preset, one requirement with its mappings and suggestions, single
//! accept/reject decisions, assessments, the landing-zone profile and coverage per group.

use crate::engagement::{engagement_summary, open_read, open_write, shipped_catalogue};
use crate::error::{ApiError, Result};
use crate::map::default_responsibility;
use crate::refs::{resolve, Want};
use crate::requirements::RequirementItem;
use crate::suggest::{decided_by_a_person, AUTOMATIC_RATIONALE, SUGGESTED_RELATIONSHIP};
use crate::EngagementSummary;
use crosswalk_domain::{Coverage, FrameworkKind, MappingStatus, Origin, QualifiedRef, TargetKind};
use crosswalk_store::{
    Actor, Assessment, ControlsChange, Engagement, MappingFilter, MappingInput, MappingRow,
    RequirementQuery, View,
};
use crosswalk_suggest::{Decision, Engine, Query};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// A landing-zone preset as the start screen offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PresetInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub controls: usize,
}

/// The shipped landing-zone presets.
pub fn profile_presets() -> Vec<PresetInfo> {
    crosswalk_catalogue::shipped_profiles()
        .iter()
        .map(|p| PresetInfo {
            id: p.id.clone(),
            name: p.name.clone(),
            description: p.text.clone(),
            controls: p.controls.len(),
        })
        .collect()
}

/// Creates a new engagement file for `customer` with its workloads, and enables the controls of
/// the landing-zone preset `preset` when one is given. An existing file is never overwritten.
pub fn create_engagement(
    db: &Path,
    actor: &Actor,
    customer: &str,
    workloads: &[String],
    preset: Option<&str>,
) -> Result<EngagementSummary> {
    let customer = customer.trim();
    if customer.is_empty() {
        return Err(ApiError::Invalid("the customer needs a name".into()));
    }
    let profile =
        match preset {
            Some(id) => Some(crosswalk_catalogue::shipped_profile(id).ok_or_else(|| {
                ApiError::NotFound {
                    what: "landing-zone preset",
                    text: id.into(),
                    hint: String::new(),
                }
            })?),
            None => None,
        };
    let mut e = Engagement::create(db, actor, customer, shipped_catalogue())?;
    for w in workloads.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
        e.add_workload(actor, w, "")?;
    }
    if let Some(p) = profile {
        apply_controls(&mut e, actor, &p.controls)?;
    }
    e.close()?;
    engagement_summary(db)
}

/// Enables exactly `enabled` among the engagement's landing-zone controls, in one transaction
/// with one audit entry per control that changes state.
pub(crate) fn apply_controls(
    e: &mut Engagement,
    actor: &Actor,
    enabled: &[QualifiedRef],
) -> Result<ControlsChange> {
    let wanted: HashSet<&QualifiedRef> = enabled.iter().collect();
    let mut changes = Vec::new();
    for r in lz_controls(e)?.keys() {
        let item = resolve(e, &r.to_string(), Want::Target)?;
        changes.push((item.id, wanted.contains(r)));
    }
    Ok(e.set_controls_enabled(actor, &changes, "")?)
}

/// Every landing-zone control of the engagement's catalogue, in catalogue order.
fn lz_controls(view: &View) -> Result<BTreeMap<QualifiedRef, (String, String)>> {
    let catalogue = view.catalogue()?;
    let mut out = BTreeMap::new();
    for fw in catalogue
        .frameworks
        .iter()
        .filter(|f| f.kind == FrameworkKind::LzControls)
    {
        for item in &fw.items {
            out.insert(
                QualifiedRef::new(&fw.id, &item.reference),
                (item.title.clone(), item.text.clone()),
            );
        }
    }
    Ok(out)
}

/// Applies a shipped preset to an existing engagement; returns how many controls changed.
pub fn apply_preset(db: &Path, actor: &Actor, preset: &str) -> Result<usize> {
    let p = crosswalk_catalogue::shipped_profile(preset).ok_or_else(|| ApiError::NotFound {
        what: "landing-zone preset",
        text: preset.into(),
        hint: String::new(),
    })?;
    let mut e = Engagement::open(db, actor, shipped_catalogue())?;
    let change = apply_controls(&mut e, actor, &p.controls)?;
    e.close()?;
    Ok(change.changed.len())
}

/// One landing-zone control in the profile screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileControl {
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub text: String,
    pub enabled: bool,
    /// Requirements with an accepted mapping straight to this control: the ones whose
    /// inherited coverage the toggle changes.
    pub requirements: usize,
}

pub fn landing_zone_controls(db: &Path) -> Result<Vec<ProfileControl>> {
    let e = open_read(db)?;
    let enabled: HashMap<QualifiedRef, bool> = e
        .landing_zone_profile()?
        .into_iter()
        .map(|p| (QualifiedRef::new(p.framework, p.reference), p.enabled))
        .collect();
    let mut users: HashMap<QualifiedRef, usize> = HashMap::new();
    for m in e.mappings(&MappingFilter {
        status: Some(MappingStatus::Accepted),
        ..Default::default()
    })? {
        if m.target.kind == FrameworkKind::LzControls {
            *users.entry(m.target.qualified()).or_default() += 1;
        }
    }
    Ok(lz_controls(&e)?
        .into_iter()
        .map(|(r, (title, text))| ProfileControl {
            enabled: enabled.get(&r).copied().unwrap_or(false),
            requirements: users.get(&r).copied().unwrap_or(0),
            reference: r.to_string(),
            title,
            text,
        })
        .collect())
}

/// Enables or disables one landing-zone control (`FRAMEWORK:REF`).
pub fn set_control_enabled(db: &Path, actor: &Actor, control: &str, enabled: bool) -> Result<()> {
    let mut e = Engagement::open(db, actor, shipped_catalogue())?;
    let item = resolve(&e, control, Want::Target)?;
    e.set_control_enabled(actor, item.id, enabled, "")?;
    e.close()?;
    Ok(())
}

/// The engagement's landing-zone profile as a whole: which preset it matches, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileReport {
    /// The shipped preset whose controls are exactly the enabled ones.
    pub preset: Option<String>,
    /// True while the profile is what a new engagement starts with: the controls the
    /// catalogue marks mandatory, untouched since.
    pub default_profile: bool,
    /// The preset with the fewest differences, when none matches exactly.
    pub nearest: Option<PresetDistance>,
    pub enabled: usize,
    pub total: usize,
    pub controls: Vec<ProfileControl>,
}

/// How far the profile is from one preset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PresetDistance {
    pub preset: String,
    /// Enabled here but not in the preset.
    pub extra: usize,
    /// In the preset but not enabled here.
    pub missing: usize,
}

/// What a profile change did and what it does to coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileChange {
    /// Controls switched on.
    pub enabled: Vec<String>,
    /// Controls switched off.
    pub disabled: Vec<String>,
    /// Controls named that already were in the asked state (nothing written for them).
    pub unchanged: Vec<String>,
    /// Mandatory controls (always on in the landing zone) that were disabled.
    pub mandatory_disabled: Vec<String>,
    /// Requirements whose engagement-wide coverage moved, grouped as "from → to".
    pub coverage_moves: Vec<CoverageMoveCount>,
    /// The moved requirements, `SET:REF`, with their coverage before and after.
    pub moved: Vec<crosswalk_store::CoverageMove>,
    /// Enabled controls after the change.
    pub enabled_now: usize,
}

/// How many requirements moved from one coverage to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageMoveCount {
    pub from: Coverage,
    pub to: Coverage,
    pub requirements: usize,
}

/// A workload of the engagement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkloadInfo {
    pub name: String,
    pub description: String,
    pub created_at: String,
    /// Assessments recorded for this workload alone.
    pub assessments: usize,
}

/// The note a new engagement gives the controls it starts with enabled.
const MANDATORY_NOTE: &str = "mandatory";

fn profile_change(e: &View, change: ControlsChange) -> Result<ProfileChange> {
    let profile = e.landing_zone_profile()?;
    let on: HashSet<String> = profile
        .iter()
        .filter(|p| p.enabled)
        .map(|p| format!("{}:{}", p.framework, p.reference))
        .collect();
    // Catalogue items that the landing zone always applies (the shipped `guidance` attribute).
    let mandatory: HashSet<String> = e
        .catalogue()?
        .frameworks
        .iter()
        .filter(|f| f.kind == FrameworkKind::LzControls)
        .flat_map(|f| {
            f.items
                .iter()
                .filter(|i| {
                    i.attributes.iter().any(|(k, v)| {
                        k.to_ascii_lowercase().contains("guidance")
                            && v.trim().eq_ignore_ascii_case("mandatory")
                    })
                })
                .map(move |i| format!("{}:{}", f.id, i.reference))
        })
        .collect();
    let (enabled, disabled): (Vec<String>, Vec<String>) =
        change.changed.into_iter().partition(|c| on.contains(c));
    let mut counts: BTreeMap<(Coverage, Coverage), usize> = BTreeMap::new();
    for m in &change.coverage_moves {
        *counts.entry((m.before, m.after)).or_default() += 1;
    }
    Ok(ProfileChange {
        mandatory_disabled: disabled
            .iter()
            .filter(|c| mandatory.contains(*c))
            .cloned()
            .collect(),
        enabled,
        disabled,
        unchanged: change.unchanged,
        coverage_moves: counts
            .into_iter()
            .map(|((from, to), requirements)| CoverageMoveCount {
                from,
                to,
                requirements,
            })
            .collect(),
        moved: change.coverage_moves,
        enabled_now: profile.iter().filter(|p| p.enabled).count(),
    })
}

impl ProfileControl {
    /// The whole landing-zone profile of the engagement: every control enabled or not, and the
    /// preset it matches.
    pub fn profile(db: &Path) -> Result<ProfileReport> {
        let controls = landing_zone_controls(db)?;
        let e = open_read(db)?;
        let entries = e.landing_zone_profile()?;
        let on: HashSet<&str> = controls
            .iter()
            .filter(|c| c.enabled)
            .map(|c| c.reference.as_str())
            .collect();
        let default_profile = entries
            .iter()
            .all(|p| p.enabled && p.note.starts_with(MANDATORY_NOTE));
        let mut preset = None;
        let mut nearest: Option<PresetDistance> = None;
        for p in crosswalk_catalogue::shipped_profiles() {
            let theirs: HashSet<String> = p.controls.iter().map(|r| r.to_string()).collect();
            let extra = on.iter().filter(|r| !theirs.contains(**r)).count();
            let missing = theirs.iter().filter(|r| !on.contains(r.as_str())).count();
            if extra + missing == 0 {
                preset = Some(p.id.clone());
            }
            if nearest
                .as_ref()
                .is_none_or(|n| extra + missing < n.extra + n.missing)
            {
                nearest = Some(PresetDistance {
                    preset: p.id.clone(),
                    extra,
                    missing,
                });
            }
        }
        Ok(ProfileReport {
            nearest: if preset.is_some() { None } else { nearest },
            preset,
            default_profile,
            enabled: on.len(),
            total: controls.len(),
            controls,
        })
    }

    /// Enables (or disables) the landing-zone controls `refs` (`FRAMEWORK:REF`, or `REF` when
    /// unambiguous) in one transaction, one audit entry per control that changes. Every ref is
    /// checked first: when any is unknown or not a landing-zone control, the error names each
    /// such ref and nothing is written.
    pub fn set_many(
        db: &Path,
        actor: &Actor,
        refs: &[String],
        enabled: bool,
    ) -> Result<ProfileChange> {
        if refs.is_empty() {
            return Err(ApiError::Invalid(
                "name at least one landing-zone control".into(),
            ));
        }
        // Look in a read-only view first so a bad ref leaves the file untouched (not even a
        // catalogue upgrade or a migration).
        let ids = {
            let view = open_read(db)?;
            let mut ids = Vec::new();
            let mut unknown = Vec::new();
            let mut bad = Vec::new();
            for r in refs {
                match resolve(&view, r, Want::Target) {
                    Ok(item) if item.kind == FrameworkKind::LzControls => {
                        ids.push(item.qualified())
                    }
                    Ok(item) => bad.push(format!(
                        "{} is a {} item, not a landing-zone control (ct:, scp: or config:)",
                        item.qualified(),
                        item.kind
                    )),
                    Err(ApiError::NotFound { .. }) => unknown.push(format!("'{}'", r.trim())),
                    Err(err) => bad.push(err.to_string()),
                }
            }
            if !unknown.is_empty() {
                bad.insert(0, format!("no landing-zone control {}", unknown.join(", ")));
            }
            if !bad.is_empty() {
                return Err(ApiError::Invalid(format!(
                    "{}; nothing was changed. `crosswalk profile show` lists the landing-zone controls",
                    bad.join("; ")
                )));
            }
            ids
        };
        let mut e = Engagement::open(db, actor, shipped_catalogue())?;
        let mut changes = Vec::new();
        for r in &ids {
            changes.push((resolve(&e, &r.to_string(), Want::Target)?.id, enabled));
        }
        let change = e.set_controls_enabled(actor, &changes, "")?;
        let report = profile_change(&e, change)?;
        e.close()?;
        Ok(report)
    }
}

impl PresetInfo {
    /// Makes the engagement's profile exactly the shipped preset `preset` (creating the
    /// engagement file when missing), in one transaction.
    pub fn apply(db: &Path, actor: &Actor, preset: &str) -> Result<ProfileChange> {
        let p = crosswalk_catalogue::shipped_profile(preset).ok_or_else(|| ApiError::NotFound {
            what: "landing-zone preset",
            text: preset.into(),
            hint: format!(
                "; the presets are: {}",
                crosswalk_catalogue::shipped_profiles()
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
        let mut e = open_write(db, actor)?;
        let change = apply_controls(&mut e, actor, &p.controls)?;
        let report = profile_change(&e, change)?;
        e.close()?;
        Ok(report)
    }
}

/// Workload use cases, reached through the exported summary type.
impl EngagementSummary {
    /// The engagement's workloads, in the order they were added.
    pub fn list_workloads(db: &Path) -> Result<Vec<WorkloadInfo>> {
        let e = open_read(db)?;
        Ok(e.workload_rows()?
            .into_iter()
            .map(|w| WorkloadInfo {
                name: w.name,
                description: w.description,
                created_at: w.created_at,
                assessments: w.assessments,
            })
            .collect())
    }

    /// Adds a workload (creating the engagement file when missing); returns every workload.
    pub fn add_workload(
        db: &Path,
        actor: &Actor,
        name: &str,
        description: &str,
    ) -> Result<Vec<WorkloadInfo>> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ApiError::Invalid("a workload needs a name".into()));
        }
        if db.is_file() && Self::list_workloads(db)?.iter().any(|w| w.name == name) {
            return Err(ApiError::Invalid(format!(
                "workload '{name}' already exists; `crosswalk workload list` shows the workloads"
            )));
        }
        let mut e = open_write(db, actor)?;
        e.add_workload(actor, name, description.trim())?;
        e.close()?;
        Self::list_workloads(db)
    }

    /// Removes a workload. Refused when assessments were recorded for it alone, unless
    /// `force`, which removes them with it (the audit entry keeps what they said). Returns how
    /// many assessments were removed.
    pub fn remove_workload(db: &Path, actor: &Actor, name: &str, force: bool) -> Result<usize> {
        let name = name.trim();
        let known = Self::list_workloads(db)?;
        if !known.iter().any(|w| w.name == name) {
            return Err(ApiError::NotFound {
                what: "workload",
                text: name.into(),
                hint: if known.is_empty() {
                    "; the engagement has no workloads".into()
                } else {
                    format!(
                        "; the workloads are: {}",
                        known
                            .iter()
                            .map(|w| w.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
            });
        }
        let mut e = Engagement::open(db, actor, shipped_catalogue())?;
        let removed = e.remove_workload(actor, name, force)?;
        e.close()?;
        Ok(removed)
    }
}

/// A mapping of the selected requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingView {
    pub target: String,
    pub kind: TargetKind,
    pub title: String,
    pub relationship: crosswalk_domain::Relationship,
    pub responsibility: Option<crosswalk_domain::Responsibility>,
    pub status: MappingStatus,
    pub origin: Origin,
    pub rationale: String,
}

/// A ranked suggestion with what the consultant already decided about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestionView {
    pub kind: TargetKind,
    #[serde(rename = "ref")]
    pub reference: String,
    /// Empty when the source publishes no title for the target (never invented).
    pub title: String,
    /// False when the source names the target's id but publishes no title or details for it:
    /// show "no published details" instead of a title.
    pub details_published: bool,
    pub score: f64,
    pub reason: String,
    /// `accepted` / `rejected` when a mapping to this target exists, else `None`.
    pub decision: Option<MappingStatus>,
}

/// Everything the mapping panel shows for one requirement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementDetail {
    pub requirement: RequirementItem,
    pub mappings: Vec<MappingView>,
    pub suggestions: Vec<SuggestionView>,
    pub owner: String,
    pub notes: String,
    pub coverage_reason: String,
    /// The coverage the rules derive from the mappings alone (what holds without an override).
    pub derived_coverage: Coverage,
    /// The requirement's assessment for each workload of the engagement, in the order they were
    /// added; empty when the engagement has no workloads.
    pub workloads: Vec<WorkloadAssessment>,
}

/// Where a workload's coverage comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageSource {
    /// The rules, from the accepted mappings and the landing-zone profile.
    Derived,
    /// An override recorded for this workload alone.
    WorkloadOverride,
    /// The engagement-wide override, which holds for every workload without its own.
    EngagementOverride,
}

/// One requirement as one workload sees it: what the matrix row of that workload shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkloadAssessment {
    pub workload: String,
    pub coverage: Coverage,
    pub source: CoverageSource,
    /// The override's reason when an override decides the coverage.
    pub coverage_reason: String,
    /// True when an assessment was recorded for this workload alone; until then its owner,
    /// evidence and notes are the engagement-wide ones.
    pub own: bool,
    pub owner: String,
    pub evidence: String,
    pub notes: String,
}

/// The assessment of each workload: its own when recorded, else the engagement-wide one, as
/// the exported matrix has it.
fn workload_assessments(
    view: &View,
    item_id: i64,
    derived: Coverage,
    general: &Assessment,
) -> Result<Vec<WorkloadAssessment>> {
    let mut out = Vec::new();
    for w in view.workloads()? {
        let own = view.assessment_of(item_id, Some(&w))?.map(|a| a.assessment);
        let shown = own.as_ref().unwrap_or(general);
        let (coverage, source, coverage_reason) = match (&own, general.coverage) {
            (
                Some(Assessment {
                    coverage: Some(c),
                    coverage_reason,
                    ..
                }),
                _,
            ) => (
                *c,
                CoverageSource::WorkloadOverride,
                coverage_reason.clone(),
            ),
            (_, Some(c)) => (
                c,
                CoverageSource::EngagementOverride,
                general.coverage_reason.clone(),
            ),
            _ => (derived, CoverageSource::Derived, String::new()),
        };
        out.push(WorkloadAssessment {
            workload: w,
            coverage,
            source,
            coverage_reason,
            own: own.is_some(),
            owner: shown.owner.clone(),
            evidence: shown.evidence.clone(),
            notes: shown.notes.clone(),
        });
    }
    Ok(out)
}

/// The coverage the rules give a requirement from its mappings alone (no override).
fn derived_coverage(view: &View, mine: &[&MappingRow]) -> Result<Coverage> {
    let profile = crosswalk_domain::LandingZoneProfile::new(
        view.landing_zone_profile()?
            .into_iter()
            .filter(|p| p.enabled)
            .map(|p| QualifiedRef::new(p.framework, p.reference)),
    );
    let mappings: Vec<crosswalk_domain::CoverageMapping> = mine
        .iter()
        .map(|m| crosswalk_domain::CoverageMapping {
            target: m.target.qualified(),
            kind: m.target.kind.target_kind(),
            relationship: m.relationship,
            status: m.status,
            workload: None,
        })
        .collect();
    Ok(crosswalk_domain::derive_coverage(&mappings, &profile, None))
}

fn requirement_item(view: &View, set: &str, reference: &str) -> Result<(i64, RequirementItem)> {
    let item = resolve(view, &format!("{set}:{reference}"), Want::Requirement)?;
    let row = view.requirements_by_id(&[item.id])?.into_iter().next();
    let row = row.ok_or_else(|| ApiError::NotFound {
        what: "requirement",
        text: format!("{set}:{reference}"),
        hint: String::new(),
    })?;
    Ok((item.id, RequirementItem::from(row)))
}

fn query_of(r: &RequirementItem) -> Query {
    Query {
        reference: r.reference.clone(),
        title: r.title.clone(),
        text: r.text.clone(),
        section: r.section.clone(),
    }
}

/// One requirement, its mappings and its `top` ranked suggestions.
pub fn requirement_detail(
    db: &Path,
    set: &str,
    reference: &str,
    top: usize,
) -> Result<RequirementDetail> {
    let e = open_read(db)?;
    let (id, requirement) = requirement_item(&e, set, reference)?;
    // The engine learns only from decisions a person made, as `suggest` does: a suggestion
    // accepted in bulk and not reviewed since must not come back as "like … which you mapped".
    // Only those are read (the query leaves out most of the rest), not every mapping: this
    // runs each time a row is selected.
    let person_made = e.mappings(&MappingFilter {
        decided: true,
        bulk_rationale: Some(AUTOMATIC_RATIONALE.to_string()),
        ..Default::default()
    })?;
    let decisions: Vec<Decision> = person_made
        .iter()
        .filter(|m| decided_by_a_person(m) && m.source.kind == FrameworkKind::Requirements)
        .map(|m| Decision {
            requirement: Query {
                reference: m.source.qualified().to_string(),
                title: m.source.title.clone(),
                text: m.source.text.clone(),
                section: None,
            },
            target: m.target.qualified(),
            accepted: m.status == MappingStatus::Accepted,
        })
        .collect();
    let own = e.mappings(&MappingFilter {
        source: Some(id),
        ..Default::default()
    })?;
    let mine: Vec<&MappingRow> = own.iter().collect();
    let decided: HashMap<String, MappingStatus> = mine
        .iter()
        .map(|m| (m.target.qualified().to_string(), m.status))
        .collect();
    let catalogue = e.catalogue()?;
    let engine = Engine::new(&catalogue);
    let history = engine.history(&decisions);
    let suggestions = engine
        .suggest_with(&query_of(&requirement), top, &history)
        .into_iter()
        .map(|s| {
            let reference = s.target.to_string();
            SuggestionView {
                decision: decided.get(&reference).copied(),
                kind: s.kind,
                reference,
                title: s.title,
                details_published: s.details_published,
                score: s.score,
                reason: s.reason,
            }
        })
        .collect();
    let assessment = e.assessment_of(id, None)?.map(|a| a.assessment);
    let assessment = assessment.unwrap_or_default();
    let derived_coverage = derived_coverage(&e, &mine)?;
    let workloads = workload_assessments(&e, id, derived_coverage, &assessment)?;
    Ok(RequirementDetail {
        requirement,
        mappings: mine
            .iter()
            .map(|m| MappingView {
                target: m.target.qualified().to_string(),
                kind: m.target.kind.target_kind(),
                title: m.target.title.clone(),
                relationship: m.relationship,
                responsibility: m.responsibility,
                status: m.status,
                origin: m.origin,
                rationale: m.rationale.clone(),
            })
            .collect(),
        suggestions,
        owner: assessment.owner,
        notes: assessment.notes,
        coverage_reason: assessment.coverage_reason,
        derived_coverage,
        workloads,
    })
}

/// Accepts or rejects one target for one requirement (a suggestion, or an item found in the
/// catalogue). A rejection is kept so the suggestion engine learns from it.
pub fn decide_mapping(
    db: &Path,
    actor: &Actor,
    set: &str,
    reference: &str,
    target: &str,
    accept: bool,
    rationale: &str,
) -> Result<()> {
    let mut e = Engagement::open(db, actor, shipped_catalogue())?;
    let source = resolve(&e, &format!("{set}:{reference}"), Want::Requirement)?;
    let target = resolve(&e, target, Want::Target)?;
    let input = MappingInput {
        source: source.id,
        target: target.id,
        relationship: SUGGESTED_RELATIONSHIP,
        responsibility: default_responsibility(target.kind),
        status: if accept {
            MappingStatus::Accepted
        } else {
            MappingStatus::Rejected
        },
        rationale: rationale.to_string(),
        origin: Origin::Suggested,
    };
    e.put_mappings(actor, &[input])?;
    e.close()?;
    Ok(())
}

/// Replaces the engagement-wide assessment of one requirement; returns the row as the grid
/// shows it (its coverage may change with an override).
#[allow(clippy::too_many_arguments)]
pub fn update_assessment(
    db: &Path,
    actor: &Actor,
    set: &str,
    reference: &str,
    owner: &str,
    notes: &str,
    coverage: Option<Coverage>,
    reason: &str,
) -> Result<RequirementItem> {
    update_assessment_for(
        db,
        actor,
        &AssessmentUpdate {
            set,
            reference,
            workload: None,
            owner,
            notes,
            coverage,
            reason,
        },
    )
}

/// An edit of one requirement's assessment, engagement-wide or for one workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssessmentUpdate<'a> {
    pub set: &'a str,
    pub reference: &'a str,
    /// `None`: the engagement-wide assessment; `Some(name)`: that workload's own.
    pub workload: Option<&'a str>,
    pub owner: &'a str,
    pub notes: &'a str,
    /// An override of the derived coverage (needs `reason`); `None` clears this scope's.
    pub coverage: Option<Coverage>,
    pub reason: &'a str,
}

/// Replaces the assessment of one requirement for the engagement or one workload, in one
/// transaction with its audit entry. A workload without an assessment of its own starts from
/// the engagement-wide one (its evidence and backlog story are kept). Returns the grid row
/// (the engagement-wide coverage).
pub fn update_assessment_for(
    db: &Path,
    actor: &Actor,
    u: &AssessmentUpdate<'_>,
) -> Result<RequirementItem> {
    if let Some(w) = u.workload {
        let known = open_read(db)?.workloads()?;
        if !known.iter().any(|k| k == w) {
            return Err(ApiError::NotFound {
                what: "workload",
                text: w.into(),
                hint: if known.is_empty() {
                    "; the engagement has no workloads".into()
                } else {
                    format!("; the workloads are: {}", known.join(", "))
                },
            });
        }
    }
    let mut e = Engagement::open(db, actor, shipped_catalogue())?;
    let item = resolve(&e, &format!("{}:{}", u.set, u.reference), Want::Requirement)?;
    let find = |scope: Option<&str>| -> Result<Option<Assessment>> {
        Ok(e.assessments(scope)?
            .into_iter()
            .find(|a| a.item_id == item.id)
            .map(|a| a.assessment))
    };
    let mut assessment: Assessment = match find(u.workload)? {
        Some(a) => a,
        None if u.workload.is_some() => {
            // The workload showed the engagement-wide values until now; its override is its own.
            let mut a = find(None)?.unwrap_or_default();
            a.coverage = None;
            a.coverage_reason = String::new();
            a
        }
        None => Assessment::default(),
    };
    assessment.owner = u.owner.to_string();
    assessment.notes = u.notes.to_string();
    assessment.coverage = u.coverage;
    assessment.coverage_reason = if u.coverage.is_some() {
        u.reason.to_string()
    } else {
        String::new()
    };
    e.set_assessment(actor, item.id, u.workload, &assessment)?;
    e.close()?;
    let view = open_read(db)?;
    Ok(requirement_item(&view, u.set, u.reference)?.1)
}

/// Counts of requirements per coverage state in one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageGroupCounts {
    pub key: String,
    pub label: String,
    pub counts: BTreeMap<Coverage, usize>,
}

/// Coverage per CAF capability (through accepted mappings to CAF items) and per section of the
/// requirement sets (the workplan domain, when the sheet has one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageSummary {
    pub by_capability: Vec<CoverageGroupCounts>,
    pub by_domain: Vec<CoverageGroupCounts>,
}

pub fn coverage_summary(db: &Path) -> Result<CoverageSummary> {
    let e = open_read(db)?;
    let rows = e.requirements(&RequirementQuery::default())?.rows;
    let catalogue = e.catalogue()?;
    // A CAF epic counts under its capability (its parent) so the chart stays readable.
    let caf_parent = |r: &QualifiedRef| -> (String, String) {
        match catalogue.item(r) {
            Some((fw, item)) => match &item.parent {
                Some(p) => {
                    let parent = QualifiedRef::new(&fw.id, p);
                    let title = catalogue
                        .item(&parent)
                        .map(|(_, i)| i.title.clone())
                        .unwrap_or_default();
                    (parent.to_string(), title)
                }
                None => (r.to_string(), item.title.clone()),
            },
            None => (r.to_string(), r.reference.clone()),
        }
    };
    let mut caf_of: HashMap<i64, HashSet<(String, String)>> = HashMap::new();
    for m in e.mappings(&MappingFilter {
        status: Some(MappingStatus::Accepted),
        ..Default::default()
    })? {
        if m.target.kind == FrameworkKind::Caf {
            caf_of
                .entry(m.source.id)
                .or_default()
                .insert(caf_parent(&m.target.qualified()));
        }
    }
    let mut by_cap: BTreeMap<String, CoverageGroupCounts> = BTreeMap::new();
    let mut by_dom: BTreeMap<String, CoverageGroupCounts> = BTreeMap::new();
    let none = ("".to_string(), "(no CAF capability mapped)".to_string());
    for r in &rows {
        let groups: Vec<(String, String)> = match caf_of.get(&r.id) {
            Some(g) => g.iter().cloned().collect(),
            None => vec![none.clone()],
        };
        for (key, label) in groups {
            let g = by_cap
                .entry(key.clone())
                .or_insert_with(|| CoverageGroupCounts {
                    key,
                    label,
                    counts: BTreeMap::new(),
                });
            *g.counts.entry(r.coverage).or_default() += 1;
        }
        let section = r.section.clone().unwrap_or_default();
        let g = by_dom
            .entry(section.clone())
            .or_insert_with(|| CoverageGroupCounts {
                label: if section.is_empty() {
                    "(no section)".into()
                } else {
                    section.clone()
                },
                key: section,
                counts: BTreeMap::new(),
            });
        *g.counts.entry(r.coverage).or_default() += 1;
    }
    Ok(CoverageSummary {
        by_capability: by_cap.into_values().collect(),
        by_domain: by_dom.into_values().collect(),
    })
}

/// The distinct sections of a set (or of every set), for the grid's filter.
pub fn requirement_sections(db: &Path, set: Option<&str>) -> Result<Vec<String>> {
    Ok(open_read(db)?.requirement_sections(set)?)
}

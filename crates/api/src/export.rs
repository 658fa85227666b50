//! Exporting the traceability matrix: fill a `MatrixModel` from the engagement (coverage by the
//! domain rules, CAF, services, inherited and workload controls, assessments, gap stories) and
//! let `crosswalk-matrix` write it.

use crate::error::{ApiError, Result};
use crate::suggest::engine_inputs;
use crosswalk_domain::{
    assess, Catalogue, CoverageCounts, CoverageMapping, CoverageOverride, FrameworkKind,
    LandingZoneProfile, MappingStatus, QualifiedRef, TargetKind,
};
use crosswalk_matrix::{
    CatalogueEntry, CoverageGroup, EngagementInfo, ExportWarning, GapStory, LandingZoneInfo,
    MatrixLink, MatrixModel, MatrixRow,
};
use crosswalk_readiness::SecurityDomain;
use crosswalk_store::{Actor, Engagement, MappingFilter, MappingRow, RequirementQuery, View};
use crosswalk_suggest::Engine;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

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

/// CAF items of the older model are the core security epics; the others are capabilities.
fn is_epic(catalogue: &Catalogue, r: &QualifiedRef) -> bool {
    catalogue.item(r).is_some_and(|(_, i)| {
        i.attributes
            .iter()
            .any(|(k, v)| k == "model" && v.contains("epic"))
    })
}

/// The CAF items linked to `r` by the catalogue (either direction).
fn caf_neighbours<'a>(
    catalogue: &'a Catalogue,
    r: &'a QualifiedRef,
) -> impl Iterator<Item = &'a QualifiedRef> {
    catalogue.links.iter().filter_map(move |l| {
        if &l.from == r && l.to.framework == "caf" {
            Some(&l.to)
        } else if &l.to == r && l.from.framework == "caf" {
            Some(&l.from)
        } else {
            None
        }
    })
}

fn entry(
    catalogue: &Catalogue,
    r: &QualifiedRef,
    profile: &LandingZoneProfile,
) -> Option<CatalogueEntry> {
    let (fw, item) = catalogue.item(r)?;
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
    let info = view.info()?;
    let catalogue = view.catalogue()?;
    let profile = LandingZoneProfile::new(
        view.landing_zone_profile()?
            .into_iter()
            .filter(|p| p.enabled)
            .map(|p| QualifiedRef::new(p.framework, p.reference)),
    );
    let requirements = view.requirements(&RequirementQuery::default())?.rows;
    let mappings: Vec<MappingRow> = view.mappings(&MappingFilter::default())?;
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

    let mut rows = Vec::with_capacity(requirements.len());
    let mut links = Vec::new();
    let mut referenced: BTreeSet<QualifiedRef> = BTreeSet::new();
    for r in &requirements {
        let key = format!("{}:{}", r.set, r.reference);
        let mine: Vec<&MappingRow> = by_source.get(&r.id).cloned().unwrap_or_default();
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
                    let (own, other) = if is_epic(&catalogue, &target) {
                        (&mut epics, &mut capabilities)
                    } else {
                        (&mut capabilities, &mut epics)
                    };
                    // An epic names its capabilities and the other way round, through the
                    // catalogue's alignment links.
                    for n in caf_neighbours(&catalogue, &target) {
                        if is_epic(&catalogue, n) != is_epic(&catalogue, &target) {
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
                target_title: catalogue
                    .item(&target)
                    .map(|(_, i)| i.display_title().into_owned())
                    .unwrap_or_else(|| m.target.title.clone()),
                relationship: m.relationship,
                responsibility: m.responsibility,
                status: m.status,
                origin: m.origin,
                rationale: m.rationale.clone(),
                author: m.author.clone(),
                at: to_the_second(&m.updated_at),
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
            .map(to_the_second)
            .unwrap_or_default();
        // One row for the requirement as a whole, or one per workload when there are several.
        let scopes: Vec<Option<&String>> = if workloads.len() > 1 {
            workloads.iter().map(Some).collect()
        } else {
            vec![None]
        };
        for scope in scopes {
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
                services: services.clone(),
                inherited_controls: inherited.clone(),
                workload_controls: workload.clone(),
                framework_controls: framework.clone(),
                responsibility: assessed.responsibility(),
                coverage: assessed.coverage,
                derived_coverage: assessed.derived,
                coverage_override: assessed.overridden,
                rationale: rationale.join("; "),
                owner: shown.owner,
                evidence: shown.evidence,
                notes: shown.notes,
                last_changed: last_changed.clone(),
            });
        }
    }

    let gaps = gap_stories(view, &catalogue, &rows, &mappings)?;
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
            .filter_map(|r| entry(&catalogue, r, &profile))
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

/// A backlog story per gap: the best services and landing-zone controls not yet decided, with
/// acceptance criteria drawn from their catalogue descriptions.
fn gap_stories(
    view: &View,
    catalogue: &Catalogue,
    rows: &[MatrixRow],
    mappings: &[MappingRow],
) -> Result<Vec<GapStory>> {
    let gap_rows: Vec<&MatrixRow> = rows
        .iter()
        .filter(|r| r.coverage == crosswalk_domain::Coverage::Gap)
        .collect();
    if gap_rows.is_empty() {
        return Ok(Vec::new());
    }
    let engine = Engine::new(catalogue);
    let inputs = engine_inputs(view, None, mappings)?;
    let queries: HashMap<String, &crosswalk_suggest::Query> = inputs
        .rows
        .iter()
        .filter_map(|r| {
            Some((
                format!("{}:{}", r.set, r.reference),
                inputs.queries.get(&r.id)?,
            ))
        })
        .collect();
    let history = engine.history(&inputs.decisions);
    let decided: BTreeSet<(String, String)> = mappings
        .iter()
        .map(|m| {
            (
                m.source.qualified().to_string(),
                m.target.qualified().to_string(),
            )
        })
        .collect();
    let mut stories = Vec::new();
    for row in gap_rows {
        let requirement = format!("{}:{}", row.set, row.reference);
        let Some(query) = queries.get(&requirement) else {
            continue;
        };
        let implement: Vec<QualifiedRef> = engine
            .suggest_with(query, 1, &history)
            .into_iter()
            .filter(|s| matches!(s.kind, TargetKind::Service | TargetKind::LzControl))
            .filter(|s| !decided.contains(&(requirement.clone(), s.target.to_string())))
            .map(|s| s.target)
            .collect();
        let acceptance_criteria = implement
            .iter()
            .filter_map(|t| catalogue.item(t))
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
    Ok(stories)
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

pub(crate) fn export_with(
    e: &mut Engagement,
    actor: &Actor,
    request: &ExportRequest,
) -> Result<ExportReport> {
    let format = match request.format {
        Some(f) => f,
        None => ExportFormat::from_path(&request.out)?,
    };
    // Checked before anything is written, the engagement's export key included.
    let target = crate::output::destination(&request.out, e.path())?;
    let model = matrix_model(e, actor)?;
    let (bytes, content_hash, warnings) = match format {
        ExportFormat::Xlsx => {
            let secret = e.ensure_export_secret(actor, &fresh_secret()?)?;
            let x = crosswalk_matrix::write_xlsx(&model, &secret)?;
            (x.bytes, Some(x.content_hash), x.warnings)
        }
        ExportFormat::Csv => (crosswalk_matrix::write_csv(&model)?, None, Vec::new()),
        ExportFormat::Json => {
            let secret = e.ensure_export_secret(actor, &fresh_secret()?)?;
            (
                crosswalk_matrix::write_json(&model, &secret)?,
                None,
                Vec::new(),
            )
        }
    };
    crate::output::write_atomically(&request.out, &target, &bytes)?;
    let mut coverage = CoverageCounts::default();
    for r in &model.rows {
        coverage.add(r.coverage);
    }
    Ok(ExportReport {
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
    })
}

/// Writes the traceability matrix of the engagement `db` (which must exist) to `request.out`.
pub fn export(db: &Path, actor: &Actor, request: &ExportRequest) -> Result<ExportReport> {
    // Refused before the engagement is even opened: `--out` must not be the engagement file.
    crate::output::destination(&request.out, db)?;
    let mut e = Engagement::open(db, actor, crate::shipped_catalogue())?;
    let report = export_with(&mut e, actor, request)?;
    e.close()?;
    Ok(report)
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

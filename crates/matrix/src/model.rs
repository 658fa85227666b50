//! `MatrixModel`: the plain data a matrix is written from. The api fills it from the store; this
//! crate never looks anything up, so every export is a pure function of the model.

use crosswalk_domain::{
    Coverage, CoverageCounts, CoverageOverride, MappingStatus, Origin, QualifiedRef, Relationship,
    Responsibility, TargetKind,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything one traceability matrix shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MatrixModel {
    pub engagement: EngagementInfo,
    /// The engagement's workloads, in the order the consultant uses.
    pub workloads: Vec<String>,
    pub landing_zone: LandingZoneInfo,
    /// Version of the catalogue the mappings point into.
    pub catalogue_version: String,
    /// Version of Crosswalk that wrote the matrix.
    pub app_version: String,
    /// When the export was made, as the api read the clock (RFC 3339). Written as given.
    pub generated_at: String,
    /// Who made the export.
    pub generated_by: String,
    /// People or teams offered in the Owner dropdown; other names stay allowed.
    pub owners: Vec<String>,
    /// One row per requirement (per requirement and workload when there are several workloads).
    pub rows: Vec<MatrixRow>,
    /// The accepted mappings, one row each (long form, for pivot tables).
    pub links: Vec<MatrixLink>,
    /// Every catalogue item the rows and links refer to.
    pub catalogue: Vec<CatalogueEntry>,
    pub coverage_by_capability: Vec<CoverageGroup>,
    pub coverage_by_domain: Vec<CoverageGroup>,
    pub gaps: Vec<GapStory>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagementInfo {
    pub name: String,
    pub customer: String,
    /// Free text the consultant wrote about the engagement; may be empty.
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LandingZoneInfo {
    /// The profile's name (for example "Control Tower baseline + org SCPs").
    pub name: String,
    /// The landing-zone controls the profile enables: only these are inherited.
    pub enabled_controls: Vec<QualifiedRef>,
}

/// One line of the Matrix sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatrixRow {
    /// Stable key of the row in the engagement (`set:ref`, or `set:ref@workload` for a
    /// workload's row). Unique among the rows. Written in a
    /// hidden column so that an edited matrix finds its rows again whatever Excel did to the order.
    pub key: String,
    /// The row's version in the engagement when exported; `import-matrix` compares it with the
    /// current one to tell a one-sided edit from a conflict.
    pub version: u64,
    /// The requirement set the requirement belongs to.
    pub set: String,
    /// The requirement's id as the customer wrote it (or the generated ref).
    #[serde(rename = "ref")]
    pub reference: String,
    pub workload: Option<String>,
    pub title: String,
    pub text: String,
    pub section: Option<String>,
    /// The security domain of the migration workplan (data protection, IAM, …).
    pub domain: Option<String>,
    pub caf_capabilities: Vec<QualifiedRef>,
    pub caf_epics: Vec<QualifiedRef>,
    pub services: Vec<QualifiedRef>,
    /// Enabled landing-zone controls the requirement inherits.
    pub inherited_controls: Vec<QualifiedRef>,
    /// Controls the workload team implements (including landing-zone controls not enabled).
    pub workload_controls: Vec<QualifiedRef>,
    /// Standard framework controls the mappings reach (NIST 800-53, FSBP, WA, MSR…).
    pub framework_controls: Vec<QualifiedRef>,
    pub responsibility: Option<Responsibility>,
    /// The coverage shown: the override's when there is one.
    pub coverage: Coverage,
    /// What the coverage rules give without the override.
    pub derived_coverage: Coverage,
    pub coverage_override: Option<CoverageOverride>,
    /// Why the mappings hold, as the consultant wrote it.
    pub rationale: String,
    pub owner: String,
    pub evidence: String,
    pub notes: String,
    /// When the row last changed in the engagement (RFC 3339).
    pub last_changed: String,
}

/// One accepted mapping, long form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixLink {
    /// Stable key of the mapping in the engagement.
    pub key: String,
    /// The key of the requirement it belongs to (`set:ref`; with several workloads each of the
    /// requirement's rows has this key followed by `@workload`).
    pub row_key: String,
    pub set: String,
    /// The requirement's ref.
    pub requirement: String,
    pub workload: Option<String>,
    pub target: QualifiedRef,
    pub target_kind: TargetKind,
    pub target_title: String,
    pub relationship: Relationship,
    pub responsibility: Option<Responsibility>,
    pub status: MappingStatus,
    pub origin: Origin,
    pub rationale: String,
    pub author: String,
    /// When the mapping was recorded (RFC 3339).
    pub at: String,
}

/// One catalogue item a row or link refers to, with what an auditor needs to read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueEntry {
    #[serde(rename = "ref")]
    pub reference: QualifiedRef,
    pub kind: TargetKind,
    /// The framework's display name (for example "AWS Control Tower controls").
    pub framework: String,
    pub title: String,
    pub description: String,
    /// Where the facts come from and their caveats.
    pub provenance: String,
    /// For landing-zone controls: whether the engagement's profile enables it.
    pub enabled: Option<bool>,
}

/// Coverage counts for one group (a CAF capability or a workplan domain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageGroup {
    pub name: String,
    pub counts: CoverageCounts,
}

/// A proposed backlog story for one gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapStory {
    /// The `MatrixRow::key` of the gap's row.
    pub row_key: String,
    pub set: String,
    pub requirement: String,
    pub workload: Option<String>,
    pub title: String,
    /// The controls or services to implement (usually from suggestions not yet accepted).
    pub implement: Vec<QualifiedRef>,
    pub acceptance_criteria: Vec<String>,
}

/// Label of the group for rows without a CAF capability or a domain.
pub const UNCLASSIFIED: &str = "(unclassified)";

impl MatrixModel {
    /// Fills `coverage_by_capability` and `coverage_by_domain` from the rows. A row counts once
    /// under each of its CAF capabilities (so capability totals can exceed the row count); rows
    /// without one count under "(unclassified)". Capability names come from the catalogue
    /// entries when present.
    pub fn tally_coverage(&mut self) {
        let title_of: BTreeMap<&QualifiedRef, &str> = self
            .catalogue
            .iter()
            .map(|e| (&e.reference, e.title.as_str()))
            .collect();
        let mut by_capability: Vec<(String, CoverageCounts)> = Vec::new();
        let mut by_domain: Vec<(String, CoverageCounts)> = Vec::new();
        fn bump(groups: &mut Vec<(String, CoverageCounts)>, name: String, coverage: Coverage) {
            match groups.iter_mut().find(|(n, _)| *n == name) {
                Some((_, c)) => c.add(coverage),
                None => {
                    let mut c = CoverageCounts::default();
                    c.add(coverage);
                    groups.push((name, c));
                }
            }
        }
        for row in &self.rows {
            if row.caf_capabilities.is_empty() {
                bump(&mut by_capability, UNCLASSIFIED.to_string(), row.coverage);
            }
            for cap in &row.caf_capabilities {
                let name = title_of
                    .get(cap)
                    .map_or_else(|| cap.reference.clone(), |t| t.to_string());
                bump(&mut by_capability, name, row.coverage);
            }
            let domain = row
                .domain
                .clone()
                .unwrap_or_else(|| UNCLASSIFIED.to_string());
            bump(&mut by_domain, domain, row.coverage);
        }
        let into_groups = |v: Vec<(String, CoverageCounts)>| {
            v.into_iter()
                .map(|(name, counts)| CoverageGroup { name, counts })
                .collect()
        };
        self.coverage_by_capability = into_groups(by_capability);
        self.coverage_by_domain = into_groups(by_domain);
    }
}

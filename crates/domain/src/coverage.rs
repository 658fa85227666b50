//! The coverage rules: how a requirement's mappings and the engagement's landing-zone profile
//! decide whether it is inherited, partial, workload, a gap or not applicable.
//!
//! A mapping reads "requirement *relationship* target". Equivalent and subset-of are **full**
//! (the target does all the requirement asks); superset-of and intersects-with are **partial**.
//! Only accepted mappings count, and only landing-zone controls the profile enables are inherited.
//!
//! | coverage | when |
//! |---|---|
//! | inherited | an accepted full mapping reaches an enabled landing-zone control |
//! | partial | enabled landing-zone controls are reached only through partial mappings; the rest is on the workload |
//! | workload | accepted mappings exist (services, workload or framework controls, disabled landing-zone controls) but none reaches an enabled landing-zone control |
//! | gap | nothing accepted covers it |
//! | not applicable | only by an override, which always carries a reason |
//!
//! A mapping to a CAF capability or epic classifies the requirement; it does not implement
//! anything, so a requirement whose only accepted mappings are CAF ones is still a gap.
//! An override replaces the derived coverage, needs a reason, and is shown as an override.

use crate::{Coverage, MappingStatus, QualifiedRef, Relationship, Responsibility, TargetKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One mapping of a requirement, as the coverage rules need to see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageMapping {
    pub target: QualifiedRef,
    pub kind: TargetKind,
    pub relationship: Relationship,
    pub status: MappingStatus,
    /// The workload the mapping was recorded for; `None` holds for every workload.
    pub workload: Option<String>,
}

impl CoverageMapping {
    /// Whether this mapping takes part in the coverage of `workload` (`None`: the requirement as a
    /// whole, where only mappings that hold for every workload count).
    fn applies_to(&self, workload: Option<&str>) -> bool {
        self.status == MappingStatus::Accepted
            && match (&self.workload, workload) {
                (None, _) => true,
                (Some(mine), Some(asked)) => mine == asked,
                (Some(_), None) => false,
            }
    }
}

/// The landing-zone controls an engagement's platform actually enables. Inheritance counts only
/// these: a control the catalogue knows but the customer's landing zone lacks protects nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LandingZoneProfile {
    pub enabled: BTreeSet<QualifiedRef>,
}

impl LandingZoneProfile {
    pub fn new(enabled: impl IntoIterator<Item = QualifiedRef>) -> Self {
        LandingZoneProfile {
            enabled: enabled.into_iter().collect(),
        }
    }

    pub fn is_enabled(&self, control: &QualifiedRef) -> bool {
        self.enabled.contains(control)
    }
}

/// Why an override could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoverageError {
    #[error("setting coverage to '{coverage}' by hand needs a reason")]
    MissingReason { coverage: Coverage },
}

/// A consultant's (or customer's) decision that replaces the derived coverage. The reason is
/// mandatory so that an auditor always reads why the rules were set aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawOverride", into = "RawOverride")]
pub struct CoverageOverride {
    coverage: Coverage,
    reason: String,
}

impl CoverageOverride {
    /// Fails when the reason is empty or only whitespace.
    pub fn new(coverage: Coverage, reason: impl Into<String>) -> Result<Self, CoverageError> {
        let reason = reason.into().trim().to_string();
        if reason.is_empty() {
            return Err(CoverageError::MissingReason { coverage });
        }
        Ok(CoverageOverride { coverage, reason })
    }

    pub fn coverage(&self) -> Coverage {
        self.coverage
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }
}

#[derive(Serialize, Deserialize)]
struct RawOverride {
    coverage: Coverage,
    reason: String,
}

impl TryFrom<RawOverride> for CoverageOverride {
    type Error = CoverageError;
    fn try_from(raw: RawOverride) -> Result<Self, Self::Error> {
        CoverageOverride::new(raw.coverage, raw.reason)
    }
}

impl From<CoverageOverride> for RawOverride {
    fn from(o: CoverageOverride) -> Self {
        RawOverride {
            coverage: o.coverage,
            reason: o.reason,
        }
    }
}

/// The coverage of one requirement (for one workload), with how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessed {
    /// What the matrix shows: the override when there is one, else the derived coverage.
    pub coverage: Coverage,
    /// What the rules give from the mappings alone.
    pub derived: Coverage,
    /// Present when an override decided `coverage`.
    pub overridden: Option<CoverageOverride>,
}

impl Assessed {
    pub fn is_override(&self) -> bool {
        self.overridden.is_some()
    }

    /// Who carries the requirement, read from the coverage.
    pub fn responsibility(&self) -> Option<Responsibility> {
        responsibility_for(self.coverage)
    }
}

/// The coverage the rules derive for a requirement from its mappings, for one workload
/// (`None`: for the requirement as a whole, counting only mappings that hold for every workload).
pub fn derive_coverage(
    mappings: &[CoverageMapping],
    profile: &LandingZoneProfile,
    workload: Option<&str>,
) -> Coverage {
    let mut covered = false;
    let mut partly_inherited = false;
    for m in mappings.iter().filter(|m| m.applies_to(workload)) {
        if m.kind == TargetKind::Caf {
            continue;
        }
        covered = true;
        if m.kind == TargetKind::LzControl && profile.is_enabled(&m.target) {
            if m.relationship.is_full() {
                return Coverage::Inherited;
            }
            partly_inherited = true;
        }
    }
    if partly_inherited {
        Coverage::Partial
    } else if covered {
        Coverage::Workload
    } else {
        Coverage::Gap
    }
}

/// Derives the coverage and applies the override, if any.
pub fn assess(
    mappings: &[CoverageMapping],
    profile: &LandingZoneProfile,
    workload: Option<&str>,
    overridden: Option<&CoverageOverride>,
) -> Assessed {
    let derived = derive_coverage(mappings, profile, workload);
    Assessed {
        coverage: overridden.map_or(derived, |o| o.coverage),
        derived,
        overridden: overridden.cloned(),
    }
}

/// The coverage of a requirement for each workload of the engagement. `overrides` holds the
/// overrides by workload; an override for `None` applies to every workload without its own.
pub fn assess_per_workload(
    mappings: &[CoverageMapping],
    profile: &LandingZoneProfile,
    workloads: &[String],
    overrides: &[(Option<String>, CoverageOverride)],
) -> Vec<(String, Assessed)> {
    workloads
        .iter()
        .map(|w| {
            let own = overrides
                .iter()
                .find(|(ow, _)| ow.as_deref() == Some(w.as_str()));
            let general = overrides.iter().find(|(ow, _)| ow.is_none());
            let chosen = own.or(general).map(|(_, o)| o);
            (w.clone(), assess(mappings, profile, Some(w), chosen))
        })
        .collect()
}

/// Who carries a requirement with this coverage: the platform, both, or the workload team.
/// A gap or a requirement out of scope has no carrier yet.
pub fn responsibility_for(coverage: Coverage) -> Option<Responsibility> {
    match coverage {
        Coverage::Inherited => Some(Responsibility::Inherited),
        Coverage::Partial => Some(Responsibility::Shared),
        Coverage::Workload => Some(Responsibility::Workload),
        Coverage::Gap | Coverage::NotApplicable => None,
    }
}

/// How many requirements have each coverage, for one group (a CAF capability, a domain…).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageCounts {
    pub inherited: u32,
    pub partial: u32,
    pub workload: u32,
    pub gap: u32,
    pub not_applicable: u32,
}

impl CoverageCounts {
    pub fn add(&mut self, coverage: Coverage) {
        *self.slot(coverage) += 1;
    }

    pub fn get(&self, coverage: Coverage) -> u32 {
        match coverage {
            Coverage::Inherited => self.inherited,
            Coverage::Partial => self.partial,
            Coverage::Workload => self.workload,
            Coverage::Gap => self.gap,
            Coverage::NotApplicable => self.not_applicable,
        }
    }

    pub fn total(&self) -> u32 {
        Coverage::ALL.iter().map(|c| self.get(*c)).sum()
    }

    fn slot(&mut self, coverage: Coverage) -> &mut u32 {
        match coverage {
            Coverage::Inherited => &mut self.inherited,
            Coverage::Partial => &mut self.partial,
            Coverage::Workload => &mut self.workload,
            Coverage::Gap => &mut self.gap,
            Coverage::NotApplicable => &mut self.not_applicable,
        }
    }
}

impl FromIterator<Coverage> for CoverageCounts {
    fn from_iter<I: IntoIterator<Item = Coverage>>(iter: I) -> Self {
        let mut counts = CoverageCounts::default();
        for c in iter {
            counts.add(c);
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ct(r: &str) -> QualifiedRef {
        QualifiedRef::new("ct", r)
    }

    fn mapping(
        target: QualifiedRef,
        kind: TargetKind,
        relationship: Relationship,
    ) -> CoverageMapping {
        CoverageMapping {
            target,
            kind,
            relationship,
            status: MappingStatus::Accepted,
            workload: None,
        }
    }

    fn lz(r: &str, relationship: Relationship) -> CoverageMapping {
        mapping(ct(r), TargetKind::LzControl, relationship)
    }

    fn service(r: &str) -> CoverageMapping {
        mapping(
            QualifiedRef::new("service", r),
            TargetKind::Service,
            Relationship::IntersectsWith,
        )
    }

    fn profile() -> LandingZoneProfile {
        LandingZoneProfile::new([ct("ROOT_MFA"), ct("CLOUDTRAIL_ON")])
    }

    #[test]
    fn a_full_accepted_mapping_to_an_enabled_control_is_inherited() {
        for rel in [Relationship::Equivalent, Relationship::SubsetOf] {
            let got = derive_coverage(&[lz("ROOT_MFA", rel)], &profile(), None);
            assert_eq!(
                got,
                Coverage::Inherited,
                "{rel} is full, and ROOT_MFA is enabled"
            );
        }
    }

    #[test]
    fn a_full_mapping_wins_over_partial_ones_in_any_order() {
        let mappings = [
            lz("CLOUDTRAIL_ON", Relationship::IntersectsWith),
            service("KMS"),
            lz("ROOT_MFA", Relationship::Equivalent),
        ];
        assert_eq!(
            derive_coverage(&mappings, &profile(), None),
            Coverage::Inherited,
            "one full mapping to an enabled control is enough"
        );
    }

    #[test]
    fn only_partial_mappings_to_enabled_controls_are_partial() {
        for rel in [Relationship::SupersetOf, Relationship::IntersectsWith] {
            let got = derive_coverage(&[lz("ROOT_MFA", rel), service("IAM")], &profile(), None);
            assert_eq!(
                got,
                Coverage::Partial,
                "{rel} leaves part of the requirement to the workload"
            );
        }
    }

    #[test]
    fn accepted_mappings_that_reach_no_enabled_control_are_workload() {
        let disabled = lz("NOT_IN_PROFILE", Relationship::Equivalent);
        let framework = mapping(
            QualifiedRef::new("fsbp", "IAM.6"),
            TargetKind::FrameworkControl,
            Relationship::Equivalent,
        );
        assert_eq!(
            derive_coverage(&[service("KMS")], &profile(), None),
            Coverage::Workload,
            "a service is configured by the workload"
        );
        assert_eq!(
            derive_coverage(&[disabled], &profile(), None),
            Coverage::Workload,
            "a control the landing zone lacks is not inherited"
        );
        assert_eq!(
            derive_coverage(&[framework], &profile(), None),
            Coverage::Workload,
            "a framework control is met by the workload"
        );
    }

    #[test]
    fn nothing_accepted_is_a_gap() {
        let mut proposed = lz("ROOT_MFA", Relationship::Equivalent);
        proposed.status = MappingStatus::Proposed;
        let mut rejected = service("KMS");
        rejected.status = MappingStatus::Rejected;
        assert_eq!(
            derive_coverage(&[], &profile(), None),
            Coverage::Gap,
            "no mapping at all"
        );
        assert_eq!(
            derive_coverage(&[proposed, rejected], &profile(), None),
            Coverage::Gap,
            "proposed and rejected mappings cover nothing"
        );
    }

    #[test]
    fn a_caf_classification_alone_covers_nothing() {
        let caf = mapping(
            QualifiedRef::new("caf", "CAF-SEC-IAM"),
            TargetKind::Caf,
            Relationship::SubsetOf,
        );
        assert_eq!(
            derive_coverage(&[caf], &profile(), None),
            Coverage::Gap,
            "a CAF epic groups the requirement; it implements nothing"
        );
    }

    #[test]
    fn not_applicable_comes_only_from_an_override_with_a_reason() {
        let err = CoverageOverride::new(Coverage::NotApplicable, "  ").unwrap_err();
        assert_eq!(
            err,
            CoverageError::MissingReason {
                coverage: Coverage::NotApplicable
            },
            "whitespace is no reason"
        );
        let na = CoverageOverride::new(
            Coverage::NotApplicable,
            " No EU customers in this workload ",
        )
        .unwrap();
        let a = assess(&[service("KMS")], &profile(), None, Some(&na));
        assert_eq!(
            a.coverage,
            Coverage::NotApplicable,
            "the override decides what is shown"
        );
        assert_eq!(
            a.derived,
            Coverage::Workload,
            "the derived coverage is kept beside it"
        );
        assert!(a.is_override(), "shown as an override");
        assert_eq!(a.responsibility(), None, "out of scope has no carrier");
        let reason = a.overridden.map(|o| o.reason().to_string());
        assert_eq!(
            reason.as_deref(),
            Some("No EU customers in this workload"),
            "the reason is kept, trimmed"
        );
    }

    #[test]
    fn an_override_replaces_any_derived_coverage_and_says_so() {
        let o = CoverageOverride::new(
            Coverage::Inherited,
            "Covered by the group-wide SIEM contract",
        )
        .unwrap();
        let a = assess(&[], &profile(), None, Some(&o));
        assert_eq!(
            (a.coverage, a.derived),
            (Coverage::Inherited, Coverage::Gap),
            "override over a gap"
        );
        assert_eq!(a.responsibility(), Some(Responsibility::Inherited));
        let plain = assess(&[], &profile(), None, None);
        assert!(!plain.is_override(), "no override, none shown");
    }

    #[test]
    fn an_override_without_a_reason_cannot_be_deserialised_either() {
        let json = r#"{"coverage":"gap","reason":""}"#;
        let parsed: Result<CoverageOverride, _> = serde_json::from_str(json);
        assert!(
            parsed.is_err(),
            "a stored override without reason must not sneak in through serde"
        );
    }

    #[test]
    fn each_workload_counts_its_own_mappings_and_the_shared_ones() {
        let mut for_a = lz("ROOT_MFA", Relationship::Equivalent);
        for_a.workload = Some("payments".into());
        let mut for_b = service("KMS");
        for_b.workload = Some("tracking".into());
        let shared = lz("CLOUDTRAIL_ON", Relationship::IntersectsWith);
        let mappings = [for_a, for_b, shared];
        let workloads = [
            "payments".to_string(),
            "tracking".to_string(),
            "portal".to_string(),
        ];
        let got = assess_per_workload(&mappings, &profile(), &workloads, &[]);
        let coverages: Vec<_> = got.iter().map(|(w, a)| (w.as_str(), a.coverage)).collect();
        assert_eq!(
            coverages,
            [
                ("payments", Coverage::Inherited),
                ("tracking", Coverage::Partial),
                ("portal", Coverage::Partial)
            ],
            "payments inherits ROOT_MFA; the others only share CLOUDTRAIL_ON partially"
        );
        assert_eq!(
            derive_coverage(&mappings, &profile(), None),
            Coverage::Partial,
            "for the requirement as a whole only mappings that hold for every workload count"
        );
    }

    #[test]
    fn a_workload_override_beats_the_general_one() {
        let general =
            CoverageOverride::new(Coverage::NotApplicable, "Not in scope for phase 1").unwrap();
        let own = CoverageOverride::new(Coverage::Workload, "Payments team builds it").unwrap();
        let overrides = [(None, general), (Some("payments".to_string()), own)];
        let workloads = ["payments".to_string(), "tracking".to_string()];
        let got = assess_per_workload(&[], &profile(), &workloads, &overrides);
        assert_eq!(
            got[0].1.coverage,
            Coverage::Workload,
            "payments has its own override"
        );
        assert_eq!(
            got[1].1.coverage,
            Coverage::NotApplicable,
            "tracking falls back to the general override"
        );
    }

    #[test]
    fn responsibility_follows_coverage() {
        assert_eq!(
            responsibility_for(Coverage::Inherited),
            Some(Responsibility::Inherited)
        );
        assert_eq!(
            responsibility_for(Coverage::Partial),
            Some(Responsibility::Shared)
        );
        assert_eq!(
            responsibility_for(Coverage::Workload),
            Some(Responsibility::Workload)
        );
        assert_eq!(
            responsibility_for(Coverage::Gap),
            None,
            "a gap is nobody's yet"
        );
    }

    #[test]
    fn counts_add_up_per_coverage() {
        let counts: CoverageCounts = [
            Coverage::Gap,
            Coverage::Gap,
            Coverage::Inherited,
            Coverage::NotApplicable,
        ]
        .into_iter()
        .collect();
        assert_eq!(
            (
                counts.gap,
                counts.inherited,
                counts.not_applicable,
                counts.partial
            ),
            (2, 1, 1, 0)
        );
        assert_eq!(counts.total(), 4, "every requirement counted once");
    }

    /// The README's table, row by row: one accepted or undecided mapping of every target kind
    /// and relationship, to an enabled or a disabled landing-zone control, and what it gives.
    #[test]
    fn the_full_table_of_single_mappings() {
        use Coverage::{Gap, Inherited, Partial, Workload};
        use Relationship::{Equivalent, IntersectsWith, SubsetOf, SupersetOf};
        let enabled = ct("ROOT_MFA");
        let disabled = ct("NOT_IN_PROFILE");
        let service = QualifiedRef::new("service", "KMS");
        let nist = QualifiedRef::new("nist", "AC-2");
        let epic = QualifiedRef::new("caf", "CAF-SEC-IAM");
        #[rustfmt::skip]
        let table: [(&QualifiedRef, TargetKind, Relationship, Coverage); 20] = [
            (&enabled, TargetKind::LzControl, Equivalent, Inherited),
            (&enabled, TargetKind::LzControl, SubsetOf, Inherited),
            (&enabled, TargetKind::LzControl, SupersetOf, Partial),
            (&enabled, TargetKind::LzControl, IntersectsWith, Partial),
            (&disabled, TargetKind::LzControl, Equivalent, Workload),
            (&disabled, TargetKind::LzControl, SubsetOf, Workload),
            (&disabled, TargetKind::LzControl, SupersetOf, Workload),
            (&disabled, TargetKind::LzControl, IntersectsWith, Workload),
            (&service, TargetKind::Service, Equivalent, Workload),
            (&service, TargetKind::Service, SubsetOf, Workload),
            (&service, TargetKind::Service, SupersetOf, Workload),
            (&service, TargetKind::Service, IntersectsWith, Workload),
            (&nist, TargetKind::FrameworkControl, Equivalent, Workload),
            (&nist, TargetKind::FrameworkControl, SubsetOf, Workload),
            (&nist, TargetKind::FrameworkControl, SupersetOf, Workload),
            (&nist, TargetKind::FrameworkControl, IntersectsWith, Workload),
            (&epic, TargetKind::Caf, Equivalent, Gap),
            (&epic, TargetKind::Caf, SubsetOf, Gap),
            (&epic, TargetKind::Caf, SupersetOf, Gap),
            (&epic, TargetKind::Caf, IntersectsWith, Gap),
        ];
        for (target, kind, relationship, expected) in table {
            let accepted = mapping(target.clone(), kind, relationship);
            assert_eq!(
                derive_coverage(std::slice::from_ref(&accepted), &profile(), None),
                expected,
                "accepted {relationship} to {target}"
            );
            for status in [MappingStatus::Proposed, MappingStatus::Rejected] {
                let undecided = CoverageMapping {
                    status,
                    ..accepted.clone()
                };
                assert_eq!(
                    derive_coverage(&[undecided], &profile(), None),
                    Gap,
                    "{status} {relationship} to {target} covers nothing"
                );
            }
            // Every coverage can be overridden, with a reason, and the override is shown.
            for shown in Coverage::ALL.iter().copied() {
                let o = CoverageOverride::new(shown, "decided in the review").unwrap();
                let a = assess(std::slice::from_ref(&accepted), &profile(), None, Some(&o));
                assert_eq!((a.coverage, a.derived), (shown, expected));
                assert!(a.is_override());
                assert_eq!(a.responsibility(), responsibility_for(shown));
            }
        }
        let full: Vec<Relationship> = Relationship::ALL
            .iter()
            .copied()
            .filter(|r| r.is_full())
            .collect();
        assert_eq!(full, [Equivalent, SubsetOf], "the full relationships");
    }
}

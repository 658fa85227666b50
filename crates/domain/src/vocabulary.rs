//! Closed vocabularies: each enum is stored and exchanged as its snake_case/kebab name.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A vocabulary value that is not one of the allowed names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {what}; expected one of: {allowed}")]
pub struct UnknownTerm {
    pub what: &'static str,
    pub value: String,
    pub allowed: String,
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used in files, JSON and the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownTerm;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_ascii_lowercase().replace([' ', '_'], "-");
                $(if wanted == $text.replace('_', "-") { return Ok($name::$variant); })+
                Err(UnknownTerm {
                    what: $what,
                    value: s.to_string(),
                    allowed: [$($text),+].join(", "),
                })
            }
        }
    };
}

vocabulary! {
    /// What a framework holds. Shipped kinds are read-only; `requirements` are imported.
    FrameworkKind, "framework kind" {
        /// A customer's requirement set, imported from a sheet.
        Requirements => "requirements",
        /// A standard control framework (NIST 800-53, WA security pillar, FSBP, MSR workplan…).
        Standard => "standard",
        /// Landing-zone controls a workload inherits (Control Tower controls, SCPs, Config rules).
        LzControls => "lz_controls",
        /// AWS services.
        Services => "services",
        /// AWS CAF security capabilities and epics.
        Caf => "caf",
    }
}

vocabulary! {
    /// The kind of a mapping target as the CLI and the suggestion engine name it.
    TargetKind, "target kind" {
        Service => "service",
        LzControl => "lz_control",
        Caf => "caf",
        FrameworkControl => "framework_control",
    }
}

impl FrameworkKind {
    /// The kind a mapping to an item of this framework has.
    pub fn target_kind(self) -> TargetKind {
        match self {
            FrameworkKind::Services => TargetKind::Service,
            FrameworkKind::LzControls => TargetKind::LzControl,
            FrameworkKind::Caf => TargetKind::Caf,
            FrameworkKind::Standard | FrameworkKind::Requirements => TargetKind::FrameworkControl,
        }
    }
}

vocabulary! {
    /// How a requirement relates to its target, read "requirement *relationship* target"
    /// (NIST IR 8477 / OSCAL set-theory terms).
    Relationship, "relationship" {
        /// Both ask for the same thing.
        Equivalent => "equivalent",
        /// The requirement is a subset of the target: the target does all the requirement asks.
        SubsetOf => "subset-of",
        /// The requirement asks more than the target does.
        SupersetOf => "superset-of",
        /// They overlap; neither contains the other.
        IntersectsWith => "intersects-with",
    }
}

impl Relationship {
    /// Whether the target alone fully satisfies the requirement.
    pub fn is_full(self) -> bool {
        matches!(self, Relationship::Equivalent | Relationship::SubsetOf)
    }
}

vocabulary! {
    /// Who carries a control: the platform, the workload team, or both.
    Responsibility, "responsibility" {
        /// Provided by the landing zone; the workload inherits it.
        Inherited => "inherited",
        /// Part platform, part workload.
        Shared => "shared",
        /// The workload team implements it.
        Workload => "workload",
    }
}

impl Responsibility {
    /// The FedRAMP "control origination" term auditors read for this responsibility.
    pub fn fedramp_origination(self) -> &'static str {
        match self {
            Responsibility::Inherited => "Inherited from pre-existing authorization",
            Responsibility::Shared => "Shared (service provider and customer responsibility)",
            Responsibility::Workload => "Service provider system specific",
        }
    }

    /// The OSCAL responsibility statement kind for this responsibility.
    pub fn oscal_term(self) -> &'static str {
        match self {
            Responsibility::Inherited => "inherited",
            Responsibility::Shared => "provided",
            Responsibility::Workload => "satisfied",
        }
    }
}

vocabulary! {
    /// Where a mapping stands in review.
    MappingStatus, "mapping status" {
        Proposed => "proposed",
        Accepted => "accepted",
        Rejected => "rejected",
    }
}

vocabulary! {
    /// How a mapping came to exist.
    Origin, "origin" {
        /// Entered by the consultant.
        Manual => "manual",
        /// Accepted from a suggestion.
        Suggested => "suggested",
        /// Read from an edited matrix or a sheet.
        Imported => "imported",
        /// Part of the shipped catalogue.
        Shipped => "shipped",
        /// Inferred by following crosswalk links.
        Derived => "derived",
    }
}

vocabulary! {
    /// How well one requirement is covered.
    Coverage, "coverage" {
        /// An accepted full mapping reaches an enabled landing-zone control.
        Inherited => "inherited",
        /// Enabled landing-zone controls cover it only partly; the rest is on the workload.
        Partial => "partial",
        /// Covered by accepted mappings, none of which reaches an enabled landing-zone control.
        Workload => "workload",
        /// Nothing accepted covers it.
        Gap => "gap",
        /// Out of scope, with a reason.
        NotApplicable => "not_applicable",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_parse_from_their_own_names_and_common_spellings() {
        for r in Relationship::ALL {
            assert_eq!(
                r.as_str().parse::<Relationship>().unwrap(),
                *r,
                "round trip of {r}"
            );
        }
        assert_eq!(
            "Subset Of".parse::<Relationship>().unwrap(),
            Relationship::SubsetOf
        );
        assert_eq!(
            "not applicable".parse::<Coverage>().unwrap(),
            Coverage::NotApplicable
        );
        assert_eq!(
            "LZ_CONTROL".parse::<TargetKind>().unwrap(),
            TargetKind::LzControl
        );
    }

    #[test]
    fn an_unknown_term_names_what_is_allowed() {
        let err = "almost".parse::<Relationship>().unwrap_err();
        assert!(err.to_string().contains("equivalent, subset-of"), "{err}");
    }

    #[test]
    fn only_equivalent_and_subset_are_full() {
        let full: Vec<_> = Relationship::ALL.iter().filter(|r| r.is_full()).collect();
        assert_eq!(full, [&Relationship::Equivalent, &Relationship::SubsetOf]);
    }

    #[test]
    fn terms_serialize_as_their_names() {
        assert_eq!(
            serde_json::to_string(&Coverage::NotApplicable).unwrap(),
            "\"not_applicable\""
        );
        assert_eq!(
            serde_json::to_string(&TargetKind::LzControl).unwrap(),
            "\"lz_control\""
        );
    }
}

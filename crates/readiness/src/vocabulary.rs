//! The workstream's closed vocabularies. Each value is stored and exchanged as its snake_case
//! name; parsing also takes hyphens, spaces and a few short forms consultants type.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A value that is not one of a vocabulary's names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {what}; expected one of: {allowed}")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
    pub allowed: String,
}

/// Lower case, with `-` and spaces read as `_`, so `in progress`, `in-progress` and
/// `IN_PROGRESS` are one value.
fn normalise(text: &str) -> String {
    text.trim()
        .to_ascii_lowercase()
        .replace(['-', ' ', '&'], "_")
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal {
        $($(#[$vmeta:meta])* $variant:ident => $text:literal, $label:literal $(| $alias:literal)*),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name stored in the engagement file and used in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The name people read in reports.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = normalise(s);
                $(
                    if wanted == $text || wanted == normalise($label) $(|| wanted == $alias)* {
                        return Ok($name::$variant);
                    }
                )+
                Err(UnknownValue {
                    what: $what,
                    value: s.to_string(),
                    allowed: [$($text),+].join(", "),
                })
            }
        }
    };
}

vocabulary! {
    /// Where a workplan task or subtask stands.
    WorkplanStatus, "workplan status" {
        NotStarted => "not_started", "Not started" | "todo" | "open",
        InProgress => "in_progress", "In progress" | "started" | "doing",
        Done => "done", "Done" | "complete" | "completed",
        /// Needs a reason, always.
        NotApplicable => "not_applicable", "Not applicable" | "n_a" | "na" | "n/a",
    }
}

vocabulary! {
    /// The five security domains the workplan assesses for readiness (tasks 2 to 6).
    SecurityDomain, "security domain" {
        DataProtection => "data_protection", "Data protection" | "dp" | "t2",
        Iam => "iam", "IAM" | "identity_and_access_management" | "t3",
        IncidentResponse => "incident_response", "Incident response" | "ir" | "t4",
        InfrastructureProtection => "infrastructure_protection", "Infrastructure protection" | "ip" | "t5",
        LoggingMonitoring => "logging_monitoring", "Logging & monitoring" | "logging_and_monitoring" | "lm" | "logging" | "monitoring" | "t6",
    }
}

vocabulary! {
    /// The angles a domain's readiness is seen from.
    Dimension, "readiness dimension" {
        Policy => "policy", "Policy",
        Process => "process", "Process",
        Tools => "tools", "Tools" | "tool" | "tooling",
        People => "people", "People",
    }
}

vocabulary! {
    /// A story's priority, with Jira's default names so a backlog imports as it is.
    Priority, "priority" {
        Highest => "highest", "Highest" | "critical" | "blocker",
        High => "high", "High",
        Medium => "medium", "Medium" | "normal",
        Low => "low", "Low",
        Lowest => "lowest", "Lowest" | "trivial",
    }
}

impl SecurityDomain {
    /// The workplan task that covers the domain (`T2` … `T6`).
    pub fn task(self) -> &'static str {
        match self {
            SecurityDomain::DataProtection => "T2",
            SecurityDomain::Iam => "T3",
            SecurityDomain::IncidentResponse => "T4",
            SecurityDomain::InfrastructureProtection => "T5",
            SecurityDomain::LoggingMonitoring => "T6",
        }
    }

    /// An issue-tracker label: no spaces, no underscores.
    pub fn tag(self) -> String {
        self.as_str().replace('_', "-")
    }

    /// The domain a CAF security capability or core epic belongs to, when it is one of the five.
    /// Refs are the shipped `caf` framework's (`CAF-SEC-IAM`, `Sec.Det`…).
    pub fn of_caf(reference: &str) -> Option<SecurityDomain> {
        match reference {
            "CAF-SEC-DP" | "Sec.DP" => Some(SecurityDomain::DataProtection),
            "CAF-SEC-IAM" | "Sec.IAM" => Some(SecurityDomain::Iam),
            "CAF-SEC-IR" | "Sec.IR" => Some(SecurityDomain::IncidentResponse),
            "CAF-SEC-IP" | "Sec.Inf" => Some(SecurityDomain::InfrastructureProtection),
            "CAF-SEC-TD" | "Sec.Det" => Some(SecurityDomain::LoggingMonitoring),
            _ => None,
        }
    }
}

impl Priority {
    /// Higher is more urgent.
    pub fn rank(self) -> u8 {
        match self {
            Priority::Highest => 4,
            Priority::High => 3,
            Priority::Medium => 2,
            Priority::Low => 1,
            Priority::Lowest => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_from_the_ways_people_type_them() {
        for text in ["in progress", "in-progress", "IN_PROGRESS", " In Progress "] {
            assert_eq!(
                text.parse::<WorkplanStatus>(),
                Ok(WorkplanStatus::InProgress),
                "'{text}' names the in-progress status"
            );
        }
        assert_eq!("n/a".parse(), Ok(WorkplanStatus::NotApplicable));
        let err = "finished-ish".parse::<WorkplanStatus>().unwrap_err();
        assert!(
            err.to_string()
                .contains("not_started, in_progress, done, not_applicable"),
            "the error lists the allowed names: {err}"
        );
    }

    #[test]
    fn domains_parse_from_their_label_short_form_and_task() {
        assert_eq!(
            "Logging & monitoring".parse(),
            Ok(SecurityDomain::LoggingMonitoring)
        );
        assert_eq!(
            "logging-monitoring".parse(),
            Ok(SecurityDomain::LoggingMonitoring)
        );
        assert_eq!("T3".parse(), Ok(SecurityDomain::Iam));
        assert_eq!("dp".parse(), Ok(SecurityDomain::DataProtection));
        assert!(
            "T7".parse::<SecurityDomain>().is_err(),
            "task 7 is not a readiness domain"
        );
    }

    #[test]
    fn every_domain_names_a_different_workplan_task() {
        let mut tasks: Vec<&str> = SecurityDomain::ALL.iter().map(|d| d.task()).collect();
        tasks.dedup();
        assert_eq!(tasks, ["T2", "T3", "T4", "T5", "T6"]);
    }

    #[test]
    fn priorities_rank_from_highest_to_lowest() {
        let ranks: Vec<u8> = Priority::ALL.iter().map(|p| p.rank()).collect();
        assert_eq!(ranks, [4, 3, 2, 1, 0], "ALL is ordered most urgent first");
    }
}

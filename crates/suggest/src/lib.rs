//! Ranking catalogue items for a requirement, offline and deterministic.
//!
//! An [`Engine`] is built once from a [`Catalogue`]; it then ranks, for any requirement, the
//! AWS services, landing-zone controls, CAF capabilities and framework controls most likely to
//! satisfy it, each with a score in 0..=1 and a reason a consultant can read. Four signals are
//! combined:
//! - text: BM25F over each item's ref, title, text, attributes and the titles of the items it is
//!   linked to, with the curated security vocabulary (`data/vocabulary/security.toml`) turning
//!   synonyms and acronyms into shared concept terms;
//! - explicit references: `AC-2`, `CIS 1.4`, `IAM.6`, `fsbp:IAM.6` … resolved in the catalogue
//!   and followed along its links (NIST → FSBP control → service);
//! - the CAF capabilities of the best services and controls;
//! - the consultant's decisions on similar requirements ("like REQ-12 which you mapped to KMS").
//!
//! The same input always gives the same output; ties are broken by framework and ref.

mod engine;
pub mod eval;
mod index;
mod learn;
mod refs;
mod text;
pub mod vocabulary;

pub use crosswalk_domain::{Catalogue, QualifiedRef, TargetKind};
pub use engine::{Engine, EngineOptions};
pub use learn::History;
pub use text::looks_non_english;
pub use vocabulary::{Vocabulary, VocabularyError};

use serde::{Deserialize, Serialize};

/// A requirement to find targets for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Query {
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub text: String,
    pub section: Option<String>,
}

impl Query {
    pub fn new(
        reference: impl Into<String>,
        title: impl Into<String>,
        text: impl Into<String>,
    ) -> Query {
        Query {
            reference: reference.into(),
            title: title.into(),
            text: text.into(),
            section: None,
        }
    }

    /// Adds the columns of an imported row that cite other standards ("Reference", "NIST
    /// 800-53", "CIS mapping", …) to the text as `Header: value` lines, so the references they
    /// hold are followed like those written in the text. Other columns (owner, priority,
    /// comments) say nothing about the target and are left out.
    pub fn with_attributes<'a>(
        mut self,
        attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Query {
        for (header, value) in attributes {
            let value = value.trim();
            if value.is_empty() || !engine::about_references(header, false) {
                continue;
            }
            if !self.text.is_empty() {
                self.text.push('\n');
            }
            self.text.push_str(header.trim());
            self.text.push_str(": ");
            self.text.push_str(value);
        }
        self
    }
}

/// A mapping the consultant accepted or rejected, with the requirement it was made for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub requirement: Query,
    pub target: QualifiedRef,
    pub accepted: bool,
}

/// One ranked target for a requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub target: QualifiedRef,
    pub kind: TargetKind,
    /// As the catalogue has it; empty when the source publishes none (never invented).
    pub title: String,
    /// False when the source names the id but publishes no title or details for it.
    pub details_published: bool,
    /// Confidence in 0..=1: text evidence alone stays below 0.8; an explicit reference or an
    /// accepted mapping of a near-identical requirement can take it close to 1.
    pub score: f64,
    pub reason: String,
    /// What the score rests on, for a sentence a reader can follow ([`Evidence::sentence`]);
    /// `reason` is its short form.
    #[serde(default)]
    pub evidence: Evidence,
}

/// The evidence for one suggestion, strongest kind first within each list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Evidence {
    /// A similar requirement a person mapped to the same target: (its ref, the target's ref).
    pub like: Option<(String, String)>,
    /// The service's name as the requirement writes it ("Amazon S3").
    pub names: Option<String>,
    /// A reference the requirement cites, as written, and the items it leads through to the
    /// target (the target last).
    pub cites: Option<(String, Vec<String>)>,
    /// The requirement's words and phrases that match the target's text, as it writes them
    /// (folded to small letters), most telling first.
    pub words: Vec<String>,
    /// The best suggested services and controls whose capability the target is.
    pub capability_of: Vec<String>,
    /// Nothing pointed anywhere: the capability is the default one.
    pub fallback: bool,
}

impl Evidence {
    /// The evidence as clauses a reader can follow, without a final stop: "the requirement
    /// mentions “encrypted at rest” and “customer managed keys”; service:KMS, also suggested
    /// for it, belongs to this capability".
    pub fn sentence(&self) -> String {
        let mut parts = Vec::new();
        if let Some((requirement, target)) = &self.like {
            parts.push(format!(
                "a similar requirement, {requirement}, was mapped to {target} by hand"
            ));
        }
        if let Some(name) = &self.names {
            parts.push(format!("the requirement names \u{201c}{name}\u{201d}"));
        }
        if let Some((written, path)) = &self.cites {
            let mut clause = format!("the requirement cites {written}");
            if let Some((last, before)) = path.split_last() {
                if before.is_empty() {
                    clause.push_str(&format!(", which is {last}"));
                } else {
                    clause.push_str(&format!(
                        ", which leads to {last} through {}",
                        list(before.iter().map(String::as_str))
                    ));
                }
            }
            parts.push(clause);
        }
        // "data at rest" says what "data" and "rest" would say again.
        let phrases: Vec<Vec<&str>> = self
            .words
            .iter()
            .map(|w| w.split_whitespace().collect())
            .collect();
        let words: Vec<String> = self
            .words
            .iter()
            .filter(|w| {
                w.contains(' ')
                    || !phrases
                        .iter()
                        .any(|p| p.len() > 1 && p.contains(&w.as_str()))
            })
            .map(|w| format!("\u{201c}{w}\u{201d}"))
            .collect();
        if !words.is_empty() {
            parts.push(format!("the requirement mentions {}", list(words)));
        }
        if !self.capability_of.is_empty() {
            let verb = if self.capability_of.len() == 1 {
                "belongs"
            } else {
                "belong"
            };
            parts.push(format!(
                "{}, also suggested for it, {verb} to this capability",
                list(self.capability_of.iter().map(String::as_str))
            ));
        }
        if parts.is_empty() && self.fallback {
            parts.push(
                "nothing in the requirement points to a capability, so it is placed under \
                 governance"
                    .into(),
            );
        }
        if parts.is_empty() {
            parts.push("the requirement shares little with it".into());
        }
        parts.join("; ")
    }
}

/// "a", "a and b", "a, b and c".
fn list<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| i.as_ref().to_string()).collect();
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_reads_as_a_sentence_without_repeating_the_words_of_a_phrase() {
        let evidence = Evidence {
            words: ["encryption", "data at rest", "data", "rest"]
                .map(String::from)
                .to_vec(),
            capability_of: vec!["service:KMS".into(), "service:S3".into()],
            ..Evidence::default()
        };
        assert_eq!(
            evidence.sentence(),
            "the requirement mentions \u{201c}encryption\u{201d} and \u{201c}data at rest\u{201d}; \
             service:KMS and service:S3, also suggested for it, belong to this capability"
        );
        let cited = Evidence {
            names: Some("Amazon S3".into()),
            cites: Some((
                "AC-2".into(),
                ["nist:AC-2", "fsbp:IAM.6", "service:IAM"]
                    .map(String::from)
                    .to_vec(),
            )),
            ..Evidence::default()
        };
        assert_eq!(
            cited.sentence(),
            "the requirement names \u{201c}Amazon S3\u{201d}; the requirement cites AC-2, which \
             leads to service:IAM through nist:AC-2 and fsbp:IAM.6"
        );
        let fallback = Evidence {
            fallback: true,
            ..Evidence::default()
        };
        assert!(fallback.sentence().contains("governance"));
    }
}

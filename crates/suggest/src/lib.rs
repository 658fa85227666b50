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
}

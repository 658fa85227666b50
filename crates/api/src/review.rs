//! Decisions made on a requirement's old text. When a re-import changes a requirement's text,
//! the store keeps the old and the new text and flags the requirement's accepted and rejected
//! mappings for review (in the import's own transaction). [`import_text_changes`] is what the
//! import just changed, [`review_list`] every decision still waiting, and [`review_confirm`]
//! confirms decisions for the new text. Deciding again with `map` clears a flag as well.

use crate::engagement::open_read;
use crate::error::{ApiError, Result};
use crate::refs::{resolve, Want};
use crosswalk_domain::{MappingStatus, Relationship};
use crosswalk_store::{Actor, Engagement, MappingReview};
use serde::Serialize;
use std::path::Path;

pub use crosswalk_store::TextChange;

/// A decided mapping waiting for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewItem {
    /// The requirement, `SET:REF`.
    pub requirement: String,
    pub set: String,
    /// The target, `FRAMEWORK:REF`.
    pub target: String,
    pub target_title: String,
    pub status: MappingStatus,
    pub relationship: Relationship,
    pub rationale: String,
    /// The requirement's text when the decision was made.
    pub decided_text: String,
    /// Its text now.
    pub current_text: String,
}

fn item(r: &MappingReview) -> ReviewItem {
    ReviewItem {
        requirement: r.mapping.source.qualified().to_string(),
        set: r.mapping.source.framework.clone(),
        target: r.mapping.target.qualified().to_string(),
        target_title: r.mapping.target.title.clone(),
        status: r.mapping.status,
        relationship: r.mapping.relationship,
        rationale: r.mapping.rationale.clone(),
        decided_text: r.decided_text.clone(),
        current_text: r.current_text.clone(),
    }
}

/// `review list --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewList {
    pub reviews: Vec<ReviewItem>,
}

/// The requirements whose text the latest import into `set` changed, each with the decisions
/// it flagged for review. Read right after an import to report it.
pub fn import_text_changes(db: &Path, set: &str) -> Result<Vec<TextChange>> {
    Ok(open_read(db)?.latest_import_text_changes(set)?)
}

/// Every decision waiting for review, in `set` when given.
pub fn review_list(db: &Path, set: Option<&str>) -> Result<ReviewList> {
    let e = open_read(db)?;
    if let Some(set) = set {
        e.require_set(set)?;
    }
    Ok(ReviewList {
        reviews: e.mappings_to_review(set)?.iter().map(item).collect(),
    })
}

/// `review confirm REQ [TARGET...]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewConfirmRequest {
    /// `REF` or `SET:REF`.
    pub requirement: String,
    /// The targets whose decisions are confirmed; empty: every decision waiting on it.
    pub targets: Vec<String>,
}

/// What `review confirm` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewConfirmReport {
    pub requirement: String,
    pub confirmed: Vec<ReviewItem>,
    /// Decisions still waiting for review in the whole engagement.
    pub remaining: usize,
}

/// Confirms decisions made on a requirement's old text for its new text, one audit entry each.
/// Refused, with nothing written: a ref that does not resolve, a requirement with nothing
/// waiting, a target with no decision waiting on that requirement.
pub fn review_confirm(
    db: &Path,
    actor: &Actor,
    request: &ReviewConfirmRequest,
) -> Result<ReviewConfirmReport> {
    // The file must exist: there would be nothing to review otherwise.
    let mut e = Engagement::open(db, actor, crate::shipped_catalogue())?;
    let requirement = resolve(&e, &request.requirement, Want::Requirement)?;
    let targets = request
        .targets
        .iter()
        .map(|t| resolve(&e, t, Want::Target).map(|i| i.id))
        .collect::<Result<Vec<_>>>()?;
    let waiting = e
        .mappings_to_review(None)?
        .into_iter()
        .filter(|r| r.mapping.source.id == requirement.id)
        .count();
    if waiting == 0 {
        return Err(ApiError::Invalid(format!(
            "{}: no decision waits for review (`crosswalk review list` shows those that do)",
            requirement.qualified()
        )));
    }
    let confirmed = e.confirm_reviews(actor, requirement.id, &targets)?;
    let remaining = e.mappings_to_review(None)?.len();
    e.close()?;
    Ok(ReviewConfirmReport {
        requirement: requirement.qualified().to_string(),
        confirmed: confirmed.iter().map(item).collect(),
        remaining,
    })
}

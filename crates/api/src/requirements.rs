//! Listing requirements: the windowed, sorted, filtered query the CLI and the desktop grid use.

use crate::engagement::open_read;
use crate::error::Result;
use crosswalk_domain::{Attributes, Coverage};
use crosswalk_store::{RequirementQuery, RequirementRow};
use serde::Serialize;
use std::path::Path;

/// One requirement in the shape of `crosswalk list --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementItem {
    #[serde(rename = "ref")]
    pub reference: String,
    pub set: String,
    pub title: String,
    pub text: String,
    pub section: Option<String>,
    pub parent: Option<String>,
    pub sheet: Option<String>,
    /// 1-based, as in the source.
    pub row: Option<u32>,
    /// Every other source column, `{header: value}` in source order.
    pub attributes: Attributes,
    pub source_ref: Option<String>,
    pub withdrawn: bool,
    pub removed: bool,
    pub coverage: Coverage,
    pub coverage_overridden: bool,
}

impl From<RequirementRow> for RequirementItem {
    fn from(r: RequirementRow) -> Self {
        RequirementItem {
            reference: r.reference,
            set: r.set,
            title: r.title,
            text: r.text,
            section: r.section,
            parent: r.parent,
            sheet: r.sheet,
            row: r.row,
            attributes: r.attributes,
            source_ref: r.source_ref,
            withdrawn: r.withdrawn,
            removed: r.removed,
            coverage: r.coverage,
            coverage_overridden: r.coverage_overridden,
        }
    }
}

/// A window of requirements and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementList {
    pub total: u64,
    pub offset: u32,
    pub requirements: Vec<RequirementItem>,
}

/// The requirements matching `query`, in its order and window.
pub fn list_requirements(db: &Path, query: &RequirementQuery) -> Result<RequirementList> {
    let e = open_read(db)?;
    let page = e.requirements(query)?;
    Ok(RequirementList {
        total: page.total,
        offset: query.offset,
        requirements: page.rows.into_iter().map(RequirementItem::from).collect(),
    })
}

//! Opening engagement files for the use cases: reads never create or change a file; writes
//! create it when missing (named after the file) and bring the catalogue copy up to date.

use crate::error::Result;
use crosswalk_domain::Catalogue;
use crosswalk_store::{Actor, Engagement, EngagementInfo, EngagementReader};
use serde::Serialize;
use std::path::Path;

/// The catalogue shipped in this binary.
pub fn shipped_catalogue() -> &'static Catalogue {
    crosswalk_catalogue::shipped()
}

/// The customer name a new engagement file gets: its file name without extension.
fn customer_of(db: &Path) -> String {
    db.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "engagement".to_string())
}

pub(crate) fn open_read(db: &Path) -> Result<EngagementReader> {
    Ok(EngagementReader::open(db)?)
}

pub(crate) fn open_write(db: &Path, actor: &Actor) -> Result<Engagement> {
    match Engagement::open_or_create(db, actor, &customer_of(db), shipped_catalogue()) {
        // Another process created the file between the look and the creation: open that one.
        Err(crosswalk_store::StoreError::AlreadyExists { .. }) => {
            Ok(Engagement::open(db, actor, shipped_catalogue())?)
        }
        other => Ok(other?),
    }
}

/// What the engagement file is and holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngagementSummary {
    pub db: String,
    #[serde(flatten)]
    pub info: EngagementInfo,
    pub sets: Vec<crosswalk_store::SetSummary>,
    pub workloads: Vec<String>,
    pub audit_entries: usize,
}

/// A summary of the engagement file; also checks its audit chain.
pub fn engagement_summary(db: &Path) -> Result<EngagementSummary> {
    let e = open_read(db)?;
    Ok(EngagementSummary {
        db: db.display().to_string(),
        info: e.info()?,
        sets: e.sets()?,
        workloads: e.workloads()?,
        audit_entries: e.verify_audit_chain()?,
    })
}

/// The audit log, oldest first, after checking its hash chain.
pub fn audit_log(db: &Path) -> Result<Vec<crosswalk_store::AuditEntry>> {
    let e = open_read(db)?;
    e.verify_audit_chain()?;
    Ok(e.audit_log(0)?)
}

/// The audit log with the verdict on its hash chain, for showing even an altered log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    /// True when every entry matches the hash chain.
    pub chain_intact: bool,
    /// The first entry that does not match the chain (it or one before it was altered,
    /// removed or inserted); every entry from there on is suspect.
    pub first_altered_seq: Option<i64>,
    pub entries: Vec<crosswalk_store::AuditEntry>,
}

/// The audit log, oldest first, and whether its hash chain holds (an altered log is still
/// shown). Entries removed from the end of the log cannot be seen this way.
pub fn audit_report(db: &Path) -> Result<AuditReport> {
    let e = open_read(db)?;
    let first_altered_seq = e.audit_chain_break()?;
    Ok(AuditReport {
        chain_intact: first_altered_seq.is_none(),
        first_altered_seq,
        entries: e.audit_log(0)?,
    })
}

//! The engagement file: one SQLite database per customer engagement, its schema migrations,
//! typed queries and the hash-chained audit log that every mutation appends to.
//!
//! [`Engagement`] writes, [`EngagementReader`] only reads; both deref to [`View`] for queries.

mod assessments;
mod audit;
mod catalogue;
mod edits;
mod engagement;
mod error;
mod items;
mod listing;
mod mappings;
mod migrations;
mod reviews;
mod workloads;
pub mod workplan;

pub use assessments::{Assessment, ProfileEntry, StoredAssessment};
pub use audit::{AuditEntry, AuditEvent, GENESIS_HASH};
pub use catalogue::CatalogueChange;
pub use edits::{
    AssessmentEdit, AssessmentField, EditOutcome, ExportedFields, FieldConflict, GuardedEdit,
};
pub use engagement::{
    remove_stale_creations, Actor, Engagement, EngagementInfo, EngagementReader, View,
};
pub use error::{Result, StoreError};
pub use items::{
    FedImport, ImportDiff, ImportRow, ImportSink, RequirementEntry, RequirementPage,
    RequirementQuery, RequirementRow, SetSummary, SortColumn,
};
pub use mappings::{ItemRef, MappingChange, MappingFilter, MappingInput, MappingRow};
pub use migrations::SCHEMA_VERSION;
pub use reviews::{MappingReview, TextChange};
pub use workloads::{ControlsChange, CoverageMove, WorkloadRow};

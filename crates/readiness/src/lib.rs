//! The migration security workstream's outputs, with no database and no files: the workplan and
//! readiness vocabulary, the story backlog (readiness stories and requirement gaps merged by the
//! controls they share), the readiness report workbook and the backlog CSV for issue trackers.
//!
//! The api fills a [`ReadinessReport`] from the engagement; these functions return bytes.

mod backlog_csv;
mod model;
mod stories;
mod vocabulary;
mod xlsx;

pub use backlog_csv::{
    criteria_text, write_backlog_csv, ACCEPTANCE_CRITERIA, DESCRIPTION, LABELS, PRIORITY, SUMMARY,
    SUMMARY_LIMIT,
};
pub use model::{
    ControlRef, DimensionState, DomainReadiness, Progress, ReadinessReport, Story, StoryDraft,
    StorySource, WorkplanRow,
};
pub use stories::merge_stories;
pub use vocabulary::{Dimension, Priority, SecurityDomain, UnknownValue, WorkplanStatus};
pub use xlsx::{
    domain_sheet, write_readiness_xlsx, ABOUT_SHEET, BACKLOG_COLUMNS, BACKLOG_SHEET,
    DIMENSION_COLUMNS, DIMENSION_HEADER_ROW, DOMAIN_STORY_COLUMNS, STORY_HEADER_ROW,
    WORKPLAN_COLUMNS, WORKPLAN_SHEET,
};

/// Why a report or backlog could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReadinessError {
    #[error("cannot write the readiness workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),

    #[error("cannot write the backlog CSV: {0}")]
    Csv(String),
}

impl From<csv::Error> for ReadinessError {
    fn from(e: csv::Error) -> Self {
        ReadinessError::Csv(e.to_string())
    }
}

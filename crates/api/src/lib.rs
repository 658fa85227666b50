//! The one use-case API that the CLI and the desktop shell both call.
//!
//! Hosts pass paths, options and an [`Actor`] (who and when: the host reads the clock and the
//! user name, the logic never does) and get serialisable reports back. No host runs SQL or
//! reads a spreadsheet itself. Every change is one store transaction with its audit event.

mod catalogue;
mod demo;
mod engagement;
mod error;
mod export;
mod import;
mod map;
mod matrix;
mod output;
mod refs;
mod requirements;
mod review;
mod suggest;
mod workbench;
pub mod workplan;

pub use catalogue::{
    catalogue_adopt, catalogue_list, catalogue_search, catalogue_show, default_adopt_set,
    AdoptReport, CatalogueItemDetail, CatalogueItemSummary, CatalogueListing, FrameworkSummary,
    LinkView, SearchHit, SearchResult,
};
pub use demo::{
    demo, demo_plan, DemoPlan, DemoReport, DEMO_DB_NAME, DEMO_MATRIX_NAME, DEMO_SAMPLE_NAME,
};
pub use engagement::{
    audit_log, audit_report, engagement_summary, shipped_catalogue, AuditReport, EngagementSummary,
};
pub use error::{ApiError, Result};
pub use export::{
    export, export_controlled, matrix_model, matrix_model_with, ExportControl, ExportFormat,
    ExportProgress, ExportReport, ExportRequest, ExportStage,
};
pub use import::{
    column_profiles, import, import_with, parse_column_choice, ColumnProfile, ImportControl,
    ImportPhase, ImportProgress, ImportRefs, ImportReport, ImportRequest, COLUMN_ROLES,
    PROGRESS_EVERY,
};
pub use map::{map, MapReport, MapRequest, MappedTarget};
pub use matrix::{
    import_matrix, verify_matrix, ConflictRow, MatrixImportReport, MatrixVerifyReport, MergedRow,
};
pub use requirements::{list_requirements, RequirementItem, RequirementList};
pub use review::{
    import_text_changes, review_confirm, review_list, ReviewConfirmReport, ReviewConfirmRequest,
    ReviewItem, ReviewList, TextChange,
};
pub use suggest::{
    suggest, suggest_controlled, RequirementSuggestions, SuggestControl, SuggestProgress,
    SuggestReport, SuggestRequest, SuggestStage, SuggestionItem, SUGGESTED_RELATIONSHIP,
};

pub use crosswalk_store::CoverageMove;
pub use workbench::{
    apply_preset, coverage_summary, create_engagement, decide_mapping, landing_zone_controls,
    profile_presets, requirement_detail, requirement_sections, set_control_enabled,
    update_assessment, update_assessment_for, AssessmentUpdate, CoverageGroupCounts,
    CoverageMoveCount, CoverageSource, CoverageSummary, MappingView, PresetDistance, PresetInfo,
    ProfileChange, ProfileControl, ProfileReport, RequirementDetail, SuggestionView,
    WorkloadAssessment, WorkloadInfo,
};

pub use crosswalk_domain::{Coverage, Relationship, Responsibility};
pub use crosswalk_matrix::{Alteration, AlterationKind, EditProblem, VerifyReport, VerifyStatus};
pub use crosswalk_store::{
    Actor, AuditEntry, MappingChange, RequirementQuery, SortColumn, StoreError,
};

/// This build's version, written into exports.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// True while a reader is turning a panic inside calamine or the zip reader (a damaged file)
/// into an error: a host's panic hook stays quiet then, as the user gets that error instead.
pub fn panic_is_contained() -> bool {
    crosswalk_sheets::panic_is_contained() || crosswalk_matrix::panic_is_contained()
}

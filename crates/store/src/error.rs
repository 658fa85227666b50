use std::path::PathBuf;

/// Everything that can go wrong with an engagement file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: no engagement file here")]
    Missing { path: PathBuf },

    #[error("{path}: already exists; open it instead of creating it")]
    AlreadyExists { path: PathBuf },

    #[error(
        "{path}: this engagement file has schema version {found}, newer than the {supported} this \
         build of Crosswalk understands; open it with a newer Crosswalk (nothing was changed)"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error(
        "{path}: this engagement file has schema version {found}, older than this build's \
         {supported}; open it once with a command that writes to upgrade it"
    )]
    OlderSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("{path}: migration {version} ({slug}) was changed after it was applied to this file")]
    MigrationChanged {
        path: PathBuf,
        version: i64,
        slug: String,
    },

    #[error("{path}: not a Crosswalk engagement file ({reason})")]
    NotAnEngagement { path: PathBuf, reason: String },

    #[error("'{name}' is the id of a shipped framework; choose another set name")]
    ReservedSetName { name: String },

    #[error("'{name}' is not a valid set name: {reason}")]
    InvalidSetName { name: String, reason: String },

    #[error(
        "set '{set}' holds requirements {current}; {incoming} would replace them. \
         Choose another --set (nothing was changed)"
    )]
    SetSourceMismatch {
        set: String,
        current: String,
        incoming: String,
    },

    #[error(
        "{file}: re-importing into set '{set}' would remove all {count} of its requirements, \
         because {reason}; check --sheet and --header-row (or import into a new --set). \
         Nothing was changed"
    )]
    WouldRemoveAll {
        set: String,
        file: String,
        count: usize,
        reason: String,
    },

    #[error("no requirement set named '{name}'")]
    UnknownSet { name: String },

    #[error("no item {reference}")]
    UnknownItem { reference: String },

    #[error("the import has the ref '{reference}' twice (rows {first} and {second})")]
    DuplicateRef {
        reference: String,
        first: u32,
        second: u32,
    },

    #[error("audit log entry {seq} does not match its hash: the log was altered")]
    AuditTampered { seq: i64 },

    #[error("{0}")]
    Invalid(String),

    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("stored JSON is malformed: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

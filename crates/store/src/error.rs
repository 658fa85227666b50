use std::path::PathBuf;

/// Everything that can go wrong with an engagement file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: no engagement file here")]
    Missing { path: PathBuf },

    #[error("{path}: the engagement file is read-only; nothing was changed")]
    ReadOnly { path: PathBuf },

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

    #[error(
        "{file}: no requirements were read, so the new set '{set}' would be empty; check \
         --sheet and --header-row. Nothing was imported"
    )]
    NothingToImport { set: String, file: String },

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

impl StoreError {
    /// True when the engagement file could not be written because it, or its folder, is
    /// read-only (reading it may still work).
    pub fn is_read_only(&self) -> bool {
        match self {
            StoreError::ReadOnly { .. } => true,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => {
                f.code == rusqlite::ErrorCode::ReadOnly
            }
            _ => false,
        }
    }

    /// What a database error means for the engagement file `db`, in words that name the file;
    /// `None` unless it is one of the known kinds (read-only, damaged, busy, full…).
    pub fn engagement_message(&self, db: &std::path::Path) -> Option<String> {
        use rusqlite::ErrorCode;
        let StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, detail)) = self else {
            return None;
        };
        let db = db.display();
        let detail = detail.clone().unwrap_or_else(|| f.to_string());
        Some(match f.code {
            ErrorCode::ReadOnly => format!(
                "{db}: the engagement file is read-only (the file, or the folder it is in, cannot be written); nothing was changed"
            ),
            ErrorCode::DatabaseCorrupt => format!(
                "{db}: the engagement file is damaged ({detail}); nothing was changed. Use a backup copy"
            ),
            ErrorCode::NotADatabase => {
                format!("{db}: not a Crosswalk engagement file ({detail}); nothing was changed")
            }
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => format!(
                "{db}: another crosswalk process kept the engagement file busy; nothing was changed, run the command again"
            ),
            ErrorCode::DiskFull => format!("{db}: the disk is full; nothing was changed"),
            ErrorCode::CannotOpen => {
                format!("{db}: the engagement file cannot be opened ({detail})")
            }
            ErrorCode::SystemIoFailure => {
                format!("{db}: the engagement file cannot be read or written ({detail})")
            }
            _ => return None,
        })
    }
}

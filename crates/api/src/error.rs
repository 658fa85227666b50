use std::path::PathBuf;

/// Why a use case failed. Each message names the file, set or ref it is about; nothing was
/// written when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{path}: cannot read the file: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{path}: cannot write the file: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(transparent)]
    Store(#[from] crosswalk_store::StoreError),

    /// Boxed: the importer's error carries the file, sheet, row and column, and is large.
    #[error(transparent)]
    Sheet(Box<crosswalk_sheets::SheetError>),

    #[error(transparent)]
    Matrix(#[from] crosswalk_matrix::MatrixError),

    /// A matrix file that cannot be read back or trusted; nothing was written.
    #[error("{path}: {source}")]
    MatrixFile {
        path: PathBuf,
        source: crosswalk_matrix::MatrixError,
    },

    /// An edited matrix holding edits that cannot be merged as written (a formula, an
    /// over-long cell, an engagement-wide override cleared on one workload's row): each is
    /// listed with its sheet, row, column and cell, and nothing was merged.
    #[error("{}", refused_message(.path, .problems))]
    MatrixRefused {
        path: PathBuf,
        problems: Vec<crosswalk_matrix::EditProblem>,
    },

    #[error("'{text}' is ambiguous; it could be any of: {}. Write it as SET:REF or FRAMEWORK:REF", .candidates.join(", "))]
    Ambiguous {
        text: String,
        candidates: Vec<String>,
    },

    #[error("no {what} '{text}'{hint}")]
    NotFound {
        what: &'static str,
        text: String,
        hint: String,
    },

    #[error("no import profile named '{name}'; give --sheet/--header-row to create it")]
    UnknownProfile { name: String },

    #[error("{0}")]
    Invalid(String),

    /// The host asked to stop (a cancel flag); nothing was written.
    #[error("{what} cancelled; nothing was written")]
    Cancelled { what: &'static str },
}

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

impl From<crosswalk_sheets::SheetError> for ApiError {
    fn from(e: crosswalk_sheets::SheetError) -> Self {
        ApiError::Sheet(Box::new(e))
    }
}

fn refused_message(path: &std::path::Path, problems: &[crosswalk_matrix::EditProblem]) -> String {
    let n = problems.len();
    format!(
        "{}: {n} edited cell{} cannot be merged, so nothing was merged; correct {} and import again: {}",
        path.display(),
        if n == 1 { "" } else { "s" },
        if n == 1 { "it" } else { "them" },
        problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    )
}

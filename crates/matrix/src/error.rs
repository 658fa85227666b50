//! The errors of writing and reading matrices.

/// Why a matrix could not be written or read back.
#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    /// rust_xlsxwriter refused the workbook (a sheet or row limit; text limits are handled
    /// before writing, so this is not expected for ordinary content).
    #[error("could not write the matrix workbook: {0}")]
    Write(#[from] rust_xlsxwriter::XlsxError),
    /// The caller's progress callback asked the writer to stop (an export being cancelled).
    #[error("writing the matrix was stopped")]
    Stopped,
    #[error("could not write the matrix CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("could not write the matrix JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The file is not a readable xlsx.
    #[error("the file is not a readable xlsx workbook: {0}")]
    Unreadable(String),
    /// The file would take more memory to read than any real matrix needs.
    #[error("the workbook is too large to read safely: {0}")]
    TooLarge(String),
    /// The workbook has neither a Matrix sheet nor Crosswalk's integrity data.
    #[error("this workbook is not a matrix exported by Crosswalk: {0}")]
    NotAMatrix(String),
    /// The integrity data carries another engagement's key fingerprint: the matrix was exported
    /// from another engagement file (or its hidden data was rewritten).
    #[error("this matrix was not exported from this engagement: {0}")]
    OtherEngagement(String),
    /// The integrity data is missing, altered or was sealed with another engagement's key, so
    /// nothing in the workbook can be trusted to merge back.
    #[error("the matrix cannot be trusted: {0}")]
    Integrity(String),
    /// The Matrix sheet, or a column needed to tie its rows to requirements or to read the
    /// edits, is gone (renamed sheet, cleared header row): nothing can be merged.
    #[error("the matrix is incomplete: {0}")]
    Incomplete(String),
}

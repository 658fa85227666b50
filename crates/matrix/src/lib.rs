//! Writing the traceability matrix (xlsx/csv/json) and reading edited matrices back.
//!
//! The api fills a [`MatrixModel`] from the engagement and calls [`write_xlsx`], [`write_csv`] or
//! [`write_json`]. An exported xlsx carries a sealed snapshot of every cell (HMAC-SHA256 keyed with
//! the engagement's secret) in a very hidden sheet, so [`read_matrix`] can return exactly the
//! customer's edits to the editable columns and [`verify`] can name every read-only cell that
//! was altered. See README.md for the signatures and the rules.

// The unit tests share the integration tests' sample model, which names the crate.
#[cfg(test)]
extern crate self as crosswalk_matrix;

mod error;
mod model;
mod read;
mod snapshot;
mod tables;
mod text_formats;
mod xlsx;

pub use error::MatrixError;
pub use model::*;
pub use read::{
    panic_is_contained, read_matrix, verify, AddedColumn, Alteration, AlterationKind, CellEdit,
    EditProblem, ExportStamp, MatrixEdits, RowEdit, VerifyReport, VerifyStatus,
};
pub use snapshot::INTEGRITY_SHEET;
pub use tables::{
    EditableField, ABOUT, CATALOGUE, COVERAGE, EXCEL_CELL_LIMIT, GAPS, LINKS, MATRIX,
};
pub use text_formats::{formula_safe, write_csv, write_json, JSON_FORMAT};
pub use xlsx::{write_xlsx, write_xlsx_with, WriteProgress, XlsxExport};

/// Something the user should know about an export that still succeeded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExportWarning {
    pub sheet: String,
    /// 1-based row (0 when the warning is about the whole sheet).
    pub row: u32,
    /// The column's header (empty when about the whole sheet).
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for ExportWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sheet '{}'", self.sheet)?;
        if self.row > 0 {
            write!(f, ", row {}", self.row)?;
        }
        if !self.column.is_empty() {
            write!(f, ", column '{}'", self.column)?;
        }
        write!(f, ": {}", self.message)
    }
}

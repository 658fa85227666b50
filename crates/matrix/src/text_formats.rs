//! The CSV and JSON forms of the matrix.

use crate::model::MatrixModel;
use crate::snapshot;
use crate::tables::{self, MATRIX};
use crate::MatrixError;
use serde::Serialize;

/// Spreadsheet programs run a CSV field starting with one of these as a formula.
const FORMULA_LEADS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A field a spreadsheet would read as a formula gets a leading apostrophe, the usual
/// neutraliser: Excel shows the text and never evaluates it.
pub fn formula_safe(field: &str) -> std::borrow::Cow<'_, str> {
    if field.starts_with(FORMULA_LEADS) {
        std::borrow::Cow::Owned(format!("'{field}"))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

/// The Matrix sheet as CSV: UTF-8 with a byte-order mark (so Excel reads it as UTF-8), one row
/// per matrix row with every column of the xlsx Matrix sheet including the key and version,
/// text never cut, and formula-looking fields neutralised.
pub fn write_csv(model: &MatrixModel) -> Result<Vec<u8>, MatrixError> {
    let mut warnings = Vec::new();
    let tables = tables::build(model, None, &mut warnings);
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        if let Some(matrix) = tables.iter().find(|t| t.name == MATRIX) {
            w.write_record(matrix.columns.iter().map(|c| c.header))?;
            for row in &matrix.rows {
                let fields: Vec<String> = row
                    .cells
                    .iter()
                    .map(|c| formula_safe(&c.text()).into_owned())
                    .collect();
                w.write_record(&fields)?;
            }
        }
        w.flush().map_err(csv::Error::from)?;
    }
    Ok(out)
}

#[derive(Serialize)]
struct JsonExport<'a> {
    format: &'static str,
    /// HMAC-SHA256 (hex) of `matrix` serialised compactly, keyed with the engagement's secret.
    content_hash: String,
    matrix: &'a MatrixModel,
}

/// Format name written at the top of the JSON export.
pub const JSON_FORMAT: &str = "crosswalk-matrix/1";

/// The whole model as JSON (pretty-printed), with a keyed content hash of the model.
pub fn write_json(model: &MatrixModel, secret: &[u8]) -> Result<Vec<u8>, MatrixError> {
    let compact = serde_json::to_string(model)?;
    let export = JsonExport {
        format: JSON_FORMAT,
        content_hash: snapshot::seal(secret, &compact),
        matrix: model,
    };
    let mut bytes = serde_json::to_vec_pretty(&export)?;
    bytes.push(b'\n');
    Ok(bytes)
}

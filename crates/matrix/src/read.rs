//! Reading an exported matrix back: what the customer edited (`read_matrix`) and whether anything
//! read-only was altered (`verify`). Both compare the workbook with the sealed snapshot it carries.

use crate::snapshot::{
    self, SheetSnapshot, Snapshot, INTEGRITY_SHEET, KEY_ID_COLUMN, SNAPSHOT_FORMAT,
};
use crate::tables::{
    EditableField, ABOUT, CONTENT_HASH_KEY, EXCEL_CELL_LIMIT, EXPORTED_VERSION, KEY, MATRIX,
    WORKLOAD,
};
use crate::MatrixError;
use calamine::{Data, DataRef, Reader, Xlsx, XlsxFormulaMetadata};
use crosswalk_domain::{Coverage, CoverageOverride};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;

/// Largest workbook file accepted (bytes).
const MAX_FILE_BYTES: usize = 512 * 1024 * 1024;
/// Largest declared size of one part inside the xlsx zip, and of all parts together. calamine
/// reads a part whole, and an allocation failure aborts the process rather than failing.
const MAX_PART_BYTES: u64 = 1024 * 1024 * 1024;
const MAX_TOTAL_BYTES: u128 = 2 * 1024 * 1024 * 1024;
/// Most cells read from one sheet.
const MAX_CELLS: usize = 30_000_000;
/// How far down a header row is looked for, in case rows were inserted above it.
const HEADER_SEARCH_ROWS: u32 = 20;
/// The Matrix columns that say which requirement (and workload) a row is about. When one of
/// them disagrees with the row's hidden key, the row's identity is uncertain.
const IDENTITY_COLUMNS: [&str; 3] = ["Set", "Req ID", WORKLOAD];

/// Where an exported matrix came from, as recorded in its sealed snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportStamp {
    pub engagement: String,
    pub generated_at: String,
    pub catalogue_version: String,
    /// The keyed content hash of the export.
    pub content_hash: String,
}

/// One editable cell whose value differs from the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellEdit {
    pub sheet: String,
    /// 1-based row in the workbook as it is now.
    pub row: u32,
    /// The column's header.
    pub column: String,
    /// A1-style address in the workbook as it is now.
    pub cell: String,
    /// The row's hidden key.
    pub key: String,
    pub field: EditableField,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlterationKind {
    /// A read-only cell holds something else than was exported.
    CellChanged,
    /// An exported row is gone.
    RowDeleted,
    /// A row that was not exported (or a second copy of one) is present.
    RowAdded,
    /// An exported column is gone.
    ColumnMissing,
    /// An exported sheet is gone.
    SheetMissing,
    /// The hidden integrity data is gone: nothing can be checked.
    IntegrityMissing,
    /// The hidden integrity data does not match its keyed hash: altered, or exported from
    /// another engagement.
    IntegrityAltered,
}

/// One change to data that was exported read-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alteration {
    pub kind: AlterationKind,
    pub sheet: String,
    /// 1-based row in the workbook as it is now (for a deleted row: where it was exported).
    pub row: Option<u32>,
    pub column: Option<String>,
    /// A1-style address, when one cell is meant.
    pub cell: Option<String>,
    pub key: Option<String>,
    pub expected: Option<String>,
    pub found: Option<String>,
}

impl std::fmt::Display for Alteration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sheet '{}'", self.sheet)?;
        if let Some(cell) = &self.cell {
            write!(f, ", cell {cell}")?;
        } else if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column '{column}'")?;
        }
        if let Some(key) = &self.key {
            write!(f, " (row key {key})")?;
        }
        let what = match self.kind {
            AlterationKind::CellChanged => "read-only cell changed",
            AlterationKind::RowDeleted => "exported row deleted",
            AlterationKind::RowAdded => "row added",
            AlterationKind::ColumnMissing => "exported column deleted",
            AlterationKind::SheetMissing => "exported sheet deleted",
            AlterationKind::IntegrityMissing => "integrity data missing",
            AlterationKind::IntegrityAltered => {
                "integrity data altered, or the matrix was exported from another engagement"
            }
        };
        write!(f, ": {what}")?;
        if let (Some(e), Some(n)) = (&self.expected, &self.found) {
            write!(f, " (was {e:?}, now {n:?})")?;
        }
        Ok(())
    }
}

/// A column present in the workbook that the export did not have (harmless).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddedColumn {
    pub sheet: String,
    pub column: String,
    pub cell: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifyStatus {
    /// Exactly as exported.
    Untouched,
    /// Only the editable columns changed: the customer's legitimate edits.
    EditedOnly,
    /// Read-only data was altered.
    Altered,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub status: VerifyStatus,
    /// Present when the integrity data could be read and trusted.
    pub export: Option<ExportStamp>,
    pub edits: Vec<CellEdit>,
    pub alterations: Vec<Alteration>,
    pub added_columns: Vec<AddedColumn>,
    /// Editable cells whose content cannot be merged as it is (a formula, text longer than an
    /// Excel cell holds): `import-matrix` refuses the file until they are corrected.
    pub problems: Vec<EditProblem>,
}

impl VerifyReport {
    /// The exit code `crosswalk verify` uses: 0 when untouched or only edited, 3 when altered.
    pub fn exit_code(&self) -> i32 {
        match self.status {
            VerifyStatus::Untouched | VerifyStatus::EditedOnly => 0,
            VerifyStatus::Altered => 3,
        }
    }
}

/// The edits to one matrix row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowEdit {
    pub key: String,
    /// The workload of the row as exported (from the sealed snapshot, never from the editable
    /// cells); `None` for a row about the requirement as a whole.
    pub workload: Option<String>,
    /// The row's version in the engagement when it was exported (from the sealed snapshot).
    pub exported_version: u64,
    /// 1-based row in the workbook as it is now.
    pub row: u32,
    /// `Some(None)`: the override was removed; `Some(Some(o))`: set or changed; `None`: untouched
    /// (or the new value was invalid, see `MatrixEdits::problems`).
    pub coverage_override: Option<Option<CoverageOverride>>,
    pub owner: Option<String>,
    pub evidence: Option<String>,
    pub notes: Option<String>,
    /// Every edited cell of the row, for the audit entry and the report.
    pub changes: Vec<CellEdit>,
}

/// An edit that cannot be merged as written (the rest of the row's edits still can).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EditProblem {
    pub sheet: String,
    pub row: u32,
    pub column: String,
    pub cell: String,
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for EditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "sheet '{}', cell {} (column '{}', row key {}): {}",
            self.sheet, self.cell, self.column, self.key, self.message
        )
    }
}

/// What `read_matrix` found: the customer's edits, ready to merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixEdits {
    pub export: ExportStamp,
    /// Rows with at least one edited editable cell, in workbook order.
    pub rows: Vec<RowEdit>,
    pub problems: Vec<EditProblem>,
    /// Read-only changes found on the way; they are never merged.
    pub alterations: Vec<Alteration>,
    /// The alterations (a subset of `alterations`) where a row's Set, Req ID or Workload cell
    /// disagrees with the requirement its hidden key names, as when only some columns were
    /// sorted, and the added rows (key blanked, retyped, or a row typed in) holding something in
    /// an editable column: which requirement those edits are about is uncertain, and nothing
    /// should be merged.
    pub identity_alterations: Vec<Alteration>,
}

/// Reads the customer's edits from an exported matrix. `secret` is the engagement's HMAC key:
/// a matrix whose integrity data is missing, altered or sealed by another engagement is refused
/// (`MatrixError::Integrity`), because its row keys and versions cannot be trusted.
pub fn read_matrix(bytes: &[u8], secret: &[u8]) -> Result<MatrixEdits, MatrixError> {
    let cmp = compare(bytes, secret)?;
    let Some(export) = cmp.export.clone() else {
        let why = cmp.alterations.first().map_or_else(
            || "integrity data unreadable".to_string(),
            |a| a.to_string(),
        );
        return Err(MatrixError::Integrity(why));
    };
    if let Some(why) = missing_parts(&cmp) {
        return Err(MatrixError::Incomplete(why));
    }
    let mut rows = Vec::new();
    let mut problems = cmp.problems.clone();
    let mut by_row: HashMap<u32, Vec<CellEdit>> = HashMap::new();
    for e in cmp.edits.iter().filter(|e| e.sheet == MATRIX) {
        by_row.entry(e.row).or_default().push(e.clone());
    }
    for m in &cmp.matrix {
        let changes = by_row.remove(&m.row).unwrap_or_default();
        if changes.is_empty() {
            continue;
        }
        let changed = |f: EditableField| {
            changes
                .iter()
                .find(|c| c.field == f)
                .map(|c| c.after.clone())
        };
        let now = |f: EditableField| m.current.get(&f).cloned().unwrap_or_default();
        let mut coverage_override = None;
        if changed(EditableField::CoverageOverride).is_some()
            || changed(EditableField::OverrideReason).is_some()
        {
            let value = now(EditableField::CoverageOverride);
            let reason = now(EditableField::OverrideReason);
            let problem = |field: EditableField, message: String| EditProblem {
                sheet: MATRIX.to_string(),
                row: m.row,
                column: field.header().to_string(),
                cell: m.cells.get(&field).cloned().unwrap_or_default(),
                key: m.key.clone(),
                message,
            };
            let reason_typed = changed(EditableField::OverrideReason).is_some();
            if value.trim().is_empty() && reason_typed && !reason.trim().is_empty() {
                // A reason alone changes nothing: say so rather than report it as merged.
                problems.push(problem(
                    EditableField::OverrideReason,
                    "an override reason needs a Coverage override on the same row (inherited, \
                     partial, workload, gap or not_applicable); choose one or clear the reason"
                        .to_string(),
                ));
            } else if value.trim().is_empty() {
                coverage_override = Some(None);
            } else {
                match value.parse::<Coverage>() {
                    Err(e) => {
                        problems.push(problem(EditableField::CoverageOverride, e.to_string()))
                    }
                    Ok(c) => match CoverageOverride::new(c, reason) {
                        Ok(o) => coverage_override = Some(Some(o)),
                        Err(e) => {
                            problems.push(problem(EditableField::OverrideReason, e.to_string()))
                        }
                    },
                }
            }
        }
        rows.push(RowEdit {
            key: m.key.clone(),
            workload: m.workload.clone(),
            exported_version: m.version,
            row: m.row,
            coverage_override,
            owner: changed(EditableField::Owner),
            evidence: changed(EditableField::Evidence),
            notes: changed(EditableField::Notes),
            changes,
        });
    }
    let identity_alterations = cmp
        .alterations
        .iter()
        .filter(|a| {
            a.sheet == MATRIX
                && a.kind == AlterationKind::CellChanged
                && a.column
                    .as_deref()
                    .is_some_and(|c| IDENTITY_COLUMNS.contains(&c))
        })
        .chain(&cmp.orphan_rows)
        .cloned()
        .collect();
    Ok(MatrixEdits {
        export,
        rows,
        problems,
        alterations: cmp.alterations,
        identity_alterations,
    })
}

/// Why the edits of a matrix cannot be read at all: its Matrix sheet is gone (renamed?), or
/// a column that ties rows to requirements or holds edits is missing from its header row.
fn missing_parts(cmp: &Comparison) -> Option<String> {
    let sheet_gone = cmp
        .alterations
        .iter()
        .any(|a| a.kind == AlterationKind::SheetMissing && a.sheet == MATRIX);
    if sheet_gone {
        let found: Vec<String> = cmp.sheet_names.iter().map(|n| format!("'{n}'")).collect();
        return Some(format!(
            "it has no sheet '{MATRIX}' (sheets: {}); if it was renamed, name it '{MATRIX}' \
             again; nothing was merged",
            found.join(", ")
        ));
    }
    let needed = |c: &str| {
        c == KEY || IDENTITY_COLUMNS.contains(&c) || EditableField::from_header(c).is_some()
    };
    let missing: Vec<&Alteration> = cmp
        .alterations
        .iter()
        .filter(|a| a.kind == AlterationKind::ColumnMissing && a.sheet == MATRIX)
        .filter(|a| a.column.as_deref().is_some_and(needed))
        .collect();
    let first = missing.first()?;
    let names: Vec<String> = missing
        .iter()
        .filter_map(|a| a.column.as_ref().map(|c| format!("'{c}'")))
        .collect();
    Some(format!(
        "sheet '{MATRIX}' has no column {} in its header row (row {}); its rows cannot be tied \
         to requirements or its edits read: put the header row back as it was exported (or \
         export again); nothing was merged",
        names.join(", "),
        first.row.unwrap_or(1)
    ))
}

/// Tells apart an untouched matrix, one whose only changes are in the editable columns (listed),
/// and one whose read-only data was altered (each cell, row, column or sheet named).
/// `secret` is the engagement's HMAC key. Errors only when the bytes are not a readable xlsx,
/// not a Crosswalk matrix at all, or a matrix of another engagement (`OtherEngagement`).
pub fn verify(bytes: &[u8], secret: &[u8]) -> Result<VerifyReport, MatrixError> {
    let cmp = compare(bytes, secret)?;
    let status = if !cmp.alterations.is_empty() {
        VerifyStatus::Altered
    } else if !cmp.edits.is_empty() {
        VerifyStatus::EditedOnly
    } else {
        VerifyStatus::Untouched
    };
    Ok(VerifyReport {
        status,
        export: cmp.export,
        edits: cmp.edits,
        alterations: cmp.alterations,
        added_columns: cmp.added_columns,
        problems: cmp.problems,
    })
}

/// A Matrix row found in the workbook, with its editable values as they are now.
struct MatchedRow {
    key: String,
    workload: Option<String>,
    version: u64,
    row: u32,
    current: HashMap<EditableField, String>,
    cells: HashMap<EditableField, String>,
}

struct Comparison {
    export: Option<ExportStamp>,
    edits: Vec<CellEdit>,
    alterations: Vec<Alteration>,
    added_columns: Vec<AddedColumn>,
    problems: Vec<EditProblem>,
    matrix: Vec<MatchedRow>,
    sheet_names: Vec<String>,
    /// Added Matrix rows (in `alterations` too) holding edits that belong to no exported row.
    orphan_rows: Vec<Alteration>,
}

/// The cells of one sheet, sparse: only cells that hold something, row by row.
#[derive(Default)]
struct Grid {
    rows: BTreeMap<u32, BTreeMap<u32, String>>,
    /// The formula of each cell that holds one (its cached value, if any, is in `rows`).
    formulas: HashMap<(u32, u32), String>,
    count: usize,
}

impl Grid {
    fn formula(&self, row: u32, col: u32) -> Option<&str> {
        self.formulas.get(&(row, col)).map(|s| s.as_str())
    }

    fn get(&self, row: u32, col: u32) -> &str {
        self.rows
            .get(&row)
            .and_then(|r| r.get(&col))
            .map_or("", |s| s.as_str())
    }

    fn max_row(&self) -> u32 {
        self.rows.keys().next_back().copied().unwrap_or(0)
    }

    fn row(&self, row: u32) -> impl Iterator<Item = (u32, &str)> {
        self.rows
            .get(&row)
            .into_iter()
            .flat_map(|r| r.iter().map(|(c, v)| (*c, v.as_str())))
    }
}

/// A1-style address of a 0-based (row, column).
pub(crate) fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

fn guard(bytes: &[u8]) -> Result<(), MatrixError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(MatrixError::TooLarge(format!(
            "{} bytes, the limit is {MAX_FILE_BYTES}",
            bytes.len()
        )));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| MatrixError::Unreadable(e.to_string()))?;
    if zip.decompressed_size().is_some_and(|n| n > MAX_TOTAL_BYTES) {
        return Err(MatrixError::TooLarge(
            "its parts declare more than 2 GiB uncompressed".into(),
        ));
    }
    for i in 0..zip.len() {
        let part = zip
            .by_index_raw(i)
            .map_err(|e| MatrixError::Unreadable(e.to_string()))?;
        if part.size() > MAX_PART_BYTES {
            return Err(MatrixError::TooLarge(format!(
                "part '{}' declares {} bytes uncompressed",
                part.name().unwrap_or_default(),
                part.size()
            )));
        }
    }
    Ok(())
}

fn read_grid(book: &mut Xlsx<Cursor<&[u8]>>, sheet: &str) -> Result<Grid, MatrixError> {
    let mut reader = book
        .worksheet_cells_reader(sheet)
        .map_err(|e| MatrixError::Unreadable(format!("sheet '{sheet}': {e}")))?;
    let mut grid = Grid::default();
    // Streaming the cells keeps memory to what the sheet holds, whatever its declared dimension.
    // Shared formulas are not expanded: that a cell holds one is all that matters here.
    while let Some(cell) = reader
        .next_cell_with_formula_metadata()
        .map_err(|e| MatrixError::Unreadable(format!("sheet '{sheet}': {e}")))?
    {
        let (r, c) = cell.pos;
        if let Some(f) = &cell.formula {
            let text = match f {
                XlsxFormulaMetadata::Normal { formula }
                | XlsxFormulaMetadata::Shared { formula, .. } => format!("={formula}"),
                _ => "=(a formula shared with the cells above)".to_string(),
            };
            grid.formulas.insert((r, c), text);
            grid.count += 1;
        }
        let value = cell_text(&cell.value);
        if value.is_empty() {
            continue;
        }
        grid.rows.entry(r).or_default().insert(c, value);
        grid.count += 1;
        if grid.count > MAX_CELLS {
            return Err(MatrixError::TooLarge(format!(
                "sheet '{sheet}' has more than {MAX_CELLS} cells"
            )));
        }
    }
    Ok(grid)
}

/// The text of a cell as the export wrote it: what calamine shows, except that a date (a number
/// with a date format, as Excel stores a typed date) reads as an ISO date, not a serial number.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
            }
        }
        other => Data::from(other.clone()).to_string(),
    }
}

/// Why the integrity sheet could not be trusted.
enum SnapshotFailure {
    /// Missing or altered: reported as an alteration.
    Alteration(AlterationKind),
    /// Sealed with another engagement's key (by its fingerprint).
    OtherEngagement,
}

impl From<AlterationKind> for SnapshotFailure {
    fn from(kind: AlterationKind) -> SnapshotFailure {
        SnapshotFailure::Alteration(kind)
    }
}

/// Reads and checks the integrity sheet. `Err(_)` when it is missing, untrustworthy, or sealed
/// with another engagement's key.
fn read_snapshot(
    book: &mut Xlsx<Cursor<&[u8]>>,
    secret: &[u8],
    names: &[String],
) -> Result<(Snapshot, String), SnapshotFailure> {
    if !names.iter().any(|n| n == INTEGRITY_SHEET) {
        return Err(AlterationKind::IntegrityMissing.into());
    }
    let grid = read_grid(book, INTEGRITY_SHEET).map_err(|_| AlterationKind::IntegrityAltered)?;
    if grid.get(0, 0) != SNAPSHOT_FORMAT {
        return Err(AlterationKind::IntegrityAltered.into());
    }
    let seal = grid.get(0, 1).to_string();
    // Matrices written before the fingerprint existed have none: then only the seal can tell.
    let key_id = grid.get(0, u32::from(KEY_ID_COLUMN));
    if !key_id.is_empty() && key_id != snapshot::key_id(secret) {
        return Err(SnapshotFailure::OtherEngagement);
    }
    // The count comes from the file: never loop past the rows that exist.
    let parts: u32 = grid
        .get(0, 2)
        .parse::<u32>()
        .unwrap_or(0)
        .min(grid.max_row());
    let json: String = (1..=parts).map(|r| grid.get(r, 0)).collect();
    if !snapshot::check(secret, &json, &seal) {
        return Err(AlterationKind::IntegrityAltered.into());
    }
    let snap: Snapshot =
        serde_json::from_str(&json).map_err(|_| AlterationKind::IntegrityAltered)?;
    Ok((snap, seal))
}

thread_local! {
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while the reader is inside a call whose panics it turns into an error, so a host's
/// panic hook can stay quiet about a damaged file instead of reporting a crash.
pub fn panic_is_contained() -> bool {
    CONTAINED.with(|c| c.get())
}

/// Runs `f` with its panics caught and the host's panic hook told to stay quiet about them.
pub(crate) fn contain<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    let was = CONTAINED.with(|c| c.replace(true));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CONTAINED.with(|c| c.set(was));
    out
}

/// Reads and compares with panics in calamine or the zip reader turned into
/// [`MatrixError::Unreadable`]: fuzzing found calamine 0.38 overflowing on cell references with
/// too many column letters and on a `dimension` whose end lies before its start.
fn compare(bytes: &[u8], secret: &[u8]) -> Result<Comparison, MatrixError> {
    contain(|| compare_unguarded(bytes, secret)).unwrap_or_else(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no detail".into());
        Err(MatrixError::Unreadable(format!(
            "the spreadsheet reader stopped on a structure it cannot handle ({why}); the file is damaged"
        )))
    })
}

fn compare_unguarded(bytes: &[u8], secret: &[u8]) -> Result<Comparison, MatrixError> {
    guard(bytes)?;
    let mut book: Xlsx<Cursor<&[u8]>> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| MatrixError::Unreadable(e.to_string()))?;
    let names = book.sheet_names();
    if !names.iter().any(|n| n == MATRIX || n == INTEGRITY_SHEET) {
        return Err(MatrixError::NotAMatrix(format!(
            "it has no '{MATRIX}' sheet (sheets: {})",
            names.join(", ")
        )));
    }
    let mut cmp = Comparison {
        export: None,
        edits: Vec::new(),
        alterations: Vec::new(),
        added_columns: Vec::new(),
        problems: Vec::new(),
        matrix: Vec::new(),
        sheet_names: names.clone(),
        orphan_rows: Vec::new(),
    };
    let (snap, seal) = match read_snapshot(&mut book, secret, &names) {
        Ok(s) => s,
        Err(SnapshotFailure::OtherEngagement) => {
            return Err(MatrixError::OtherEngagement(format!(
                "its hidden '{INTEGRITY_SHEET}' sheet is sealed with another engagement's key"
            )))
        }
        Err(SnapshotFailure::Alteration(kind)) => {
            cmp.alterations.push(Alteration {
                kind,
                sheet: INTEGRITY_SHEET.to_string(),
                row: None,
                column: None,
                cell: None,
                key: None,
                expected: None,
                found: None,
            });
            return Ok(cmp);
        }
    };
    cmp.export = Some(ExportStamp {
        engagement: snap.engagement.clone(),
        generated_at: snap.generated_at.clone(),
        catalogue_version: snap.catalogue_version.clone(),
        content_hash: seal.clone(),
    });
    for sheet in &snap.sheets {
        if !names.contains(&sheet.name) {
            cmp.alterations.push(Alteration {
                kind: AlterationKind::SheetMissing,
                sheet: sheet.name.clone(),
                row: None,
                column: None,
                cell: None,
                key: None,
                expected: None,
                found: None,
            });
            continue;
        }
        let grid = read_grid(&mut book, &sheet.name)?;
        compare_sheet(sheet, &grid, &seal, &mut cmp);
    }
    Ok(cmp)
}

fn compare_sheet(snap: &SheetSnapshot, grid: &Grid, seal: &str, cmp: &mut Comparison) {
    let name = snap.name.as_str();
    // The header row is the one (near the top) that holds the most exported headers.
    let wanted: HashSet<&str> = snap.headers.iter().map(|h| h.as_str()).collect();
    let header_row = (0..=HEADER_SEARCH_ROWS.min(grid.max_row()))
        .max_by_key(|r| {
            let hits = grid.row(*r).filter(|(_, v)| wanted.contains(v)).count();
            (hits, std::cmp::Reverse(*r))
        })
        .unwrap_or(0);
    let mut columns: BTreeMap<&str, u32> = BTreeMap::new();
    let header_cells: Vec<(u32, &str)> = grid.row(header_row).collect();
    for (c, h) in &header_cells {
        if wanted.contains(h) {
            columns.entry(h).or_insert(*c);
        } else {
            cmp.added_columns.push(AddedColumn {
                sheet: name.to_string(),
                column: h.to_string(),
                cell: a1(header_row, *c),
            });
        }
    }
    for h in &snap.headers {
        if !columns.contains_key(h.as_str()) {
            cmp.alterations.push(Alteration {
                kind: AlterationKind::ColumnMissing,
                sheet: name.to_string(),
                row: Some(header_row + 1),
                column: Some(h.clone()),
                cell: None,
                key: None,
                expected: Some(h.clone()),
                found: None,
            });
        }
    }

    let key_idx = snap.key_column();
    let key_col = key_idx
        .and_then(|i| columns.get(snap.headers[i].as_str()))
        .copied();
    let mut unmatched: HashMap<&str, usize> = HashMap::new();
    if let Some(k) = key_idx {
        for (i, row) in snap.rows.iter().enumerate() {
            if let Some(key) = row.get(k) {
                unmatched.entry(key.as_str()).or_insert(i);
            }
        }
    }
    // Every exported row by key, to tell a copied row from one holding edits of its own.
    let exported_by_key = unmatched.clone();
    let mut used = vec![false; snap.rows.len()];
    let mut positional = 0usize;
    let all_cols: Vec<u32> = header_cells.iter().map(|(c, _)| *c).collect();
    let data_rows: Vec<u32> = grid.rows.range(header_row + 1..).map(|(r, _)| *r).collect();
    for r in data_rows {
        // Without the key column rows can only be paired by position.
        let idx = match key_col {
            Some(kc) => unmatched.remove(grid.get(r, kc)),
            None => {
                positional += 1;
                (positional <= snap.rows.len()).then(|| positional - 1)
            }
        };
        let Some(idx) = idx else {
            let found: Vec<&str> = all_cols
                .iter()
                .map(|c| grid.get(r, *c))
                .filter(|v| !v.is_empty())
                .take(3)
                .collect();
            let added = Alteration {
                kind: AlterationKind::RowAdded,
                sheet: name.to_string(),
                row: Some(r + 1),
                column: None,
                cell: None,
                key: key_col
                    .map(|kc| grid.get(r, kc).to_string())
                    .filter(|k| !k.is_empty()),
                expected: None,
                found: Some(found.join(" | ")),
            };
            // A Matrix row that matches no exported row (its key blanked or retyped, or a row
            // typed in) but holds something in an editable column: those edits belong to no
            // known requirement. A copy of an exported row showing its exported values is none.
            let copy_of = key_col
                .and_then(|kc| exported_by_key.get(grid.get(r, kc)))
                .map(|i| &snap.rows[*i]);
            let holds_edits = snap.name == MATRIX
                && snap.headers.iter().enumerate().any(|(j, h)| {
                    let Some(&c) = columns.get(h.as_str()) else {
                        return false;
                    };
                    if !snap.editable.iter().any(|e| e == h) {
                        return false;
                    }
                    let value = grid.formula(r, c).unwrap_or(grid.get(r, c));
                    let exported = copy_of.and_then(|row| row.get(j)).map(|s| s.as_str());
                    !value.is_empty() && exported != Some(value)
                });
            if holds_edits {
                cmp.orphan_rows.push(added.clone());
            }
            cmp.alterations.push(added);
            continue;
        };
        used[idx] = true;
        compare_row(snap, idx, grid, r, &columns, seal, cmp);
    }
    for (i, u) in used.iter().enumerate() {
        if !u {
            let row = &snap.rows[i];
            cmp.alterations.push(Alteration {
                kind: AlterationKind::RowDeleted,
                sheet: name.to_string(),
                row: Some(header_row + 2 + i as u32),
                column: None,
                cell: None,
                key: key_idx.and_then(|k| row.get(k)).cloned(),
                expected: Some(
                    row.iter()
                        .filter(|v| !v.is_empty())
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" | "),
                ),
                found: None,
            });
        }
    }
}

fn compare_row(
    snap: &SheetSnapshot,
    idx: usize,
    grid: &Grid,
    r: u32,
    columns: &BTreeMap<&str, u32>,
    seal: &str,
    cmp: &mut Comparison,
) {
    let exported = &snap.rows[idx];
    let key = snap
        .key_column()
        .and_then(|k| exported.get(k))
        .cloned()
        .unwrap_or_default();
    let is_matrix = snap.name == MATRIX;
    let workload = snap
        .headers
        .iter()
        .position(|h| h == WORKLOAD)
        .and_then(|w| exported.get(w))
        .filter(|w| is_matrix && !w.is_empty())
        .cloned();
    let mut matched = MatchedRow {
        key: key.clone(),
        workload,
        version: 0,
        row: r + 1,
        current: HashMap::new(),
        cells: HashMap::new(),
    };
    for (j, header) in snap.headers.iter().enumerate() {
        let Some(&c) = columns.get(header.as_str()) else {
            continue;
        };
        let found = grid.get(r, c);
        let mut expected = exported.get(j).map_or("", |s| s.as_str());
        if snap.name == ABOUT && key == CONTENT_HASH_KEY && j == 1 {
            expected = seal;
        }
        let editable = snap.editable.iter().any(|e| e == header);
        let field = EditableField::from_header(header).filter(|_| editable && is_matrix);
        if is_matrix && header == EXPORTED_VERSION {
            matched.version = expected.parse().unwrap_or(0);
        }
        // A formula is never what the export wrote, whatever value it shows.
        let formula = grid.formula(r, c);
        let found = formula.unwrap_or(found);
        if let Some(field) = field {
            matched.current.insert(field, found.to_string());
            matched.cells.insert(field, a1(r, c));
            let problem = if let Some(f) = formula {
                Some(format!(
                    "holds a formula ({}); only typed text is merged: type the value itself",
                    clip(f, 80)
                ))
            } else {
                let chars = found.chars().count();
                (chars > EXCEL_CELL_LIMIT).then(|| {
                    format!(
                        "holds {chars} characters, more than the {EXCEL_CELL_LIMIT} an Excel \
                         cell can hold; shorten it (or keep the long text in a document and \
                         name it here)"
                    )
                })
            };
            if let Some(message) = problem {
                cmp.problems.push(EditProblem {
                    sheet: snap.name.clone(),
                    row: r + 1,
                    column: header.clone(),
                    cell: a1(r, c),
                    key: key.clone(),
                    message,
                });
            }
        }
        if found == expected && formula.is_none() {
            continue;
        }
        match field {
            Some(field) => cmp.edits.push(CellEdit {
                sheet: snap.name.clone(),
                row: r + 1,
                column: header.clone(),
                cell: a1(r, c),
                key: key.clone(),
                field,
                before: expected.to_string(),
                after: found.to_string(),
            }),
            None => cmp.alterations.push(Alteration {
                kind: AlterationKind::CellChanged,
                sheet: snap.name.clone(),
                row: Some(r + 1),
                column: Some(header.clone()),
                cell: Some(a1(r, c)),
                key: Some(key.clone()).filter(|k| !k.is_empty()),
                expected: Some(expected.to_string()),
                found: Some(found.to_string()),
            }),
        }
    }
    if is_matrix {
        cmp.matrix.push(matched);
    }
}

/// The first `max` characters of `text`, with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::a1;

    #[test]
    fn addresses_follow_excel_column_letters() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(11, 25), "Z12");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(4, 701), "ZZ5");
        assert_eq!(a1(4, 702), "AAA5");
    }
}

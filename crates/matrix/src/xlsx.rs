//! The xlsx writer: lays the tables out as an audit-ready workbook and seals it.

use crate::model::MatrixModel;
use crate::snapshot::{self, INTEGRITY_SHEET, KEY_ID_COLUMN, SNAPSHOT_FORMAT};
use crate::tables::{
    self, Cell, Role, Table, ABOUT, CATALOGUE, CONTENT_HASH_KEY, COVERAGE, EXCEL_CELL_LIMIT, GAPS,
    KEY, LINKS, MATRIX,
};
use crate::{EditableField, ExportWarning, MatrixError};
use crosswalk_domain::{Coverage, QualifiedRef};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartSolidFill, ChartType, DataValidation, DataValidationErrorStyle,
    DataValidationRule, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula,
    Url, Workbook, Worksheet,
};
use std::collections::HashMap;
use std::ops::ControlFlow;

/// A written workbook.
#[derive(Debug, Clone)]
pub struct XlsxExport {
    pub bytes: Vec<u8>,
    /// The keyed content hash shown on the About sheet (HMAC-SHA256, hex).
    pub content_hash: String,
    /// Cells that had to be shortened, and other things the user should know.
    pub warnings: Vec<ExportWarning>,
}

/// Excel stops honouring hyperlinks past 65,530 per worksheet; stay under it.
const MAX_LINKS_PER_SHEET: usize = 65_000;

fn coverage_colour(c: Coverage) -> &'static str {
    match c {
        Coverage::Inherited => "#C6EFCE",
        Coverage::Partial => "#FFEB9C",
        Coverage::Workload => "#BDD7EE",
        Coverage::Gap => "#FFC7CE",
        Coverage::NotApplicable => "#E7E6E6",
    }
}

struct Formats {
    header: Format,
    body: Format,
    wrap: Format,
    editable: Format,
    editable_wrap: Format,
    link: Format,
    /// One per coverage, in the order of `Coverage::ALL`.
    coverage: Vec<Format>,
}

impl Formats {
    fn new() -> Formats {
        let body = Format::new()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin)
            .set_border_color("#BFBFBF");
        let editable = body.clone().set_background_color("#FFF9E5");
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_font_color("#FFFFFF")
                .set_background_color("#1F3864")
                .set_border(FormatBorder::Thin),
            wrap: body.clone().set_text_wrap(),
            editable_wrap: editable.clone().set_text_wrap(),
            link: body
                .clone()
                .set_text_wrap()
                .set_font_color("#0563C1")
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            coverage: Coverage::ALL
                .iter()
                .map(|c| {
                    body.clone()
                        .set_bold()
                        .set_background_color(coverage_colour(*c))
                })
                .collect(),
            body,
            editable,
        }
    }

    fn coverage(&self, c: Coverage) -> &Format {
        let i = Coverage::ALL.iter().position(|x| *x == c).unwrap_or(0);
        &self.coverage[i]
    }
}

/// Writes the matrix as an xlsx workbook sealed with `secret` (the engagement's HMAC key).
///
/// Errors: only `MatrixError::Write`, when rust_xlsxwriter refuses the workbook; over-long cell
/// text is shortened with a marker and reported in `warnings` instead.
pub fn write_xlsx(model: &MatrixModel, secret: &[u8]) -> Result<XlsxExport, MatrixError> {
    write_xlsx_with(model, secret, &mut |_| ControlFlow::Continue(()))
}

/// Rows written so far out of all the rows of every sheet, as [`write_xlsx_with`] reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteProgress {
    pub rows_done: usize,
    pub rows_total: usize,
}

/// As [`write_xlsx`], calling `progress` as the sheets are written: before the first row, about
/// every 1/200th of the rows (at least every 1,024 rows), and once all rows are written (the
/// workbook is then assembled and compressed, which is not counted in rows). When `progress`
/// returns `ControlFlow::Break`, writing stops at once with [`MatrixError::Stopped`].
pub fn write_xlsx_with(
    model: &MatrixModel,
    secret: &[u8],
    progress: &mut dyn FnMut(WriteProgress) -> ControlFlow<()>,
) -> Result<XlsxExport, MatrixError> {
    // Low-memory sheets go through temporary files, and rust_xlsxwriter panics when writing one
    // fails (a full temporary disk, a file-size limit): the workbook is then made again with
    // every sheet in memory, so the export still succeeds or fails on its own output file.
    match crate::read::contain(|| write_xlsx_in(model, secret, progress, true)) {
        Ok(written) => written,
        Err(_) => write_xlsx_in(model, secret, progress, false),
    }
}

fn write_xlsx_in(
    model: &MatrixModel,
    secret: &[u8],
    progress: &mut dyn FnMut(WriteProgress) -> ControlFlow<()>,
    low_memory: bool,
) -> Result<XlsxExport, MatrixError> {
    let mut warnings = Vec::new();
    let tables = tables::build(model, Some(EXCEL_CELL_LIMIT), &mut warnings);
    let catalogue_rows: HashMap<QualifiedRef, u32> = model
        .catalogue
        .iter()
        .enumerate()
        .map(|(i, e)| (e.reference.clone(), i as u32 + 1))
        .collect();
    let rows_total = tables.iter().map(|t| t.rows.len()).sum::<usize>();
    let mut rows = RowCounter {
        done: 0,
        total: rows_total,
        every: (rows_total / 200).max(1024),
        next: 0,
        progress,
    };
    rows.tick(0)?;

    // The snapshot is serialised and sealed on a second thread while this one writes the sheets:
    // only the About sheet (which shows the seal) and the integrity sheet wait for it.
    let (mut workbook, json, content_hash) = std::thread::scope(|scope| {
        let sealer = scope.spawn(|| -> Result<(String, String), MatrixError> {
            let json = snapshot::snapshot_json(
                &tables,
                &model.engagement.name,
                &model.generated_at,
                &model.catalogue_version,
            )?;
            let hash = snapshot::seal(secret, &json);
            Ok((json, hash))
        });
        let written = write_sheets(
            model,
            &tables,
            &catalogue_rows,
            &mut rows,
            &mut warnings,
            low_memory,
        );
        let sealed = sealer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let workbook = written?;
        let (json, hash) = sealed?;
        Ok::<_, MatrixError>((workbook, json, hash))
    })?;

    let formats = Formats::new();
    for table in tables.iter().filter(|t| t.name == ABOUT) {
        let mut about = table.clone();
        set_content_hash(&mut about, &content_hash);
        let sheet = workbook.add_worksheet();
        sheet.set_name(about.name)?;
        write_table(sheet, &about, &formats, &catalogue_rows, &mut rows)?;
        sheet.set_freeze_panes(1, 0)?;
    }
    // The workbook holds its own copy of every cell now: free the tables before it assembles the
    // file, which is when memory peaks.
    drop(tables);

    let integrity = workbook.add_worksheet();
    integrity.set_name(INTEGRITY_SHEET)?;
    integrity.write_string(0, 0, SNAPSHOT_FORMAT)?;
    integrity.write_string(0, 1, &content_hash)?;
    let parts = snapshot::chunks(&json);
    integrity.write_number(0, 2, parts.len() as f64)?;
    integrity.write_string(0, KEY_ID_COLUMN, snapshot::key_id(secret))?;
    for (i, part) in parts.iter().enumerate() {
        integrity.write_string(i as u32 + 1, 0, *part)?;
    }
    // The Owner dropdown reads its choices from here: a literal list is capped at 255 characters.
    for (i, owner) in model.owners.iter().enumerate() {
        integrity.write_string(i as u32, 3, owner)?;
    }
    integrity.set_very_hidden(true);
    drop(parts);
    drop(json);
    rows.finish()?;

    let bytes = workbook.save_to_buffer()?;
    // Freeing the workbook's cells takes a while and nothing waits for it.
    std::thread::spawn(move || drop(workbook));
    Ok(XlsxExport {
        bytes,
        content_hash,
        warnings,
    })
}

/// The sheets that can hold many rows are written row by row straight into the workbook's
/// temporary files ("low memory" worksheets: only the current row and the shared strings stay
/// in memory). They are written strictly in row order, which is what that mode needs.
fn is_large(name: &str) -> bool {
    matches!(name, MATRIX | GAPS | LINKS | CATALOGUE)
}

/// Every sheet but About (which shows the seal) and the integrity sheet.
fn write_sheets(
    model: &MatrixModel,
    tables: &[Table],
    catalogue_rows: &HashMap<QualifiedRef, u32>,
    rows: &mut RowCounter,
    warnings: &mut Vec<ExportWarning>,
    low_memory: bool,
) -> Result<Workbook, MatrixError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("Traceability matrix — {}", model.engagement.name))
            .set_company(&model.engagement.customer)
            .set_author(&model.generated_by)
            .set_comment("Exported by Crosswalk; check with `crosswalk verify`.")
            .set_creation_datetime(&creation_time(&model.generated_at)),
    );
    // Low-memory sheets need a writable temporary directory; without one every sheet is kept in
    // memory as before (same workbook, more memory).
    let low_memory = low_memory && workbook.set_tempdir(std::env::temp_dir()).is_ok();
    let formats = Formats::new();
    for table in tables.iter().filter(|t| t.name != ABOUT) {
        let sheet = if low_memory && is_large(table.name) {
            workbook.add_worksheet_with_low_memory()?
        } else {
            workbook.add_worksheet()
        };
        sheet.set_name(table.name)?;
        let links = write_table(sheet, table, &formats, catalogue_rows, rows)?;
        if links > MAX_LINKS_PER_SHEET {
            warnings.push(ExportWarning {
                sheet: table.name.to_string(),
                row: 0,
                column: String::new(),
                message: format!(
                    "{links} cells refer to catalogue entries; only the first {MAX_LINKS_PER_SHEET} are hyperlinks (Excel's per-sheet limit)"
                ),
            });
        }
        match table.name {
            MATRIX => {
                sheet.set_freeze_panes(1, 2)?;
                add_validations(sheet, table, model.owners.len())?;
                sheet.set_active(true);
            }
            COVERAGE => {
                sheet.set_freeze_panes(1, 0)?;
                add_charts(sheet, model)?;
            }
            _ => {
                sheet.set_freeze_panes(1, 0)?;
            }
        }
    }
    Ok(workbook)
}

/// Counts the rows written and tells the caller every so often.
struct RowCounter<'p> {
    done: usize,
    total: usize,
    every: usize,
    next: usize,
    progress: &'p mut dyn FnMut(WriteProgress) -> ControlFlow<()>,
}

impl RowCounter<'_> {
    /// `n` more rows written; reports (and heeds a stop) when a step is crossed.
    fn tick(&mut self, n: usize) -> Result<(), MatrixError> {
        self.done += n;
        if self.done >= self.next {
            self.next = self.done + self.every;
            self.report()?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), MatrixError> {
        self.done = self.total;
        self.report()
    }

    fn report(&mut self) -> Result<(), MatrixError> {
        match (self.progress)(WriteProgress {
            rows_done: self.done.min(self.total),
            rows_total: self.total,
        }) {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(()) => Err(MatrixError::Stopped),
        }
    }
}

fn set_content_hash(t: &mut Table, hash: &str) {
    let Some(key_col) = t.column(KEY) else {
        return;
    };
    for row in &mut t.rows {
        if row.cells.get(key_col).map(|c| c.text()).as_deref() == Some(CONTENT_HASH_KEY) {
            row.cells[1] = Cell::Text(hash.to_string());
        }
    }
}

/// The workbook's creation time is the export time the api passed in, never the clock: the same
/// model always gives the same file.
fn creation_time(generated_at: &str) -> ExcelDateTime {
    let head: String = generated_at.chars().take(19).collect();
    ExcelDateTime::parse_from_str(&head)
        .or_else(|_| ExcelDateTime::from_ymd(2000, 1, 1))
        .unwrap_or_else(|_| unreachable!("2000-01-01 is a valid Excel date"))
}

/// Writes headers and rows; returns how many cells referred to catalogue entries.
fn write_table(
    sheet: &mut Worksheet,
    table: &Table,
    f: &Formats,
    catalogue_rows: &HashMap<QualifiedRef, u32>,
    rows: &mut RowCounter,
) -> Result<usize, MatrixError> {
    for (c, col) in table.columns.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, col.header, &f.header)?;
        sheet.set_column_width(c, col.width)?;
        if col.hidden {
            sheet.set_column_hidden(c)?;
        }
    }
    // Each column's body format, chosen once.
    let formats: Vec<&Format> = table
        .columns
        .iter()
        .map(|col| match (matches!(col.role, Role::Edit(_)), col.wrap) {
            (true, true) => &f.editable_wrap,
            (true, false) => &f.editable,
            (false, true) => &f.wrap,
            (false, false) => &f.body,
        })
        .collect();
    let mut link_cells = 0usize;
    for (r, row) in table.rows.iter().enumerate() {
        rows.tick(1)?;
        let r = r as u32 + 1;
        for (c, (cell, &format)) in row.cells.iter().zip(&formats).enumerate() {
            let c = c as u16;
            match cell {
                // Always a string cell: text starting with = + - @ stays text, never a formula.
                Cell::Text(s) if s.is_empty() => {
                    sheet.write_blank(r, c, format)?;
                }
                Cell::Text(s) => {
                    sheet.write_string_with_format(r, c, s, format)?;
                }
                Cell::Number(n) => {
                    sheet.write_number_with_format(r, c, *n, format)?;
                }
                Cell::Coverage(cov) => {
                    sheet.write_string_with_format(r, c, cov.as_str(), f.coverage(*cov))?;
                }
                Cell::Refs { text, first } => {
                    let target = first.as_ref().and_then(|q| catalogue_rows.get(q));
                    match target {
                        Some(cat_row) if !text.is_empty() => {
                            link_cells += 1;
                            if link_cells <= MAX_LINKS_PER_SHEET {
                                let url =
                                    Url::new(format!("internal:{CATALOGUE}!A{}", cat_row + 1));
                                sheet.write_url_with_options(r, c, url, text, "", Some(&f.link))?;
                            } else {
                                sheet.write_string_with_format(r, c, text, format)?;
                            }
                        }
                        _ if text.is_empty() => {
                            sheet.write_blank(r, c, format)?;
                        }
                        _ => {
                            sheet.write_string_with_format(r, c, text, format)?;
                        }
                    }
                }
            }
        }
    }
    let last_visible = table.columns.iter().rposition(|c| !c.hidden).unwrap_or(0) as u16;
    sheet.autofilter(0, 0, table.rows.len() as u32, last_visible)?;
    Ok(link_cells)
}

fn add_validations(sheet: &mut Worksheet, table: &Table, owners: usize) -> Result<(), MatrixError> {
    let last = table.rows.len() as u32;
    if last == 0 {
        return Ok(());
    }
    for (c, col) in table.columns.iter().enumerate() {
        let Role::Edit(field) = col.role else {
            continue;
        };
        let c = c as u16;
        let dv = match field {
            EditableField::CoverageOverride => {
                let names: Vec<&str> = Coverage::ALL.iter().map(|c| c.as_str()).collect();
                DataValidation::new()
                    .allow_list_strings(&names)?
                    .set_input_title("Coverage override")?
                    .set_input_message(
                        "Replace the coverage the rules give. Write why in Override reason. Leave blank to keep the rules' coverage.",
                    )?
                    .set_error_title("Not a coverage")?
                    .set_error_message("Choose inherited, partial, workload, gap or not_applicable.")?
            }
            EditableField::Owner if owners > 0 => DataValidation::new()
                .allow_list_formula(Formula::new(format!("='{INTEGRITY_SHEET}'!$D$1:$D${owners}")))
                .set_error_style(DataValidationErrorStyle::Information)
                .set_input_title("Owner")?
                .set_input_message("Who is accountable for meeting this requirement. Pick from the list or type a name.")?,
            other => DataValidation::new()
                .allow_text_length(DataValidationRule::LessThanOrEqualTo(EXCEL_CELL_LIMIT as u32))
                .set_input_title(other.header())?
                .set_input_message(match other {
                    EditableField::OverrideReason => "Why the coverage override holds. An override without a reason is not merged back.",
                    EditableField::Evidence => "Where the evidence is: document names, links, ticket ids.",
                    EditableField::Owner => "Who is accountable for meeting this requirement.",
                    _ => "Free notes; merged back by crosswalk import-matrix.",
                })?,
        };
        sheet.add_data_validation(1, c, last, c, &dv)?;
    }
    Ok(())
}

fn add_charts(sheet: &mut Worksheet, model: &MatrixModel) -> Result<(), MatrixError> {
    let caps = model.coverage_by_capability.len() as u32;
    let doms = model.coverage_by_domain.len() as u32;
    let groups = [
        ("Coverage by CAF capability", 1, caps),
        ("Coverage by workplan domain", caps + 1, doms),
    ];
    let mut anchor_row = 1u32;
    for (title, first, count) in groups {
        if count == 0 {
            continue;
        }
        let last = first + count - 1;
        let mut chart = Chart::new(ChartType::BarStacked);
        chart.title().set_name(title);
        for (i, cov) in Coverage::ALL.iter().enumerate() {
            let col = 2 + i as u16;
            chart
                .add_series()
                .set_categories((COVERAGE, first, 1, last, 1))
                .set_values((COVERAGE, first, col, last, col))
                .set_name((COVERAGE, 0, col))
                .set_format(
                    ChartFormat::new()
                        .set_solid_fill(ChartSolidFill::new().set_color(coverage_colour(*cov))),
                );
        }
        let height = 120 + 28 * count;
        chart.set_width(720).set_height(height);
        sheet.insert_chart(anchor_row, 10, &chart)?;
        anchor_row += height / 20 + 2;
    }
    Ok(())
}

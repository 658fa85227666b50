//! The xlsx writer: lays the tables out as an audit-ready workbook and seals it.

use crate::model::MatrixModel;
use crate::snapshot::{self, INTEGRITY_SHEET, KEY_ID_COLUMN, SNAPSHOT_FORMAT};
use crate::tables::{
    self, Cell, Role, Table, ABOUT, CATALOGUE, CONTENT_HASH_KEY, COVERAGE, EXCEL_CELL_LIMIT, KEY,
    MATRIX,
};
use crate::{EditableField, ExportWarning, MatrixError};
use crosswalk_domain::{Coverage, QualifiedRef};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartSolidFill, ChartType, DataValidation, DataValidationErrorStyle,
    DataValidationRule, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula,
    Url, Workbook, Worksheet,
};
use std::collections::HashMap;

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
    coverage: HashMap<Coverage, Format>,
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
                    (
                        *c,
                        body.clone()
                            .set_bold()
                            .set_background_color(coverage_colour(*c)),
                    )
                })
                .collect(),
            body,
            editable,
        }
    }
}

/// Writes the matrix as an xlsx workbook sealed with `secret` (the engagement's HMAC key).
///
/// Errors: only `MatrixError::Write`, when rust_xlsxwriter refuses the workbook; over-long cell
/// text is shortened with a marker and reported in `warnings` instead.
pub fn write_xlsx(model: &MatrixModel, secret: &[u8]) -> Result<XlsxExport, MatrixError> {
    let mut warnings = Vec::new();
    let mut tables = tables::build(model, Some(EXCEL_CELL_LIMIT), &mut warnings);
    let snap = snapshot::snapshot(
        &tables,
        &model.engagement.name,
        &model.generated_at,
        &model.catalogue_version,
    );
    let json = serde_json::to_string(&snap)?;
    drop(snap);
    let content_hash = snapshot::seal(secret, &json);
    set_content_hash(&mut tables, &content_hash);

    let catalogue_rows: HashMap<QualifiedRef, u32> = model
        .catalogue
        .iter()
        .enumerate()
        .map(|(i, e)| (e.reference.clone(), i as u32 + 1))
        .collect();

    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("Traceability matrix — {}", model.engagement.name))
            .set_company(&model.engagement.customer)
            .set_author(&model.generated_by)
            .set_comment("Exported by Crosswalk; check with `crosswalk verify`.")
            .set_creation_datetime(&creation_time(&model.generated_at)),
    );
    let formats = Formats::new();
    for table in &tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(table.name)?;
        let links = write_table(sheet, table, &formats, &catalogue_rows)?;
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

    let integrity = workbook.add_worksheet();
    integrity.set_name(INTEGRITY_SHEET)?;
    integrity.write_string(0, 0, SNAPSHOT_FORMAT)?;
    integrity.write_string(0, 1, &content_hash)?;
    let parts = snapshot::chunks(&json);
    integrity.write_number(0, 2, parts.len() as f64)?;
    integrity.write_string(0, KEY_ID_COLUMN, snapshot::key_id(secret))?;
    for (i, part) in parts.iter().enumerate() {
        integrity.write_string(i as u32 + 1, 0, part)?;
    }
    // The Owner dropdown reads its choices from here: a literal list is capped at 255 characters.
    for (i, owner) in model.owners.iter().enumerate() {
        integrity.write_string(i as u32, 3, owner)?;
    }
    integrity.set_very_hidden(true);
    // The workbook holds its own copy of every cell now: free the tables and the snapshot before
    // it assembles the file, which is when memory peaks.
    drop(parts);
    drop(json);
    drop(tables);

    let bytes = workbook.save_to_buffer()?;
    Ok(XlsxExport {
        bytes,
        content_hash,
        warnings,
    })
}

fn set_content_hash(tables: &mut [Table], hash: &str) {
    for t in tables.iter_mut().filter(|t| t.name == ABOUT) {
        let Some(key_col) = t.column(KEY) else {
            continue;
        };
        for row in &mut t.rows {
            if row.cells.get(key_col).map(|c| c.text()).as_deref() == Some(CONTENT_HASH_KEY) {
                row.cells[1] = Cell::Text(hash.to_string());
            }
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
) -> Result<usize, MatrixError> {
    for (c, col) in table.columns.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, col.header, &f.header)?;
        sheet.set_column_width(c, col.width)?;
        if col.hidden {
            sheet.set_column_hidden(c)?;
        }
    }
    let mut link_cells = 0usize;
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, (cell, col)) in row.cells.iter().zip(&table.columns).enumerate() {
            let c = c as u16;
            let editable = matches!(col.role, Role::Edit(_));
            let format = match (editable, col.wrap) {
                (true, true) => &f.editable_wrap,
                (true, false) => &f.editable,
                (false, true) => &f.wrap,
                (false, false) => &f.body,
            };
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
                    let fmt = f.coverage.get(cov).unwrap_or(format);
                    sheet.write_string_with_format(r, c, cov.as_str(), fmt)?;
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

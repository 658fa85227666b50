//! The demo customer's requirement workbook: a readable TOML source → an xlsx shaped like the
//! sheets customers really send (title and instructions above the header, a merged section
//! column, optional ids, extra bookkeeping columns).

use anyhow::{bail, Context, Result};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};
use serde::Deserialize;

/// Where the source lives, relative to the workspace root.
pub const SOURCE_PATH: &str = "data/samples/demo-requirements.toml";
/// Where the generated workbook lives, relative to the workspace root.
pub const OUTPUT_PATH: &str = "data/samples/demo-requirements.xlsx";

/// The 1-based Excel row of the header; the title and instructions rows sit above it.
pub const HEADER_ROW: u32 = 3;

/// The whole source file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSample {
    pub workbook: WorkbookInfo,
    pub section: Vec<Section>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkbookInfo {
    pub sheet: String,
    pub title: String,
    pub instructions: String,
    /// Column headers in order; the first is the merged section column.
    pub headers: Vec<String>,
}

/// One security domain: its name is merged down over its rows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub name: String,
    pub requirement: Vec<Requirement>,
}

/// One row of the sheet. Empty strings are left as empty cells, as customers leave them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    #[serde(default)]
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub comments: String,
}

impl Requirement {
    /// The values after the section column, in header order.
    fn cells(&self) -> [&str; 7] {
        [
            &self.id,
            &self.text,
            &self.reference,
            &self.priority,
            &self.owner,
            &self.source,
            &self.comments,
        ]
    }
}

impl DemoSample {
    pub fn requirement_count(&self) -> usize {
        self.section.iter().map(|s| s.requirement.len()).sum()
    }
}

/// Reads and checks the source: the header list must match the row shape, ids must be unique.
pub fn parse(text: &str) -> Result<DemoSample> {
    let sample: DemoSample = toml::from_str(text).context("the demo sample source is not valid")?;
    if sample.workbook.headers.len() != 8 {
        bail!(
            "the demo sample needs 8 headers (section + 7 row columns), found {}",
            sample.workbook.headers.len()
        );
    }
    let mut seen = std::collections::HashMap::new();
    for section in &sample.section {
        if section.requirement.is_empty() {
            bail!("section '{}' has no requirements", section.name);
        }
        for (i, r) in section.requirement.iter().enumerate() {
            if r.text.trim().is_empty() {
                bail!(
                    "section '{}', requirement {}: the text is empty",
                    section.name,
                    i + 1
                );
            }
            if !r.id.is_empty() {
                if let Some(first) = seen.insert(r.id.clone(), section.name.clone()) {
                    bail!(
                        "id {} is used twice (sections '{first}' and '{}')",
                        r.id,
                        section.name
                    );
                }
            }
        }
    }
    Ok(sample)
}

/// Builds the workbook and returns its bytes.
pub fn build(sample: &DemoSample) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    // A fixed creation time keeps the generated file identical from run to run, so a regenerated
    // workbook only shows up in `git status` when its content changed.
    let created = ExcelDateTime::from_ymd(2024, 3, 12)?.and_hms(9, 0, 0)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&sample.workbook.title)
            .set_company("Harbourline Logistics (fictional)")
            .set_author("Harbourline Security Architecture")
            .set_creation_datetime(&created),
    );
    let sheet = workbook.add_worksheet();
    sheet.set_name(&sample.workbook.sheet)?;
    write_sheet(sheet, sample)?;
    Ok(workbook.save_to_buffer()?)
}

fn write_sheet(sheet: &mut Worksheet, sample: &DemoSample) -> Result<()> {
    let last_col = (sample.workbook.headers.len() - 1) as u16;
    let title = Format::new().set_bold().set_font_size(14);
    let instructions = Format::new()
        .set_italic()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_font_color("#595959");
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color("#1F3864")
        .set_font_color("#FFFFFF")
        .set_border(FormatBorder::Thin);
    let section = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
        .set_align(FormatAlign::Center)
        .set_background_color("#D9E1F2")
        .set_border(FormatBorder::Thin);
    let body = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);

    sheet.merge_range(0, 0, 0, last_col, &sample.workbook.title, &title)?;
    sheet.set_row_height(0, 24)?;
    sheet.merge_range(
        1,
        0,
        1,
        last_col,
        &sample.workbook.instructions,
        &instructions,
    )?;
    sheet.set_row_height(1, 48)?;

    let header_row = HEADER_ROW - 1;
    for (col, name) in sample.workbook.headers.iter().enumerate() {
        sheet.write_string_with_format(header_row, col as u16, name, &header)?;
    }

    let widths = [18.0, 11.0, 70.0, 20.0, 11.0, 22.0, 30.0, 34.0];
    for (col, width) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }

    let mut row = header_row + 1;
    for s in &sample.section {
        let first = row;
        for r in &s.requirement {
            for (i, value) in r.cells().into_iter().enumerate() {
                let col = (i + 1) as u16;
                if value.is_empty() {
                    // Customers leave cells blank rather than writing an empty string; a blank
                    // with a border keeps the table looking whole.
                    sheet.write_blank(row, col, &body)?;
                } else {
                    sheet.write_string_with_format(row, col, value, &body)?;
                }
            }
            row += 1;
        }
        let last = row - 1;
        if last > first {
            sheet.merge_range(first, 0, last, 0, &s.name, &section)?;
        } else {
            sheet.write_string_with_format(first, 0, &s.name, &section)?;
        }
    }
    sheet.set_freeze_panes(HEADER_ROW, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_id_in_the_source_is_refused_with_both_sections() {
        let text = r#"
            [workbook]
            sheet = "S"
            title = "T"
            instructions = "I"
            headers = ["Domain", "Req ID", "Requirement", "Reference", "Priority", "Owner", "Source", "Comments"]
            [[section]]
            name = "A"
            [[section.requirement]]
            id = "X-1"
            text = "one"
            [[section]]
            name = "B"
            [[section.requirement]]
            id = "X-1"
            text = "two"
        "#;
        let err = parse(text).unwrap_err().to_string();
        assert!(
            err.contains("X-1") && err.contains("'A'") && err.contains("'B'"),
            "{err}"
        );
    }
}

//! Reading customer sheets (xlsx/xls/ods/csv) into requirement records. No database.
//!
//! [`read_requirements`] takes a file name and its bytes and returns a [`SheetImport`]: the
//! requirements and a report of every choice made on the way (sheet, header row, column roles,
//! skipped rows, warnings), complete enough for a preview. Nothing here touches a path, the
//! clock or a database; storing the result is the caller's job.

mod build;
mod cells;
mod choose;
mod csv;
mod detect;
mod error;
mod grid;
pub mod ids;
mod ods;
mod workbook;

pub use error::{Duplicate, Location, SheetError};
pub use workbook::panic_is_contained;

use crosswalk_domain::{
    ColumnInfo, ColumnRole, ImportWarning, ImportedRequirement, SheetImport, SheetReport,
};
use detect::Layout;
use grid::RawSheet;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Explicit choices that override detection. Serialisable, so a set of choices can be saved as
/// a named profile and reused for the next file of the same template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportOptions {
    /// Sheets to import (`--sheet`, may repeat); empty means detect.
    pub sheets: Vec<String>,
    /// Import every sheet that has a header (`--all-sheets`).
    pub all_sheets: bool,
    /// 1-based header row (`--header-row`), applied to every imported sheet.
    pub header_row: Option<u32>,
    /// Explicit column roles by header (or by column letter). Several `id` columns are read as
    /// hierarchy levels, left to right.
    pub roles: Vec<(String, ColumnRole)>,
}

const WORKBOOK_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Reads the requirements of one spreadsheet or delimited-text file.
///
/// `file_name` is used for the format hint (its extension), the CSV sheet name and messages.
/// Errors name the file, and the sheet, row and column where they can.
pub fn read_requirements(
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<SheetImport, SheetError> {
    let file = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .to_string();
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SheetError::Empty { file });
    }
    let (stem, ext) = match file.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_string(), e.to_ascii_lowercase()),
        _ => (file.clone(), String::new()),
    };
    let mut notes: Vec<String> = Vec::new();
    let sheets: Vec<RawSheet> = if workbook::is_zip(bytes) || workbook::is_cfb(bytes) {
        let (kind, sheets, more) = workbook::contained(&file, || {
            let kind = workbook::sniff(&file, bytes)?;
            if kind == workbook::Kind::Ods {
                ods::check(&file, bytes)?;
            }
            let (sheets, more) = workbook::read(&file, bytes, kind)?;
            Ok((kind, sheets, more))
        })?;
        notes.push(format!("read as a {}", kind.name()));
        notes.extend(more);
        sheets
    } else if WORKBOOK_EXTENSIONS.contains(&ext.as_str()) {
        return Err(SheetError::NotASpreadsheet {
            file,
            detail: format!("the name ends in .{ext} but the content is not a workbook"),
        });
    } else {
        let (sheet, more) = csv::read(&file, bytes, &stem, ext == "tsv")?;
        notes.extend(more);
        vec![sheet]
    };
    if sheets.iter().all(|s| s.rows.is_empty()) {
        return Err(SheetError::Empty { file });
    }
    import(&file, bytes, sheets, options, notes)
}

fn import(
    file: &str,
    bytes: &[u8],
    mut sheets: Vec<RawSheet>,
    options: &ImportOptions,
    mut notes: Vec<String>,
) -> Result<SheetImport, SheetError> {
    let explicit = !options.sheets.is_empty();
    for wanted in &options.sheets {
        if !sheets.iter().any(|s| s.name == *wanted) {
            return Err(SheetError::UnknownSheet {
                file: file.to_string(),
                wanted: wanted.clone(),
                available: sheets
                    .iter()
                    .map(|s| format!("'{}'", s.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }

    // Analyse the sheets: header, merged cells, roles. A named sheet must analyse; the others
    // may fail and are then reported as not imported.
    let single = sheets.len() == 1;
    let mut layouts: Vec<Option<Layout>> = Vec::with_capacity(sheets.len());
    let mut skipped: Vec<(String, String)> = Vec::new();
    for sheet in sheets.iter_mut() {
        let named = options.sheets.contains(&sheet.name);
        if explicit && !named {
            layouts.push(None);
            continue;
        }
        if sheet.rows.is_empty() {
            if named {
                return Err(SheetError::Empty {
                    file: file.to_string(),
                });
            }
            skipped.push((sheet.name.clone(), "it is empty".into()));
            layouts.push(None);
            continue;
        }
        match analyse(file, sheet, options) {
            Ok(l) => layouts.push(Some(l)),
            Err(e) if named || single => return Err(e),
            Err(e @ SheetError::NoHeader { .. }) => {
                skipped.push((sheet.name.clone(), no_header_reason(&e)));
                layouts.push(None);
            }
            Err(e) => return Err(e),
        }
    }
    let candidates: Vec<choose::Candidate<'_>> = sheets
        .iter()
        .zip(&layouts)
        .enumerate()
        .filter_map(|(i, (s, l))| l.as_ref().map(|l| choose::Candidate::new(i, s, l)))
        .collect();

    let (chosen, sheet_as_section, alternatives) = if explicit {
        let chosen: Vec<usize> = (0..sheets.len())
            .filter(|i| options.sheets.contains(&sheets[*i].name))
            .collect();
        notes.push(format!(
            "imported the sheet(s) named explicitly: {}",
            options
                .sheets
                .iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        (chosen.clone(), chosen.len() > 1, Vec::new())
    } else if options.all_sheets || single {
        let chosen: Vec<usize> = candidates.iter().map(|c| c.position).collect();
        if options.all_sheets {
            notes.push("imported every sheet that has a header (--all-sheets)".into());
            for (s, why) in &skipped {
                notes.push(format!("not imported: sheet '{s}': {why}"));
            }
        }
        (chosen.clone(), chosen.len() > 1, Vec::new())
    } else {
        match choose::plan(&candidates, &skipped) {
            Some(plan) => {
                notes.extend(plan.notes);
                (plan.sheets, plan.sheet_as_section, plan.alternatives)
            }
            None => {
                let detail = if skipped.is_empty() {
                    "no sheet has an id or text column under a header".to_string()
                } else {
                    skipped
                        .iter()
                        .map(|(s, why)| format!("'{s}': {why}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                return Err(SheetError::NoRequirementSheet {
                    file: file.to_string(),
                    detail,
                });
            }
        }
    };
    if chosen.is_empty() {
        return Err(SheetError::NoRequirementSheet {
            file: file.to_string(),
            detail: "no sheet has a header row".into(),
        });
    }

    let mut reports = Vec::new();
    let mut requirements = Vec::new();
    let mut warnings = Vec::new();
    for i in chosen {
        let (sheet, Some(layout)) = (&sheets[i], &layouts[i]) else {
            continue;
        };
        let mut sheet_notes = vec![layout.header_reason.clone()];
        if layout.header_bottom > layout.header_top {
            sheet_notes.push(format!(
                "the header spans rows {}–{} (merged cells); their labels are joined with ' / '",
                layout.header_top + 1,
                layout.header_bottom + 1
            ));
        }
        if let Some(declared) = sheet.declared_rows {
            let real = sheet.rows.len() as u32;
            if declared > real.saturating_mul(2).max(real + 1000) {
                sheet_notes.push(format!(
                    "the sheet claims {declared} rows but only {real} hold content; the empty ones were not read"
                ));
            }
        }
        if sheet.delimited {
            let header_fields = sheet
                .row(layout.header_bottom)
                .map(|r| r.fields)
                .unwrap_or(0);
            let short = csv::check_record_lengths(
                file,
                sheet,
                layout.header_bottom,
                header_fields,
                &layout.headers(),
            )?;
            for (row, message) in short {
                warnings.push(ImportWarning {
                    sheet: Some(sheet.name.clone()),
                    row: Some(row),
                    column: None,
                    message,
                });
            }
        }
        let built = build::build(sheet, layout, sheet_as_section);
        sheet_notes.extend(built.notes);
        warnings.extend(built.warnings);
        reports.push(SheetReport {
            name: sheet.name.clone(),
            header_row: layout.header_bottom + 1,
            columns: layout
                .columns
                .iter()
                .map(|c| ColumnInfo {
                    index: c.index,
                    header: c.header.clone(),
                    role: c.role,
                    reason: c.reason.clone(),
                })
                .collect(),
            rows: built.requirements.len() as u32,
            notes: sheet_notes,
        });
        requirements.extend(built.requirements);
    }

    let (requirements, repeats) = drop_repeats(file, requirements)?;
    for (sheet, row, reference) in repeats {
        if let Some(r) = reports.iter_mut().find(|r| r.name == sheet) {
            r.rows = r.rows.saturating_sub(1);
            r.notes.push(format!(
                "row {row} only repeats the id and title of '{reference}' above it (a closing label) and was skipped"
            ));
        }
    }

    Ok(SheetImport {
        file: file.to_string(),
        file_sha256: hex::encode(Sha256::digest(bytes)),
        sheets: reports,
        requirements,
        warnings,
        notes,
        alternative_sheets: alternatives,
    })
}

fn no_header_reason(e: &SheetError) -> String {
    match e {
        SheetError::NoHeader { detail, .. } => format!("no header row ({detail})"),
        other => other.to_string(),
    }
}

fn analyse(
    file: &str,
    sheet: &mut RawSheet,
    options: &ImportOptions,
) -> Result<Layout, SheetError> {
    let (row, reason) = detect::find_header(file, sheet, options.header_row)?;
    let (top, bottom) = detect::header_span(sheet, row);
    sheet.fill_merges(top, bottom);
    detect::roles(file, sheet, top, bottom, reason, &options.roles)
}

/// (sheet, 1-based row, ref) of a row dropped as a closing label.
type Repeat = (String, u32, String);

/// Refs must be unique. A later row that only repeats an earlier row's id and title, adding no
/// text of its own, is a closing label (the CSF core ends each function so) and is dropped;
/// any other repeated id is an error listing every row that carries it.
fn drop_repeats(
    file: &str,
    requirements: Vec<ImportedRequirement>,
) -> Result<(Vec<ImportedRequirement>, Vec<Repeat>), SheetError> {
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut kept: Vec<ImportedRequirement> = Vec::with_capacity(requirements.len());
    let mut repeats = Vec::new();
    let mut dups: Vec<Duplicate> = Vec::new();
    for r in requirements {
        match first.get(&r.reference) {
            None => {
                first.insert(r.reference.clone(), kept.len());
                kept.push(r);
            }
            Some(&i) => {
                let earlier = &kept[i];
                let adds_nothing = r.text.is_empty()
                    && (r.title.is_empty() || r.title == earlier.title)
                    && r.attributes
                        .iter()
                        .all(|(h, v)| earlier.attributes.get(h) == Some(v));
                if adds_nothing && !r.generated_ref {
                    repeats.push((r.sheet.clone(), r.row, r.reference.clone()));
                    continue;
                }
                let written = |x: &ImportedRequirement| {
                    x.source_ref.clone().unwrap_or_else(|| x.reference.clone())
                };
                match dups.iter_mut().find(|d| d.reference == r.reference) {
                    Some(d) => d.rows.push((r.sheet.clone(), r.row, written(&r))),
                    None => dups.push(Duplicate {
                        reference: r.reference.clone(),
                        rows: vec![
                            (earlier.sheet.clone(), earlier.row, written(earlier)),
                            (r.sheet.clone(), r.row, written(&r)),
                        ],
                    }),
                }
            }
        }
    }
    if dups.is_empty() {
        Ok((kept, repeats))
    } else {
        Err(SheetError::DuplicateIds {
            file: file.to_string(),
            duplicates: dups,
        })
    }
}

/// A digest of what a requirement says (title, text, section, parent, withdrawn, attributes),
/// not of where it sits: a re-import compares it to tell changed requirements from unchanged
/// ones, and a row that only moved is unchanged.
pub fn content_hash(r: &ImportedRequirement) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    field(&r.reference);
    field(&r.title);
    field(&r.text);
    field(r.section.as_deref().unwrap_or("\u{0}none"));
    field(r.parent.as_deref().unwrap_or("\u{0}none"));
    field(if r.withdrawn { "withdrawn" } else { "" });
    for (k, v) in r.attributes.iter() {
        field(k);
        field(v);
    }
    hex::encode(h.finalize())
}

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
    let mut requirements = Vec::new();
    let mut read = read_requirements_streamed(file_name, bytes, options, &mut |r| {
        requirements.push(r);
        true
    })?;
    read.requirements = requirements;
    Ok(read)
}

/// As [`read_requirements`], but hands each requirement to `emit` as soon as it is built
/// (in source order) instead of collecting them: the caller can store them while the rest is
/// still being read. The returned import has no requirements; everything else (sheets and
/// their row counts, warnings, notes) is complete.
///
/// Some checks need every row: a repeated id is reported (as [`SheetError::DuplicateIds`])
/// only after the rows before it were emitted, so a caller that stores as it goes must be able
/// to undo what it stored (one transaction). `emit` returns false to stop reading; the
/// result is then [`SheetError::Stopped`].
pub fn read_requirements_streamed(
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
    emit: &mut dyn FnMut(ImportedRequirement) -> bool,
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
    import(&file, bytes, sheets, options, notes, emit)
}

fn import(
    file: &str,
    bytes: &[u8],
    mut sheets: Vec<RawSheet>,
    options: &ImportOptions,
    mut notes: Vec<String>,
    emit: &mut dyn FnMut(ImportedRequirement) -> bool,
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
    let mut repeats = Repeats::default();
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
        let built = build::build(sheet, layout, sheet_as_section, &mut |r| {
            repeats.pass(r, &mut *emit)
        });
        if built.stopped {
            return Err(SheetError::Stopped {
                file: file.to_string(),
            });
        }
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
            rows: built.rows,
            notes: sheet_notes,
        });
    }

    let dropped = repeats.finish(file)?;
    for (sheet, row, reference) in dropped {
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
        requirements: Vec::new(),
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

/// What [`Repeats`] remembers of the first row carrying an id: enough to tell a closing label
/// from a real duplicate without keeping the row (digests of its title and attributes).
struct Earlier {
    sheet: String,
    row: u32,
    /// The id as written, when it differs from the ref.
    source_ref: Option<String>,
    title: u64,
    /// Digests of its (header, value) pairs, sorted.
    attributes: Vec<u64>,
}

fn digest<T: std::hash::Hash + ?Sized>(value: &T) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(value)
}

/// Refs must be unique. A later row that only repeats an earlier row's id and title, adding no
/// text of its own, is a closing label (the CSF core ends each function so) and is dropped;
/// any other repeated id is an error listing every row that carries it. Works as the rows
/// stream past: the rows are passed on, and [`Repeats::finish`] reports the duplicates.
#[derive(Default)]
struct Repeats {
    first: HashMap<String, Earlier>,
    dropped: Vec<Repeat>,
    dups: Vec<Duplicate>,
}

impl Repeats {
    /// Passes `r` on to `emit` unless it repeats an earlier id; false when `emit` stops.
    fn pass(
        &mut self,
        r: ImportedRequirement,
        emit: &mut dyn FnMut(ImportedRequirement) -> bool,
    ) -> bool {
        let Some(earlier) = self.first.get(&r.reference) else {
            let mut attributes: Vec<u64> = r.attributes.iter().map(|p| digest(&p)).collect();
            attributes.sort_unstable();
            self.first.insert(
                r.reference.clone(),
                Earlier {
                    sheet: r.sheet.clone(),
                    row: r.row,
                    source_ref: r.source_ref.clone(),
                    title: digest(r.title.as_str()),
                    attributes,
                },
            );
            return emit(r);
        };
        let adds_nothing = r.text.is_empty()
            && (r.title.is_empty() || digest(r.title.as_str()) == earlier.title)
            && r.attributes
                .iter()
                .all(|p| earlier.attributes.binary_search(&digest(&p)).is_ok());
        if adds_nothing && !r.generated_ref {
            self.dropped
                .push((r.sheet.clone(), r.row, r.reference.clone()));
            return true;
        }
        let written = r.source_ref.clone().unwrap_or_else(|| r.reference.clone());
        match self.dups.iter_mut().find(|d| d.reference == r.reference) {
            Some(d) => d.rows.push((r.sheet.clone(), r.row, written)),
            None => self.dups.push(Duplicate {
                reference: r.reference.clone(),
                rows: vec![
                    (
                        earlier.sheet.clone(),
                        earlier.row,
                        earlier
                            .source_ref
                            .clone()
                            .unwrap_or_else(|| r.reference.clone()),
                    ),
                    (r.sheet.clone(), r.row, written),
                ],
            }),
        }
        true
    }

    /// The rows dropped as closing labels, or the duplicate ids.
    fn finish(self, file: &str) -> Result<Vec<Repeat>, SheetError> {
        if self.dups.is_empty() {
            Ok(self.dropped)
        } else {
            Err(SheetError::DuplicateIds {
                file: file.to_string(),
                duplicates: self.dups,
            })
        }
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

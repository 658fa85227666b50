//! One measured operation, run alone in its own process so its peak memory is its own: the
//! parent starts `crosswalk-bench measure CASE …`, the child does the work, times the part
//! being compared, and prints one JSON line with the seconds and its peak resident memory.

use anyhow::{bail, Context, Result};
use calamine::{Data, Reader};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// What a child reports.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Sample {
    pub seconds: f64,
    /// Peak resident set size of the whole process, in KiB (VmHWM).
    pub peak_rss_kb: u64,
    /// What was done, so a run can be checked for doing the same work on both sides.
    pub detail: String,
}

/// The process's peak resident memory so far, from `/proc/self/status` (Linux).
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn actor() -> crosswalk_api::Actor {
    // Benchmarks are the one place a fixed clock does no harm and keeps runs comparable.
    crosswalk_api::Actor::new("bench", time::macros::datetime!(2025-05-02 10:00 UTC))
}

pub(crate) fn timed(f: impl FnOnce() -> Result<String>) -> Result<Sample> {
    let t = Instant::now();
    let detail = f()?;
    let seconds = t.elapsed().as_secs_f64();
    Ok(Sample {
        seconds,
        peak_rss_kb: peak_rss_kb(),
        detail,
    })
}

/// calamine alone: open the workbook and read every cell of every sheet into a range, touching
/// each value, as a hand-written reader would.
pub fn calamine_read(file: &Path) -> Result<Sample> {
    timed(|| {
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(file)
            .with_context(|| format!("calamine cannot open {}", file.display()))?;
        let (mut cells, mut bytes) = (0usize, 0usize);
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name)?;
            for (_, _, v) in range.used_cells() {
                cells += 1;
                bytes += match v {
                    Data::String(s) => s.len(),
                    _ => 8,
                };
            }
        }
        Ok(format!("{cells} cells, {bytes} bytes of text"))
    })
}

/// The csv crate alone: every record, every field decoded as UTF-8.
pub fn csv_read(file: &Path) -> Result<Sample> {
    timed(|| {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(file)?;
        let (mut cells, mut bytes) = (0usize, 0usize);
        let mut record = csv::StringRecord::new();
        while r.read_record(&mut record)? {
            for f in record.iter() {
                if !f.is_empty() {
                    cells += 1;
                    bytes += f.len();
                }
            }
        }
        Ok(format!("{cells} cells, {bytes} bytes of text"))
    })
}

/// Crosswalk's reader alone: the file's bytes read, then `read_requirements` (safety checks,
/// calamine, the grid, header and role detection, the requirements built); nothing stored.
pub fn sheets_read(file: &Path) -> Result<Sample> {
    timed(|| {
        let bytes = std::fs::read(file)?;
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        let read = crosswalk_sheets::read_requirements(
            &name.unwrap_or_default(),
            &bytes,
            &crosswalk_sheets::ImportOptions::default(),
        )?;
        Ok(format!("{} requirements read", read.requirements.len()))
    })
}

/// Crosswalk's import end to end (read, detect, normalise, store, index) into an engagement
/// file that exists but holds no requirements yet; making the file is not timed.
pub fn import(file: &Path, db: &Path) -> Result<Sample> {
    if db.exists() {
        bail!(
            "{} exists; the import is measured into a fresh engagement",
            db.display()
        );
    }
    // The migration baseline enables landing-zone controls, so coverage is not all gaps.
    crosswalk_api::create_engagement(
        db,
        &actor(),
        "Bench customer",
        &[],
        Some("migration-baseline"),
    )
    .context("creating the engagement")?;
    timed(|| {
        let report = crosswalk_api::import(
            db,
            &actor(),
            &crosswalk_api::ImportRequest {
                file: file.to_path_buf(),
                set: Some("bench".into()),
                ..Default::default()
            },
        )?;
        Ok(format!(
            "{} requirements added, {} warnings",
            report.added,
            report.warnings.len()
        ))
    })
}

/// Crosswalk's first import, as a consultant's first command runs it: the engagement file does
/// not exist yet, so making it (schema and catalogue copy) is part of the time; the importer
/// makes it on a second thread while it reads the sheet.
pub fn import_new(file: &Path, db: &Path) -> Result<Sample> {
    if db.exists() {
        bail!("{} exists; this import must create it", db.display());
    }
    timed(|| {
        let report = crosswalk_api::import(
            db,
            &actor(),
            &crosswalk_api::ImportRequest {
                file: file.to_path_buf(),
                set: Some("bench".into()),
                ..Default::default()
            },
        )?;
        Ok(format!(
            "new file, {} requirements added, {} warnings",
            report.added,
            report.warnings.len()
        ))
    })
}

/// Ranking suggestions for every requirement and accepting the confident ones in one go.
pub fn suggest(db: &Path) -> Result<Sample> {
    timed(|| {
        let report = crosswalk_api::suggest(
            db,
            &actor(),
            &crosswalk_api::SuggestRequest {
                set: None,
                top: 3,
                accept_above: Some(ACCEPT_ABOVE),
            },
        )?;
        Ok(format!(
            "{} requirements ranked, {} suggestions accepted",
            report.requirements.len(),
            report.accepted
        ))
    })
}

/// The score above which the benchmark accepts suggestions, so the matrix has mappings.
pub const ACCEPT_ABOVE: f64 = 0.5;

/// Crosswalk's xlsx export of the whole engagement. The detail adds the seconds each stage took
/// (from the export's progress reports), so a run shows where the time went.
pub fn export(db: &Path, out: &Path) -> Result<Sample> {
    let start = Instant::now();
    let stages: std::sync::Mutex<Vec<(crosswalk_api::ExportStage, f64)>> = Default::default();
    let progress = |p: crosswalk_api::ExportProgress| {
        let mut s = stages.lock().unwrap_or_else(|e| e.into_inner());
        if s.last().map(|(stage, _)| *stage) != Some(p.stage) {
            s.push((p.stage, start.elapsed().as_secs_f64()));
        }
    };
    let mut sample = timed(|| {
        let report = crosswalk_api::export_controlled(
            db,
            &actor(),
            &crosswalk_api::ExportRequest {
                out: out.to_path_buf(),
                format: Some(crosswalk_api::ExportFormat::Xlsx),
            },
            &crosswalk_api::ExportControl {
                progress: Some(&progress),
                cancel: None,
            },
        )?;
        Ok(format!(
            "{} rows, {} links, {} gaps",
            report.rows, report.links, report.gaps
        ))
    })?;
    let stages = stages.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut parts = Vec::new();
    for (i, (stage, at)) in stages.iter().enumerate() {
        let end = stages.get(i + 1).map(|(_, t)| *t).unwrap_or(sample.seconds);
        parts.push(format!("{} {:.2} s", stage.label(), end - at));
    }
    if !parts.is_empty() {
        sample.detail = format!("{} ({})", sample.detail, parts.join(", "));
    }
    Ok(sample)
}

/// One sheet's name and its non-empty cells as (row, column, value).
pub type SheetCells = (String, Vec<(u32, u16, Data)>);

/// Every cell of a workbook, sheet by sheet, as text or number.
pub struct Cells {
    pub sheets: Vec<SheetCells>,
}

/// Reads every cell of `file` (not timed: only the writing is compared).
pub fn load_cells(file: &Path) -> Result<Cells> {
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(file)
        .with_context(|| format!("calamine cannot open {}", file.display()))?;
    let mut sheets = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name)?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let cells = range
            .used_cells()
            .map(|(r, c, v)| (r0 + r as u32, (c0 as usize + c) as u16, v.clone()))
            .collect();
        sheets.push((name, cells));
    }
    Ok(Cells { sheets })
}

/// rust_xlsxwriter alone writing the same cells as an exported matrix (plain cells: no
/// formats, validations or charts), to a file. The baseline uses the default settings;
/// `low_memory` writes every sheet as a "low memory" worksheet instead (row by row, through a
/// temporary file), for an extra line beside it.
pub fn xlsxwriter_write(matrix: &Path, out: &Path, low_memory: bool) -> Result<Sample> {
    let cells = load_cells(matrix)?;
    timed(|| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let mut count = 0usize;
        for (name, sheet) in &cells.sheets {
            let ws = if low_memory {
                wb.add_worksheet_with_low_memory()?
            } else {
                wb.add_worksheet()
            };
            ws.set_name(name)?;
            for (r, c, v) in sheet {
                match v {
                    Data::Float(f) => {
                        ws.write_number(*r, *c, *f)?;
                    }
                    Data::Int(i) => {
                        ws.write_number(*r, *c, *i as f64)?;
                    }
                    Data::Bool(b) => {
                        ws.write_boolean(*r, *c, *b)?;
                    }
                    other => {
                        ws.write_string(*r, *c, other.to_string())?;
                    }
                }
                count += 1;
            }
        }
        wb.save(out)?;
        let mode = if low_memory { ", low memory" } else { "" };
        Ok(format!(
            "{count} cells in {} sheets{mode}",
            cells.sheets.len()
        ))
    })
}

/// What the desktop's mapping panel asks for each time a row is selected: one requirement,
/// its mappings, its assessments and its top 8 suggestions. `times` calls, the same as
/// moving down that many rows; the detail gives the mean per call.
pub fn detail(db: &Path, set: &str, reference: &str, times: usize) -> Result<Sample> {
    timed(|| {
        let mut suggestions = 0;
        for _ in 0..times.max(1) {
            let d = crosswalk_api::requirement_detail(db, set, reference, 8)?;
            suggestions = d.suggestions.len();
        }
        Ok(format!("{times} calls, {suggestions} suggestions each"))
    })
}

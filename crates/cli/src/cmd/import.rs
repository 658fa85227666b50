use crate::output;
use crate::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The sheet to import: xlsx, xlsm, xlsb, xls, ods, csv, tsv or txt.
    sheet: PathBuf,
    /// The requirement set (default: the file name without extension). An existing set is
    /// re-imported: an upsert with a diff that keeps mappings.
    #[arg(long)]
    set: Option<String>,
    /// The sheet(s) to read; may repeat.
    #[arg(long = "sheet", value_name = "NAME")]
    sheets: Vec<String>,
    /// Read every sheet of the same shape as one set.
    #[arg(long)]
    all_sheets: bool,
    /// The header row, 1-based as in Excel.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    header_row: Option<u32>,
    /// A saved import profile: reuse its choices, or save the choices given here under it.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Show what would be imported; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Say which column holds what, overriding detection: ROLE=HEADER (or ROLE=LETTER), where
    /// ROLE is id (or ref), title, text, section, parent or attribute; may repeat. Saved with
    /// --profile.
    #[arg(long = "column", value_name = "ROLE=HEADER", value_parser = crosswalk_api::parse_column_choice)]
    columns: Vec<(String, crosswalk_domain::ColumnRole)>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let db = ctx.db()?;
    if args.set.is_none() {
        // The set name is taken from the file name: say so when that name cannot be one.
        let stem = args
            .sheet
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if stem.contains(':') || stem.contains('\u{FFFD}') || stem.trim() != stem {
            anyhow::bail!(
                "{}: the set name is taken from the file name, and '{stem}' cannot be one ({}); give --set NAME",
                args.sheet.display(),
                if stem.contains(':') {
                    "a colon separates the set from the ref in SET:REF"
                } else if stem.contains('\u{FFFD}') {
                    "the file name is not valid UTF-8"
                } else {
                    "it starts or ends with a space"
                }
            );
        }
    }
    let request = crosswalk_api::ImportRequest {
        file: args.sheet,
        set: args.set,
        sheets: args.sheets,
        all_sheets: args.all_sheets,
        header_row: args.header_row,
        profile: args.profile,
        dry_run: args.dry_run,
        columns: args.columns,
    };
    let report = crosswalk_api::import(db, &ctx.actor, &request)?;
    // Each warning names the file, then the sheet, row and column it is about.
    for w in &report.warnings {
        if w.sheet.is_some() {
            eprintln!("warning: {}, {w}", report.file);
        } else {
            eprintln!("warning: {}: {w}", report.file);
        }
    }
    // A requirement whose text changed: old and new text, and the decisions made on the old
    // one, which now wait for review.
    let text_changes = if report.dry_run || report.changed == 0 {
        Vec::new()
    } else {
        match crosswalk_api::import_text_changes(db, &report.set) {
            Ok(changes) => changes,
            Err(e) => {
                eprintln!("warning: the import is done, but its text changes cannot be read: {e}");
                Vec::new()
            }
        }
    };
    if ctx.json {
        let mut doc = serde_json::to_value(&report)?;
        doc["text_changes"] = serde_json::to_value(&text_changes)?;
        output::json(&doc)?;
        return Ok(ExitCode::SUCCESS);
    }
    for sheet in &report.sheets {
        eprintln!(
            "sheet '{}': header row {}, {} requirements",
            sheet.name, sheet.header_row, sheet.rows
        );
        // Each role the importer chose, with why; the other columns are kept as attributes.
        for c in &sheet.columns {
            let why = if c.role == crosswalk_domain::ColumnRole::Attribute || c.reason.is_empty() {
                String::new()
            } else {
                format!(" ({})", c.reason)
            };
            eprintln!(
                "  column {:>2} {:<40} {:?}{why}",
                c.index + 1,
                output::clip(&c.header, 40),
                c.role
            );
        }
    }
    for note in &report.notes {
        eprintln!("note: {note}");
    }
    if !report.alternative_sheets.is_empty() {
        eprintln!(
            "other sheets of the same shape (pick one with --sheet): {}",
            report.alternative_sheets.join(", ")
        );
    }
    if report.dry_run {
        eprintln!("first requirements:");
        for r in &report.preview {
            let head = if r.title.is_empty() {
                &r.text
            } else {
                &r.title
            };
            eprintln!(
                "  {:<16} {}:{:<5} {}",
                output::clip(&r.reference, 16),
                r.sheet,
                r.row,
                output::clip(head, 70)
            );
        }
        // The preview names what would change, so it can be checked before importing.
        let d = &report.diff;
        for (what, refs) in [
            ("added", &d.added),
            ("changed", &d.changed),
            ("removed", &d.removed),
        ] {
            if !refs.is_empty() {
                eprintln!("would be {what} ({}): {}", refs.len(), list_refs(refs));
            }
        }
    }
    if let Some(profile) = &report.profile {
        if !report.profile_matched {
            eprintln!("column profile '{profile}' used and saved with this import");
        }
    }
    let verb = if report.dry_run {
        "Would import"
    } else {
        "Imported"
    };
    eprintln!(
        "{verb} {} requirements from {} into set '{}' ({}): {} added, {} changed, {} removed, {} unchanged{}",
        report.requirements,
        report.file,
        report.set,
        db.display(),
        report.added,
        report.changed,
        report.removed,
        report.unchanged,
        if report.withdrawn > 0 { format!("; {} marked withdrawn by the source", report.withdrawn) } else { String::new() },
    );
    // The first 50 in full; `--json` and `review list` have them all.
    const SHOWN: usize = 50;
    for c in text_changes.iter().take(SHOWN) {
        eprintln!("text changed: {}:{}", c.set, c.reference);
        eprintln!("  was: {}", output::clip(&c.old_text, 300));
        eprintln!("  now: {}", output::clip(&c.new_text, 300));
        if !c.to_review.is_empty() {
            eprintln!(
                "  decided on the old text, to review: {}",
                c.to_review.join(", ")
            );
        }
    }
    if text_changes.len() > SHOWN {
        eprintln!(
            "and {} more requirements with a changed text (--json lists them all)",
            text_changes.len() - SHOWN
        );
    }
    let to_review: usize = text_changes.iter().map(|c| c.to_review.len()).sum();
    if to_review > 0 {
        eprintln!(
            "{to_review} decision(s) were made on an earlier text: `crosswalk review list` shows \
             them, `crosswalk review confirm SET:REF` confirms them, `map` decides again"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Up to 50 refs on one line, then how many more.
fn list_refs(refs: &[String]) -> String {
    const SHOWN: usize = 50;
    let mut text = refs
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if refs.len() > SHOWN {
        text.push_str(&format!(" and {} more", refs.len() - SHOWN));
    }
    text
}

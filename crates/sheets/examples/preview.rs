//! Prints what an import of a file would give, as a dry run does:
//! `cargo run -p crosswalk-sheets --example preview -- FILE [SHEET...]`.

use crosswalk_sheets::{read_requirements, ImportOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: preview FILE [SHEET...]");
        std::process::exit(2);
    };
    let options = ImportOptions {
        sheets: args.collect(),
        ..ImportOptions::default()
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    match read_requirements(&path, &bytes, &options) {
        Ok(import) => {
            for n in &import.notes {
                println!("note: {n}");
            }
            for s in &import.sheets {
                println!(
                    "sheet '{}': header row {}, {} rows",
                    s.name, s.header_row, s.rows
                );
                for c in &s.columns {
                    println!(
                        "  [{}] {:?} = {:?}: {}",
                        c.index, c.header, c.role, c.reason
                    );
                }
                for n in &s.notes {
                    println!("  note: {n}");
                }
            }
            for w in import.warnings.iter().take(20) {
                println!("warning: {w}");
            }
            let reqs = &import.requirements;
            let withdrawn = reqs.iter().filter(|r| r.withdrawn).count();
            let generated = reqs.iter().filter(|r| r.generated_ref).count();
            println!(
                "{} requirements ({withdrawn} withdrawn, {generated} generated ids)",
                reqs.len()
            );
            for r in reqs.iter().take(4).chain(reqs.iter().rev().take(2)) {
                let text: String = r.text.chars().take(60).collect();
                println!(
                    "  {} (row {}, sheet {}, source {:?}, parent {:?}, section {:?}) title={:?} text={:?} attrs={}",
                    r.reference, r.row, r.sheet, r.source_ref, r.parent, r.section, r.title, text, r.attributes.0.len()
                );
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

//! Prints precision@1, recall@3 and MRR of the suggestion engine on every shipped labelled set,
//! per target kind, against the shipped catalogue. Exits with 1 when a figure is below its target.
//!
//!     cargo run -p crosswalk-suggest --example evaluate [-- --misses service|caf]

use anyhow::Context;
use crosswalk_suggest::eval;
use std::path::Path;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let catalogue = crosswalk_catalogue::shipped();
    let sets = eval::shipped_sets(&root, catalogue).context("reading the labelled sets")?;
    let reports: Vec<eval::SetReport> = sets.iter().map(|s| eval::evaluate(catalogue, s)).collect();
    println!("catalogue {}", catalogue.version);
    print!("{}", eval::table(&reports));
    // `--misses KIND` lists, per set, the cases whose labels are not in that kind's first three.
    let args: Vec<String> = std::env::args().collect();
    if let Some(kind) = args
        .iter()
        .position(|a| a == "--misses")
        .and_then(|i| args.get(i + 1))
    {
        let kind: crosswalk_suggest::TargetKind = kind.parse()?;
        for set in &sets {
            println!("\n== misses of {} in {}", kind, set.name);
            print!("{}", eval::misses(catalogue, set, kind));
        }
    }
    let shortfalls: Vec<String> = reports.iter().flat_map(eval::shortfalls).collect();
    if shortfalls.is_empty() {
        println!(
            "targets met: service recall@3 >= {}, CAF precision@1 >= {}",
            eval::SERVICE_RECALL_AT_3,
            eval::CAF_PRECISION_AT_1
        );
        Ok(())
    } else {
        for s in &shortfalls {
            eprintln!("below target: {s}");
        }
        std::process::exit(1);
    }
}

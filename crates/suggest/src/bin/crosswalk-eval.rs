//! Measures the suggestion engine on every shipped labelled set against the shipped catalogue and
//! prints precision@1, recall@3 and MRR per set and per target kind. Exits with 1 when a figure
//! is below its target (service recall@3, CAF precision@1), with 2 on a usage error.
//!
//!     cargo run --release -p crosswalk-suggest --bin crosswalk-eval [-- --misses service|caf]
//!
//! The Security Hub sample is read from `../shared/samples/real/` (or `$CROSSWALK_SHARED_DIR`).

use crosswalk_suggest::{eval, TargetKind};
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: crosswalk-eval [--misses service|lz_control|caf|framework_control]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut misses: Option<TargetKind> = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--misses" => match rest.next().map(|k| k.parse::<TargetKind>()) {
                Some(Ok(kind)) => misses = Some(kind),
                _ => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => {
                eprintln!("unknown argument '{arg}'\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let catalogue = crosswalk_catalogue::shipped();
    let sets = match eval::shipped_sets(&root, catalogue) {
        Ok(sets) => sets,
        Err(e) => {
            eprintln!("crosswalk-eval: reading the labelled sets: {e}");
            return ExitCode::FAILURE;
        }
    };
    let reports: Vec<eval::SetReport> = sets.iter().map(|s| eval::evaluate(catalogue, s)).collect();
    println!("catalogue {}", catalogue.version);
    print!("{}", eval::table(&reports));
    if let Some(kind) = misses {
        for set in &sets {
            println!("\n== misses of {kind} in {}", set.name);
            print!("{}", eval::misses(catalogue, set, kind));
        }
    }
    let shortfalls: Vec<String> = reports.iter().flat_map(eval::shortfalls).collect();
    if shortfalls.is_empty() {
        println!(
            "targets met: service recall@3 >= {}, CAF precision@1 >= {} on every set",
            eval::SERVICE_RECALL_AT_3,
            eval::CAF_PRECISION_AT_1
        );
        ExitCode::SUCCESS
    } else {
        for s in &shortfalls {
            eprintln!("below target: {s}");
        }
        ExitCode::FAILURE
    }
}

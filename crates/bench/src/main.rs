//! `crosswalk-bench`: generates large requirement sheets and measures Crosswalk against the
//! libraries it stands on. `crosswalk-bench run --smoke` is what CI runs.

use anyhow::Result;
use clap::{Parser, Subcommand};
use crosswalk_bench::{generate, measure, plain, run, seeds, workspace_root};
use std::path::PathBuf;

// Every Crosswalk binary uses the same allocator (see the workspace Cargo.toml for why).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "crosswalk-bench",
    about = "Crosswalk benchmarks and generators"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Measure import, suggest and export against calamine, the csv crate, rust_xlsxwriter and
    /// the Python peers, and print the figures.
    Run {
        /// Only the 1,000-row size, measured once (what CI runs).
        #[arg(long)]
        smoke: bool,
        /// Row counts to measure (default 1000,10000,100000).
        #[arg(long, value_delimiter = ',')]
        sizes: Vec<usize>,
        /// Where the generated sheets are kept between runs (default target/bench-data).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Leave out the Python peers.
        #[arg(long)]
        no_peers: bool,
        /// Repeat each measurement up to 10k rows and keep the fastest (default 3; 1 with --smoke).
        #[arg(long)]
        repeat: Option<usize>,
        /// Also write the figures as Markdown to this file.
        #[arg(long)]
        markdown: Option<PathBuf>,
        /// Stop any one measurement after this many seconds and report it as unfinished
        /// (an export stopped so leaves out the writers' baselines at that size).
        #[arg(long)]
        limit: Option<u64>,
        /// Only the import cases and their baselines (calamine, the csv crate, openpyxl).
        #[arg(long)]
        import_only: bool,
    },
    /// Write the xlsx and CSV requirement sheets of the given sizes.
    Generate {
        #[arg(long, value_delimiter = ',', default_value = "1000")]
        rows: Vec<usize>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the fuzz seeds (real samples cut short, generated sheets, bad inputs) into
    /// OUT/<target>/ (scripts/fuzz.sh calls this; the seeds are never committed).
    FuzzSeeds {
        #[arg(long)]
        out: PathBuf,
    },
    /// Remove from a corpus folder every input that shares content with a real sample, so the
    /// committed corpus holds no copy of one.
    FuzzStrip { dir: PathBuf },
    /// One measurement in this process (the run starts these as children).
    #[command(hide = true)]
    Measure {
        #[command(subcommand)]
        case: Case,
    },
}

#[derive(Subcommand)]
enum Case {
    Calamine {
        file: PathBuf,
    },
    Csv {
        file: PathBuf,
    },
    /// Crosswalk's reader alone (read, detect, build the requirements; nothing stored).
    Read {
        file: PathBuf,
    },
    /// calamine or the csv crate with SQLite/FTS5 alone storing and indexing the same rows
    /// (the second baseline of the import; no detection, no Crosswalk code).
    PlainImport {
        file: PathBuf,
        db: PathBuf,
    },
    Import {
        file: PathBuf,
        db: PathBuf,
    },
    ImportNew {
        file: PathBuf,
        db: PathBuf,
    },
    Suggest {
        db: PathBuf,
    },
    /// The mapping panel's call for one requirement, repeated.
    Detail {
        db: PathBuf,
        set: String,
        reference: String,
        #[arg(long, default_value_t = 10)]
        times: usize,
    },
    Export {
        db: PathBuf,
        out: PathBuf,
    },
    Xlsxwriter {
        matrix: PathBuf,
        out: PathBuf,
    },
    /// The same in rust_xlsxwriter's "low memory" mode (the mode Crosswalk writes its big
    /// sheets in); an extra line beside the default baseline, never instead of it.
    XlsxwriterLowMemory {
        matrix: PathBuf,
        out: PathBuf,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Run {
            smoke,
            sizes,
            data,
            no_peers,
            repeat,
            markdown,
            limit,
            import_only,
        } => {
            let sizes = match (smoke, sizes.is_empty()) {
                (true, _) => vec![1_000],
                (false, true) => vec![1_000, 10_000, 100_000],
                (false, false) => sizes,
            };
            run::run(&run::RunOptions {
                sizes,
                data: data.unwrap_or_else(|| workspace_root().join("target").join("bench-data")),
                peers: !no_peers,
                repeat: repeat.unwrap_or(if smoke { 1 } else { 3 }),
                markdown,
                limit: limit.map(std::time::Duration::from_secs),
                import_only,
            })
        }
        Command::Generate { rows, out } => {
            for n in rows {
                let (x, c) = generate::ensure_files(&out, n)?;
                eprintln!("{} and {}", x.display(), c.display());
            }
            Ok(())
        }
        Command::FuzzSeeds { out } => {
            let n = seeds::write_seeds(&out)?;
            eprintln!("{n} seeds written under {}", out.display());
            Ok(())
        }
        Command::FuzzStrip { dir } => {
            let n = seeds::strip_sample_content(&dir)?;
            eprintln!(
                "{n} inputs holding sample content removed from {}",
                dir.display()
            );
            Ok(())
        }
        Command::Measure { case } => {
            let sample = match case {
                Case::Calamine { file } => measure::calamine_read(&file)?,
                Case::Csv { file } => measure::csv_read(&file)?,
                Case::Read { file } => measure::sheets_read(&file)?,
                Case::PlainImport { file, db } => plain::plain_import(&file, &db)?,
                Case::Import { file, db } => measure::import(&file, &db)?,
                Case::ImportNew { file, db } => measure::import_new(&file, &db)?,
                Case::Suggest { db } => measure::suggest(&db)?,
                Case::Detail {
                    db,
                    set,
                    reference,
                    times,
                } => measure::detail(&db, &set, &reference, times)?,
                Case::Export { db, out } => measure::export(&db, &out)?,
                Case::Xlsxwriter { matrix, out } => {
                    measure::xlsxwriter_write(&matrix, &out, false)?
                }
                Case::XlsxwriterLowMemory { matrix, out } => {
                    measure::xlsxwriter_write(&matrix, &out, true)?
                }
            };
            println!("{}", serde_json::to_string(&sample)?);
            Ok(())
        }
    }
}

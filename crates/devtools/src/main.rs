//! `crosswalk-devtools`: regenerates the files under `data/samples/` from their sources.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use crosswalk_devtools::{demo_sample, workspace_root};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "crosswalk-devtools",
    about = "Generators for Crosswalk's sample files"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write data/samples/demo-requirements.xlsx from data/samples/demo-requirements.toml.
    DemoSample {
        /// The readable source (default: data/samples/demo-requirements.toml).
        #[arg(long)]
        source: Option<PathBuf>,
        /// Where to write the workbook (default: data/samples/demo-requirements.xlsx).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::DemoSample { source, out } => {
            let root = workspace_root();
            let source = source.unwrap_or_else(|| root.join(demo_sample::SOURCE_PATH));
            let out = out.unwrap_or_else(|| root.join(demo_sample::OUTPUT_PATH));
            let text = std::fs::read_to_string(&source)
                .with_context(|| format!("reading {}", source.display()))?;
            let sample = demo_sample::parse(&text)
                .with_context(|| format!("parsing {}", source.display()))?;
            let bytes = demo_sample::build(&sample)
                .with_context(|| format!("building the workbook from {}", source.display()))?;
            std::fs::write(&out, bytes).with_context(|| format!("writing {}", out.display()))?;
            eprintln!(
                "wrote {} ({} requirements in {} sections)",
                out.display(),
                sample.requirement_count(),
                sample.section.len()
            );
        }
    }
    Ok(())
}

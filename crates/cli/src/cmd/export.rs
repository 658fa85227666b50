use crate::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the matrix.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// xlsx, csv or json (default: from the extension of --out).
    #[arg(long)]
    format: Option<String>,
}

pub fn run(_ctx: &Context, _args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("export is not wired yet")
}

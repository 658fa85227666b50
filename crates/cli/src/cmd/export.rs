use crate::output;
use crate::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the matrix.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// xlsx, csv or json (default: from the extension of --out).
    #[arg(long, value_parser = ["xlsx", "csv", "json"])]
    format: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let db = ctx.db()?;
    let format = args
        .format
        .as_deref()
        .map(crosswalk_api::ExportFormat::parse)
        .transpose()?;
    let request = crosswalk_api::ExportRequest {
        out: args.out,
        format,
    };
    let report = crosswalk_api::export(db, &ctx.actor, &request)?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    if ctx.json {
        output::json(&report)?;
    } else {
        let c = &report.coverage;
        let rows = if report.rows == report.requirements {
            format!("{} requirements", report.requirements)
        } else {
            format!(
                "{} rows ({} requirements, one row per workload)",
                report.rows, report.requirements
            )
        };
        eprintln!(
            "{rows}: {} inherited, {} partial, {} workload, {} gap, {} not applicable",
            c.inherited, c.partial, c.workload, c.gap, c.not_applicable
        );
        output::line(&report.out);
    }
    Ok(ExitCode::SUCCESS)
}

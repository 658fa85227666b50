use crate::output;
use crate::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder for the sample copy, the engagement file and the matrix (created when missing;
    /// default: ./crosswalk-demo).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let dir = args.out.unwrap_or_else(|| PathBuf::from("crosswalk-demo"));
    let report = crosswalk_api::demo(&dir, &ctx.actor)?;
    if ctx.json {
        output::json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let c = &report.export.coverage;
    eprintln!(
        "imported {} requirements from the sample, accepted {} suggestions",
        report.import.requirements, report.accepted
    );
    eprintln!(
        "coverage: {} inherited, {} partial, {} workload, {} gap, {} not applicable",
        c.inherited, c.partial, c.workload, c.gap, c.not_applicable
    );
    output::line(&format!("sample:          {}", report.sample));
    output::line(&format!("engagement file: {}", report.db));
    output::line(&format!("matrix:          {}", report.matrix));
    Ok(ExitCode::SUCCESS)
}

use crate::output;
use crate::Context;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {}

/// The audit log with its hash chain checked. An altered log is still shown, the first entry
/// that breaks the chain and those after it marked, and the command then fails (exit 1).
pub fn run(ctx: &Context, _args: Args) -> anyhow::Result<ExitCode> {
    let db = ctx.db()?;
    let report = crosswalk_api::audit_report(db)?;
    let broken = report.first_altered_seq;
    if ctx.json {
        output::json(&report)?;
    } else {
        for e in &report.entries {
            let mark = match broken {
                Some(b) if e.seq == b => "  <- ALTERED: does not match the hash chain",
                Some(b) if e.seq > b => "  (after the break: not verified)",
                _ => "",
            };
            output::line(&format!(
                "{:>5}  {}  {:<12} {:<18} {}{mark}",
                e.seq, e.at, e.actor, e.action, e.subject
            ));
        }
    }
    match broken {
        None => {
            eprintln!(
                "{} entries; the hash chain is intact (entries removed from the end of the log would not show)",
                report.entries.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(seq) => {
            eprintln!(
                "error: {}: audit log entry {seq} does not match its hash: the log was altered at or before it ({} entries shown)",
                db.display(),
                report.entries.len()
            );
            Ok(ExitCode::from(1))
        }
    }
}

//! `stories list|export`: the backlog — readiness stories and requirement gaps of the matrix,
//! one story per shared control — and its CSV for issue trackers.

use crate::output;
use crate::Context;
use crosswalk_api::workplan::{stories_export, stories_list};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// The merged backlog, most urgent first.
    List,
    /// Write the backlog as CSV for an issue tracker (Jira's importer column names:
    /// Summary, Description, Acceptance Criteria, Labels, Priority).
    Export {
        /// Where to write it (.csv).
        #[arg(long, value_name = "FILE.csv")]
        out: PathBuf,
    },
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let db = ctx.db()?;
    match args.command {
        Sub::List => {
            let list = stories_list(db, &ctx.actor)?;
            if ctx.json {
                output::json(&list)?;
                return Ok(ExitCode::SUCCESS);
            }
            for s in &list.stories {
                let sources: Vec<String> = s.sources.iter().map(|x| x.key()).collect();
                output::line(&format!(
                    "{:<24} {:<8} {}  <- {}",
                    output::clip(&s.key, 24),
                    s.priority.label(),
                    output::clip(&s.title, 70),
                    output::clip(&sources.join(", "), 80)
                ));
            }
            eprintln!(
                "{} stories from {} readiness stories and {} requirement gaps",
                list.stories.len(),
                list.readiness_stories,
                list.requirement_gaps
            );
        }
        Sub::Export { out } => {
            let report = stories_export(db, &ctx.actor, &out)?;
            if ctx.json {
                output::json(&report)?;
            } else {
                eprintln!(
                    "{} stories ({} requirement gaps among them)",
                    report.stories, report.requirement_gaps
                );
                output::line(&report.out);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `crosswalk workload`: the systems being migrated. With two or more workloads the exported
//! matrix has one row per requirement and workload, each with its own assessment.

use crate::output;
use crate::Context;
use crosswalk_api::EngagementSummary;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Add a workload (creates the engagement file when missing).
    Add {
        name: String,
        /// What the workload is, in a few words.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// The workloads, in the order they were added.
    List,
    /// Remove a workload. Refused when it has assessments of its own (owner, notes, evidence,
    /// overrides) unless --force, which removes them too (the audit log keeps them).
    Remove {
        name: String,
        /// Also remove the workload's own assessments.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let db = ctx.db()?;
    match args.command {
        Sub::Add { name, description } => {
            let all = EngagementSummary::add_workload(db, &ctx.actor, &name, &description)?;
            if ctx.json {
                output::json(&serde_json::json!({ "added": name.trim(), "workloads": all }))?;
            } else {
                eprintln!(
                    "added workload '{}'; the engagement has {} workload{}",
                    name.trim(),
                    all.len(),
                    if all.len() == 1 { "" } else { "s" }
                );
                if all.len() == 1 {
                    eprintln!(
                        "note: with one workload the matrix keeps one row per requirement; \
                         from two on it has a row per requirement and workload"
                    );
                }
            }
        }
        Sub::List => {
            let all = EngagementSummary::list_workloads(db)?;
            if ctx.json {
                output::json(&serde_json::json!({ "workloads": all }))?;
            } else if all.is_empty() {
                eprintln!("no workloads; `crosswalk workload add NAME` adds one");
            } else {
                for w in &all {
                    let own = if w.assessments > 0 {
                        format!("  [{} own assessments]", w.assessments)
                    } else {
                        String::new()
                    };
                    output::line(&format!("{:<24} {}{own}", w.name, w.description));
                }
            }
        }
        Sub::Remove { name, force } => {
            let removed = EngagementSummary::remove_workload(db, &ctx.actor, &name, force)?;
            if ctx.json {
                output::json(&serde_json::json!({
                    "removed": name.trim(), "assessments_removed": removed
                }))?;
            } else if removed > 0 {
                eprintln!(
                    "removed workload '{}' and its {removed} assessment{}",
                    name.trim(),
                    if removed == 1 { "" } else { "s" }
                );
            } else {
                eprintln!("removed workload '{}'", name.trim());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `crosswalk review list|confirm`: decisions made on a requirement's old text. When a
//! re-import changes a requirement's text, its accepted and rejected mappings wait here until
//! they are confirmed for the new text (or decided again with `map`).

use crate::output;
use crate::Context;
use crosswalk_api::{review_confirm, review_list, ReviewConfirmRequest, ReviewItem};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// The decisions waiting for review, with the text each was made on and the text now.
    List {
        /// Only this requirement set.
        #[arg(long)]
        set: Option<String>,
    },
    /// Confirm decisions for the requirement's new text: those to the TARGETs given, or all
    /// of them. One audit entry each.
    Confirm {
        /// The requirement: REF or SET:REF.
        requirement: String,
        /// FRAMEWORK:REF or an unambiguous REF; none: every decision waiting on it.
        targets: Vec<String>,
    },
}

fn show(r: &ReviewItem) {
    output::line(&format!(
        "{}  {} {} {}",
        r.requirement,
        r.status.as_str(),
        r.relationship.as_str(),
        r.target
    ));
    output::line(&format!(
        "  decided on: {}",
        output::clip(&r.decided_text, 300)
    ));
    output::line(&format!(
        "  text now:   {}",
        output::clip(&r.current_text, 300)
    ));
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let db = ctx.db()?;
    match args.command {
        Sub::List { set } => {
            let list = review_list(db, set.as_deref())?;
            if ctx.json {
                output::json(&list)?;
                return Ok(ExitCode::SUCCESS);
            }
            for r in &list.reviews {
                show(r);
            }
            eprintln!(
                "{} decision{} made on a requirement's earlier text wait{} for review{}",
                list.reviews.len(),
                if list.reviews.len() == 1 { "" } else { "s" },
                if list.reviews.len() == 1 { "s" } else { "" },
                if list.reviews.is_empty() {
                    ""
                } else {
                    "; `crosswalk review confirm SET:REF` confirms them, `map` decides again"
                }
            );
        }
        Sub::Confirm {
            requirement,
            targets,
        } => {
            let report = review_confirm(
                db,
                &ctx.actor,
                &ReviewConfirmRequest {
                    requirement,
                    targets,
                },
            )?;
            if ctx.json {
                output::json(&report)?;
                return Ok(ExitCode::SUCCESS);
            }
            for r in &report.confirmed {
                eprintln!(
                    "confirmed for the new text: {} {} {} {}",
                    r.requirement,
                    r.status.as_str(),
                    r.relationship.as_str(),
                    r.target
                );
            }
            eprintln!("{} decision(s) still wait for review", report.remaining);
        }
    }
    Ok(ExitCode::SUCCESS)
}

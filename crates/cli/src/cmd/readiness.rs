//! `readiness list|set|export`: the readiness assessment per security domain and its report.

use crate::output;
use crate::Context;
use crosswalk_api::workplan::{
    readiness_export, readiness_list, readiness_set, Dimension, Priority, ReadinessDomainView,
    ReadinessSetRequest, SecurityDomain, StoryRequest, UnknownValue,
};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// The five domains: current state, readiness state and gap per dimension, and stories.
    List,
    /// Record a dimension's states and gap, and/or add, update or remove a story.
    Set(Box<SetArgs>),
    /// Write the readiness report: workplan status, one sheet per domain, story backlog.
    Export {
        /// Where to write it (.xlsx).
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
    },
}

fn vocabulary<T: std::str::FromStr<Err = UnknownValue>>(s: &str) -> Result<T, String> {
    s.parse().map_err(|e: UnknownValue| e.to_string())
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// data_protection, iam, incident_response, infrastructure_protection or
    /// logging_monitoring (also dp, ir, ip, lm, or the workplan task T2 … T6).
    #[arg(value_parser = vocabulary::<SecurityDomain>)]
    domain: SecurityDomain,
    /// policy, process, tools or people: the dimension --current, --target and --gap describe,
    /// and the story's dimension.
    #[arg(long, value_parser = vocabulary::<Dimension>)]
    dimension: Option<Dimension>,
    /// Where the customer stands today.
    #[arg(long, requires = "dimension")]
    current: Option<String>,
    /// The readiness state: where it must be to run securely in AWS.
    #[arg(long, requires = "dimension")]
    target: Option<String>,
    /// The gap analysis between the two.
    #[arg(long, requires = "dimension")]
    gap: Option<String>,
    /// Add a story (or update the domain's story with this title).
    #[arg(long, value_name = "TITLE")]
    story: Option<String>,
    /// The story's description.
    #[arg(long, requires = "story")]
    description: Option<String>,
    /// One acceptance criterion; repeat for several (replaces the story's criteria).
    #[arg(long = "criteria", value_name = "TEXT", requires = "story")]
    criteria: Vec<String>,
    /// A control or service the story puts in place: FRAMEWORK:REF or an unambiguous REF;
    /// repeat for several (replaces the story's controls). Requirement gaps of the matrix on the
    /// same control join this story instead of becoming stories of their own.
    #[arg(long = "control", value_name = "REF", requires = "story")]
    controls: Vec<String>,
    /// highest, high, medium (default), low or lowest.
    #[arg(long, value_parser = vocabulary::<Priority>, requires = "story")]
    priority: Option<Priority>,
    /// Remove the domain's story with this title.
    #[arg(long, value_name = "TITLE")]
    remove_story: Option<String>,
}

fn print_domain(d: &ReadinessDomainView) {
    output::line(&format!(
        "{} ({}, {})",
        d.name,
        d.task,
        d.progress.summary()
    ));
    for c in &d.dimensions {
        let text = |s: &str| {
            if s.trim().is_empty() {
                "—".to_string()
            } else {
                output::clip(s, 40)
            }
        };
        output::line(&format!(
            "  {:<8} current: {}  |  readiness: {}  |  gap: {}",
            c.dimension.label(),
            text(&c.current_state),
            text(&c.readiness_state),
            text(&c.gap)
        ));
    }
    for s in &d.stories {
        let controls: Vec<&str> = s.controls.iter().map(|c| c.reference.as_str()).collect();
        output::line(&format!(
            "  story {:<4} {:<8} {}{}",
            s.id,
            s.priority.label(),
            output::clip(&s.title, 60),
            if controls.is_empty() {
                String::new()
            } else {
                format!("  [{}]", controls.join(", "))
            }
        ));
    }
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let db = ctx.db()?;
    match args.command {
        Sub::List => {
            let list = readiness_list(db)?;
            if ctx.json {
                output::json(&list)?;
            } else {
                for d in &list.domains {
                    print_domain(d);
                }
            }
        }
        Sub::Set(a) => {
            let a = *a;
            let story = a.story.map(|title| StoryRequest {
                title,
                description: a.description,
                acceptance_criteria: (!a.criteria.is_empty()).then_some(a.criteria),
                controls: (!a.controls.is_empty()).then_some(a.controls),
                priority: a.priority,
            });
            let request = ReadinessSetRequest {
                domain: a.domain,
                dimension: a.dimension,
                current_state: a.current,
                readiness_state: a.target,
                gap: a.gap,
                story,
                remove_story: a.remove_story,
            };
            let report = readiness_set(db, &ctx.actor, &request)?;
            if ctx.json {
                output::json(&report)?;
            } else {
                print_domain(&report.domain);
                if let Some(change) = report.story {
                    eprintln!(
                        "story {}",
                        serde_json::to_value(change)?.as_str().unwrap_or("")
                    );
                }
                if report.story_removed {
                    eprintln!("story removed");
                }
            }
        }
        Sub::Export { out } => {
            let report = readiness_export(db, &ctx.actor, &out)?;
            if ctx.json {
                output::json(&report)?;
            } else {
                eprintln!(
                    "{} workplan rows, {} sheets, {} stories ({} requirement gaps among them)",
                    report.workplan_rows,
                    report.sheets.len(),
                    report.stories,
                    report.requirement_gaps
                );
                output::line(&report.out);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

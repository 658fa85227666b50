use crate::output;
use crate::Context;
use crosswalk_api::{MappingChange, Relationship, Responsibility};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The requirement: REF, or SET:REF.
    requirement: String,
    /// What satisfies it: REF, FRAMEWORK:REF (service:KMS, fsbp:IAM.6, ct:…) or SET:REF.
    #[arg(required = true)]
    targets: Vec<String>,
    /// "requirement RELATIONSHIP target": equivalent, subset-of (the target does all the
    /// requirement asks; the default), superset-of, intersects-with.
    #[arg(long, value_parser = parse_relationship)]
    relationship: Option<Relationship>,
    /// inherited, shared or workload (default: from the target's kind).
    #[arg(long, value_parser = parse_responsibility)]
    responsibility: Option<Responsibility>,
    /// Why the mapping holds.
    #[arg(long)]
    rationale: Option<String>,
}

fn parse_relationship(s: &str) -> Result<Relationship, String> {
    s.parse()
        .map_err(|e: crosswalk_domain::UnknownTerm| e.to_string())
}

fn parse_responsibility(s: &str) -> Result<Responsibility, String> {
    s.parse()
        .map_err(|e: crosswalk_domain::UnknownTerm| e.to_string())
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let db = ctx.db()?;
    let request = crosswalk_api::MapRequest {
        requirement: args.requirement,
        targets: args.targets,
        relationship: args.relationship,
        responsibility: args.responsibility,
        rationale: args.rationale,
    };
    let report = crosswalk_api::map(db, &ctx.actor, &request)?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    if ctx.json {
        output::json(&report)?;
    } else {
        for m in &report.mappings {
            eprintln!(
                "{} {} {} ({}){}",
                report.requirement,
                m.relationship,
                m.reference,
                m.title,
                if m.change == MappingChange::Unchanged {
                    " (already recorded)"
                } else {
                    ""
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

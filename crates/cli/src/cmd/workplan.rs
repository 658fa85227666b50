//! `workplan list|set`: the migration security workplan as a living checklist.

use crate::output;
use crate::Context;
use crosswalk_api::workplan::{
    workplan_list, workplan_set, UnknownValue, WorkplanSetRequest, WorkplanStatus, WorkplanSubtask,
    WorkplanTask,
};
use crosswalk_api::Relationship;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Every task and subtask with its status, owner, due date and policy decision.
    List,
    /// Change a task or subtask; only the options given change.
    Set(Box<SetArgs>),
}

fn parse_status(s: &str) -> Result<WorkplanStatus, String> {
    s.parse().map_err(|e: UnknownValue| e.to_string())
}

/// A real day as YYYY-MM-DD, or "" (which clears the due date); anything else is a usage error
/// (exit 2) that names the value.
fn parse_due(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        return Ok(String::new());
    }
    crosswalk_api::workplan::parse_due_date(s)
}

fn parse_relationship(s: &str) -> Result<Relationship, String> {
    s.parse()
        .map_err(|e: crosswalk_domain::UnknownTerm| e.to_string())
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// The subtask (T3.S3) or task (T3); `msr:T3.S3` works too.
    reference: String,
    /// not_started, in_progress, done or not_applicable (which needs --reason). Subtasks only:
    /// a task's status follows its subtasks.
    #[arg(long, value_parser = parse_status)]
    status: Option<WorkplanStatus>,
    /// Why it does not apply.
    #[arg(long)]
    reason: Option<String>,
    #[arg(long)]
    owner: Option<String>,
    /// Due date, YYYY-MM-DD (a day that exists); "" clears it.
    #[arg(long, value_name = "DATE", value_parser = parse_due)]
    due: Option<String>,
    #[arg(long)]
    notes: Option<String>,
    /// The decision a policy subtask records (for example the root account usage policy).
    #[arg(long)]
    decision: Option<String>,
    /// A path or URL of something it produced (a matrix, a report, a decision record). Repeat
    /// for several.
    #[arg(long = "artifact", value_name = "PATH")]
    artifacts: Vec<String>,
    /// Remove an artifact link. Repeat for several.
    #[arg(long = "remove-artifact", value_name = "PATH")]
    remove_artifacts: Vec<String>,
    /// A landing-zone control or service that enforces the policy: FRAMEWORK:REF (ct:…,
    /// scp:…, config:…, service:…) or an unambiguous REF. Repeat for several.
    #[arg(long = "enforced-by", value_name = "REF")]
    enforced_by: Vec<String>,
    /// A control or service ruled out for the policy (recorded as a rejected mapping).
    #[arg(long = "not-enforced-by", value_name = "REF")]
    not_enforced_by: Vec<String>,
    /// "policy RELATIONSHIP control" for --enforced-by: subset-of (the default: the control
    /// does all the policy asks), equivalent, superset-of, intersects-with.
    #[arg(long, value_parser = parse_relationship, requires = "enforced_by")]
    relationship: Option<Relationship>,
    /// Why the controls enforce (or do not enforce) the policy.
    #[arg(long)]
    rationale: Option<String>,
}

fn subtask_line(s: &WorkplanSubtask) -> String {
    let mut extra = Vec::new();
    if !s.owner.is_empty() {
        extra.push(format!("owner {}", s.owner));
    }
    if let Some(d) = &s.due {
        extra.push(format!("due {d}"));
    }
    if let Some(m) = &s.msr_id {
        extra.push(m.clone());
    }
    if s.policy {
        extra.push(match s.coverage {
            Some(c) => format!("policy, {} enforcing, {c}", s.enforced_by.len()),
            None => "policy".into(),
        });
    }
    format!(
        "  {:<7} {:<15} {}{}",
        s.reference,
        s.status.label().to_lowercase(),
        output::clip(&s.title, 70),
        if extra.is_empty() {
            String::new()
        } else {
            format!("  [{}]", extra.join("; "))
        }
    )
}

fn task_line(t: &WorkplanTask) -> String {
    format!(
        "{:<9} {:<15} {}  ({})",
        t.reference,
        t.status.label().to_lowercase(),
        output::clip(&t.title, 70),
        t.progress.summary()
    )
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let db = ctx.db()?;
    match args.command {
        Sub::List => {
            let list = workplan_list(db)?;
            if ctx.json {
                output::json(&list)?;
                return Ok(ExitCode::SUCCESS);
            }
            for t in &list.tasks {
                output::line(&task_line(t));
                for s in &t.subtasks {
                    output::line(&subtask_line(s));
                }
            }
            let p = &list.progress;
            eprintln!(
                "{} tasks, {} subtasks: {} done, {} in progress, {} not started, {} not applicable",
                list.tasks.len(),
                p.total(),
                p.done,
                p.in_progress,
                p.not_started,
                p.not_applicable
            );
        }
        Sub::Set(a) => {
            let a = *a;
            let request = WorkplanSetRequest {
                reference: a.reference,
                status: a.status,
                reason: a.reason,
                owner: a.owner,
                due: a.due,
                notes: a.notes,
                decision: a.decision,
                add_artifacts: a.artifacts,
                remove_artifacts: a.remove_artifacts,
                enforced_by: a.enforced_by,
                not_enforced_by: a.not_enforced_by,
                relationship: a.relationship,
                rationale: a.rationale,
            };
            let report = workplan_set(db, &ctx.actor, &request)?;
            if ctx.json {
                output::json(&report)?;
                return Ok(ExitCode::SUCCESS);
            }
            if report.task.reference == report.reference {
                output::line(&task_line(&report.task));
            }
            for s in &report.task.subtasks {
                output::line(&subtask_line(s));
            }
            for m in &report.mappings {
                eprintln!(
                    "{} {} {}",
                    report.reference,
                    if m.status == crosswalk_domain::MappingStatus::Accepted {
                        "enforced by"
                    } else {
                        "not enforced by"
                    },
                    m.reference
                );
            }
            if !report.changed
                && report
                    .mappings
                    .iter()
                    .all(|m| m.change == crosswalk_api::MappingChange::Unchanged)
            {
                eprintln!("{}: nothing changed", report.reference);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

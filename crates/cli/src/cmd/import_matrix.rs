use crate::output;
use crate::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A matrix exported from this engagement (xlsx), with the customer's edits in its editable
    /// columns (coverage override, override reason, owner, evidence, notes).
    file: PathBuf,
}

/// Exit 0 when every edit merged; 3 when some fields changed on both sides to different values
/// since the export (conflicts, not overwritten; every other field is merged, each three ways
/// against its exported value), or when rows no longer show the requirement
/// their hidden key names (nothing merged); 1 when the file cannot be trusted or an edited
/// value cannot be merged (nothing written).
pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let db = ctx.db()?;
    let report = crosswalk_api::import_matrix(db, &ctx.actor, &args.file)?;
    let code = ExitCode::from(report.exit_code() as u8);
    if ctx.json {
        output::json(&report)?;
        return Ok(code);
    }
    if report.refused() {
        for a in &report.identity_alterations {
            output::line(&format!("altered   {a}"));
        }
        let rows: std::collections::BTreeSet<u32> = report
            .identity_alterations
            .iter()
            .filter_map(|a| a.row)
            .collect();
        eprintln!(
            "{}: {} row{} cannot be tied to an exported requirement (the Set, Req ID or \
             Workload cell disagrees with the row's hidden key, as when only some columns were \
             sorted, or a row that was not exported holds edits); which requirement each edit \
             belongs to is uncertain, so nothing was merged: undo that change or export again, \
             then import again",
            report.file,
            rows.len(),
            if rows.len() == 1 { "" } else { "s" },
        );
        return Ok(code);
    }
    for r in &report.applied {
        for c in &r.changes {
            output::line(&format!(
                "merged    {}:{}  {} {:?} -> {:?}",
                r.set,
                r.reference,
                c.column,
                output::clip(&c.before, 40),
                output::clip(&c.after, 40)
            ));
        }
    }
    for c in &report.conflicts {
        output::line(&format!("conflict  row {}: {}", c.row, c.reason));
    }
    for a in &report.ignored {
        eprintln!("ignored (read-only): {a}");
    }
    eprintln!(
        "{}: {} rows merged, {} already in the engagement, {} conflicts",
        report.file,
        report.applied.len(),
        report.already_applied.len(),
        report.conflicts.len()
    );
    Ok(code)
}

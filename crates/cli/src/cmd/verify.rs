use crate::output;
use crate::Context;
use crosswalk_api::MatrixVerifyReport;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A matrix exported from this engagement (xlsx).
    file: PathBuf,
}

/// Exit 0 when untouched or only the editable columns changed (those edits are listed), 3 when
/// read-only data was altered (each cell listed), 1 when the file is not a readable matrix.
pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let db = ctx.db()?;
    let report = crosswalk_api::verify_matrix(db, &args.file)?;
    let code = ExitCode::from(report.exit_code() as u8);
    if ctx.json {
        output::json(&report)?;
    } else {
        human(&report);
    }
    Ok(code)
}

fn human(report: &MatrixVerifyReport) {
    let r = &report.report;
    for e in &r.edits {
        output::line(&format!(
            "edited   {}!{} ({}, row key {}): {:?} -> {:?}",
            e.sheet,
            e.cell,
            e.column,
            e.key,
            output::clip(&e.before, 40),
            output::clip(&e.after, 40)
        ));
    }
    for a in &r.alterations {
        output::line(&format!("altered  {a}"));
    }
    for p in &r.problems {
        output::line(&format!("problem  {p}"));
    }
    let verdict = match r.status {
        crosswalk_api::VerifyStatus::Untouched => "untouched since export".to_string(),
        crosswalk_api::VerifyStatus::EditedOnly => format!(
            "only the editable columns changed ({} cells)",
            r.edits.len()
        ),
        crosswalk_api::VerifyStatus::Altered => format!(
            "read-only data was altered ({} places)",
            r.alterations.len()
        ),
    };
    eprintln!("{}: {verdict}", report.file);
    if !r.problems.is_empty() {
        eprintln!(
            "{}: {} edited cell{} cannot be merged by import-matrix as {} (listed above)",
            report.file,
            r.problems.len(),
            if r.problems.len() == 1 { "" } else { "s" },
            if r.problems.len() == 1 {
                "it is"
            } else {
                "they are"
            },
        );
    }
}

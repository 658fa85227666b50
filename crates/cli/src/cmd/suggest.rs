use crate::output;
use crate::Context;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this requirement set.
    #[arg(long)]
    set: Option<String>,
    /// Suggestions of each kind (service, lz_control, caf, framework_control) per requirement.
    #[arg(long, default_value_t = 3, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32).range(1..=50))]
    top: u32,
    /// Accept every suggestion scoring at least S (0..1), recorded with origin "suggested" as
    /// not yet reviewed (learning from decisions ignores them until a person reviews them).
    #[arg(long, value_name = "S", allow_negative_numbers = true, value_parser = score)]
    accept_above: Option<f64>,
}

/// A score threshold: a number from 0 to 1 (an out-of-range value is a usage error).
pub(crate) fn score(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number; scores run from 0 to 1"))?;
    if !value.is_finite() || !(0.0..=1.0).contains(&value) {
        return Err(format!("{text} is out of range: scores run from 0 to 1"));
    }
    Ok(value)
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let db = ctx.db()?;
    let request = crosswalk_api::SuggestRequest {
        set: args.set,
        top: args.top as usize,
        accept_above: args.accept_above,
    };
    let report = crosswalk_api::suggest(db, &ctx.actor, &request)?;
    if ctx.json {
        output::json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    // Refs are printed whole, in a column as wide as the longest, so any of them can be pasted
    // into `crosswalk map`; only the reason is shortened.
    let width = report
        .requirements
        .iter()
        .flat_map(|r| &r.suggestions)
        .map(|s| s.reference.chars().count())
        .max()
        .unwrap_or(0)
        .max("target".len());
    if !report.requirements.is_empty() {
        output::line(&format!(
            "  {:<5} {:<17} {:<width$} {:<12} reason",
            "score", "kind", "target", "status"
        ));
    }
    for r in &report.requirements {
        output::line(&format!("{}:{}", r.set, r.reference));
        for s in &r.suggestions {
            let mark = if s.accepted_now {
                "accepted now"
            } else if s.accepted {
                "accepted"
            } else if s.rejected {
                "rejected"
            } else {
                ""
            };
            output::line(&format!(
                "  {:<5.2} {:<17} {:<width$} {:<12} {}",
                s.score,
                s.kind.as_str(),
                s.reference,
                mark,
                output::clip(&s.reason, 70)
            ));
        }
    }
    if let Some(threshold) = args.accept_above {
        // What was accepted, for review: the ranked list above is everything else.
        eprintln!(
            "accepted {} suggestions scoring {threshold:.2} or more, recorded as not yet reviewed{}",
            report.accepted,
            if report.accepted > 0 { ":" } else { "" }
        );
        for (r, s) in report.accepted_now() {
            eprintln!(
                "  {}:{} \u{2192} {} ({:.2})",
                r.set, r.reference, s.reference, s.score
            );
        }
    }
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    Ok(ExitCode::SUCCESS)
}

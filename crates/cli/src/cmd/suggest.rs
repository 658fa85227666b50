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
    /// Accept every suggestion scoring at least S (0..1), recorded with origin "suggested".
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
                "  {:.2} {:<17} {:<40} {:<12} {}",
                s.score,
                s.kind.as_str(),
                output::clip(&s.reference, 40),
                mark,
                output::clip(&s.reason, 70)
            ));
        }
    }
    if args.accept_above.is_some() {
        eprintln!("accepted {} suggestions", report.accepted);
    }
    Ok(ExitCode::SUCCESS)
}

use crate::output;
use crate::Context;
use std::process::ExitCode;

/// The saved column profiles of `import --profile NAME`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> anyhow::Result<ExitCode> {
    let profiles = crosswalk_api::column_profiles(ctx.db()?)?;
    if ctx.json {
        output::json(&serde_json::json!({ "profiles": profiles }))?;
        return Ok(ExitCode::SUCCESS);
    }
    for p in &profiles {
        let mut choices = Vec::new();
        if !p.sheets.is_empty() {
            choices.push(format!("--sheet {}", p.sheets.join(" --sheet ")));
        }
        if p.all_sheets {
            choices.push("--all-sheets".to_string());
        }
        if let Some(h) = p.header_row {
            choices.push(format!("--header-row {h}"));
        }
        let columns: usize = p.signature.iter().map(Vec::len).sum();
        output::line(&format!(
            "{:<20} {:<40} sets: {:<20} {} sheet(s), {} columns, saved {}",
            p.name,
            choices.join(" "),
            p.sets.join(", "),
            p.signature.len(),
            columns,
            p.updated_at
        ));
    }
    eprintln!("{} column profiles", profiles.len());
    Ok(ExitCode::SUCCESS)
}

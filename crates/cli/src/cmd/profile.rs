//! `crosswalk profile`: the engagement's landing-zone profile (which controls the landing zone
//! enables, so that requirements mapped to them are inherited) and its shipped presets.

use crate::output;
use crate::Context;
use crosswalk_api::{PresetInfo, ProfileControl};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// The preset in force (if any), how many controls are enabled, and every landing-zone
    /// control enabled or disabled.
    Show {
        /// Only the enabled controls.
        #[arg(long)]
        enabled: bool,
    },
    /// The shipped landing-zone presets (works without --db).
    Presets,
    /// Make the profile exactly a shipped preset (creates the engagement file when missing).
    Apply { preset: String },
    /// Enable landing-zone controls: ct:…, scp:…, config:… (or REF when unambiguous).
    Enable {
        #[arg(required = true, value_name = "REF")]
        refs: Vec<String>,
    },
    /// Disable landing-zone controls: ct:…, scp:…, config:… (or REF when unambiguous).
    Disable {
        #[arg(required = true, value_name = "REF")]
        refs: Vec<String>,
    },
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let (change, preset, already) = match args.command {
        Sub::Show { enabled } => return show(ctx, enabled),
        Sub::Presets => return presets(ctx),
        Sub::Apply { preset } => (
            PresetInfo::apply(ctx.db()?, &ctx.actor, &preset)?,
            Some(preset),
            "",
        ),
        Sub::Enable { refs } => (
            ProfileControl::set_many(ctx.db()?, &ctx.actor, &refs, true)?,
            None,
            "already enabled",
        ),
        Sub::Disable { refs } => (
            ProfileControl::set_many(ctx.db()?, &ctx.actor, &refs, false)?,
            None,
            "already disabled",
        ),
    };
    for c in &change.mandatory_disabled {
        eprintln!(
            "warning: {c} is disabled although the catalogue marks it mandatory (the landing \
             zone always applies it); requirements mapped to it are no longer inherited"
        );
    }
    if ctx.json {
        output::json(&change)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(p) = &preset {
        eprintln!("applied preset {p}");
    }
    for (done, controls) in [("enabled", &change.enabled), ("disabled", &change.disabled)] {
        if !controls.is_empty() {
            eprintln!(
                "{done} {}: {}",
                plural(controls.len(), "control", "controls"),
                named(controls)
            );
        }
    }
    if !change.unchanged.is_empty() && preset.is_none() {
        eprintln!("{already}: {}", change.unchanged.join(", "));
    }
    if change.coverage_moves.is_empty() {
        eprintln!("no requirement changes coverage");
    }
    for m in &change.coverage_moves {
        eprintln!(
            "{} from {} to {}",
            plural(m.requirements, "requirement moves", "requirements move"),
            m.from,
            m.to
        );
    }
    eprintln!(
        "{} enabled in the landing-zone profile",
        plural(change.enabled_now, "control", "controls")
    );
    Ok(ExitCode::SUCCESS)
}

/// The controls by name, or counted per framework when there are many (a preset).
fn named(controls: &[String]) -> String {
    if controls.len() <= 8 {
        return controls.join(", ");
    }
    let mut per: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for c in controls {
        *per.entry(c.split(':').next().unwrap_or_default())
            .or_default() += 1;
    }
    let parts: Vec<String> = per.iter().map(|(f, n)| format!("{n} {f}:")).collect();
    format!("{}; `crosswalk profile show` lists them", parts.join(", "))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn show(ctx: &Context, only_enabled: bool) -> anyhow::Result<ExitCode> {
    let mut profile = ProfileControl::profile(ctx.db()?)?;
    if only_enabled {
        profile.controls.retain(|c| c.enabled);
    }
    if ctx.json {
        output::json(&profile)?;
        return Ok(ExitCode::SUCCESS);
    }
    let source = match (&profile.preset, &profile.nearest) {
        (Some(p), _) => format!("preset {p}"),
        (None, _) if profile.default_profile => {
            "the default of a new engagement: the controls the catalogue marks mandatory \
             (`crosswalk profile presets` lists the presets)"
                .to_string()
        }
        (None, Some(n)) => format!(
            "customised; nearest preset {} ({} more enabled, {} of it not enabled)",
            n.preset, n.extra, n.missing
        ),
        (None, None) => "customised".to_string(),
    };
    output::line(&format!(
        "landing-zone profile: {} of {} controls enabled; {source}",
        profile.enabled, profile.total
    ));
    for c in &profile.controls {
        let users = if c.requirements > 0 {
            format!(
                "  [{}]",
                plural(c.requirements, "requirement", "requirements")
            )
        } else {
            String::new()
        };
        output::line(&format!(
            "{:<8} {:<52} {}{users}",
            if c.enabled { "enabled" } else { "-" },
            c.reference,
            output::clip(&c.title, 70)
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn presets(ctx: &Context) -> anyhow::Result<ExitCode> {
    let presets = crosswalk_api::profile_presets();
    // With an existing engagement file, say which preset is in force.
    let in_force = match ctx.db.as_deref() {
        Some(db) if db.is_file() => ProfileControl::profile(db)?.preset,
        _ => None,
    };
    if ctx.json {
        let doc = serde_json::json!({ "presets": presets, "in_force": in_force });
        output::json(&doc)?;
        return Ok(ExitCode::SUCCESS);
    }
    for p in &presets {
        let mark = if in_force.as_deref() == Some(p.id.as_str()) {
            "  (in force)"
        } else {
            ""
        };
        output::line(&format!(
            "{:<26} {:>4} controls  {}{mark}",
            p.id, p.controls, p.name
        ));
        output::line(&format!("{:<26} {}", "", output::clip(&p.description, 110)));
    }
    Ok(ExitCode::SUCCESS)
}

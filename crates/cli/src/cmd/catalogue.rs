use crate::output;
use crate::Context;
use crosswalk_domain::display_title;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Every framework and its items.
    List,
    /// One item with its attributes and links: FRAMEWORK:REF, or REF when unambiguous.
    Show { reference: String },
    /// Items containing every word.
    Search {
        #[arg(required = true)]
        words: Vec<String>,
        /// At most this many items.
        #[arg(long, default_value_t = 25)]
        limit: usize,
    },
    /// Add a shipped framework (fsbp, nist, msr, wa…) to the engagement as a requirement set to
    /// assess; adopting it again is a re-import with a diff.
    Adopt {
        framework: String,
        /// The requirement set (default: FRAMEWORK-assessment).
        #[arg(long)]
        set: Option<String>,
    },
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    // Without --db: the catalogue shipped in this binary.
    let db = ctx.db.as_deref();
    match args.command {
        Sub::List => {
            let listing = crosswalk_api::catalogue_list(db)?;
            if ctx.json {
                output::json(&listing)?;
            } else {
                output::line(&format!("catalogue {}", listing.version));
                for f in &listing.frameworks {
                    let unpublished = if f.unpublished > 0 {
                        format!(" ({} with no published details)", f.unpublished)
                    } else {
                        String::new()
                    };
                    output::line(&format!(
                        "{:<10} {:<12} {:>5} items  {}{unpublished}",
                        f.id,
                        f.kind.as_str(),
                        f.items.len(),
                        f.name
                    ));
                }
            }
        }
        Sub::Show { reference } => {
            let item = crosswalk_api::catalogue_show(db, &reference)?;
            if ctx.json {
                output::json(&item)?;
            } else {
                output::line(&format!(
                    "{}  {}",
                    item.reference,
                    display_title(&item.title, item.details_published)
                ));
                output::line(&format!("{} ({})", item.framework_name, item.kind.as_str()));
                if !item.text.is_empty() {
                    output::line(&format!("\n{}\n", item.text));
                }
                for (k, v) in item.attributes.iter() {
                    output::line(&format!("  {k}: {v}"));
                }
                for l in &item.links {
                    let arrow = if l.direction == "outgoing" {
                        "->"
                    } else {
                        "<-"
                    };
                    output::line(&format!(
                        "  {arrow} {} {} {}",
                        l.relationship,
                        l.reference,
                        output::clip(&l.note, 60)
                    ));
                }
                // Where the facts come from and the caveats of that source.
                output::line("\nSource and caveats:");
                for l in item.provenance.lines().filter(|l| !l.trim().is_empty()) {
                    output::line(&format!("  {l}"));
                }
            }
        }
        Sub::Search { words, limit } => {
            let result = crosswalk_api::catalogue_search(db, &words.join(" "), limit)?;
            if ctx.json {
                output::json(&result)?;
            } else {
                for h in &result.items {
                    output::line(&format!(
                        "{:<45} {:<12} {}",
                        h.reference,
                        h.kind.as_str(),
                        output::clip(&display_title(&h.title, h.details_published), 70)
                    ));
                }
                eprintln!("{} items", result.items.len());
            }
        }
        Sub::Adopt { framework, set } => {
            let db = ctx.db()?;
            let r = crosswalk_api::catalogue_adopt(db, &ctx.actor, &framework, set.as_deref())?;
            if ctx.json {
                output::json(&r)?;
            } else {
                eprintln!(
                    "Adopted {} ({} {}, {} items) as set '{}' in {}: {} added, {} changed, {} removed, {} unchanged",
                    r.framework,
                    r.framework_name,
                    r.framework_version,
                    r.requirements,
                    r.set,
                    db.display(),
                    r.added,
                    r.changed,
                    r.removed,
                    r.unchanged
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

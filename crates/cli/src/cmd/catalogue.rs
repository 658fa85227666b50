use crate::output;
use crate::Context;
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
                    output::line(&format!(
                        "{:<10} {:<12} {:>5} items  {}",
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
                output::line(&format!("{}  {}", item.reference, item.title));
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
                        output::clip(&h.title, 70)
                    ));
                }
                eprintln!("{} items", result.items.len());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

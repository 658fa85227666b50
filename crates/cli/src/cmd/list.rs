use crate::output;
use crate::Context;
use crosswalk_api::{Coverage, RequirementQuery, SortColumn};
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Sort {
    Source,
    Ref,
    Title,
    Text,
    Section,
    Coverage,
    Sheet,
    Row,
}

impl From<Sort> for SortColumn {
    fn from(s: Sort) -> Self {
        match s {
            Sort::Source => SortColumn::Source,
            Sort::Ref => SortColumn::Ref,
            Sort::Title => SortColumn::Title,
            Sort::Text => SortColumn::Text,
            Sort::Section => SortColumn::Section,
            Sort::Coverage => SortColumn::Coverage,
            Sort::Sheet => SortColumn::Sheet,
            Sort::Row => SortColumn::Row,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this requirement set.
    #[arg(long)]
    set: Option<String>,
    /// Only requirements containing these words (full-text, prefixes).
    #[arg(long)]
    search: Option<String>,
    /// Only this section.
    #[arg(long)]
    section: Option<String>,
    /// Only this coverage: inherited, partial, workload, gap, not_applicable.
    #[arg(long, value_parser = parse_coverage)]
    coverage: Option<Coverage>,
    #[arg(long, value_enum, default_value = "source")]
    sort: Sort,
    /// Sort descending.
    #[arg(long)]
    desc: bool,
    /// Skip this many rows.
    #[arg(long, default_value_t = 0)]
    offset: u32,
    /// At most this many rows.
    #[arg(long)]
    limit: Option<u32>,
    /// Also list requirements gone from the latest file (kept for their decisions).
    #[arg(long)]
    include_removed: bool,
}

fn parse_coverage(s: &str) -> Result<Coverage, String> {
    s.parse()
        .map_err(|e: crosswalk_domain::UnknownTerm| e.to_string())
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let db = ctx.db()?;
    let query = RequirementQuery {
        set: args.set,
        section: args.section,
        coverage: args.coverage,
        search: args.search,
        include_removed: args.include_removed,
        sort: args.sort.into(),
        descending: args.desc,
        offset: args.offset,
        limit: args.limit,
    };
    let list = crosswalk_api::list_requirements(db, &query)?;
    if ctx.json {
        output::json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in &list.requirements {
        let body = if r.title.is_empty() {
            &r.text
        } else {
            &r.title
        };
        let flag = if r.withdrawn {
            " [withdrawn]"
        } else if r.removed {
            " [removed]"
        } else {
            ""
        };
        output::line(&format!(
            "{}:{}\t{}\t{}{flag}",
            r.set,
            r.reference,
            r.coverage,
            output::clip(body, 90)
        ));
    }
    eprintln!("{} of {} requirements", list.requirements.len(), list.total);
    Ok(ExitCode::SUCCESS)
}

//! `crosswalk`: the command-line host over `crosswalk-api`, following ../shared/CLI.md.
//!
//! Exit codes: 0 success, 1 bad input or a failed operation (nothing written), 2 usage error
//! (clap's own), 3 conflicts or altered read-only data. With `--json`, stdout carries exactly
//! one JSON document; messages, progress and warnings go to stderr.

mod cmd;
mod output;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

// Every Crosswalk binary uses the same allocator (see the workspace Cargo.toml for why).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "crosswalk",
    version,
    about = "Map customer security requirements to AWS, offline"
)]
struct Cli {
    /// The engagement file (SQLite). Commands that write create it when missing.
    #[arg(long, global = true, value_name = "FILE")]
    db: Option<PathBuf>,

    /// Print exactly one JSON document on stdout.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import a requirement sheet (xlsx, xls, ods, csv…) into a requirement set.
    Import(cmd::import::Args),
    /// The saved column profiles of `import --profile`.
    ImportProfiles(cmd::import_profiles::Args),
    /// List the requirements.
    List(cmd::list::Args),
    /// Ranked suggestions per requirement; accept the confident ones with --accept-above.
    Suggest(cmd::suggest::Args),
    /// Record accepted mappings from a requirement to targets.
    Map(cmd::map::Args),
    /// Write the traceability matrix.
    Export(cmd::export::Args),
    /// Merge the customer's edits from an exported matrix (exit 3 on conflicts).
    ImportMatrix(cmd::import_matrix::Args),
    /// Was an exported matrix altered, and where (exit 3 when read-only data changed).
    Verify(cmd::verify::Args),
    /// The reference catalogue.
    Catalogue(cmd::catalogue::Args),
    /// The whole job on the shipped sample: import, accept the top suggestions, export.
    Demo(cmd::demo::Args),
    /// The audit log of the engagement, with its hash chain checked.
    Audit(cmd::audit::Args),
    /// The migration security workplan: tasks and subtasks, status, owners, policy decisions.
    Workplan(cmd::workplan::Args),
    /// The readiness assessment per security domain, and the readiness report.
    Readiness(cmd::readiness::Args),
    /// The story backlog (readiness and requirement gaps, one story per control) and its CSV.
    Stories(cmd::stories::Args),
    /// The landing-zone profile: which controls the landing zone enables (they make mapped
    /// requirements inherited), its presets, enabling and disabling controls.
    Profile(cmd::profile::Args),
    /// The workloads: with two or more the matrix has a row per requirement and workload.
    Workload(cmd::workload::Args),
    /// Decisions made on a requirement's earlier text, after a re-import changed it: list them,
    /// confirm them for the new text.
    Review(cmd::review::Args),
}

/// What every command gets: the global options and who is acting, now.
pub struct Context {
    pub db: Option<PathBuf>,
    pub json: bool,
    pub actor: crosswalk_api::Actor,
}

impl Context {
    /// The `--db` file, which this command needs.
    pub fn db(&self) -> anyhow::Result<&std::path::Path> {
        match &self.db {
            Some(db) => Ok(db),
            None => {
                use clap::CommandFactory;
                if self.json {
                    json_error("this command needs --db FILE (the engagement file)", 2);
                }
                Cli::command()
                    .error(
                        clap::error::ErrorKind::MissingRequiredArgument,
                        "this command needs --db FILE (the engagement file)",
                    )
                    .exit()
            }
        }
    }
}

/// The host reads who and when; the logic never does.
fn actor() -> crosswalk_api::Actor {
    let name = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    crosswalk_api::Actor::new(name, time::OffsetDateTime::now_utc())
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Lets a black-box test check that a panic still ends as one error line and exit 1.
    if let Some(message) = std::env::var_os("CROSSWALK_TEST_PANIC") {
        panic!("{}", message.to_string_lossy());
    }
    if let Some(db) = cli.db.as_deref().filter(|d| d.is_dir()) {
        anyhow::bail!(
            "{}: is a folder; --db names the engagement file (for example {})",
            db.display(),
            db.join("engagement.crosswalk").display()
        );
    }
    let ctx = Context {
        db: cli.db,
        json: cli.json,
        actor: actor(),
    };
    match cli.command {
        Command::Import(a) => cmd::import::run(&ctx, a),
        Command::ImportProfiles(a) => cmd::import_profiles::run(&ctx, a),
        Command::List(a) => cmd::list::run(&ctx, a),
        Command::Suggest(a) => cmd::suggest::run(&ctx, a),
        Command::Map(a) => cmd::map::run(&ctx, a),
        Command::Export(a) => cmd::export::run(&ctx, a),
        Command::ImportMatrix(a) => cmd::import_matrix::run(&ctx, a),
        Command::Verify(a) => cmd::verify::run(&ctx, a),
        Command::Catalogue(a) => cmd::catalogue::run(&ctx, a),
        Command::Demo(a) => cmd::demo::run(&ctx, a),
        Command::Audit(a) => cmd::audit::run(&ctx, a),
        Command::Workplan(a) => cmd::workplan::run(&ctx, a),
        Command::Readiness(a) => cmd::readiness::run(&ctx, a),
        Command::Stories(a) => cmd::stories::run(&ctx, a),
        Command::Profile(a) => cmd::profile::run(&ctx, a),
        Command::Workload(a) => cmd::workload::run(&ctx, a),
        Command::Review(a) => cmd::review::run(&ctx, a),
    }
}

/// The error and its causes on one line. Most errors already quote their cause in their own
/// message (`file: cannot read the file: <io error>`); a cause is only added when it says more.
fn error_text(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

/// What a database error means for the engagement file `db`, in words that name the file;
/// `None` when the error already says it well enough.
fn explain_database_error(e: &anyhow::Error, db: Option<&std::path::Path>) -> Option<String> {
    let db = db?;
    e.chain().find_map(|c| {
        let store = match c.downcast_ref::<crosswalk_api::ApiError>() {
            Some(crosswalk_api::ApiError::Store(s)) => Some(s),
            _ => c.downcast_ref::<crosswalk_api::StoreError>(),
        };
        store.and_then(|s| s.engagement_message(db))
    })
}

/// With `--json`, a failure is also one JSON document on stdout.
fn json_error(message: &str, exit_code: u8) {
    let doc = serde_json::json!({ "error": { "message": message, "exit_code": exit_code } });
    output::line(&doc.to_string());
}

fn main() -> ExitCode {
    // Usage errors exit with clap's code 2 (and help/version with 0) before anything runs.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let usage = !matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp
                    | clap::error::ErrorKind::DisplayVersion
                    | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            );
            if usage && std::env::args_os().any(|a| a == "--json") {
                let text = e.render().to_string();
                let first = text
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches("error: ");
                json_error(first, 2);
            }
            e.exit()
        }
    };
    let json = cli.json;
    let db = cli.db.clone();
    // A panic is a bug, but the user still gets one line on stderr and exit code 1, not a trace.
    std::panic::set_hook(Box::new(|info| {
        if crosswalk_api::panic_is_contained() {
            return;
        }
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("error: internal error (a bug in crosswalk){place}: {message}");
    }));
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            let text = explain_database_error(&e, db.as_deref()).unwrap_or_else(|| error_text(&e));
            eprintln!("error: {text}");
            if json {
                json_error(&text, 1);
            }
            ExitCode::from(1)
        }
        Err(_) => {
            if json {
                json_error("internal error (a bug in crosswalk); see stderr", 1);
            }
            ExitCode::from(1)
        }
    }
}

//! The benchmark run: for each size, generate the sheets once, then measure each side in its
//! own child process (so each side's peak memory is its own) and print the figures, the ratios
//! against the libraries Crosswalk stands on, the peers, and the growth between sizes.

use crate::generate;
use crate::measure::Sample;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The plain importer's cases (`measure plain-import`).
const PLAIN_XLSX: &str = "plain libraries import (xlsx)";
const PLAIN_CSV: &str = "plain libraries import (csv)";
/// The targets issue 8 sets: Crosswalk within these factors of the library it stands on.
pub const IMPORT_TARGET: f64 = 1.5;
pub const EXPORT_TARGET: f64 = 1.5;
/// Peak memory of the import: at most twice calamine's, plus this much.
pub const MEMORY_ALLOWANCE_MB: f64 = 100.0;

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub sizes: Vec<usize>,
    pub data: PathBuf,
    pub peers: bool,
    /// Each measurement is repeated this often and the fastest run kept (sizes up to 10k only:
    /// at 100k a single run is long enough to be steady).
    pub repeat: usize,
    pub markdown: Option<PathBuf>,
    /// Stop a measurement that runs longer than this and report it as unfinished.
    pub limit: Option<Duration>,
    /// Only the import cases and their baselines (calamine, csv crate): no suggest, export or
    /// writers.
    pub import_only: bool,
}

/// The measurements, keyed by (size, case).
#[derive(Debug, Default)]
struct Results {
    samples: BTreeMap<(usize, &'static str), Sample>,
    notes: Vec<String>,
}

impl Results {
    fn get(&self, n: usize, case: &str) -> Option<&Sample> {
        self.samples
            .iter()
            .find(|((size, c), _)| *size == n && *c == case)
            .map(|(_, s)| s)
    }
}

/// A measurement stopped at the run's time limit: reported as such, not as a failure.
#[derive(Debug)]
pub struct TimedOut {
    pub what: String,
    pub limit: Duration,
}

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` was stopped after {} s without finishing",
            self.what,
            self.limit.as_secs()
        )
    }
}

impl std::error::Error for TimedOut {}

/// The time limit of one measurement (`--limit`), set once per run.
static LIMIT: std::sync::OnceLock<Option<Duration>> = std::sync::OnceLock::new();

fn child(args: &[&str]) -> Result<Sample> {
    let exe = std::env::current_exe().context("finding the benchmark binary")?;
    let mut child = Command::new(exe)
        .arg("measure")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting a measurement")?;
    if let Some(limit) = LIMIT.get().copied().flatten() {
        let start = Instant::now();
        while child.try_wait()?.is_none() {
            if start.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                return Err(TimedOut {
                    what: args.first().copied().unwrap_or("").to_string(),
                    limit,
                }
                .into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let out = child
        .wait_with_output()
        .context("waiting for a measurement")?;
    parse_sample(&out, &args.join(" "))
}

fn parse_sample(out: &std::process::Output, what: &str) -> Result<Sample> {
    if !out.status.success() {
        bail!(
            "measurement `{what}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .with_context(|| format!("measurement `{what}` printed no figures"))?;
    serde_json::from_str(line).with_context(|| format!("measurement `{what}` printed {line}"))
}

/// Runs `make` `repeat` times and keeps the fastest run; memory is the largest seen.
fn best_of(repeat: usize, mut make: impl FnMut(usize) -> Result<Sample>) -> Result<Sample> {
    let mut best: Option<Sample> = None;
    let mut peak = 0;
    for i in 0..repeat.max(1) {
        let s = make(i)?;
        peak = peak.max(s.peak_rss_kb);
        if best.as_ref().is_none_or(|b| s.seconds < b.seconds) {
            best = Some(s);
        }
    }
    let mut best = best.context("no measurement ran")?;
    best.peak_rss_kb = peak;
    Ok(best)
}

fn path_str(p: &Path) -> Result<&str> {
    p.to_str()
        .with_context(|| format!("{} is not valid UTF-8", p.display()))
}

/// Whether Python with openpyxl and XlsxWriter is there; says why not when it is not.
fn python_peers() -> std::result::Result<(), String> {
    let out = Command::new("python3")
        .args(["-c", "import openpyxl, xlsxwriter"])
        .output();
    match out {
        Ok(o) if o.status.success() => Ok(()),
        Ok(_) => Err("python3 has no openpyxl/xlsxwriter (scripts/bench.sh installs them with pip when it can)".into()),
        Err(_) => Err("python3 is not installed".into()),
    }
}

fn python(script: &str, args: &[&str]) -> Result<Sample> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers");
    let out = Command::new("python3")
        .arg(dir.join(script))
        .args(args)
        .output()
        .context("starting python3")?;
    parse_sample(&out, script)
}

pub fn run(options: &RunOptions) -> Result<()> {
    let _ = LIMIT.set(options.limit);
    let mut results = Results::default();
    let peers = if options.peers {
        match python_peers() {
            Ok(()) => true,
            Err(why) => {
                let note = format!("peers skipped: {why}");
                eprintln!("{note}");
                results.notes.push(note);
                false
            }
        }
    } else {
        results.notes.push("peers not run (--no-peers)".into());
        false
    };
    let mut stopped: Vec<String> = Vec::new();
    for &n in &options.sizes {
        let t = std::time::Instant::now();
        let (xlsx, csv) = generate::ensure_files(&options.data, n)?;
        eprintln!(
            "{n} rows: sheets ready in {:.1?} ({}, {:.1} MB; {}, {:.1} MB)",
            t.elapsed(),
            xlsx.display(),
            mb_of_file(&xlsx),
            csv.display(),
            mb_of_file(&csv)
        );
        let repeat = if n > 10_000 { 1 } else { options.repeat };
        let work = tempfile::Builder::new()
            .prefix("crosswalk-bench-")
            .tempdir_in(&options.data)?;
        let w = work.path();
        let xs = path_str(&xlsx)?;
        let cs = path_str(&csv)?;
        let mut record = |case: &'static str, s: Sample| {
            eprintln!(
                "  {case:<28} {:>8.3} s  {:>7.1} MB  {}",
                s.seconds,
                s.peak_rss_kb as f64 / 1024.0,
                s.detail
            );
            results.samples.insert((n, case), s);
        };

        record(
            "calamine read (xlsx)",
            best_of(repeat, |_| child(&["calamine", xs]))?,
        );
        let s = best_of(repeat, |i| {
            let d = w.join(format!("plain-xlsx-{i}.sqlite"));
            let s = child(&["plain-import", xs, path_str(&d)?]);
            let _ = std::fs::remove_file(&d);
            s
        })?;
        record(PLAIN_XLSX, s);
        let db = w.join("xlsx.crosswalk");
        let s = best_of(repeat, |i| {
            let d = w.join(format!("xlsx-{i}.crosswalk"));
            let s = child(&["import", xs, path_str(&d)?])?;
            std::fs::rename(&d, &db)?;
            Ok(s)
        })?;
        record("crosswalk import (xlsx)", s);
        let s = best_of(repeat, |i| {
            let d = w.join(format!("new-{i}.crosswalk"));
            let s = child(&["import-new", xs, path_str(&d)?]);
            let _ = std::fs::remove_file(&d);
            s
        })?;
        record("crosswalk first import (xlsx)", s);
        record(
            "csv crate read (csv)",
            best_of(repeat, |_| child(&["csv", cs]))?,
        );
        let s = best_of(repeat, |i| {
            let d = w.join(format!("plain-csv-{i}.sqlite"));
            let s = child(&["plain-import", cs, path_str(&d)?]);
            let _ = std::fs::remove_file(&d);
            s
        })?;
        record(PLAIN_CSV, s);
        let s = best_of(repeat, |i| {
            let d = w.join(format!("csv-{i}.crosswalk"));
            let s = child(&["import", cs, path_str(&d)?]);
            let _ = std::fs::remove_file(&d);
            s
        })?;
        record("crosswalk import (csv)", s);
        if options.import_only {
            if peers {
                record(
                    "python openpyxl read",
                    best_of(repeat, |_| python("openpyxl_read.py", &[xs]))?,
                );
            }
            continue;
        }

        let s = best_of(repeat, |i| {
            let d = w.join(format!("suggest-{i}.crosswalk"));
            std::fs::copy(&db, &d)?;
            let s = child(&["suggest", path_str(&d)?])?;
            std::fs::rename(&d, w.join("mapped.crosswalk"))?;
            Ok(s)
        })?;
        record("crosswalk suggest+accept", s);
        let mapped = w.join("mapped.crosswalk");
        let matrix = w.join("matrix.xlsx");
        let ms = path_str(&matrix)?.to_string();
        let export = match best_of(repeat, |_| child(&["export", path_str(&mapped)?, &ms])) {
            Ok(s) => Some(s),
            Err(e) if e.downcast_ref::<TimedOut>().is_some() => {
                let note = format!(
                    "{n} rows: {e}; the writers alone, which write that matrix's cells, were not measured at this size"
                );
                eprintln!("  {note}");
                stopped.push(note);
                None
            }
            Err(e) => return Err(e),
        };
        let exported = export.is_some();
        if let Some(s) = export {
            record("crosswalk export (xlsx)", s);
            let plain = w.join("plain.xlsx");
            record(
                "rust_xlsxwriter write",
                best_of(repeat, |_| child(&["xlsxwriter", &ms, path_str(&plain)?]))?,
            );
            record(
                "rust_xlsxwriter write (low memory)",
                best_of(repeat, |_| {
                    child(&["xlsxwriter-low-memory", &ms, path_str(&plain)?])
                })?,
            );
        }
        if peers {
            record(
                "python openpyxl read",
                best_of(repeat, |_| python("openpyxl_read.py", &[xs]))?,
            );
            if exported {
                let py_out = w.join("python.xlsx");
                record(
                    "python XlsxWriter write",
                    best_of(repeat, |_| {
                        python("xlsxwriter_write.py", &[&ms, path_str(&py_out)?])
                    })?,
                );
            }
        }
    }
    results.notes.extend(stopped);
    let report = report(&results, &options.sizes);
    println!("{report}");
    if let Some(md) = &options.markdown {
        std::fs::write(md, &report).with_context(|| format!("writing {}", md.display()))?;
        eprintln!("figures written to {}", md.display());
    }
    Ok(())
}

fn mb_of_file(p: &Path) -> f64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
}

fn mb(s: &Sample) -> f64 {
    s.peak_rss_kb as f64 / 1024.0
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "within target"
    } else {
        "OVER target"
    }
}

/// The figures as Markdown tables (printed, and written to a file on request).
fn report(r: &Results, sizes: &[usize]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### Figures\n");
    let _ = writeln!(
        out,
        "| rows | measurement | seconds | peak MB | what it did |"
    );
    let _ = writeln!(out, "|---:|---|---:|---:|---|");
    for ((n, case), s) in &r.samples {
        let _ = writeln!(
            out,
            "| {n} | {case} | {:.3} | {:.1} | {} |",
            s.seconds,
            mb(s),
            s.detail
        );
    }
    let _ = writeln!(
        out,
        "\n### Ratios (Crosswalk ÷ the library alone, same run)\n"
    );
    let _ = writeln!(out, "| rows | comparison | time ratio | memory | verdict |");
    let _ = writeln!(out, "|---:|---|---:|---|---|");
    for &n in sizes {
        let pairs: [(&str, &str, &str, f64); 4] = [
            (
                "import xlsx ÷ calamine read",
                "crosswalk import (xlsx)",
                "calamine read (xlsx)",
                IMPORT_TARGET,
            ),
            (
                "first import xlsx (new file) ÷ calamine read",
                "crosswalk first import (xlsx)",
                "calamine read (xlsx)",
                IMPORT_TARGET,
            ),
            (
                "import csv ÷ csv crate read",
                "crosswalk import (csv)",
                "csv crate read (csv)",
                IMPORT_TARGET,
            ),
            (
                "export ÷ rust_xlsxwriter write",
                "crosswalk export (xlsx)",
                "rust_xlsxwriter write",
                EXPORT_TARGET,
            ),
        ];
        for (label, ours, theirs, target) in pairs {
            if let (Some(a), Some(b)) = (r.get(n, ours), r.get(n, theirs)) {
                let ratio = a.seconds / b.seconds.max(1e-9);
                let mem_limit = 2.0 * mb(b) + MEMORY_ALLOWANCE_MB;
                let mem_ok = mb(a) <= mem_limit;
                let _ = writeln!(
                    out,
                    "| {n} | {label} | {ratio:.2}× (target ≤ {target}×) | {:.0} MB vs {:.0} MB (limit {:.0} MB) | time {}, memory {} |",
                    mb(a),
                    mb(b),
                    mem_limit,
                    verdict(ratio <= target),
                    verdict(mem_ok)
                );
            }
        }
    }
    // The second baseline: the same libraries also storing and indexing the rows, with no
    // Crosswalk logic at all (crates/bench/src/plain.rs). No target; it shows how much of the
    // import is the libraries' own work.
    let mut plain = String::new();
    for &n in sizes {
        for (label, ours, theirs) in [
            (
                "import xlsx ÷ plain import (xlsx)",
                "crosswalk import (xlsx)",
                PLAIN_XLSX,
            ),
            (
                "import csv ÷ plain import (csv)",
                "crosswalk import (csv)",
                PLAIN_CSV,
            ),
        ] {
            if let (Some(a), Some(b)) = (r.get(n, ours), r.get(n, theirs)) {
                let _ = writeln!(
                    plain,
                    "| {n} | {label} | {:.2}× | {:.0} MB vs {:.0} MB |",
                    a.seconds / b.seconds.max(1e-9),
                    mb(a),
                    mb(b)
                );
            }
        }
    }
    if !plain.is_empty() {
        let _ = writeln!(
            out,
            "\n### Against the same libraries storing and indexing too (calamine or csv + SQLite/FTS5, no Crosswalk code)\n"
        );
        let _ = writeln!(out, "| rows | comparison | time ratio | memory |");
        let _ = writeln!(out, "|---:|---|---:|---|");
        out.push_str(&plain);
    }
    let peer_pairs = [
        (
            "python openpyxl read ÷ crosswalk import (xlsx)",
            "python openpyxl read",
            "crosswalk import (xlsx)",
        ),
        (
            "python openpyxl read ÷ calamine read",
            "python openpyxl read",
            "calamine read (xlsx)",
        ),
        (
            "python XlsxWriter write ÷ crosswalk export",
            "python XlsxWriter write",
            "crosswalk export (xlsx)",
        ),
        (
            "python XlsxWriter write ÷ rust_xlsxwriter write",
            "python XlsxWriter write",
            "rust_xlsxwriter write",
        ),
    ];
    let mut peers = String::new();
    for &n in sizes {
        for (label, a, b) in peer_pairs {
            if let (Some(a), Some(b)) = (r.get(n, a), r.get(n, b)) {
                let _ = writeln!(
                    peers,
                    "| {n} | {label} | {:.2}× | {:.0} MB vs {:.0} MB |",
                    a.seconds / b.seconds.max(1e-9),
                    mb(a),
                    mb(b)
                );
            }
        }
    }
    if !peers.is_empty() {
        let _ = writeln!(
            out,
            "\n### Peers (how much slower the Python script a consultant would write is)\n"
        );
        let _ = writeln!(out, "| rows | comparison | time ratio | memory |");
        let _ = writeln!(out, "|---:|---|---:|---|");
        out.push_str(&peers);
    }
    if sizes.len() > 1 {
        let _ = writeln!(
            out,
            "\n### Growth (microseconds per row; linear growth keeps it flat)\n"
        );
        let mut header = String::from("| operation |");
        let mut rule = String::from("|---|");
        for n in sizes {
            let _ = write!(header, " {n} rows |");
            rule.push_str("---:|");
        }
        header.push_str(" largest ÷ smallest per row |");
        rule.push_str("---:|");
        let _ = writeln!(out, "{header}\n{rule}");
        for case in [
            "crosswalk import (xlsx)",
            "crosswalk first import (xlsx)",
            "crosswalk import (csv)",
            "crosswalk suggest+accept",
            "crosswalk export (xlsx)",
            "calamine read (xlsx)",
            "rust_xlsxwriter write",
        ] {
            let per_row: Vec<Option<f64>> = sizes
                .iter()
                .map(|&n| r.get(n, case).map(|s| s.seconds * 1e6 / n as f64))
                .collect();
            let mut line = format!("| {case} |");
            for p in &per_row {
                match p {
                    Some(v) => {
                        let _ = write!(line, " {v:.0} |");
                    }
                    None => line.push_str(" – |"),
                }
            }
            match (
                per_row.first().copied().flatten(),
                per_row.last().copied().flatten(),
            ) {
                (Some(a), Some(b)) => {
                    let _ = write!(line, " {:.2} |", b / a.max(1e-9));
                }
                _ => line.push_str(" – |"),
            }
            let _ = writeln!(out, "{line}");
        }
    }
    for note in &r.notes {
        let _ = writeln!(out, "\n_{note}_");
    }
    out
}

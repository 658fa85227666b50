//! How long an import takes on large generated sheets and on the real samples:
//! `cargo bench -p crosswalk-sheets`. Plain timing loops (no bench framework in the workspace);
//! each case prints the best of a few runs.

use crosswalk_sheets::{read_requirements, ImportOptions};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn best_of(runs: u32, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        n = f();
        best = best.min(t.elapsed());
    }
    (best, n)
}

fn rows(n: usize) -> Vec<[String; 6]> {
    (0..n)
        .map(|i| {
            [
                format!("REQ-{i:06}"),
                format!("Requirement title number {i}"),
                format!("The system shall keep audit records of event {i} for at least one year and protect them from change by anyone but the auditors."),
                ["Identity", "Logging", "Data", "Network", "Response"][i % 5].to_string(),
                format!("owner{}", i % 17),
                if i % 3 == 0 { "High".into() } else { "Low".into() },
            ]
        })
        .collect()
}

const HEADER: [&str; 6] = ["ID", "Title", "Requirement", "Domain", "Owner", "Priority"];

fn main() {
    let options = ImportOptions::default();
    let data = rows(100_000);

    let mut csv = HEADER.join(",");
    csv.push('\n');
    for r in &data {
        csv.push_str(&format!(
            "{},{},\"{}\",{},{},{}\n",
            r[0], r[1], r[2], r[3], r[4], r[5]
        ));
    }
    let (t, n) = best_of(3, || {
        read_requirements("big.csv", csv.as_bytes(), &options)
            .map(|i| i.requirements.len())
            .unwrap_or(0)
    });
    println!(
        "csv  100,000 rows × 6 columns ({:>5.1} MB): {:>8.1} ms ({n} requirements)",
        csv.len() as f64 / 1e6,
        t.as_secs_f64() * 1e3
    );

    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).ok();
    }
    for (r, row) in data.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v).ok();
        }
    }
    let xlsx = wb.save_to_buffer().unwrap_or_default();
    let (t, n) = best_of(3, || {
        read_requirements("big.xlsx", &xlsx, &options)
            .map(|i| i.requirements.len())
            .unwrap_or(0)
    });
    println!(
        "xlsx 100,000 rows × 6 columns ({:>5.1} MB): {:>8.1} ms ({n} requirements)",
        xlsx.len() as f64 / 1e6,
        t.as_secs_f64() * 1e3
    );

    let shared = std::env::var_os("CROSSWALK_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let Ok(dir) = std::fs::read_dir(shared.join("samples/real")) else {
        return;
    };
    let mut files: Vec<PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    for path in files {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (t, n) = best_of(5, || {
            read_requirements(&name, &bytes, &options)
                .map(|i| i.requirements.len())
                .unwrap_or(0)
        });
        println!(
            "{name:<52} {:>8.1} ms ({n} requirements)",
            t.as_secs_f64() * 1e3
        );
    }
}

//! The whole job on the shipped sample, end to end through the real binary, and the exported
//! matrix read back with calamine and checked against the engagement file.

mod common;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::*;
use std::collections::{BTreeMap, BTreeSet};

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

#[test]
fn the_demo_imports_maps_and_exports_a_matrix_that_matches_the_engagement_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let output = crosswalk()
        .args(["demo", "--out"])
        .arg(&out)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document");
    let db = std::path::PathBuf::from(report["db"].as_str().unwrap());
    let matrix = std::path::PathBuf::from(report["matrix"].as_str().unwrap());
    assert!(db.is_file() && matrix.is_file(), "both printed paths exist");
    assert!(
        !out.join("demo.crosswalk-wal").exists(),
        "the engagement file is complete on its own"
    );
    assert_eq!(
        report["import"]["requirements"], 60,
        "the shipped sample has 60 requirements"
    );
    assert!(
        report["accepted"].as_u64().unwrap() >= 30,
        "confident suggestions are accepted: {}",
        report["accepted"]
    );
    assert_eq!(report["preset"], "migration-baseline");
    assert_eq!(
        report["workloads"],
        serde_json::json!(["shipment-tracking"])
    );

    // What the engagement file says.
    let list = json(&db, &["list"]);
    let requirements = list["requirements"].as_array().unwrap();
    assert_eq!(requirements.len(), 60);
    let raw =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let suggested = raw
        .query_row(
            "SELECT count(*) FROM mappings WHERE status = 'accepted' AND origin = 'suggested'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap() as u64;
    let mut stmt = raw
        .prepare(
            "SELECT s.ref, tf.key || ':' || t.ref, tf.kind FROM mappings m
             JOIN items s ON s.id = m.source_item_id
             JOIN items t ON t.id = m.target_item_id JOIN frameworks tf ON tf.id = t.framework_id
             WHERE m.status = 'accepted'",
        )
        .unwrap();
    let mut services: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .unwrap()
    {
        let (req, target, kind) = row.unwrap();
        if kind == "services" {
            services.entry(req).or_default().insert(target);
        }
    }
    drop(stmt);
    assert_eq!(
        suggested,
        report["accepted"].as_u64().unwrap(),
        "every accepted suggestion is stored"
    );
    let audited = json(&db, &["audit"])["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "mapping.create" && e["after"]["origin"] == "suggested")
        .count();
    assert_eq!(
        audited as u64, suggested,
        "each accepted suggestion has its audit entry"
    );

    // What the matrix says.
    let mut book: Xlsx<_> = open_workbook(&matrix).expect("the matrix is a readable xlsx");
    let sheet = book.worksheet_range("Matrix").expect("a Matrix sheet");
    let mut rows = sheet.rows();
    let header: Vec<String> = rows
        .next()
        .expect("a header row")
        .iter()
        .map(cell_text)
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name} in {header:?}"))
    };
    let (set, id, text, coverage, aws) = (
        col("Set"),
        col("Req ID"),
        col("Requirement"),
        col("Coverage"),
        col("AWS services"),
    );
    let body: Vec<Vec<String>> = rows
        .map(|r| r.iter().map(cell_text).collect())
        .filter(|r: &Vec<String>| !r[id].is_empty())
        .collect();
    assert_eq!(body.len(), 60, "one matrix row per requirement");
    for (row, req) in body.iter().zip(requirements) {
        let reference = req["ref"].as_str().unwrap();
        assert_eq!(row[set], "demo");
        assert_eq!(row[id], reference, "rows keep the engagement's order");
        assert_eq!(
            row[text],
            req["text"].as_str().unwrap(),
            "{reference}: the requirement text is exact"
        );
        assert_eq!(
            row[coverage],
            req["coverage"].as_str().unwrap(),
            "{reference}: the matrix and the database agree on coverage"
        );
        let in_matrix: BTreeSet<String> = row[aws]
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        let in_db = services.get(reference).cloned().unwrap_or_default();
        assert_eq!(
            in_matrix, in_db,
            "{reference}: the AWS services are the accepted ones"
        );
    }
    // The coverage spread: every state shows, and the engagement file, the demo's report and
    // the matrix count the same rows in each.
    let mut in_db: BTreeMap<String, u64> = BTreeMap::new();
    for r in requirements {
        *in_db
            .entry(r["coverage"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let mut in_matrix: BTreeMap<String, u64> = BTreeMap::new();
    for row in &body {
        *in_matrix.entry(row[coverage].clone()).or_default() += 1;
    }
    assert_eq!(
        in_matrix, in_db,
        "the matrix counts what the engagement file holds"
    );
    for state in ["inherited", "partial", "workload", "gap", "not_applicable"] {
        let n = in_db.get(state).copied().unwrap_or(0);
        assert!(n >= 1, "the demo shows {state} rows: {in_db:?}");
        assert_eq!(
            report["export"]["coverage"][state].as_u64().unwrap(),
            n,
            "the demo reports the {state} count of the engagement file"
        );
    }
    assert_eq!(in_db.values().sum::<u64>(), 60);
    // Rows whose coverage follows from the reviewed decisions alone.
    for (reference, state) in [
        ("SEC-LM-02", "inherited"),
        ("SEC-IR-04", "inherited"),
        ("SEC-IP-03", "inherited"),
        ("SEC-LM-06", "partial"),
        ("SEC-IAM-02", "partial"),
        ("SEC-DP-06", "workload"),
        ("SEC-IR-01", "gap"),
        ("SEC-IR-10", "gap"),
        ("SEC-IAM-13", "not_applicable"),
        ("SEC-IAM-08", "not_applicable"),
    ] {
        assert_eq!(
            by_ref(&list, reference)["coverage"],
            state,
            "{reference} per data/samples/demo-decisions.toml"
        );
    }
    assert_eq!(
        by_ref(&list, "SEC-IAM-13")["coverage_overridden"],
        true,
        "not applicable only by an override"
    );
    let enabled = raw
        .query_row(
            "SELECT count(*) FROM landing_zone_profile WHERE enabled = 1",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap();
    assert!(
        enabled > 50,
        "the migration baseline enables the mandatory controls, SCPs and detective controls: {enabled}"
    );
    let rejected = raw
        .query_row(
            "SELECT count(*) FROM mappings WHERE status = 'rejected' AND origin = 'manual'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap();
    assert!(
        rejected >= 4,
        "the reviewed rejections are kept: {rejected}"
    );

    let sheets = book.sheet_names();
    for name in ["Matrix", "Coverage", "Gaps", "Links", "Catalogue", "About"] {
        assert!(
            sheets.iter().any(|s| s == name),
            "the matrix has a {name} sheet: {sheets:?}"
        );
    }
}

#[test]
fn running_the_demo_twice_changes_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let first = crosswalk()
        .args(["demo", "--json", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(first.status.success());
    let second = crosswalk()
        .args(["demo", "--json", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(
        report["import"]["unchanged"], 60,
        "the same sample re-imports unchanged"
    );
    assert_eq!(
        report["accepted"], 0,
        "decided suggestions are not accepted twice"
    );
    assert_eq!(
        (
            &report["reviewed_mappings"],
            &report["reviewed_assessments"]
        ),
        (&serde_json::json!(0), &serde_json::json!(0)),
        "the reviewed decisions are already recorded"
    );
}

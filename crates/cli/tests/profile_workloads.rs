//! The landing-zone profile and the workloads from the command line: enabling the control a
//! requirement maps to makes it inherited, disabling it makes it a workload duty again, a
//! preset makes the profile exactly its controls, two workloads give the matrix a row per
//! requirement and workload, every change is in the audit log, and a bad ref or preset is
//! refused with exit 1 and the engagement file left byte for byte as it was.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const KMS: &str = "ct:SH.KMS.4";

/// A small generated sheet: three requirements.
fn engagement(dir: &Path) -> PathBuf {
    let sheet = dir.join("acme.csv");
    std::fs::write(
        &sheet,
        "ID,Title,Requirement\n\
         R-1,Key rotation,Customer managed keys must be rotated every year\n\
         R-2,Root MFA,The root user must use MFA\n\
         R-3,Log retention,Keep audit logs for one year\n",
    )
    .unwrap();
    let db = dir.join("acme.crosswalk");
    json(&db, &["import", sheet.to_str().unwrap(), "--set", "acme"]);
    db
}

/// Runs without `--json`; returns (exit code, stdout, stderr).
fn run(db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = crosswalk().arg("--db").arg(db).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The exported CSV matrix as (set:ref, workload, coverage) per row.
fn matrix(db: &Path, dir: &Path) -> Vec<(String, String, String)> {
    let out = dir.join("matrix.csv");
    let _ = std::fs::remove_file(&out);
    json(db, &["export", "--out", out.to_str().unwrap()]);
    let bytes = std::fs::read(&out).unwrap();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (set, id, workload, coverage) =
        (col("Set"), col("Req ID"), col("Workload"), col("Coverage"));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                format!("{}:{}", &r[set], &r[id]),
                r[workload].to_string(),
                r[coverage].to_string(),
            )
        })
        .collect()
}

fn coverage_of(db: &Path, dir: &Path, key: &str) -> String {
    let rows = matrix(db, dir);
    let found: Vec<_> = rows.iter().filter(|r| r.0 == key).collect();
    assert_eq!(found.len(), 1, "one row for {key}: {rows:?}");
    found[0].2.clone()
}

fn control<'a>(profile: &'a Value, reference: &str) -> &'a Value {
    profile["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["ref"] == reference)
        .unwrap_or_else(|| panic!("{reference} is in the profile"))
}

fn audit_actions(db: &Path) -> Vec<(String, String)> {
    json(db, &["audit"])["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["subject"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn enabling_the_mapped_control_makes_the_requirement_inherited_and_disabling_undoes_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    json(
        &db,
        &[
            "map",
            "acme:R-1",
            KMS,
            "--relationship",
            "subset-of",
            "--rationale",
            "rotation",
        ],
    );
    assert_eq!(coverage_of(&db, dir.path(), "acme:R-1"), "workload");

    // A new engagement starts with the mandatory controls; SH.KMS.4 is not one of them.
    let before = json(&db, &["profile", "show"]);
    assert_eq!(before["default_profile"], true);
    assert_eq!(control(&before, KMS)["enabled"], false);
    assert_eq!(control(&before, KMS)["requirements"], 1);
    let enabled_before = before["enabled"].as_u64().unwrap();
    assert!(enabled_before > 0, "mandatory controls are on");

    let (code, _, stderr) = run(&db, &["profile", "enable", KMS]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("enabled 1 control: ct:SH.KMS.4"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 requirement moves from workload to inherited"),
        "says what coverage follows: {stderr}"
    );
    assert_eq!(coverage_of(&db, dir.path(), "acme:R-1"), "inherited");
    let after = json(&db, &["profile", "show"]);
    assert_eq!(control(&after, KMS)["enabled"], true);
    assert_eq!(after["enabled"].as_u64().unwrap(), enabled_before + 1);
    assert_eq!(after["default_profile"], false);
    let only_on = json(&db, &["profile", "show", "--enabled"]);
    assert_eq!(
        only_on["controls"].as_array().unwrap().len() as u64,
        enabled_before + 1
    );
    assert!(only_on["controls"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["enabled"] == true));

    // Enabling it again writes nothing.
    let hash = file_hash(&db);
    let again = json(&db, &["profile", "enable", KMS]);
    assert_eq!(again["enabled"], serde_json::json!([]));
    assert_eq!(again["unchanged"], serde_json::json!([KMS]));
    assert_eq!(file_hash(&db), hash, "a no-op writes nothing");

    let off = json(&db, &["profile", "disable", KMS]);
    assert_eq!(off["disabled"], serde_json::json!([KMS]));
    assert_eq!(
        off["coverage_moves"],
        serde_json::json!([{ "from": "inherited", "to": "workload", "requirements": 1 }])
    );
    assert_eq!(coverage_of(&db, dir.path(), "acme:R-1"), "workload");

    let profile_events: Vec<_> = audit_actions(&db)
        .into_iter()
        .filter(|(action, _)| action == "profile.set")
        .collect();
    assert_eq!(
        profile_events,
        [
            ("profile.set".to_string(), "control:ct:SH.KMS.4".to_string()),
            ("profile.set".to_string(), "control:ct:SH.KMS.4".to_string()),
        ],
        "one entry per change, none for the no-op"
    );
}

#[test]
fn several_refs_of_each_kind_change_in_one_go_and_a_bad_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    let before = file_hash(&db);
    let audit_before = audit_actions(&db).len();

    // One unknown ref among good ones: nothing is written, the bad ref is named.
    let (code, stdout, stderr) = run(
        &db,
        &[
            "profile",
            "enable",
            KMS,
            "scp:ALLOWED-REGIONS",
            "ct:NO-SUCH-CONTROL",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("ct:NO-SUCH-CONTROL"), "{stderr}");
    assert!(
        !stderr.contains("'ct:SH.KMS.4'"),
        "only the bad ref is named: {stderr}"
    );
    assert_eq!(
        file_hash(&db),
        before,
        "the engagement file is byte-identical"
    );

    // A requirement or a service is not a landing-zone control.
    for other in ["acme:R-1", "service:KMS"] {
        let (code, _, stderr) = run(&db, &["profile", "disable", other]);
        assert_eq!(code, 1, "{stderr}");
        assert!(
            stderr.contains(other) && stderr.contains("not a landing-zone control"),
            "{stderr}"
        );
        assert_eq!(file_hash(&db), before);
    }

    // An unknown preset, with --json too: exit 1, the presets named, nothing written.
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["profile", "apply", "no-such-preset", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no-such-preset") && stderr.contains("ct-mandatory"),
        "{stderr}"
    );
    assert_eq!(file_hash(&db), before);
    assert_eq!(audit_actions(&db).len(), audit_before);

    // ct:, scp: and config: together: one change, one audit entry each.
    let change = json(
        &db,
        &[
            "profile",
            "enable",
            KMS,
            "scp:ALLOWED-REGIONS",
            "config:CIS-1.1",
        ],
    );
    assert_eq!(
        change["enabled"],
        serde_json::json!([KMS, "scp:ALLOWED-REGIONS", "config:CIS-1.1"])
    );
    let subjects: Vec<String> = audit_actions(&db)[audit_before..]
        .iter()
        .filter(|(a, _)| a == "profile.set")
        .map(|(_, s)| s.clone())
        .collect();
    assert_eq!(
        subjects,
        [
            "control:ct:SH.KMS.4",
            "control:scp:ALLOWED-REGIONS",
            "control:config:CIS-1.1"
        ]
    );
}

#[test]
fn a_preset_makes_the_profile_exactly_its_controls() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    let presets = json(&db, &["profile", "presets"]);
    let list = presets["presets"].as_array().unwrap();
    let ids: Vec<&str> = list.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "ct-mandatory",
            "ct-strongly-recommended",
            "migration-baseline",
            "migration-baseline-ozone"
        ]
    );
    assert!(list.iter().all(|p| p["controls"].as_u64().unwrap() > 0
        && !p["name"].as_str().unwrap().is_empty()
        && !p["description"].as_str().unwrap().is_empty()));
    let size = |id: &str| {
        list.iter().find(|p| p["id"] == id).unwrap()["controls"]
            .as_u64()
            .unwrap()
    };
    // Presets need no engagement file.
    let out = crosswalk().args(["profile", "presets"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("migration-baseline"), "{stdout}");

    let (code, _, stderr) = run(&db, &["profile", "apply", "migration-baseline"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("applied preset migration-baseline"),
        "{stderr}"
    );
    let shown = json(&db, &["profile", "show"]);
    assert_eq!(shown["preset"], "migration-baseline");
    assert_eq!(
        shown["enabled"].as_u64().unwrap(),
        size("migration-baseline")
    );
    assert_eq!(
        json(&db, &["profile", "presets"])["in_force"],
        "migration-baseline"
    );
    let (_, stdout, _) = run(&db, &["profile", "show"]);
    assert!(
        stdout.starts_with(&format!(
            "landing-zone profile: {} of ",
            size("migration-baseline")
        )) && stdout
            .lines()
            .next()
            .unwrap()
            .contains("preset migration-baseline"),
        "{stdout}"
    );

    // Applying it again changes nothing and writes no audit entry.
    let n = audit_actions(&db).len();
    let again = json(&db, &["profile", "apply", "migration-baseline"]);
    assert_eq!(again["enabled"], serde_json::json!([]));
    assert_eq!(again["disabled"], serde_json::json!([]));
    assert_eq!(audit_actions(&db).len(), n);

    // One of its controls off: no longer the preset, the nearest one is named.
    let first_on = shown["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["enabled"] == true)
        .unwrap()["ref"]
        .as_str()
        .unwrap()
        .to_string();
    json(&db, &["profile", "disable", &first_on]);
    let shown = json(&db, &["profile", "show"]);
    assert_eq!(shown["preset"], Value::Null);
    assert_eq!(
        shown["nearest"],
        serde_json::json!({ "preset": "migration-baseline", "extra": 0, "missing": 1 })
    );
    let (_, stdout, _) = run(&db, &["profile", "show"]);
    assert!(
        stdout
            .lines()
            .next()
            .unwrap()
            .contains("customised; nearest preset migration-baseline"),
        "{stdout}"
    );
}

#[test]
fn two_workloads_give_a_row_per_requirement_and_workload() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    json(
        &db,
        &["map", "acme:R-1", KMS, "--relationship", "subset-of"],
    );
    json(&db, &["profile", "enable", KMS]);
    assert_eq!(
        json(&db, &["workload", "list"])["workloads"],
        serde_json::json!([])
    );

    let (code, _, stderr) = run(
        &db,
        &[
            "workload",
            "add",
            "shipment-tracking",
            "--description",
            "Tracking API",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("one row per requirement"),
        "explains one workload: {stderr}"
    );
    assert_eq!(
        matrix(&db, dir.path()).len(),
        3,
        "one workload: a row per requirement"
    );

    let added = json(&db, &["workload", "add", "billing"]);
    assert_eq!(added["workloads"].as_array().unwrap().len(), 2);
    let listed = json(&db, &["workload", "list"]);
    assert_eq!(listed["workloads"][0]["name"], "shipment-tracking");
    assert_eq!(listed["workloads"][0]["description"], "Tracking API");
    assert_eq!(listed["workloads"][1]["name"], "billing");

    let rows = matrix(&db, dir.path());
    let mut keys: Vec<(String, String)> = rows.iter().map(|r| (r.0.clone(), r.1.clone())).collect();
    keys.sort();
    let mut expected = Vec::new();
    for r in ["acme:R-1", "acme:R-2", "acme:R-3"] {
        for w in ["billing", "shipment-tracking"] {
            expected.push((r.to_string(), w.to_string()));
        }
    }
    assert_eq!(keys, expected);
    for row in rows.iter().filter(|r| r.0 == "acme:R-1") {
        assert_eq!(row.2, "inherited", "{row:?}");
    }
    for row in rows.iter().filter(|r| r.0 != "acme:R-1") {
        assert_eq!(row.2, "gap", "{row:?}");
    }

    // A duplicate name, a blank one and an unknown removal are refused; nothing written.
    let hash = file_hash(&db);
    for args in [
        &["workload", "add", "billing"][..],
        &["workload", "add", "  "][..],
        &["workload", "remove", "payroll"][..],
    ] {
        let (code, _, stderr) = run(&db, args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert_eq!(file_hash(&db), hash, "{args:?} wrote nothing");
    }

    let (code, _, stderr) = run(&db, &["workload", "remove", "billing"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(matrix(&db, dir.path()).len(), 3);
    let actions = audit_actions(&db);
    for event in [
        ("workload.create", "workload:shipment-tracking"),
        ("workload.create", "workload:billing"),
        ("workload.remove", "workload:billing"),
    ] {
        assert!(
            actions.contains(&(event.0.to_string(), event.1.to_string())),
            "{event:?} in {actions:?}"
        );
    }
}

#[test]
fn a_workload_with_its_own_assessments_is_removed_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    json(&db, &["workload", "add", "billing"]);
    json(&db, &["workload", "add", "tracking"]);
    // The customer fills in an owner on billing's row of the matrix; merging it records an
    // assessment of billing's own.
    let exported = dir.path().join("m.xlsx");
    json(&db, &["export", "--out", exported.to_str().unwrap()]);
    let sheet = MatrixSheet::read(&exported);
    let (id, workload) = (sheet.column("Req ID"), sheet.column("Workload"));
    let at = sheet
        .rows
        .iter()
        .position(|r| r[id] == "R-2" && r[workload] == "billing")
        .expect("R-2 has a billing row");
    let cell = format!("{}{}", column_letters(sheet.column("Owner")), at + 2);
    let edited = dir.path().join("m-edited.xlsx");
    edit_matrix_cells(&exported, &edited, &[(cell.as_str(), "J. Park")]);
    json(&db, &["import-matrix", edited.to_str().unwrap()]);
    let listed = json(&db, &["workload", "list"]);
    assert_eq!(listed["workloads"][0]["assessments"], 1);

    let hash = file_hash(&db);
    let (code, _, stderr) = run(&db, &["workload", "remove", "billing"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("1 assessment") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(file_hash(&db), hash, "nothing removed");

    let removed = json(&db, &["workload", "remove", "billing", "--force"]);
    assert_eq!(removed["assessments_removed"], 1);
    let entries = json(&db, &["audit"])["entries"].as_array().unwrap().clone();
    let last = entries
        .iter()
        .rev()
        .find(|e| e["action"] == "workload.remove")
        .unwrap();
    assert_eq!(last["before"]["assessments"][0]["owner"], "J. Park");
    assert_eq!(last["before"]["assessments"][0]["requirement"], "acme:R-2");
}

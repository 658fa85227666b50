//! The engagement file seen through the CLI: failed imports change nothing, every successful
//! change is audited, newer files are refused, reads never create files, refs resolve or say why.

mod common;

use common::*;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const V1: &str = "ID,Requirement,Owner\nR-1,Encrypt data at rest with managed keys,Ops\nR-2,Require MFA for administrators,IAM team\nR-3,Keep audit logs for a year,SecOps\n";

#[test]
fn a_failed_import_leaves_the_engagement_file_byte_for_byte_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let good = write(dir.path(), "reqs.csv", V1);
    json(&db, &["import", good.to_str().unwrap()]);
    let before = file_hash(&db);
    let entries_before = json(&db, &["audit"])["entries"].as_array().unwrap().len();

    let duplicate = write(
        dir.path(),
        "dup.csv",
        "ID,Requirement\nR-1,one\nR-2,two\nR-1,again\n",
    );
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["import", duplicate.to_str().unwrap(), "--set", "reqs"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "bad input exits 1");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("dup.csv") && err.contains("R-1"),
        "the error names the file and the id: {err}"
    );
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout for a failed command"
    );

    let garbage = dir.path().join("broken.xlsx");
    std::fs::write(&garbage, b"PK\x03\x04 this is not really a zip archive").unwrap();
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["import", garbage.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.xlsx"));

    let missing = dir.path().join("nowhere.csv");
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["import", missing.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere.csv"));

    assert_eq!(
        file_hash(&db),
        before,
        "failed imports leave every byte of the file as it was"
    );
    let entries_after = json(&db, &["audit"])["entries"].as_array().unwrap().len();
    assert_eq!(
        entries_after, entries_before,
        "a failed import leaves no audit entry"
    );
}

#[test]
fn a_failed_first_import_does_not_create_the_engagement_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.crosswalk");
    let empty = write(dir.path(), "empty.csv", "");
    crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["import", empty.to_str().unwrap()])
        .assert()
        .code(1);
    assert!(!db.exists(), "bad input creates no engagement file");
}

#[test]
fn every_successful_change_is_in_the_audit_log_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let v1 = write(dir.path(), "reqs.csv", V1);
    json(&db, &["import", v1.to_str().unwrap()]);
    let v2 = write(
        dir.path(),
        "reqs.csv",
        "ID,Requirement,Owner\nR-1,Encrypt all data at rest with managed keys,Ops\nR-3,Keep audit logs for a year,SecOps\nR-4,Patch monthly,Ops\n",
    );
    let report = json(&db, &["import", v2.to_str().unwrap()]);
    assert_eq!(
        (
            report["added"].as_u64(),
            report["changed"].as_u64(),
            report["removed"].as_u64(),
            report["unchanged"].as_u64()
        ),
        (Some(1), Some(1), Some(1), Some(1))
    );
    json(
        &db,
        &["map", "R-1", "service:KMS", "--rationale", "managed keys"],
    );

    let log = json(&db, &["audit"]);
    let entries = log["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["engagement.create", "import", "import", "mapping.create"],
        "one entry per change"
    );
    assert!(
        entries.iter().all(|e| e["actor"] == "tester"),
        "the author is $USER"
    );
    let second = &entries[2]["after"];
    assert_eq!(second["file"], "reqs.csv");
    assert_eq!(
        second["sha256"], report["file_sha256"],
        "the import entry carries the file's hash"
    );
    assert_eq!(second["diff"]["added"][0], "R-4");
    assert_eq!(second["diff"]["changed"][0], "R-1");
    assert_eq!(second["diff"]["removed"][0], "R-2");
    assert_eq!(entries[3]["subject"], "mapping:reqs:R-1 -> service:KMS");

    let list = json(&db, &["list"]);
    assert_eq!(
        by_ref(&list, "R-1")["coverage"],
        "workload",
        "a service mapping leaves the work to the workload"
    );
}

#[test]
fn list_json_has_the_shape_of_the_cli_contract() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let v1 = write(dir.path(), "reqs.csv", V1);
    json(&db, &["import", v1.to_str().unwrap(), "--set", "acme"]);
    let list = json(&db, &["list", "--set", "acme"]);
    let r = &list["requirements"][1];
    for key in [
        "ref",
        "set",
        "title",
        "text",
        "section",
        "parent",
        "sheet",
        "row",
        "attributes",
    ] {
        assert!(r.get(key).is_some(), "every requirement has '{key}': {r}");
    }
    assert_eq!(r["ref"], "R-2");
    assert_eq!(r["set"], "acme");
    assert_eq!(r["text"], "Require MFA for administrators");
    assert_eq!(r["row"], 3, "1-based as in the source");
    assert_eq!(
        r["attributes"],
        serde_json::json!({"Owner": "IAM team"}),
        "other columns as {{header: value}}"
    );

    let page = json(&db, &["list", "--search", "audit", "--limit", "5"]);
    assert_eq!(page["requirements"].as_array().unwrap().len(), 1);
    assert_eq!(page["requirements"][0]["ref"], "R-3");
}

#[test]
fn a_file_from_a_newer_crosswalk_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let v1 = write(dir.path(), "reqs.csv", V1);
    json(&db, &["import", v1.to_str().unwrap()]);
    {
        let raw = rusqlite::Connection::open(&db).unwrap();
        let v: i64 = raw
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        raw.pragma_update(None, "user_version", v + 1).unwrap();
    }
    let before = file_hash(&db);
    for args in [vec!["list"], vec!["import", v1.to_str().unwrap()]] {
        let out = crosswalk()
            .arg("--db")
            .arg(&db)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?} refuses the file");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("newer Crosswalk"),
            "the message says what to do: {err}"
        );
    }
    assert_eq!(file_hash(&db), before, "the newer file is left alone");
}

#[test]
fn read_only_commands_on_a_missing_file_fail_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("missing.crosswalk");
    for args in [
        vec!["list"],
        vec!["suggest"],
        vec!["audit"],
        vec!["map", "R-1", "service:KMS"],
    ] {
        let out = crosswalk()
            .arg("--db")
            .arg(&db)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} on a missing file is a failure"
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("missing.crosswalk"));
    }
    assert!(!db.exists(), "no read creates the file");
}

#[test]
fn an_ambiguous_ref_lists_every_candidate_and_qualified_refs_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let v1 = write(dir.path(), "reqs.csv", V1);
    json(&db, &["import", v1.to_str().unwrap(), "--set", "policy"]);
    json(&db, &["import", v1.to_str().unwrap(), "--set", "vendor"]);
    let before = file_hash(&db);
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["map", "R-1", "service:KMS"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("policy:R-1") && err.contains("vendor:R-1"),
        "both candidates are named: {err}"
    );
    assert_eq!(file_hash(&db), before, "an ambiguous ref writes nothing");

    let mapped = json(
        &db,
        &[
            "map",
            "vendor:R-1",
            "KMS",
            "fsbp:IAM.6",
            "--relationship",
            "intersects-with",
        ],
    );
    assert_eq!(mapped["requirement"], "vendor:R-1");
    let refs: Vec<&str> = mapped["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["ref"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs,
        ["service:KMS", "fsbp:IAM.6"],
        "a bare ref resolves when only one item has it"
    );
    assert_eq!(mapped["mappings"][0]["relationship"], "intersects-with");
}

#[test]
fn usage_errors_exit_with_2_and_bad_values_name_the_choices() {
    crosswalk().args(["list"]).assert().code(2);
    crosswalk().args(["frobnicate"]).assert().code(2);
    let out = crosswalk()
        .args([
            "--db",
            "x.crosswalk",
            "map",
            "R-1",
            "KMS",
            "--relationship",
            "almost",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("subset-of"),
        "the allowed values are listed"
    );
}

#[test]
fn the_catalogue_lists_without_an_engagement_file() {
    let out = crosswalk()
        .args(["catalogue", "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let listing: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(listing["version"].is_string());
    let ids: Vec<&str> = listing["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    for id in ["service", "caf", "ct"] {
        assert!(
            ids.contains(&id),
            "the shipped catalogue has '{id}': {ids:?}"
        );
    }
    let services = listing["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "service")
        .unwrap();
    let kms = services["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["ref"] == "KMS");
    assert!(
        kms.is_some_and(|k| k["title"].as_str().unwrap().contains("Key Management")),
        "items carry ref and title"
    );
}

#[test]
fn a_dry_run_reports_the_diff_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let v1 = write(dir.path(), "reqs.csv", V1);
    let preview = json(&db, &["import", v1.to_str().unwrap(), "--dry-run"]);
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["added"], 3);
    assert_eq!(
        preview["sheets"][0]["columns"][0]["role"], "id",
        "the preview shows the column roles"
    );
    assert!(!db.exists(), "a dry run creates no engagement file");

    json(&db, &["import", v1.to_str().unwrap()]);
    let before = file_hash(&db);
    let v2 = write(
        dir.path(),
        "reqs.csv",
        "ID,Requirement,Owner\nR-1,Encrypt data at rest with managed keys,Ops\n",
    );
    let preview = json(&db, &["import", v2.to_str().unwrap(), "--dry-run"]);
    assert_eq!(preview["removed"], 2);
    assert_eq!(preview["unchanged"], 1);
    assert_eq!(
        file_hash(&db),
        before,
        "a dry run leaves the file as it was"
    );
}

#[test]
fn accepting_suggestions_above_a_score_records_them_as_suggested() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let v1 = write(dir.path(), "reqs.csv", V1);
    json(&db, &["import", v1.to_str().unwrap()]);
    let plain = json(&db, &["suggest", "--top", "2"]);
    let first = &plain["requirements"][0];
    assert_eq!(first["ref"], "R-1");
    for s in first["suggestions"].as_array().unwrap() {
        let score = s["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score), "scores are in 0..1: {s}");
        assert!(["service", "lz_control", "caf", "framework_control"]
            .contains(&s["kind"].as_str().unwrap()));
        assert!(
            s["ref"].as_str().unwrap().contains(':'),
            "refs are qualified, ready for map"
        );
    }
    assert_eq!(
        json(&db, &["audit"])["entries"].as_array().unwrap().len(),
        2,
        "suggesting alone writes nothing"
    );

    let accepted = json(&db, &["suggest", "--top", "2", "--accept-above", "0.5"]);
    let n = accepted["accepted"].as_u64().unwrap();
    assert!(
        n > 0,
        "managed-key encryption and MFA have confident suggestions: {accepted}"
    );
    let marked = accepted["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["suggestions"].as_array().unwrap())
        .filter(|s| s["accepted"] == true)
        .inspect(|s| assert!(s["score"].as_f64().unwrap() >= 0.5))
        .count() as u64;
    assert_eq!(n, marked);
    let entries = json(&db, &["audit"])["entries"].as_array().unwrap().clone();
    let suggested = entries
        .iter()
        .filter(|e| e["after"]["origin"] == "suggested")
        .count() as u64;
    assert_eq!(
        suggested, n,
        "each accepted suggestion is one audit entry with origin suggested"
    );
    let again = json(&db, &["suggest", "--top", "2", "--accept-above", "0.5"]);
    assert_eq!(again["accepted"], 0, "a decided pair is not accepted again");
}

/// The closed engagement file is one complete SQLite file: WAL mode recorded in its header, the
/// WAL checkpointed and removed, every migration tracked with its hash, foreign keys intact and
/// the schema's tables for the domain present.
#[test]
fn a_closed_engagement_file_is_one_complete_file_with_its_tracked_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let csv = write(dir.path(), "reqs.csv", V1);
    json(&db, &["import", csv.to_str().unwrap()]);
    json(&db, &["map", "R-1", "service:KMS"]);
    for side in ["acme.crosswalk-wal", "acme.crosswalk-shm"] {
        assert!(
            !dir.path().join(side).exists(),
            "{side} is gone after close"
        );
    }

    // A copy of the one file holds everything.
    let copy = dir.path().join("handed-over.crosswalk");
    std::fs::copy(&db, &copy).unwrap();
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let tracked: Vec<(i64, String)> = conn
        .prepare("SELECT version, sha256 FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(tracked.last().map(|t| t.0), Some(version), "{tracked:?}");
    assert!(tracked.iter().all(|(_, h)| h.len() == 64), "{tracked:?}");
    let violations: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(violations, 0);
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in [
        "frameworks",
        "items",
        "mappings",
        "workloads",
        "landing_zone_profile",
        "assessments",
        "audit_log",
    ] {
        assert!(tables.iter().any(|n| n == t), "table {t}: {tables:?}");
    }
    drop(conn);
    let copied = json(&copy, &["list"]);
    assert_eq!(copied["requirements"].as_array().unwrap().len(), 3);
}

/// A process id that is certainly gone: a child that ran and was waited for.
#[cfg(target_os = "linux")]
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "the child {pid} is gone"
    );
    pid
}

/// The temporary files a first import killed before publishing leaves beside the engagement
/// (`.NAME.creating-PID-N` and its SQLite sidecars) go on the next create or open of it, when
/// their process is gone; a running process's files, and any other name, stay.
#[cfg(target_os = "linux")]
#[test]
fn temporary_files_of_a_killed_first_import_are_removed_but_a_live_ones_stay() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let sheet = write(dir.path(), "acme.csv", V1);
    let dead = dead_pid();
    let live = std::process::id();
    let stale = [
        format!(".acme.crosswalk.creating-{dead}-123456789"),
        format!(".acme.crosswalk.creating-{dead}-123456789-wal"),
        format!(".acme.crosswalk.creating-{dead}-123456789-shm"),
    ];
    let kept = [
        // A process still running (this test) may be creating the same engagement right now.
        format!(".acme.crosswalk.creating-{live}-55"),
        format!(".acme.crosswalk.creating-{live}-55-wal"),
        // Another engagement's leftovers, and names that only look alike.
        format!(".beta.crosswalk.creating-{dead}-1"),
        format!(".acme.crosswalk.creating-{dead}-1.bak"),
        format!("acme.crosswalk.creating-{dead}-1"),
        ".acme.crosswalk.creating-notes".to_string(),
    ];
    for name in stale.iter().chain(&kept) {
        write(dir.path(), name, "left by an earlier run");
    }

    let report = json(&db, &["import", sheet.to_str().unwrap()]);
    assert_eq!(report["added"], 3, "the import itself works");
    for name in &stale {
        assert!(
            !dir.path().join(name).exists(),
            "{name} of the gone process {dead} is removed"
        );
    }
    for name in &kept {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(name)).unwrap(),
            "left by an earlier run",
            "{name} is left as it was"
        );
    }

    // Opening the existing engagement to change it cleans up as well.
    let later = format!(".acme.crosswalk.creating-{}-42", dead_pid());
    write(dir.path(), &later, "left by an earlier run");
    json(&db, &["workplan", "set", "T3.S3", "--owner", "Ana"]);
    assert!(!dir.path().join(&later).exists(), "{later} is removed");
    for name in &kept {
        assert!(dir.path().join(name).exists(), "{name} still stays");
    }

    // A read-only command leaves the folder alone.
    let read = format!(".acme.crosswalk.creating-{}-43", dead_pid());
    write(dir.path(), &read, "left by an earlier run");
    json(&db, &["list"]);
    assert!(dir.path().join(&read).exists(), "reading writes nothing");
}

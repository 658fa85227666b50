//! A requirement set is never silently replaced or emptied: adopting a framework over a
//! customer's set, importing a sheet over an adopted set, and a re-import that reads none of
//! the set's requirements are refused with exit 1 and nothing written.

mod common;

use common::*;
use std::path::{Path, PathBuf};

fn sheet(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const BASE: &str = "ID,Title,Requirement\nR-1,Root MFA,The root user must use MFA\n\
                    R-2,Encrypt,Data at rest must be encrypted\nR-3,Logs,Keep audit logs a year\n";

fn run_fail(db: &Path, args: &[&str]) -> String {
    let out = crosswalk().arg("--db").arg(db).args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?} is refused with exit 1; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn refs(db: &Path, set: &str) -> Vec<String> {
    json(db, &["list", "--set", set])["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ref"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn adopting_a_framework_over_a_customer_set_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let base = sheet(dir.path(), "base.csv", BASE);
    json(&db, &["import", base.to_str().unwrap(), "--set", "acme"]);
    let before = file_hash(&db);

    let err = run_fail(&db, &["catalogue", "adopt", "fsbp", "--set", "acme"]);
    assert!(err.contains("set 'acme'"), "{err}");
    assert!(err.contains("base.csv"), "names the current source: {err}");
    assert!(err.contains("'fsbp'"), "{err}");
    assert_eq!(file_hash(&db), before, "nothing written");
    assert_eq!(refs(&db, "acme"), ["R-1", "R-2", "R-3"]);
}

#[test]
fn importing_a_sheet_into_an_adopted_set_is_refused_but_re_adopting_is_a_re_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let base = sheet(dir.path(), "base.csv", BASE);
    json(&db, &["catalogue", "adopt", "fsbp", "--set", "fs"]);
    let before = file_hash(&db);

    let err = run_fail(&db, &["import", base.to_str().unwrap(), "--set", "fs"]);
    assert!(err.contains("set 'fs'"), "{err}");
    assert!(
        err.contains("adopted from the shipped framework 'fsbp'"),
        "names the current source: {err}"
    );
    assert_eq!(file_hash(&db), before, "nothing written");
    assert_eq!(refs(&db, "fs").len(), 205);

    let err = run_fail(&db, &["catalogue", "adopt", "nist", "--set", "fs"]);
    assert!(err.contains("'fsbp'"), "{err}");

    let again = json(&db, &["catalogue", "adopt", "fsbp", "--set", "fs"]);
    assert_eq!(again["unchanged"], 205, "the same framework is a re-import");
    assert_eq!(again["removed"], 0);

    // A revised customer sheet under another file name is still a re-import.
    json(&db, &["import", base.to_str().unwrap(), "--set", "acme"]);
    let v2 = sheet(
        dir.path(),
        "base-v2.csv",
        &format!("{BASE}R-4,New,A new requirement\n"),
    );
    let report = json(&db, &["import", v2.to_str().unwrap(), "--set", "acme"]);
    assert_eq!(report["added"], 1);
    assert_eq!(report["unchanged"], 3);
}

#[test]
fn a_re_import_that_reads_no_requirement_of_the_set_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let base = sheet(dir.path(), "base.csv", BASE);
    json(&db, &["import", base.to_str().unwrap(), "--set", "acme"]);
    json(&db, &["map", "acme:R-2", "service:KMS"]);
    let before = file_hash(&db);

    let err = run_fail(
        &db,
        &[
            "import",
            base.to_str().unwrap(),
            "--set",
            "acme",
            "--header-row",
            "4",
        ],
    );
    assert!(err.contains("remove all 3"), "says how many: {err}");
    assert!(err.contains("reads 0 requirements"), "says why: {err}");
    assert!(err.contains("--header-row"), "suggests the fix: {err}");
    assert_eq!(file_hash(&db), before, "nothing written");
    assert_eq!(refs(&db, "acme"), ["R-1", "R-2", "R-3"]);

    // Removing some requirements stays an ordinary re-import.
    let less = sheet(
        dir.path(),
        "base.csv",
        "ID,Title,Requirement\nR-1,Root MFA,The root user must use MFA\n",
    );
    let report = json(&db, &["import", less.to_str().unwrap(), "--set", "acme"]);
    assert_eq!(report["removed"], 2);
}

#[test]
fn mapping_a_requirement_removed_by_the_last_re_import_warns() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let base = sheet(dir.path(), "base.csv", BASE);
    json(&db, &["import", base.to_str().unwrap(), "--set", "acme"]);
    let less = sheet(
        dir.path(),
        "base.csv",
        "ID,Title,Requirement\nR-1,Root MFA,The root user must use MFA\n",
    );
    json(&db, &["import", less.to_str().unwrap(), "--set", "acme"]);
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["map", "acme:R-3", "service:CloudTrail", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: acme:R-3 is no longer in the latest import of 'acme'"),
        "{err}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["warnings"].as_array().unwrap().len(), 1);

    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["map", "acme:R-1", "service:IAM"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}

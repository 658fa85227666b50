//! Several `map` processes writing the same mapping at once leave a true audit history: one
//! `mapping.create`, then updates whose `before` is the previous entry's `after`.

mod common;

use common::*;
use std::process::Stdio;

#[test]
fn concurrent_maps_of_one_pair_log_one_create_and_chained_updates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let sheet = dir.path().join("base.csv");
    std::fs::write(
        &sheet,
        "ID,Title,Requirement\nR-1,Root MFA,The root user must use MFA\n\
         R-2,Encrypt,Data at rest must be encrypted with managed keys\n",
    )
    .unwrap();
    json(&db, &["import", sheet.to_str().unwrap(), "--set", "acme"]);

    const WRITERS: usize = 6;
    let binary = assert_cmd::cargo::cargo_bin("crosswalk");
    let children: Vec<_> = (1..=WRITERS)
        .map(|i| {
            std::process::Command::new(&binary)
                .env("USER", "tester")
                .arg("--db")
                .arg(&db)
                .args(["map", "acme:R-2", "service:KMS", "--rationale"])
                .arg(format!("r{i}"))
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let audit = json(&db, &["audit"]);
    let entries: Vec<&serde_json::Value> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["subject"] == "mapping:acme:R-2 -> service:KMS")
        .collect();
    assert_eq!(entries.len(), WRITERS, "one entry per writer: {entries:#?}");
    assert_eq!(entries[0]["action"], "mapping.create");
    assert!(entries[0]["before"].is_null());
    for pair in entries.windows(2) {
        assert_eq!(
            pair[1]["action"], "mapping.update",
            "only the first writer creates: {entries:#?}"
        );
        assert_eq!(
            pair[1]["before"]["rationale"], pair[0]["after"]["rationale"],
            "each update's before is what the previous writer left"
        );
    }
    let last = entries.last().unwrap()["after"]["rationale"].clone();
    let map = json(&db, &["list", "--set", "acme"]);
    assert_ne!(by_ref(&map, "R-2")["coverage"], "gap", "R-2 is mapped");
    // The stored mapping is the one the last entry describes.
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["export", "--out"])
        .arg(dir.path().join("m.json"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let exported = std::fs::read_to_string(dir.path().join("m.json")).unwrap();
    assert!(
        exported.contains(last.as_str().unwrap()),
        "the stored rationale is {last}"
    );
}

#[test]
fn mapping_a_requirement_to_itself_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let sheet = dir.path().join("base.csv");
    std::fs::write(&sheet, "ID,Title,Requirement\nR-1,Root MFA,Use MFA\n").unwrap();
    json(&db, &["import", sheet.to_str().unwrap(), "--set", "acme"]);
    let before = file_hash(&db);
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["map", "acme:R-1", "acme:R-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("acme:R-1 cannot be mapped to itself"), "{err}");
    assert!(!err.contains("CHECK constraint"), "{err}");
    assert_eq!(file_hash(&db), before);
}

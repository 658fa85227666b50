//! `crosswalk [--db F] catalogue search TEXT`: with an engagement file, its catalogue copy is
//! searched with SQLite FTS5; without one, the shipped catalogue in memory.

mod common;

use common::*;

fn refs(result: &serde_json::Value) -> Vec<String> {
    result["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["ref"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn searching_the_engagement_file_finds_the_mfa_controls_and_the_kms_service_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    json(&db, &["catalogue", "adopt", "wa"]);

    let mfa = refs(&json(
        &db,
        &["catalogue", "search", "root", "MFA", "--limit", "50"],
    ));
    for wanted in [
        "ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED",
        "config:CIS-1.13",
        "fsbp:IAM.6",
    ] {
        assert!(mfa.contains(&wanted.to_string()), "{wanted} in {mfa:?}");
    }
    let kms = refs(&json(&db, &["catalogue", "search", "kms"]));
    assert_eq!(kms[0], "service:KMS", "the ref match ranks first: {kms:?}");
    assert!(
        kms.iter().all(|r| !r.starts_with("wa-assessment:")),
        "only catalogue items, not the adopted requirement set"
    );

    let odd = json(&db, &["catalogue", "search", "\"MFA", "OR", "("]);
    assert!(
        odd["items"].is_array(),
        "user text never reaches FTS5 as syntax"
    );
    let none = refs(&json(&db, &["catalogue", "search", "zzzqqq"]));
    assert!(none.is_empty());
}

#[test]
fn searching_without_an_engagement_file_uses_the_shipped_catalogue() {
    let out = crosswalk()
        .args(["catalogue", "search", "kms", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(refs(&result)[0], "service:KMS");

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.crosswalk");
    let out = crosswalk()
        .arg("--db")
        .arg(&missing)
        .args(["catalogue", "search", "kms"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a read on a missing file fails");
    assert!(!missing.exists(), "and creates nothing");
}

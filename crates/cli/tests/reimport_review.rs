//! A re-import that changes a requirement's text: the import reports the old and the new text,
//! the decisions made on the old text wait for review (`review list`) until they are confirmed
//! (`review confirm`, audited) or decided again (`map`); refused confirmations write nothing.

mod common;

use common::*;
use serde_json::{json as j, Value};
use std::path::Path;

const R1_OLD: &str = "Encrypt data at rest with managed keys";
const R1_NEW: &str = "Encrypt data at rest with customer managed keys rotated every year";
const R2: &str = "Require MFA for administrators";
const R3_OLD: &str = "Keep audit logs";
const R3_NEW: &str = "Keep audit logs for a year";

fn sheet(dir: &Path, rows: &[(&str, &str)]) -> std::path::PathBuf {
    let mut text = String::from("ID,Requirement\n");
    for (id, req) in rows {
        text.push_str(&format!("{id},{req}\n"));
    }
    let path = dir.join("acme.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn run(db: &Path, args: &[&str]) -> std::process::Output {
    crosswalk().arg("--db").arg(db).args(args).output().unwrap()
}

fn reviews(db: &Path) -> Vec<Value> {
    json(db, &["review", "list"])["reviews"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_changed_text_is_reported_old_to_new_and_its_decisions_wait_for_review() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let v1 = sheet(dir.path(), &[("R-1", R1_OLD), ("R-2", R2), ("R-3", R3_OLD)]);
    json(&db, &["import", v1.to_str().unwrap()]);
    json(&db, &["map", "acme:R-1", "service:KMS"]);
    json(&db, &["map", "acme:R-2", "service:IAM"]);
    assert_eq!(reviews(&db), Vec::<Value>::new(), "nothing to review yet");

    // A dry run says what would change and writes nothing.
    let v2 = sheet(dir.path(), &[("R-1", R1_NEW), ("R-2", R2), ("R-3", R3_NEW)]);
    let hash = file_hash(&db);
    let dry = json(&db, &["import", v2.to_str().unwrap(), "--dry-run"]);
    assert_eq!(dry["changed"], 2);
    assert_eq!(dry["text_changes"], j!([]));
    assert_eq!(file_hash(&db), hash, "a dry run writes nothing");

    let report = json(&db, &["import", v2.to_str().unwrap()]);
    assert_eq!(report["changed"], 2);
    assert_eq!(
        report["text_changes"],
        j!([
            {"set": "acme", "ref": "R-1", "old_text": R1_OLD, "new_text": R1_NEW,
             "to_review": ["service:KMS"]},
            {"set": "acme", "ref": "R-3", "old_text": R3_OLD, "new_text": R3_NEW,
             "to_review": []},
        ]),
        "old and new text of each changed requirement, with the decisions made on the old one"
    );
    // Without --json the same, in words.
    let v2b = sheet(dir.path(), &[("R-1", R1_NEW), ("R-2", R2), ("R-3", R3_OLD)]);
    let out = run(&db, &["import", v2b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "text changed: acme:R-3\n  was: {R3_NEW}\n  now: {R3_OLD}\n"
        )),
        "{err}"
    );
    assert!(
        !err.contains("to review:") && !err.contains("decision(s) were made"),
        "R-3 has no decision to review: {err}"
    );

    let waiting = reviews(&db);
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0]["requirement"], "acme:R-1");
    assert_eq!(waiting[0]["target"], "service:KMS");
    assert_eq!(waiting[0]["status"], "accepted");
    assert_eq!(waiting[0]["decided_text"], R1_OLD);
    assert_eq!(waiting[0]["current_text"], R1_NEW);
    let covered = json(&db, &["list"]);
    assert_eq!(
        by_ref(&covered, "R-1")["text"],
        R1_NEW,
        "the requirement has its new text"
    );

    // Refused confirmations write nothing.
    let hash = file_hash(&db);
    for (args, says) in [
        (vec!["review", "confirm", "acme:R-2"], "no decision waits"),
        (
            vec!["review", "confirm", "acme:R-1", "service:IAM"],
            "no mapping to service:IAM waits",
        ),
        (vec!["review", "confirm", "acme:R-9"], "R-9"),
    ] {
        let out = run(&db, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert_eq!(file_hash(&db), hash, "refused confirmations write nothing");

    let confirmed = json(&db, &["review", "confirm", "acme:R-1", "service:KMS"]);
    assert_eq!(confirmed["confirmed"].as_array().unwrap().len(), 1);
    assert_eq!(confirmed["remaining"], 0);
    assert_eq!(reviews(&db), Vec::<Value>::new());
    let log = json(&db, &["audit"])["entries"].as_array().unwrap().clone();
    let last = log.last().unwrap();
    assert_eq!(last["action"], "mapping.review");
    assert_eq!(last["subject"], "mapping:acme:R-1 -> service:KMS");
    assert_eq!(last["before"]["decided_on_text"], R1_OLD);
    assert_eq!(last["after"]["confirmed_for_text"], R1_NEW);
    assert_eq!(
        last["after"]["status"], "accepted",
        "the decision itself stands"
    );
}

#[test]
fn deciding_again_clears_the_review_and_a_second_change_keeps_the_text_decided_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let v1 = sheet(dir.path(), &[("R-1", R1_OLD), ("R-2", R2)]);
    json(&db, &["import", v1.to_str().unwrap()]);
    json(&db, &["map", "acme:R-1", "service:KMS"]);
    json(&db, &["map", "acme:R-2", "service:IAM"]);

    let v2 = sheet(
        dir.path(),
        &[("R-1", R1_NEW), ("R-2", "Require MFA for every user")],
    );
    let out = run(&db, &["import", v2.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "text changed: acme:R-1\n  was: {R1_OLD}\n  now: {R1_NEW}\n  \
             decided on the old text, to review: service:KMS\n"
        )) && err.contains("2 decision(s) were made on an earlier text"),
        "{err}"
    );
    let v3 = sheet(
        dir.path(),
        &[
            ("R-1", "Encrypt everything"),
            ("R-2", "Require MFA for every user"),
        ],
    );
    let report = json(&db, &["import", v3.to_str().unwrap()]);
    assert_eq!(
        report["text_changes"],
        j!([{"set": "acme", "ref": "R-1", "old_text": R1_NEW,
             "new_text": "Encrypt everything", "to_review": ["service:KMS"]}]),
        "this import's change, from the text before it"
    );
    let waiting = reviews(&db);
    assert_eq!(waiting.len(), 2);
    assert_eq!(
        waiting[0]["decided_text"], R1_OLD,
        "still unreviewed, the decision was made on the first text"
    );
    assert_eq!(waiting[0]["current_text"], "Encrypt everything");

    // Deciding again (another relationship) is a decision on the new text.
    json(
        &db,
        &[
            "map",
            "acme:R-2",
            "service:IAM",
            "--relationship",
            "intersects-with",
        ],
    );
    let waiting = reviews(&db);
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["requirement"], "acme:R-1");
    let only_set = json(&db, &["review", "list", "--set", "acme"]);
    assert_eq!(only_set["reviews"].as_array().unwrap().len(), 1);

    // Confirming without targets confirms every decision waiting on the requirement.
    let confirmed = json(&db, &["review", "confirm", "R-1"]);
    assert_eq!(confirmed["requirement"], "acme:R-1");
    assert_eq!(confirmed["confirmed"][0]["target"], "service:KMS");
    assert_eq!(confirmed["remaining"], 0);
}

//! `crosswalk --db F catalogue adopt FRAMEWORK [--set NAME]`: a shipped framework becomes a
//! requirement set to assess, in one transaction with one audit event; adopting again is a
//! re-import with a diff.

mod common;

use common::*;
use std::path::Path;

fn audit_actions(db: &Path) -> Vec<String> {
    json(db, &["audit"])["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn adopting_the_security_hub_framework_makes_its_205_controls_requirements() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let report = json(&db, &["catalogue", "adopt", "fsbp"]);
    assert_eq!(report["set"], "fsbp-assessment", "the default set name");
    assert_eq!(report["framework"], "fsbp");
    assert_eq!(report["requirements"], 205, "FSBP holds 205 controls");
    assert_eq!(report["added"], 205);

    let list = json(&db, &["list", "--set", "fsbp-assessment"]);
    let reqs = list["requirements"].as_array().unwrap();
    assert_eq!(reqs.len(), 205);
    let iam6 = by_ref(&list, "IAM.6");
    assert_eq!(
        iam6["title"], "Hardware MFA should be enabled for the root user",
        "the title as shipped"
    );
    assert!(
        iam6["text"]
            .as_str()
            .unwrap()
            .contains("Security Hub check"),
        "the text as shipped: {}",
        iam6["text"]
    );
    assert_eq!(iam6["attributes"]["catalogue_ref"], "fsbp:IAM.6");
    assert_eq!(
        iam6["attributes"]["severity"], "CRITICAL",
        "every attribute of the catalogue item is kept"
    );
    assert!(iam6["attributes"]["nist_800_53_r5"]
        .as_str()
        .unwrap()
        .contains("IA-2(1)"));
    assert_eq!(iam6["coverage"], "gap", "nothing is mapped yet");

    let actions = audit_actions(&db);
    assert_eq!(
        actions.iter().filter(|a| *a == "import").count(),
        1,
        "one audit event for the whole adoption: {actions:?}"
    );
    let entry = json(&db, &["audit"])["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "import")
        .cloned()
        .unwrap();
    assert_eq!(entry["after"]["added"], 205);
    assert_eq!(entry["after"]["file"], "catalogue:fsbp@1.0.0");
}

#[test]
fn the_well_architected_pillar_keeps_its_questions_as_parents_and_sections() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let report = json(&db, &["catalogue", "adopt", "wa", "--set", "wa-review"]);
    assert_eq!(report["set"], "wa-review");
    assert_eq!(
        report["requirements"], 74,
        "11 questions and 63 best practices"
    );
    let list = json(&db, &["list", "--set", "wa-review"]);
    let bp = by_ref(&list, "SEC01-BP01");
    assert_eq!(bp["title"], "Separate workloads using accounts");
    assert_eq!(
        bp["parent"], "SEC01",
        "a best practice sits under its question"
    );
    assert_eq!(
        bp["section"], "SEC01 How do you securely operate your workload?",
        "the question is the section"
    );
    let questions = list["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["parent"].is_null())
        .count();
    assert_eq!(questions, 11);
}

#[test]
fn the_workplan_and_nist_frameworks_can_be_adopted_next_to_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let msr = json(&db, &["catalogue", "adopt", "msr"]);
    assert_eq!(msr["set"], "msr-assessment");
    assert_eq!(
        msr["requirements"], 114,
        "7 tasks, 38 subtasks and 69 MSR ids"
    );
    let nist = json(&db, &["catalogue", "adopt", "nist"]);
    assert_eq!(nist["requirements"], 135);
    let list = json(&db, &["list", "--set", "nist-assessment"]);
    let ac2 = by_ref(&list, "AC-2(1)");
    assert_eq!(ac2["parent"], "AC-2");
    assert_eq!(
        ac2["attributes"]["details"], "no published details",
        "an id without published details stays, flagged"
    );
    let sets: Vec<String> = json(&db, &["list"])["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["set"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sets.len(), 114 + 135);
}

#[test]
fn adopting_again_is_a_re_import_that_keeps_the_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    json(&db, &["catalogue", "adopt", "wa"]);
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["map", "wa-assessment:SEC01-BP01", "service:ORGANIZATIONS"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let again = json(&db, &["catalogue", "adopt", "wa"]);
    assert_eq!(again["added"], 0);
    assert_eq!(again["changed"], 0);
    assert_eq!(again["removed"], 0);
    assert_eq!(
        again["unchanged"], 74,
        "the same framework re-imports unchanged"
    );
    let list = json(&db, &["list", "--set", "wa-assessment"]);
    assert_eq!(
        by_ref(&list, "SEC01-BP01")["coverage"],
        "workload",
        "the mapping made on the adopted set is kept"
    );
    let imports = audit_actions(&db).iter().filter(|a| *a == "import").count();
    assert_eq!(imports, 2, "each adoption is one audit event");
}

#[test]
fn an_unknown_framework_fails_naming_the_shipped_ones_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["catalogue", "adopt", "cis"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("'cis'"), "{stderr}");
    for known in ["fsbp", "nist", "wa", "msr"] {
        assert!(stderr.contains(known), "names {known}: {stderr}");
    }
    assert!(
        !db.exists(),
        "no engagement file is created for a failed adoption"
    );

    // On an existing file, the file stays byte for byte as it was.
    json(&db, &["catalogue", "adopt", "wa"]);
    let before = file_hash(&db);
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["catalogue", "adopt", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(file_hash(&db), before);
}

#[test]
fn a_set_name_taken_by_a_shipped_framework_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    json(&db, &["catalogue", "adopt", "wa"]);
    let before = file_hash(&db);
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["catalogue", "adopt", "fsbp", "--set", "fsbp"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "fsbp:REF must keep naming the catalogue"
    );
    assert_eq!(file_hash(&db), before, "nothing was written");
}

#[test]
fn adopt_needs_an_engagement_file() {
    let out = crosswalk()
        .args(["catalogue", "adopt", "wa"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error without --db");
}

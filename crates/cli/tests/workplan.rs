//! The migration security workstream through the real binary on real engagement files: the
//! workplan every engagement starts with, audited status changes, refused input that writes
//! nothing, policies traced to controls, readiness stories merged with matrix gaps by control,
//! and the backlog CSV and readiness workbook read back with the csv crate and calamine.

mod common;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const REQUIREMENTS: &str = "ID,Requirement\n\
    R-1,Encrypt data at rest with customer managed KMS keys and rotate them every year\n";

/// A new engagement made by importing a one-requirement sheet.
fn engagement(dir: &Path) -> PathBuf {
    let db = dir.join("acme.crosswalk");
    let sheet = dir.join("acme.csv");
    std::fs::write(&sheet, REQUIREMENTS).unwrap();
    json(&db, &["import", sheet.to_str().unwrap()]);
    db
}

/// Runs without --json and returns the output, for failures.
fn run(db: &Path, args: &[&str]) -> std::process::Output {
    crosswalk().arg("--db").arg(db).args(args).output().unwrap()
}

fn subtask<'a>(list: &'a Value, reference: &str) -> &'a Value {
    list["tasks"]
        .as_array()
        .expect("tasks is an array")
        .iter()
        .flat_map(|t| t["subtasks"].as_array().expect("subtasks is an array"))
        .find(|s| s["ref"] == reference)
        .unwrap_or_else(|| panic!("{reference} is in the workplan"))
}

fn audit(db: &Path) -> Vec<Value> {
    json(db, &["audit"])["entries"].as_array().unwrap().clone()
}

#[test]
fn a_new_engagement_holds_the_seven_tasks_and_thirty_eight_subtasks_not_started() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    let list = json(&db, &["workplan", "list"]);
    let tasks = list["tasks"].as_array().unwrap();
    let refs: Vec<&str> = tasks.iter().map(|t| t["ref"].as_str().unwrap()).collect();
    assert_eq!(refs, ["T1", "T2", "T3", "T4", "T5", "T6", "T7"]);
    let per_task: Vec<usize> = tasks
        .iter()
        .map(|t| t["subtasks"].as_array().unwrap().len())
        .collect();
    assert_eq!(
        per_task,
        [1, 5, 14, 3, 8, 5, 2],
        "the workplan's subtasks per task, 38 in all"
    );
    assert_eq!(
        list["progress"]["not_started"], 38,
        "nothing has started yet"
    );
    let s = subtask(&list, "T3.S3");
    assert_eq!(s["msr_id"], "MSR.IAM.2", "the subtask keeps its MSR id");
    assert_eq!(
        s["policy"], true,
        "the root usage policy is a policy subtask"
    );
    assert_eq!(
        s["coverage"], "gap",
        "a policy nothing enforces yet is a gap, like a requirement"
    );
    assert!(
        s["suggested_controls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["ref"] == "ct:AWS-GR_RESTRICT_ROOT_USER"),
        "the catalogue's reading of the subtask is offered: {s}"
    );
}

#[test]
fn a_status_change_is_one_audit_entry_with_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    let before = audit(&db).len();
    let report = json(
        &db,
        &[
            "workplan",
            "set",
            "T2.S1",
            "--status",
            "in progress",
            "--owner",
            "Ana",
            "--due",
            "2025-07-01",
        ],
    );
    assert_eq!(report["changed"], true);
    assert_eq!(
        report["task"]["status"], "in_progress",
        "the task follows its subtask"
    );
    let entries = audit(&db);
    assert_eq!(entries.len(), before + 1, "one change, one entry");
    let e = entries.last().unwrap();
    assert_eq!(e["action"], "workplan.update");
    assert_eq!(e["subject"], "workplan:msr:T2.S1");
    assert_eq!(e["actor"], "tester", "the user who ran the command");
    assert_eq!(e["before"]["status"], "not_started");
    assert_eq!(e["after"]["status"], "in_progress");
    assert_eq!(e["after"]["owner"], "Ana");
    assert_eq!(e["after"]["due"], "2025-07-01");

    json(
        &db,
        &["workplan", "set", "T2.S1", "--status", "in_progress"],
    );
    assert_eq!(
        audit(&db).len(),
        before + 1,
        "setting the status it already has changes nothing and logs nothing"
    );
}

#[test]
fn not_applicable_without_a_reason_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    let hash = file_hash(&db);
    let out = run(
        &db,
        &["workplan", "set", "T3.S13", "--status", "not_applicable"],
    );
    assert_eq!(out.status.code(), Some(1), "bad input exits 1");
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout for a failed command"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("T3.S13") && err.contains("reason"), "{err}");

    for bad in [
        vec![
            "workplan", "set", "T3.S13", "--status", "n/a", "--reason", "   ",
        ],
        vec!["workplan", "set", "T3", "--status", "done"],
        vec!["workplan", "set", "T9.S1", "--status", "done"],
        vec![
            "workplan",
            "set",
            "T3.S3",
            "--enforced-by",
            "ct:NO_SUCH_CONTROL",
        ],
        vec!["workplan", "set", "T3.S3", "--enforced-by", "acme:R-1"],
        vec![
            "workplan",
            "set",
            "T3.S3",
            "--remove-artifact",
            "never-added.md",
        ],
    ] {
        let out = run(&db, &bad);
        assert_eq!(out.status.code(), Some(1), "{bad:?} is bad input");
    }
    assert_eq!(
        file_hash(&db),
        hash,
        "refused changes leave every byte of the file as it was"
    );

    let ok = json(
        &db,
        &[
            "workplan",
            "set",
            "T3.S13",
            "--status",
            "n/a",
            "--reason",
            "the customer's accounts already route contacts to a shared mailbox",
        ],
    );
    let s = &ok["task"]["subtasks"][0];
    assert_eq!(s["status"], "not_applicable");
    assert!(s["reason"].as_str().unwrap().contains("shared mailbox"));
}

#[test]
fn an_impossible_due_date_is_a_usage_error_naming_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    json(&db, &["workplan", "set", "T3.S3", "--due", "2025-06-30"]);
    let hash = file_hash(&db);
    for (bad, says) in [
        ("2025-02-30", "February 2025 has 28 days"),
        ("2025-02-29", "February 2025 has 28 days"),
        ("2025-04-31", "April 2025 has 30 days"),
        ("2025-13-01", "there is no month 13"),
        ("2025-00-10", "there is no month 00"),
        ("end of June", "is not a due date"),
        ("30/06/2025", "is not a due date"),
    ] {
        let out = run(&db, &["workplan", "set", "T3.S3", "--due", bad]);
        assert_eq!(out.status.code(), Some(2), "--due {bad} is a usage error");
        assert!(out.stdout.is_empty(), "--due {bad}: nothing on stdout");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("'{bad}'")) && err.contains(says) && err.contains("--due"),
            "--due {bad}: the error names the option, the value and what is wrong: {err}"
        );
    }
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["workplan", "set", "T3.S3", "--due", "2025-02-29", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON error document");
    assert_eq!(doc["error"]["exit_code"], 2);
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'2025-02-29'"),
        "{doc}"
    );
    assert_eq!(
        file_hash(&db),
        hash,
        "refused dates leave every byte of the file as it was"
    );
    let s = subtask(&json(&db, &["workplan", "list"]), "T3.S3").clone();
    assert_eq!(s["due"], "2025-06-30", "the due date set before is kept");

    // A leap day in a leap year is a real day; "" still clears the date.
    let report = json(&db, &["workplan", "set", "T3.S3", "--due", "2024-02-29"]);
    assert_eq!(report["task"]["subtasks"][0]["due"], "2024-02-29");
    assert_eq!(
        subtask(&json(&db, &["workplan", "list"]), "T3.S3")["due"],
        "2024-02-29"
    );
    json(&db, &["workplan", "set", "T3.S3", "--due", ""]);
    assert_eq!(
        subtask(&json(&db, &["workplan", "list"]), "T3.S3")["due"],
        Value::Null,
        "an empty --due clears the date"
    );

    // On a missing file the usage error leaves no file behind.
    let fresh = dir.path().join("fresh.crosswalk");
    let out = run(&fresh, &["workplan", "set", "T3.S3", "--due", "2025-02-30"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!fresh.exists(), "no engagement file made for a usage error");
}

#[test]
fn a_control_named_as_enforcing_and_ruled_out_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    let hash = file_hash(&db);
    let entries = audit(&db).len();
    for (enforced, ruled_out) in [
        (
            "ct:AWS-GR_RESTRICT_ROOT_USER",
            "ct:AWS-GR_RESTRICT_ROOT_USER",
        ),
        // The same control written two ways is still the same control.
        ("ct:AWS-GR_RESTRICT_ROOT_USER", "AWS-GR_RESTRICT_ROOT_USER"),
    ] {
        let out = run(
            &db,
            &[
                "workplan",
                "set",
                "T3.S3",
                "--status",
                "done",
                "--decision",
                "No root use outside break-glass",
                "--enforced-by",
                "ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED",
                "--enforced-by",
                enforced,
                "--not-enforced-by",
                ruled_out,
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "{enforced} both ways is bad input"
        );
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("ct:AWS-GR_RESTRICT_ROOT_USER")
                && err.contains("--enforced-by")
                && err.contains("--not-enforced-by")
                && err.contains("T3.S3"),
            "the error names the control, both options and the subtask: {err}"
        );
    }
    assert_eq!(file_hash(&db), hash, "every byte of the file as it was");
    assert_eq!(audit(&db).len(), entries, "no audit entry");
    let s = subtask(&json(&db, &["workplan", "list"]), "T3.S3").clone();
    assert_eq!(
        s["status"], "not_started",
        "the status given with it is not set"
    );
    assert_eq!(s["decision"], "", "nor the decision");
    assert_eq!(s["enforced_by"].as_array().unwrap().len(), 0, "{s}");
    assert_eq!(s["ruled_out"].as_array().unwrap().len(), 0, "{s}");

    // Each control one way is fine, and naming one twice the same way makes one mapping.
    let report = json(
        &db,
        &[
            "workplan",
            "set",
            "T3.S3",
            "--enforced-by",
            "ct:AWS-GR_RESTRICT_ROOT_USER",
            "--enforced-by",
            "AWS-GR_RESTRICT_ROOT_USER",
            "--not-enforced-by",
            "ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED",
        ],
    );
    let changes: Vec<(&str, &str)> = report["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["ref"].as_str().unwrap(), m["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        changes,
        [
            ("ct:AWS-GR_RESTRICT_ROOT_USER", "accepted"),
            ("ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED", "rejected"),
        ]
    );
    let s = subtask(&json(&db, &["workplan", "list"]), "T3.S3").clone();
    let refs = |key: &str| -> Vec<String> {
        s[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["ref"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(refs("enforced_by"), ["ct:AWS-GR_RESTRICT_ROOT_USER"]);
    assert_eq!(refs("ruled_out"), ["ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED"]);
}

#[test]
fn a_misspelt_status_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    let out = run(
        &db,
        &["workplan", "set", "T3.S3", "--status", "finished-ish"],
    );
    assert_eq!(out.status.code(), Some(2), "clap refuses an unknown value");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not_applicable"));
}

#[test]
fn refused_input_on_a_missing_file_leaves_no_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.crosswalk");
    let out = run(
        &db,
        &["workplan", "set", "T3.S13", "--status", "not_applicable"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!db.exists(), "a refused change creates no engagement");
    let out = run(&db, &["workplan", "list"]);
    assert_eq!(out.status.code(), Some(1), "reading a missing file fails");
    assert!(!db.exists(), "and reading creates nothing");
}

#[test]
fn a_policy_decision_is_traced_to_the_controls_that_enforce_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    let report = json(
        &db,
        &[
            "workplan",
            "set",
            "T6.S3",
            "--decision",
            "CloudTrail in every account, logs kept in the log archive account for a year",
            "--enforced-by",
            "ct:AWS-GR_CLOUDTRAIL_ENABLED",
            "--enforced-by",
            "service:CLOUDTRAIL",
            "--rationale",
            "the landing zone turns the trail on everywhere",
            "--artifact",
            "designs/logging-strategy.md",
        ],
    );
    let changes: Vec<(&str, &str)> = report["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["ref"].as_str().unwrap(), m["change"].as_str().unwrap()))
        .collect();
    assert_eq!(
        changes,
        [
            ("ct:AWS-GR_CLOUDTRAIL_ENABLED", "created"),
            ("service:CLOUDTRAIL", "created")
        ]
    );
    let list = json(&db, &["workplan", "list"]);
    let s = subtask(&list, "T6.S3");
    assert_eq!(
        s["coverage"], "inherited",
        "a mandatory (always enabled) landing-zone control fully enforces the policy"
    );
    assert_eq!(
        s["artifacts"],
        serde_json::json!(["designs/logging-strategy.md"])
    );
    assert!(s["decision"].as_str().unwrap().contains("log archive"));
    let enforced: Vec<&str> = s["enforced_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["ref"].as_str().unwrap())
        .collect();
    assert!(enforced.contains(&"ct:AWS-GR_CLOUDTRAIL_ENABLED"));
    let actions: Vec<String> = audit(&db)
        .iter()
        .filter(|e| {
            e["subject"]
                .as_str()
                .unwrap()
                .starts_with("mapping:msr:T6.S3")
        })
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        ["mapping.create", "mapping.create"],
        "each enforcing control is audited like any mapping"
    );

    json(
        &db,
        &[
            "workplan",
            "set",
            "T6.S3",
            "--not-enforced-by",
            "ct:AWS-GR_CLOUDTRAIL_ENABLED",
        ],
    );
    let s = subtask(&json(&db, &["workplan", "list"]), "T6.S3").clone();
    assert_eq!(
        s["coverage"], "workload",
        "with the control ruled out only the service is left, which the workload runs"
    );
    assert_eq!(s["ruled_out"][0]["ref"], "ct:AWS-GR_CLOUDTRAIL_ENABLED");
}

/// The first landing-zone control or service the matrix export proposes for R-1's gap.
fn gap_control(dir: &Path, db: &Path) -> String {
    let out = dir.join("matrix.json");
    json(db, &["export", "--out", out.to_str().unwrap()]);
    let matrix: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let gap = &matrix["matrix"]["gaps"][0];
    assert_eq!(
        gap["requirement"], "R-1",
        "the unmapped requirement is a gap"
    );
    let c = &gap["implement"][0];
    format!(
        "{}:{}",
        c["framework"].as_str().unwrap(),
        c["ref"].as_str().unwrap()
    )
}

#[test]
fn a_readiness_gap_and_a_matrix_gap_on_the_same_control_make_one_story() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    let control = gap_control(dir.path(), &db);

    let alone = json(&db, &["stories", "list"]);
    assert_eq!(alone["requirement_gaps"], 1);
    assert_eq!(
        alone["stories"].as_array().unwrap().len(),
        1,
        "before any readiness work the gap is a story of its own"
    );
    assert_eq!(alone["stories"][0]["key"], "gap-acme:R-1");

    json(
        &db,
        &[
            "readiness",
            "set",
            "data-protection",
            "--dimension",
            "tools",
            "--current",
            "Keys in an on-premises HSM, rotated by hand",
            "--target",
            "KMS customer managed keys with automatic rotation",
            "--gap",
            "No KMS key policy or rotation",
            "--story",
            "Adopt KMS customer managed keys",
            "--control",
            &control,
            "--criteria",
            "Every workload key is a KMS customer managed key",
            "--priority",
            "highest",
        ],
    );
    let merged = json(&db, &["stories", "list"]);
    let stories = merged["stories"].as_array().unwrap();
    assert_eq!(
        stories.len(),
        1,
        "the readiness gap and the matrix gap share {control}: one story, not two"
    );
    let s = &stories[0];
    assert_eq!(s["title"], "Adopt KMS customer managed keys");
    assert_eq!(s["priority"], "highest");
    let sources: Vec<&str> = s["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["kind"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["readiness", "requirement"]);
    assert_eq!(s["sources"][1]["ref"], "R-1");
    assert!(
        s["controls"].as_array().unwrap().iter().any(|c| format!(
            "{}:{}",
            c["ref"]["framework"].as_str().unwrap(),
            c["ref"]["ref"].as_str().unwrap()
        ) == control),
        "{s}"
    );
}

#[test]
fn the_backlog_csv_reads_back_with_one_row_per_story_in_the_tracker_layout() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    json(
        &db,
        &[
            "readiness",
            "set",
            "ir",
            "--story",
            "=Write the credential compromise playbook",
            "--description",
            "Playbook for leaked access keys",
            "--criteria",
            "The playbook is rehearsed once",
            "--criteria",
            "On-call knows where it is",
            "--priority",
            "low",
        ],
    );
    let list = json(&db, &["stories", "list"]);
    let out = dir.path().join("backlog.csv");
    let report = json(&db, &["stories", "export", "--out", out.to_str().unwrap()]);
    assert_eq!(report["stories"], 2, "the readiness story and R-1's gap");

    let mut reader = csv::Reader::from_path(&out).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers[..3],
        ["Summary", "Description", "Acceptance Criteria"]
    );
    assert_eq!(headers.last().unwrap(), "Priority");
    let labels_at: Vec<usize> = (0..headers.len())
        .filter(|&i| headers[i] == "Labels")
        .collect();
    assert!(
        !labels_at.is_empty(),
        "Labels repeats once per label (Jira's multi-value form)"
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(
        rows.len(),
        list["stories"].as_array().unwrap().len(),
        "one row per story"
    );

    // Most urgent first: R-1's gap (high) before the readiness story (low).
    assert!(rows[0][0].starts_with("Meet R-1"), "{:?}", &rows[0]);
    assert_eq!(&rows[0][headers.len() - 1], "High");
    assert_eq!(
        &rows[1][0], "'=Write the credential compromise playbook",
        "a summary that looks like a formula is neutralised"
    );
    assert_eq!(
        &rows[1][2],
        "* The playbook is rehearsed once\n* On-call knows where it is"
    );
    assert_eq!(&rows[1][headers.len() - 1], "Low");
    let labels: Vec<&str> = labels_at
        .iter()
        .map(|&i| &rows[1][i])
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(labels, ["crosswalk", "incident-response", "readiness-gap"]);
    assert!(
        rows[0][1].contains("Encrypt data at rest"),
        "the requirement's text describes its gap"
    );
}

fn cell(range: &calamine::Range<Data>, row: usize, col: usize) -> String {
    range
        .get((row, col))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

#[test]
fn the_readiness_report_reads_back_with_every_sheet_and_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    json(
        &db,
        &[
            "workplan", "set", "T3.S3", "--status", "done", "--owner", "Ana",
        ],
    );
    json(
        &db,
        &[
            "readiness",
            "set",
            "iam",
            "--dimension",
            "people",
            "--current",
            "One admin holds the root password",
            "--target",
            "Two custodians, MFA on root",
            "--gap",
            "Single custodian",
        ],
    );
    json(
        &db,
        &[
            "readiness",
            "set",
            "iam",
            "--dimension",
            "people",
            "--story",
            "Name root custodians",
            "--control",
            "ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED",
        ],
    );
    let out = dir.path().join("readiness.xlsx");
    let report = json(
        &db,
        &["readiness", "export", "--out", out.to_str().unwrap()],
    );
    assert_eq!(report["workplan_rows"], 45);

    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Workplan",
            "Data protection",
            "IAM",
            "Incident response",
            "Infrastructure protection",
            "Logging & monitoring",
            "Backlog",
            "About"
        ]
    );
    let wp = book.worksheet_range("Workplan").unwrap();
    assert_eq!(wp.height(), 46, "a header and the 7 tasks and 38 subtasks");
    assert_eq!(cell(&wp, 0, 0), "Ref");
    let row = (1..wp.height())
        .find(|&r| cell(&wp, r, 0) == "T3.S3")
        .expect("T3.S3 row");
    assert_eq!(cell(&wp, row, 5), "Done");
    assert_eq!(cell(&wp, row, 8), "Ana");
    assert_eq!(cell(&wp, row, 3), "MSR.IAM.2");
    let t3 = (1..wp.height())
        .find(|&r| cell(&wp, r, 0) == "T3")
        .expect("T3 row");
    assert_eq!(
        cell(&wp, t3, 6),
        "1/14 done",
        "a task row shows its progress"
    );

    let iam = book.worksheet_range("IAM").unwrap();
    let people = (0..iam.height())
        .find(|&r| cell(&iam, r, 0) == "People")
        .expect("People row");
    assert_eq!(cell(&iam, people, 1), "One admin holds the root password");
    assert_eq!(cell(&iam, people, 2), "Two custodians, MFA on root");
    assert_eq!(cell(&iam, people, 3), "Single custodian");
    assert!(
        (0..iam.height()).any(|r| cell(&iam, r, 1) == "Name root custodians"),
        "the domain sheet lists its story"
    );

    let backlog = book.worksheet_range("Backlog").unwrap();
    let stories = json(&db, &["stories", "list"]);
    assert_eq!(
        backlog.height() - 1,
        stories["stories"].as_array().unwrap().len(),
        "one backlog row per story"
    );
    assert_eq!(cell(&backlog, 0, 1), "Summary");
}

#[test]
fn readiness_texts_without_a_dimension_are_a_usage_error_and_unknown_controls_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    let hash = file_hash(&db);
    let out = run(&db, &["readiness", "set", "iam", "--current", "x"]);
    assert_eq!(out.status.code(), Some(2), "--current needs --dimension");
    let out = run(
        &db,
        &[
            "readiness",
            "set",
            "iam",
            "--story",
            "S",
            "--control",
            "ct:NOPE",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOPE"));
    let out = run(
        &db,
        &["readiness", "set", "iam", "--remove-story", "never written"],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = run(&db, &["readiness", "export", "--out", "report.pdf"]);
    assert_eq!(out.status.code(), Some(1), "the report is an .xlsx");
    assert_eq!(file_hash(&db), hash, "nothing was written");
}

#[test]
fn a_story_edit_keeps_what_is_not_given_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    json(
        &db,
        &[
            "readiness",
            "set",
            "lm",
            "--story",
            "Central log archive",
            "--description",
            "Ship every trail to the archive account",
            "--control",
            "service:CLOUDTRAIL",
        ],
    );
    let report = json(
        &db,
        &[
            "readiness",
            "set",
            "lm",
            "--story",
            "Central log archive",
            "--priority",
            "high",
        ],
    );
    assert_eq!(report["story"], "updated");
    let story = &report["domain"]["stories"][0];
    assert_eq!(story["priority"], "high");
    assert_eq!(
        story["description"], "Ship every trail to the archive account",
        "a field not given keeps its value"
    );
    assert_eq!(story["controls"][0]["ref"], "service:CLOUDTRAIL");
    let actions: Vec<String> = audit(&db)
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .filter(|a| a.starts_with("story."))
        .collect();
    assert_eq!(actions, ["story.create", "story.update"]);
    let again = json(
        &db,
        &[
            "readiness",
            "set",
            "lm",
            "--story",
            "Central log archive",
            "--priority",
            "high",
        ],
    );
    assert_eq!(
        again["story"], "unchanged",
        "the same story again writes nothing"
    );
    json(
        &db,
        &[
            "readiness",
            "set",
            "lm",
            "--remove-story",
            "Central log archive",
        ],
    );
    assert_eq!(
        json(&db, &["readiness", "list"])["domains"][4]["stories"],
        serde_json::json!([]),
        "the story is gone"
    );
}

#[test]
fn reading_and_exporting_commands_on_a_missing_file_fail_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("missing.crosswalk");
    let xlsx = dir.path().join("readiness.xlsx");
    let csv = dir.path().join("backlog.csv");
    for args in [
        vec!["workplan", "list"],
        vec!["readiness", "list"],
        vec!["stories", "list"],
        vec!["readiness", "export", "--out", xlsx.to_str().unwrap()],
        vec!["stories", "export", "--out", csv.to_str().unwrap()],
    ] {
        let out = run(&db, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("missing.crosswalk"),
            "{args:?} names the file"
        );
        assert!(!db.exists() && !xlsx.exists() && !csv.exists(), "{args:?}");
    }
}

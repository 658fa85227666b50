//! The import choices of CLI.md on real SQLite files and the real samples: repeated `--sheet`,
//! `--all-sheets`, `--header-row N` (1-based), saved column profiles (`--profile NAME`, applied
//! again by header signature, listed by `import-profiles`), `--dry-run` on an existing set, and an
//! internal panic ending as one error line with exit 1.

mod common;

use common::*;
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn sample(name: &str) -> String {
    real_sample(name).to_str().unwrap().to_string()
}

/// Runs `crosswalk --db DB ARGS...` and returns (exit code, stdout, stderr).
fn run(db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = crosswalk().arg("--db").arg(db).args(args).output().unwrap();
    (
        out.status.code().expect("exits normally"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sheet_rows(report: &serde_json::Value) -> Vec<(String, u64, u64)> {
    report["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["rows"].as_u64().unwrap(),
                s["header_row"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_repeated_sheet_flag_imports_exactly_the_named_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let xls = sample("complianceascode-jbossfuse6-guide-content.xls");
    let one = json(
        &db,
        &["import", &xls, "--sheet", "ActiveMQRules", "--dry-run"],
    );
    assert_eq!(sheet_rows(&one), [("ActiveMQRules".to_string(), 10, 1)]);
    let both = json(
        &db,
        &[
            "import",
            &xls,
            "--sheet",
            "KarafRules",
            "--sheet",
            "ActiveMQRules",
        ],
    );
    assert_eq!(
        sheet_rows(&both),
        [
            ("KarafRules".to_string(), 57, 1),
            ("ActiveMQRules".to_string(), 10, 1)
        ]
    );
    assert_eq!(both["added"], 67);

    let fedramp = sample("fedramp-rev5-security-controls-baseline.xlsx");
    let moderate = json(
        &db,
        &[
            "import",
            &fedramp,
            "--sheet",
            "Moderate Baseline",
            "--dry-run",
        ],
    );
    assert_eq!(moderate["added"], 323, "the Moderate baseline's count");
    assert_eq!(moderate["sheets"][0]["name"], "Moderate Baseline");

    let (code, _, stderr) = run(&db, &["import", &fedramp, "--sheet", "Nope"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("Nope") && stderr.contains("High Baseline"),
        "a missing sheet lists the sheets there are: {stderr}"
    );
}

#[test]
fn all_sheets_takes_every_sheet_with_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let cis = sample("ciso-assistant-cis-benchmark-aws-foundations.xlsx");
    let chosen = json(&db, &["import", &cis, "--dry-run"]);
    assert_eq!(
        sheet_rows(&chosen),
        [("reco_content".to_string(), 80, 1)],
        "by default only the requirement table"
    );
    let all = json(&db, &["import", &cis, "--all-sheets", "--dry-run"]);
    let names: Vec<String> = sheet_rows(&all).into_iter().map(|s| s.0).collect();
    assert!(
        names.len() > 1 && names.contains(&"reco_content".to_string()),
        "--all-sheets reads the other sheets too: {names:?}"
    );
    let total: u64 = sheet_rows(&all).iter().map(|s| s.1).sum();
    assert_eq!(all["added"], total, "every row read from every sheet");
}

#[test]
fn header_row_is_one_based_as_in_excel() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let csf = sample("nist-csf2.0-core-csf2.xlsx");
    let detected = json(&db, &["import", &csf, "--dry-run"]);
    let explicit = json(&db, &["import", &csf, "--header-row", "2", "--dry-run"]);
    assert_eq!(detected["sheets"][0]["header_row"], 2);
    assert_eq!(explicit["sheets"][0]["header_row"], 2);
    assert_eq!(
        explicit["added"], detected["added"],
        "row 2 is the header detection finds"
    );

    let csv = write(
        dir.path(),
        "plain.csv",
        "Key,Body\nnote,this row is not a header\nR-1,Encrypt data at rest\nR-2,Rotate keys\n",
    );
    let first = json(
        &db,
        &[
            "import",
            csv.to_str().unwrap(),
            "--header-row",
            "1",
            "--dry-run",
        ],
    );
    assert_eq!(first["sheets"][0]["header_row"], 1);
    assert_eq!(first["added"], 3, "every row under row 1");
    let (code, _, _) = run(&db, &["import", csv.to_str().unwrap(), "--header-row", "0"]);
    assert_eq!(code, 2, "row 0 does not exist in Excel: a usage error");
}

#[test]
fn a_dry_run_on_an_existing_set_shows_the_diff_with_its_refs_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let v1 = write(
        dir.path(),
        "reqs.csv",
        "ID,Requirement\nR-1,Encrypt data at rest\nR-2,Rotate keys yearly\nR-3,Log API calls\n",
    );
    json(&db, &["import", v1.to_str().unwrap()]);
    let before = std::fs::read(&db).unwrap();
    let v2 = write(
        dir.path(),
        "reqs.csv",
        "ID,Requirement\nR-1,Encrypt data at rest\nR-2,Rotate keys every 90 days\nR-4,Alert on root use\n",
    );
    let preview = json(&db, &["import", v2.to_str().unwrap(), "--dry-run"]);
    assert_eq!(preview["dry_run"], true);
    assert_eq!(
        (
            &preview["added"],
            &preview["changed"],
            &preview["removed"],
            &preview["unchanged"]
        ),
        (
            &serde_json::json!(1),
            &serde_json::json!(1),
            &serde_json::json!(1),
            &serde_json::json!(1)
        )
    );
    let first = &preview["preview"][0];
    assert_eq!(
        (&first["ref"], &first["row"], &first["text"]),
        (
            &serde_json::json!("R-1"),
            &serde_json::json!(2),
            &serde_json::json!("Encrypt data at rest")
        ),
        "the preview shows the first rows as they will be stored"
    );
    assert_eq!(preview["preview"].as_array().unwrap().len(), 3);
    assert_eq!(preview["diff"]["added"], serde_json::json!(["R-4"]));
    assert_eq!(preview["diff"]["changed"], serde_json::json!(["R-2"]));
    assert_eq!(preview["diff"]["removed"], serde_json::json!(["R-3"]));

    let (code, stdout, stderr) = run(&db, &["import", v2.to_str().unwrap(), "--dry-run"]);
    assert_eq!(code, 0);
    assert!(stdout.is_empty(), "messages go to stderr");
    for line in [
        "first requirements:",
        "would be added (1): R-4",
        "would be changed (1): R-2",
        "would be removed (1): R-3",
    ] {
        assert!(
            stderr.contains(line),
            "the preview names the refs: {stderr}"
        );
    }
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the engagement file is byte-identical after dry runs"
    );
    assert!(!dir.path().join("acme.crosswalk-wal").exists());
}

#[test]
fn a_profile_is_saved_with_the_import_and_reused_for_the_next_file_of_the_template() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    // A template whose header detection needs help: a bare id and a note row above.
    let template = |rows: &str| format!("Key,Body,Owner\nnote,this line is not a header,x\n{rows}");
    let march = write(
        dir.path(),
        "march.csv",
        &template("SEC-101,Audit logs go to the archive,Ops\nSEC-102,Ports are restricted,Net\n"),
    );
    let report = json(
        &db,
        &[
            "import",
            march.to_str().unwrap(),
            "--set",
            "acme",
            "--header-row",
            "1",
            "--profile",
            "acme-template",
        ],
    );
    assert_eq!(report["profile"], "acme-template");
    assert_eq!(report["profile_matched"], false);
    let entries = json(&db, &["audit"])["entries"].as_array().unwrap().clone();
    let import_seq = entries.iter().find(|e| e["action"] == "import").unwrap()["seq"].clone();
    let saved = entries
        .iter()
        .find(|e| e["action"] == "import_profile.save")
        .expect("the profile save is audited");
    assert_eq!(saved["subject"], "profile:acme-template");
    assert_eq!(saved["after"]["header_row"], 1);
    assert_eq!(
        saved["after"]["sets"],
        serde_json::json!(["acme"]),
        "the profile knows the set it was used for"
    );
    assert_eq!(
        saved["seq"].as_i64().unwrap(),
        import_seq.as_i64().unwrap() + 1,
        "saved in the import's transaction, right after its event"
    );

    // The next month's file, no flags: the headers match, so the profile is applied.
    let april = write(
        dir.path(),
        "april.csv",
        &template(
            "SEC-101,Audit logs go to the archive,Ops\nSEC-102,Ports are restricted,Net\nSEC-103,Keys rotate,Sec\n",
        ),
    );
    let (code, _, stderr) = run(&db, &["import", april.to_str().unwrap(), "--set", "acme"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("applied the saved column profile 'acme-template'"),
        "the output says the profile was applied: {stderr}"
    );
    let list = json(&db, &["list", "--set", "acme"]);
    assert_eq!(list["requirements"].as_array().unwrap().len(), 4);
    assert_eq!(
        by_ref(&list, "note")["row"],
        2,
        "the note row under header row 1 is read as the profile says"
    );

    // A file of another shape is not touched by the profile.
    let other = write(dir.path(), "other.csv", "ID,Text\nX-1,Something else\n");
    let plain = json(&db, &["import", other.to_str().unwrap(), "--dry-run"]);
    assert!(plain["profile"].is_null(), "{}", plain["profile"]);

    let profiles = json(&db, &["import-profiles"]);
    let listed = profiles["profiles"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "acme-template");
    assert_eq!(listed[0]["header_row"], 1);
    assert_eq!(
        listed[0]["signature"],
        serde_json::json!([["Key", "Body", "Owner"]]),
        "the header signature it matches files by"
    );
}

#[test]
fn a_failed_import_saves_no_profile_and_an_unknown_profile_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let good = write(dir.path(), "good.csv", "ID,Text\nR-1,Encrypt\n");
    json(&db, &["import", good.to_str().unwrap()]);
    let before = file_hash(&db);
    let dup = write(dir.path(), "dup.csv", "ID,Text\nR-1,Encrypt\nR-1,Again\n");
    let (code, _, stderr) = run(
        &db,
        &[
            "import",
            dup.to_str().unwrap(),
            "--header-row",
            "1",
            "--profile",
            "p",
        ],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("R-1"), "{stderr}");
    assert_eq!(
        file_hash(&db),
        before,
        "neither the import nor the profile was written"
    );
    assert_eq!(
        json(&db, &["import-profiles"])["profiles"],
        serde_json::json!([])
    );

    let (code, _, stderr) = run(
        &db,
        &["import", good.to_str().unwrap(), "--profile", "nope"],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no import profile named 'nope'"),
        "{stderr}"
    );
}

#[test]
fn an_internal_panic_is_one_error_line_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let out = crosswalk()
        .env("CROSSWALK_TEST_PANIC", "simulated failure")
        .arg("--db")
        .arg(&db)
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // No half document: with --json, one JSON error document.
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["error"]["exit_code"], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: internal error") && stderr.contains("simulated failure"),
        "{stderr}"
    );
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line, no trace: {stderr}"
    );
    assert!(!db.exists());
}

/// The preview says which role each column got and why, in the consultant's language of the
/// sheet (here French headers).
#[test]
fn the_preview_names_each_chosen_role_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let sample = sample("anssi-recyf-nis2-iso-comparison.csv");
    let (code, _, err) = run(&db, &["import", &sample, "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    let line = |header: &str| -> String {
        err.lines()
            .find(|l| l.trim_start().starts_with("column") && l.contains(header))
            .unwrap_or_else(|| panic!("a line for {header}: {err}"))
            .to_string()
    };
    let id = line("Référence");
    assert!(
        id.contains("Id (the header is a usual name for an id, and its values are unique)"),
        "{id}"
    );
    assert!(line("Contenu").contains("Text (the header is a usual name for the text)"));
    assert!(line("Objectif").trim_end().ends_with("Attribute"));
    assert!(!db.exists(), "a dry run writes nothing");
}

#[test]
fn column_flags_say_which_column_holds_what_and_are_saved_with_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let text = "Control,Key,Statement,Description\n\
                AC-1,K-1,Keep an access policy,old wording one\n\
                AC-2,K-2,Review accounts quarterly,old wording two\n";
    let v1 = write(dir.path(), "controls.csv", text);
    let (code, out, err) = run(
        &db,
        &[
            "import",
            v1.to_str().unwrap(),
            "--set",
            "acme",
            "--column",
            "id=Key",
            "--column",
            "text=Statement",
            "--profile",
            "keyed",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["diff"]["added"], serde_json::json!(["K-1", "K-2"]));
    let role = |header: &str| {
        report["sheets"][0]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["header"] == header)
            .map(|c| c["role"].as_str().unwrap().to_string())
    };
    assert_eq!(role("Key").as_deref(), Some("id"));
    assert_eq!(role("Statement").as_deref(), Some("text"));

    // The profile remembers the roles: the next delivery of the template needs no flags.
    let v2 = write(
        dir.path(),
        "controls-v2.csv",
        &text.replace("quarterly", "monthly"),
    );
    let (code, out, err) = run(
        &db,
        &[
            "import",
            v2.to_str().unwrap(),
            "--set",
            "acme",
            "--profile",
            "keyed",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["diff"]["changed"], serde_json::json!(["K-2"]));

    // A column the sheet lacks names the file, the sheet and the column; a bad role is a usage
    // error.
    let (code, _, err) = run(
        &db,
        &[
            "import",
            v1.to_str().unwrap(),
            "--set",
            "other",
            "--column",
            "text=Rationale",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("controls.csv")
            && err.contains("sheet 'controls'")
            && err.contains("'Rationale'"),
        "{err}"
    );
    let (code, _, err) = run(
        &db,
        &[
            "import",
            v1.to_str().unwrap(),
            "--column",
            "owner=Description",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a column role"), "{err}");
}

//! Small inputs that used to give unclear messages or silent results.

mod common;

use common::*;
use std::path::Path;
use std::process::Output;

fn run(db: &Path, args: &[&str]) -> Output {
    crosswalk().arg("--db").arg(db).args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_folder_given_as_the_engagement_file_is_called_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("dbdir");
    std::fs::create_dir(&folder).unwrap();
    let sheet = dir.path().join("b.csv");
    std::fs::write(&sheet, "ID,Title,Requirement\nR-1,a,b\n").unwrap();
    let out = run(&folder, &["import", sheet.to_str().unwrap(), "--set", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("dbdir: is a folder"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
}

#[test]
fn a_file_name_that_cannot_be_a_set_name_asks_for_set() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let sheet = dir.path().join("a:b.csv");
    std::fs::write(&sheet, "ID,Title,Requirement\nR-1,a,b\n").unwrap();
    let out = run(&db, &["import", sheet.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("taken from the file name"), "{err}");
    assert!(err.contains("give --set NAME"), "{err}");
    assert!(!db.exists());
    let ok = run(&db, &["import", sheet.to_str().unwrap(), "--set", "ab"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
}

#[test]
fn an_import_that_reads_no_requirement_creates_no_set_and_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let sheet = dir.path().join("b.csv");
    std::fs::write(&sheet, "ID,Title,Requirement\nR-1,a,b\nR-2,c,d\n").unwrap();
    let out = run(
        &db,
        &["import", sheet.to_str().unwrap(), "--header-row", "3"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no requirements were read"),
        "{}",
        stderr(&out)
    );
    assert!(!db.exists(), "no engagement file made");

    // Into an existing engagement file: no empty set either.
    json(&db, &["import", sheet.to_str().unwrap(), "--set", "acme"]);
    let before = file_hash(&db);
    let out = run(
        &db,
        &[
            "import",
            sheet.to_str().unwrap(),
            "--set",
            "new",
            "--header-row",
            "3",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(file_hash(&db), before);
}

#[test]
fn a_nul_byte_in_a_csv_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let sheet = dir.path().join("nul.csv");
    std::fs::write(&sheet, b"ID,Title,Requirement\nR-1,a\0,b\nR-2,c,d\n").unwrap();
    let out = run(&db, &["import", sheet.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the first on line 2"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_sheet_with_no_id_title_or_text_column_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let sheet = dir.path().join("status.csv");
    std::fs::write(
        &sheet,
        "Colour,Size,Shape\nred,L,round\nblue,L,square\nred,M,round\n",
    )
    .unwrap();
    let report = json(&db, &["import", sheet.to_str().unwrap()]);
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("no column reads as an id, a title or a requirement text"),
        "{warnings}"
    );
}

#[test]
fn commands_racing_to_create_a_new_engagement_file_both_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("b.csv");
    std::fs::write(&sheet, "ID,Title,Requirement\nR-1,a,b\n").unwrap();
    let binary = assert_cmd::cargo::cargo_bin("crosswalk");
    for round in 0..4 {
        let db = dir.path().join(format!("na{round}.crosswalk"));
        let spawn = |args: &[&str]| {
            std::process::Command::new(&binary)
                .env("USER", "tester")
                .arg("--db")
                .arg(&db)
                .args(args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let a = spawn(&["import", sheet.to_str().unwrap(), "--set", "a"]);
        let b = spawn(&["catalogue", "adopt", "fsbp", "--set", "f"]);
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
        }
        let list = json(&db, &["list"]);
        assert_eq!(list["requirements"].as_array().unwrap().len(), 1 + 205);
    }
}

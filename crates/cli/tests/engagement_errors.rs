//! Errors that used to be raw SQLite text or silent: a read-only engagement file or folder, a
//! damaged file, an altered audit log, out-of-range flag values, and `--json` failures (one JSON
//! error document on stdout).

mod common;

use common::*;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

fn engagement(dir: &Path) -> PathBuf {
    let db = dir.join("e.crosswalk");
    let sheet = dir.join("base.csv");
    std::fs::write(
        &sheet,
        "ID,Title,Requirement\nR-1,Root MFA,The root user must use MFA\n\
         R-2,Encrypt,Data at rest must be encrypted with managed keys\n",
    )
    .unwrap();
    json(&db, &["import", sheet.to_str().unwrap(), "--set", "acme"]);
    json(&db, &["map", "acme:R-2", "service:KMS"]);
    db
}

/// Runs crosswalk as a user without rights (nobody) when this runs as root, so file modes hold.
fn run_unprivileged(db: &Path, args: &[&str]) -> Output {
    let binary = assert_cmd::cargo::cargo_bin("crosswalk");
    let root = running_as_root();
    let mut cmd = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&binary);
        c
    } else {
        std::process::Command::new(&binary)
    };
    cmd.env("USER", "tester")
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap()
}

fn running_as_root() -> bool {
    // `id -u` keeps this free of unsafe code and of a libc dependency.
    let out = std::process::Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is one JSON document ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn a_read_only_folder_still_lists_audits_and_suggests_and_refuses_writes_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("archive");
    std::fs::create_dir(&folder).unwrap();
    let db = engagement(&folder);
    let sheet = folder.join("base.csv");
    chmod(dir.path(), 0o755);
    chmod(&db, 0o444);
    chmod(&folder, 0o555);
    let before = file_hash(&db);

    let list = run_unprivileged(&db, &["list", "--json"]);
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    assert_eq!(stdout_json(&list)["requirements"][1]["ref"], "R-2");
    let audit = run_unprivileged(&db, &["audit", "--json"]);
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
    assert_eq!(stdout_json(&audit)["chain_intact"], true);
    let suggest = run_unprivileged(&db, &["suggest", "--json"]);
    assert!(
        suggest.status.success(),
        "{}",
        String::from_utf8_lossy(&suggest.stderr)
    );
    let catalogue = run_unprivileged(&db, &["catalogue", "show", "fsbp:IAM.6", "--json"]);
    assert!(
        catalogue.status.success(),
        "{}",
        String::from_utf8_lossy(&catalogue.stderr)
    );

    let import = run_unprivileged(
        &db,
        &["import", sheet.to_str().unwrap(), "--set", "x", "--json"],
    );
    assert_eq!(import.status.code(), Some(1));
    let err = String::from_utf8_lossy(&import.stderr);
    assert!(
        err.contains("e.crosswalk: the engagement file is read-only"),
        "{err}"
    );
    assert!(!err.contains("Error code"), "no raw SQLite text: {err}");
    let doc = stdout_json(&import);
    assert_eq!(doc["error"]["exit_code"], 1);
    assert!(doc["error"]["message"]
        .as_str()
        .unwrap()
        .contains("read-only"));

    chmod(&folder, 0o755);
    let names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with("-wal") || n.ends_with("-shm")),
        "no WAL files left: {names:?}"
    );
    assert_eq!(file_hash(&db), before);
}

#[test]
fn a_read_only_file_in_a_writable_folder_is_read_and_refused_for_writing_without_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    chmod(dir.path(), 0o777);
    chmod(&db, 0o444);
    let out = run_unprivileged(&db, &["list", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_unprivileged(&db, &["map", "acme:R-1", "service:IAM"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("e.crosswalk: the engagement file is read-only"),
        "{err}"
    );
    assert!(!dir.path().join("e.crosswalk-wal").exists());
    assert!(!dir.path().join("e.crosswalk-shm").exists());
}

#[test]
fn a_damaged_engagement_file_is_named_and_json_gets_one_error_document() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    let bytes = std::fs::read(&db).unwrap();
    let cut = dir.path().join("cut.crosswalk");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = crosswalk()
        .arg("--db")
        .arg(&cut)
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut.crosswalk"), "names the file: {err}");
    assert!(err.contains("damaged"), "{err}");
    let doc = stdout_json(&out);
    assert!(doc["error"]["message"]
        .as_str()
        .unwrap()
        .contains("cut.crosswalk: the engagement file is damaged"));
    assert_eq!(doc["error"]["exit_code"], 1);

    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["map", "NOPE-1", "service:KMS", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout_json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("NOPE-1"));
}

#[test]
fn out_of_range_scores_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    let before = file_hash(&db);
    for value in ["1.5", "NaN", "inf", "-0.5", "abc"] {
        let out = crosswalk()
            .arg("--db")
            .arg(&db)
            .args(["suggest", "--accept-above", value, "--json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--accept-above {value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("scores run from 0 to 1"), "{value}: {err}");
        assert_eq!(stdout_json(&out)["error"]["exit_code"], 2);
    }
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["suggest", "--top", "-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("unexpected argument"));
    assert_eq!(file_hash(&db), before);
}

#[test]
fn an_altered_audit_log_is_still_shown_with_the_break_marked() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    let intact = json(&db, &["audit"]);
    assert_eq!(intact["chain_intact"], true);
    assert!(intact["first_altered_seq"].is_null());
    let count = intact["entries"].as_array().unwrap().len();
    let last = intact["entries"][count - 1]["seq"].as_i64().unwrap();

    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("DROP TRIGGER IF EXISTS audit_log_no_update;")
            .unwrap();
        conn.execute(
            "UPDATE audit_log SET actor = 'mallory' WHERE seq = ?1",
            [last],
        )
        .unwrap();
    }
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["audit", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc = stdout_json(&out);
    assert_eq!(doc["chain_intact"], false);
    assert_eq!(doc["first_altered_seq"], last);
    assert_eq!(
        doc["entries"].as_array().unwrap().len(),
        count,
        "every entry shown"
    );
    assert_eq!(doc["entries"][count - 1]["actor"], "mallory");

    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .arg("audit")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let marked: Vec<&str> = text.lines().filter(|l| l.contains("ALTERED")).collect();
    assert_eq!(marked.len(), 1, "{text}");
    assert!(marked[0].contains("mallory"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("entry {last}")));
}

#[test]
fn a_read_only_engagement_exports_with_the_key_it_has_and_says_what_to_do_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    chmod(dir.path(), 0o777);
    chmod(&db, 0o444);
    let before = file_hash(&db);
    let matrix = dir.path().join("m.xlsx");
    let m = matrix.to_str().unwrap();

    // No sealing key yet: the first sealed export would have to store one.
    let out = run_unprivileged(&db, &["export", "--out", m]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("e.crosswalk: the engagement file is read-only and has no sealing key yet"),
        "{err}"
    );
    assert!(err.contains("chmod u+w"), "says what to do: {err}");
    assert!(
        !err.contains("Error code") && !err.contains("database error"),
        "{err}"
    );
    assert!(!matrix.exists(), "nothing written");
    // A CSV needs no key.
    let csv = dir.path().join("m.csv");
    let out = run_unprivileged(&db, &["export", "--out", csv.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(csv.is_file());
    assert_eq!(file_hash(&db), before, "the engagement is unchanged");

    // Once a writable export stored the key, the read-only file exports sealed matrices.
    chmod(&db, 0o644);
    json(
        &db,
        &[
            "export",
            "--out",
            dir.path().join("first.xlsx").to_str().unwrap(),
        ],
    );
    chmod(&db, 0o444);
    let before = file_hash(&db);
    let out = run_unprivileged(&db, &["export", "--out", m]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(matrix.is_file());
    let out = run_unprivileged(&db, &["verify", m, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout_json(&out)["status"], "untouched");
    assert_eq!(file_hash(&db), before, "the engagement is unchanged");
    assert!(!dir.path().join("e.crosswalk-wal").exists());
}

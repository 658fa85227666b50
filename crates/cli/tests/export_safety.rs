//! Where exports may land, through the real binary: never over the engagement file, through a
//! symbolic link to the file it names, never over a folder or a special file, and a file that
//! cannot be written is an error (exit 1) that leaves what was there before.

mod common;

use common::*;
use std::path::{Path, PathBuf};

/// `crosswalk demo` in a temp dir: (dir guard, run folder, engagement file).
fn demo() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let output = crosswalk()
        .args(["demo", "--out"])
        .arg(&out)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let db = PathBuf::from(report["db"].as_str().unwrap());
    (dir, out, db)
}

/// `crosswalk --db DB ARGS...`: exit code, stdout, stderr.
fn run(db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = crosswalk().arg("--db").arg(db).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn requirement_count(db: &Path) -> usize {
    json(db, &["list"])["requirements"]
        .as_array()
        .unwrap()
        .len()
}

/// Every file name in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn no_export_overwrites_the_engagement_file() {
    let (_guard, dir, demo_db) = demo();
    let rows = requirement_count(&demo_db);
    assert_eq!(rows, 60);
    // The engagement file under the names an export would otherwise take.
    let cases: [(&str, &[&str]); 4] = [
        ("d.db", &["export", "--out", "d.db", "--format", "xlsx"]),
        ("m.json", &["export", "--out", "m.json"]),
        ("eng.csv", &["stories", "export", "--out", "eng.csv"]),
        ("eng.xlsx", &["readiness", "export", "--out", "eng.xlsx"]),
    ];
    for (name, args) in cases {
        let db = dir.join(name);
        std::fs::copy(&demo_db, &db).unwrap();
        let before = file_hash(&db);
        let out = crosswalk()
            .current_dir(&dir)
            .arg("--db")
            .arg(name)
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("{name} is the engagement file {name};")),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(
            file_hash(&db),
            before,
            "{args:?}: the engagement file is intact"
        );
        assert_eq!(requirement_count(&db), rows);
    }

    // The same file by another path, through a link, or its write-ahead log: refused too,
    // naming both paths.
    let db = dir.join("d.db");
    let before = file_hash(&db);
    let other_path = dir.join("sub/../d.db");
    std::fs::create_dir(dir.join("sub")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&db, dir.join("link.csv")).unwrap();
    let wal = format!("{}-wal", db.display());
    let mut outs = vec![other_path.display().to_string(), wal];
    if cfg!(unix) {
        outs.push(dir.join("link.csv").display().to_string());
    }
    for out in &outs {
        let (code, _, stderr) = run(&db, &["export", "--out", out, "--format", "csv"]);
        assert_eq!(code, 1, "{out}: {stderr}");
        assert!(
            stderr.contains(&format!("{out} is the engagement file {}", db.display())),
            "{out}: {stderr}"
        );
        assert_eq!(file_hash(&db), before);
    }
    assert!(!Path::new(&format!("{}-wal", db.display())).exists());
    assert_eq!(requirement_count(&db), rows);
}

#[cfg(unix)]
#[test]
fn an_export_through_a_symbolic_link_writes_the_file_the_link_names() {
    let (_guard, dir, db) = demo();
    let shared = dir.join("shared");
    std::fs::create_dir(&shared).unwrap();
    let cases = [
        ("matrix.xlsx", vec!["export"]),
        ("matrix.csv", vec!["export"]),
        ("backlog.csv", vec!["stories", "export"]),
        ("report.xlsx", vec!["readiness", "export"]),
    ];
    for (name, command) in cases {
        let real = shared.join(name);
        std::fs::write(&real, b"old").unwrap();
        let link = dir.join(format!("link-{name}"));
        // A relative link, as `ln -s shared/x link` makes it.
        std::os::unix::fs::symlink(format!("shared/{name}"), &link).unwrap();
        let mut args = command.clone();
        let link_text = link.display().to_string();
        args.extend(["--out", &link_text]);
        let (code, stdout, stderr) = run(&db, &args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert_eq!(stdout.trim(), link_text);
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "{name}: the link is still a link"
        );
        let written = std::fs::read(&real).unwrap();
        assert_ne!(written, b"old", "{name}: the link's target was replaced");
        if name.ends_with(".xlsx") {
            assert_eq!(&written[..2], b"PK", "{name} is an xlsx");
        } else if name == "backlog.csv" {
            assert!(written.starts_with(b"Summary,"), "{name} is the backlog");
        } else {
            // The matrix CSV starts with a UTF-8 byte-order mark, for Excel.
            assert!(written.starts_with(b"\xEF\xBB\xBFSet,Req ID,"), "{name}");
        }
    }
    assert_eq!(
        names(&shared),
        ["backlog.csv", "matrix.csv", "matrix.xlsx", "report.xlsx"],
        "no temporary file left behind"
    );

    // A link to a file not made yet: the file is made where the link points.
    let link = dir.join("dangling.json");
    std::os::unix::fs::symlink("shared/new.json", &link).unwrap();
    let (code, _, stderr) = run(&db, &["export", "--out", link.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(shared.join("new.json")).unwrap()).unwrap();
    assert_eq!(json["matrix"]["rows"].as_array().unwrap().len(), 60);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn folders_special_files_and_unwritable_places_are_refused_and_nothing_is_replaced() {
    let (_guard, dir, db) = demo();
    let before = file_hash(&db);

    // A folder: refused, and it is still the folder with what it held.
    let folder = dir.join("out.csv");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("keep.txt"), b"keep").unwrap();
    let (code, stdout, stderr) = run(&db, &["export", "--out", folder.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("is a folder"), "{stderr}");
    assert_eq!(std::fs::read(folder.join("keep.txt")).unwrap(), b"keep");

    // A special file (a named pipe here; a device node is refused the same way): refused, and
    // it is still a pipe.
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let fifo = dir.join("pipe.csv");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        for args in [
            vec!["export", "--out", fifo.to_str().unwrap()],
            vec!["stories", "export", "--out", fifo.to_str().unwrap()],
        ] {
            let (code, _, stderr) = run(&db, &args);
            assert_eq!(code, 1, "{args:?}: {stderr}");
            assert!(stderr.contains("not a regular file"), "{stderr}");
            let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
            assert!(kind.is_fifo(), "{args:?}: the pipe was not replaced");
        }
    }

    // A folder that does not exist, and a "folder" that is a file: the write error is reported
    // with the path, exit 1.
    let previous = dir.join("previous.csv");
    std::fs::write(&previous, b"previous export").unwrap();
    for out in [
        dir.join("missing/m.csv"),
        previous.join("m.csv"),
        dir.join("missing/m.xlsx"),
    ] {
        let (code, _, stderr) = run(&db, &["export", "--out", out.to_str().unwrap()]);
        assert_eq!(code, 1, "{}: {stderr}", out.display());
        assert!(
            stderr.starts_with(&format!("error: {}: ", out.display())),
            "{stderr}"
        );
    }
    assert_eq!(std::fs::read(&previous).unwrap(), b"previous export");

    // A failed export (the engagement file is missing) leaves the previous file as it was.
    let (code, _, _) = run(
        &dir.join("nowhere.crosswalk"),
        &[
            "export",
            "--out",
            previous.to_str().unwrap(),
            "--format",
            "csv",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(std::fs::read(&previous).unwrap(), b"previous export");

    // A write that fails half-way (the file size limit of the process, below the size of the
    // workbook and above what SQLite needs): exit 1 naming the file, the previous file intact,
    // no temporary file left.
    #[cfg(unix)]
    {
        let old = dir.join("old.xlsx");
        std::fs::write(&old, b"previous workbook").unwrap();
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg("trap '' XFSZ; ulimit -f 80; exec \"$0\" --db \"$1\" export --out \"$2\"")
            .arg(env!("CARGO_BIN_EXE_crosswalk"))
            .arg(&db)
            .arg(&old)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!("{}: cannot write the file", old.display())),
            "{stderr}"
        );
        assert_eq!(std::fs::read(&old).unwrap(), b"previous workbook");
        assert!(names(&dir).iter().all(|n| !n.ends_with(".tmp")));
    }

    // A successful export replaces it whole and leaves no temporary file.
    let (code, _, stderr) = run(&db, &["export", "--out", previous.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let rows = csv::Reader::from_path(&previous)
        .unwrap()
        .records()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .len();
    assert_eq!(rows, 60, "the whole matrix replaced the previous file");
    assert!(
        names(&dir).iter().all(|n| !n.ends_with(".tmp")),
        "{:?}",
        names(&dir)
    );
    assert_eq!(
        file_hash(&db),
        before,
        "a CSV export writes nothing to the engagement"
    );
}

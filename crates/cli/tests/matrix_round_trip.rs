//! The Excel round trip through the real binary: the demo engagement's matrix is edited the way
//! Excel saves a workbook (only the XML of the changed sheet is rewritten), then merged back with
//! `import-matrix` and checked with `verify`, against a real SQLite engagement file.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

struct Demo {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    db: PathBuf,
    matrix: PathBuf,
}

/// `crosswalk demo` in a fresh temp dir: the engagement file and its exported matrix.
fn demo() -> Demo {
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
        "demo failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    Demo {
        db: PathBuf::from(report["db"].as_str().unwrap()),
        matrix: PathBuf::from(report["matrix"].as_str().unwrap()),
        dir: out,
        _dir: dir,
    }
}

/// (set:ref) → [coverage, reason, owner, evidence, notes] of every engagement-wide assessment.
fn assessments(db: &Path) -> BTreeMap<String, [String; 5]> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT f.key || ':' || i.ref, ifnull(a.coverage, ''), a.coverage_reason, a.owner,
                    a.evidence, a.notes
             FROM assessments a JOIN items i ON i.id = a.item_id
             JOIN frameworks f ON f.id = i.framework_id
             WHERE a.workload_id IS NULL",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
            ))
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    rows
}

fn audit(db: &Path) -> Vec<Value> {
    json(db, &["audit"])["entries"].as_array().unwrap().clone()
}

/// Runs `crosswalk --db DB ARGS...` without --json: exit code and stderr.
fn run(db: &Path, args: &[&str]) -> (i32, String) {
    let out = crosswalk().arg("--db").arg(db).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn keys(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn edits_in_the_editable_columns_are_merged_exactly_with_their_audit_entries() {
    let d = demo();
    let sheet = MatrixSheet::read(&d.matrix);
    let edited = d.dir.join("edited.xlsx");
    let edits = [
        (sheet.cell("Owner", "SEC-DP-01"), "Platform team"),
        (sheet.cell("Notes", "SEC-DP-01"), "=1+1 is not a formula"),
        (
            sheet.cell("Evidence", "SEC-DP-02"),
            "KMS key policy review, ticket SEC-42",
        ),
        (
            sheet.cell("Coverage override", "SEC-DP-03"),
            "not_applicable",
        ),
        (
            sheet.cell("Override reason", "SEC-DP-03"),
            "No customer-managed keys in scope",
        ),
    ];
    let edits_ref: Vec<(&str, &str)> = edits.iter().map(|(c, t)| (c.as_str(), *t)).collect();
    edit_matrix_cells(&d.matrix, &edited, &edits_ref);

    // verify: only editable columns changed, each edited cell listed with before and after.
    let (code, report) = json_with_code(&d.db, &["verify", edited.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["status"], "edited_only");
    let listed: Vec<(String, String)> = report["edits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["cell"].as_str().unwrap().to_string(),
                e["after"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut expected: Vec<(String, String)> = edits
        .iter()
        .map(|(c, t)| (c.clone(), t.to_string()))
        .collect();
    expected.sort();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    assert_eq!(listed_sorted, expected);
    assert_eq!(report["alterations"], Value::Array(vec![]));

    let before = assessments(&d.db);
    let audit_before = audit(&d.db).len();
    let (code, report) = json_with_code(&d.db, &["import-matrix", edited.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        keys(&report["applied"]),
        ["demo:SEC-DP-01", "demo:SEC-DP-02", "demo:SEC-DP-03"]
    );
    assert_eq!(report["conflicts"], Value::Array(vec![]));

    // Exactly these changes in the engagement file, nothing else.
    let after = assessments(&d.db);
    let mut changed: Vec<(&String, &[String; 5])> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .collect();
    changed.sort();
    let row = |c: &str, r: &str, o: &str, e: &str, n: &str| [c, r, o, e, n].map(|s| s.to_string());
    assert_eq!(changed.len(), 3, "{changed:#?}");
    assert_eq!(
        *changed[0].1,
        row("", "", "Platform team", "", "=1+1 is not a formula")
    );
    assert_eq!(
        *changed[1].1,
        row("", "", "", "KMS key policy review, ticket SEC-42", "")
    );
    assert_eq!(
        *changed[2].1,
        row(
            "not_applicable",
            "No customer-managed keys in scope",
            "",
            "",
            ""
        )
    );

    // One audit entry per merged row, then one for the merge, all from this import.
    let entries = audit(&d.db);
    let new: Vec<&Value> = entries[audit_before..].iter().collect();
    let actions: Vec<(&str, &str)> = new
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["subject"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("assessment.set", "assessment:demo:SEC-DP-01"),
            ("assessment.set", "assessment:demo:SEC-DP-02"),
            ("assessment.set", "assessment:demo:SEC-DP-03"),
            ("matrix.import", "matrix:edited.xlsx"),
        ]
    );
    assert_eq!(new[0]["actor"], "tester");
    assert_eq!(new[0]["after"]["owner"], "Platform team");
    let cells: Vec<&str> = new[0]["after"]["via"]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cell"].as_str().unwrap())
        .collect();
    assert_eq!(
        cells,
        [
            sheet.cell("Owner", "SEC-DP-01"),
            sheet.cell("Notes", "SEC-DP-01")
        ]
    );
    assert_eq!(new[3]["after"]["applied"], 3);

    // Merging the same file again changes nothing and writes no audit entry.
    let hash = file_hash(&d.db);
    let (code, again) = json_with_code(&d.db, &["import-matrix", edited.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(again["applied"], Value::Array(vec![]));
    assert_eq!(keys(&again["already_applied"]).len(), 3);
    assert_eq!(file_hash(&d.db), hash, "nothing written");

    // A new export shows the merged values; the formula-like note is a text cell.
    let next = d.dir.join("next.xlsx");
    json(&d.db, &["export", "--out", next.to_str().unwrap()]);
    let sheet = MatrixSheet::read(&next);
    assert_eq!(sheet.value("Owner", "SEC-DP-01"), "Platform team");
    assert_eq!(sheet.value("Notes", "SEC-DP-01"), "=1+1 is not a formula");
    assert_eq!(sheet.value("Coverage", "SEC-DP-03"), "not_applicable");
    assert!(sheet
        .value("Coverage basis", "SEC-DP-03")
        .starts_with("override (rules give"));
    let mut xml = String::new();
    rewrite_part(&next, &d.dir.join("copy.xlsx"), MATRIX_PART, |x| {
        xml = x.clone();
        x
    });
    assert!(!xml.contains("<f>"), "no cell of the Matrix is a formula");
}

/// Two copies of one export edited by different people (or the engagement changed by a first
/// merge): each field is merged three ways against what the row showed when it was exported.
#[test]
fn a_row_changed_on_both_sides_merges_field_by_field() {
    let d = demo();
    let sheet = MatrixSheet::read(&d.matrix);
    let exported_owner = sheet.value("Owner", "SEC-DP-01");
    let exported_notes = sheet.value("Notes", "SEC-DP-01");
    // The first copy changes the notes of SEC-DP-01 and merges first: the engagement changed
    // since the export.
    let first = d.dir.join("first.xlsx");
    edit_matrix_cells(
        &d.matrix,
        &first,
        &[(&sheet.cell("Notes", "SEC-DP-01"), "keys rotate yearly")],
    );
    let (code, report) = json_with_code(&d.db, &["import-matrix", first.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    // Meanwhile the consultant also records a mapping for SEC-DP-01.
    let (code, err) = run(&d.db, &["map", "SEC-DP-01", "service:S3"]);
    assert_eq!(code, 0, "{err}");

    // The second copy changes the owner of the same row, and SEC-DP-02's notes.
    let second = d.dir.join("second.xlsx");
    edit_matrix_cells(
        &d.matrix,
        &second,
        &[
            (&sheet.cell("Owner", "SEC-DP-01"), "Cloud platform team"),
            (&sheet.cell("Notes", "SEC-DP-02"), "another note"),
        ],
    );
    let (code, report) = json_with_code(&d.db, &["import-matrix", second.to_str().unwrap()]);
    assert_eq!(code, 0, "different fields do not conflict: {report:#}");
    assert_eq!(report["conflicts"], Value::Array(vec![]));
    assert_eq!(
        keys(&report["applied"]),
        ["demo:SEC-DP-01", "demo:SEC-DP-02"]
    );
    let now = assessments(&d.db);
    assert_ne!(exported_owner, "Cloud platform team");
    assert_ne!(exported_notes, "keys rotate yearly");
    assert_eq!(
        now["demo:SEC-DP-01"][2], "Cloud platform team",
        "the owner edited in the file"
    );
    assert_eq!(
        now["demo:SEC-DP-01"][4], "keys rotate yearly",
        "and the notes changed in the engagement since the export, both kept"
    );
    assert_eq!(now["demo:SEC-DP-02"][4], "another note");

    // The same change made on both sides is no conflict either.
    let third = d.dir.join("third.xlsx");
    edit_matrix_cells(
        &d.matrix,
        &third,
        &[(&sheet.cell("Notes", "SEC-DP-01"), "keys rotate yearly")],
    );
    let (code, report) = json_with_code(&d.db, &["import-matrix", third.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(keys(&report["already_applied"]), ["demo:SEC-DP-01"]);
}

#[test]
fn a_field_changed_on_both_sides_is_a_conflict_and_the_rows_other_fields_merge() {
    let d = demo();
    let sheet = MatrixSheet::read(&d.matrix);
    let exported_notes = sheet.value("Notes", "SEC-DP-01");
    let notes_cell = sheet.cell("Notes", "SEC-DP-01");
    let first = d.dir.join("first.xlsx");
    edit_matrix_cells(
        &d.matrix,
        &first,
        &[(&notes_cell, "note from the app side")],
    );
    let (code, report) = json_with_code(&d.db, &["import-matrix", first.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");

    let second = d.dir.join("second.xlsx");
    edit_matrix_cells(
        &d.matrix,
        &second,
        &[
            (&notes_cell, "customer note"),
            (&sheet.cell("Owner", "SEC-DP-01"), "Cloud platform team"),
        ],
    );
    let (code, report) = json_with_code(&d.db, &["import-matrix", second.to_str().unwrap()]);
    assert_eq!(code, 3, "conflicts exit with 3: {report:#}");
    assert_eq!(keys(&report["conflicts"]), ["demo:SEC-DP-01"]);
    let conflict = &report["conflicts"][0];
    assert!(
        conflict["current_version"].as_u64() > conflict["exported_version"].as_u64(),
        "{conflict}"
    );
    assert_eq!(
        conflict["fields"],
        serde_json::json!([{
            "field": "notes",
            "exported": exported_notes,
            "current": "note from the app side",
            "edited": "customer note",
        }])
    );
    let cells: Vec<&str> = conflict["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cell"].as_str().unwrap())
        .collect();
    assert_eq!(
        cells,
        [notes_cell.as_str()],
        "only the notes cell is left out"
    );
    let reason = conflict["reason"].as_str().unwrap();
    assert!(
        reason.contains("notes")
            && reason.contains("'note from the app side' in the engagement now")
            && reason.contains("'customer note' in the file"),
        "{reason}"
    );
    assert_eq!(keys(&report["applied"]), ["demo:SEC-DP-01"]);
    let merged: Vec<&str> = report["applied"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["column"].as_str().unwrap())
        .collect();
    assert_eq!(merged, ["Owner"], "the owner edit of the same row merged");

    let now = assessments(&d.db);
    assert_eq!(
        now["demo:SEC-DP-01"][4], "note from the app side",
        "the conflicting edit was not written"
    );
    assert_eq!(now["demo:SEC-DP-01"][2], "Cloud platform team");
    let log = audit(&d.db);
    let last = log.last().cloned().unwrap();
    assert_eq!(last["action"], "matrix.import");
    assert_eq!(
        last["after"]["conflicts"],
        serde_json::json!(["demo:SEC-DP-01"])
    );
    let set = &log[log.len() - 2];
    assert_eq!(set["action"], "assessment.set");
    assert_eq!(set["after"]["owner"], "Cloud platform team");
    assert_eq!(set["after"]["not_merged"][0]["edited"], "customer note");

    // Without --json the conflict names the field and the three values.
    let (code, _) = run(&d.db, &["import-matrix", second.to_str().unwrap()]);
    assert_eq!(code, 3);
    let out = crosswalk()
        .arg("--db")
        .arg(&d.db)
        .args(["import-matrix", second.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("conflict  row") && stdout.contains("'customer note' in the file"),
        "{stdout}"
    );
}

#[test]
fn verify_tells_untouched_edited_and_altered_apart() {
    let d = demo();
    let sheet = MatrixSheet::read(&d.matrix);
    let hash = file_hash(&d.db);

    let (code, report) = json_with_code(&d.db, &["verify", d.matrix.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(report["status"], "untouched");
    assert_eq!(report["edits"], Value::Array(vec![]));
    assert_eq!(report["export"]["content_hash"].as_str().unwrap().len(), 64);

    let altered = d.dir.join("altered.xlsx");
    let original = sheet.value("Requirement", "SEC-DP-01");
    let weaker = original.replace("must be", "should ideally be");
    assert_ne!(weaker, original);
    edit_matrix_cells(
        &d.matrix,
        &altered,
        &[
            (&sheet.cell("Requirement", "SEC-DP-01"), &weaker),
            (&sheet.cell("Owner", "SEC-DP-02"), "Security office"),
        ],
    );
    let (code, report) = json_with_code(&d.db, &["verify", altered.to_str().unwrap()]);
    assert_eq!(code, 3, "{report:#}");
    assert_eq!(report["status"], "altered");
    let alterations = report["alterations"].as_array().unwrap();
    assert_eq!(alterations.len(), 1, "{alterations:#?}");
    assert_eq!(alterations[0]["kind"], "cell_changed");
    assert_eq!(alterations[0]["sheet"], "Matrix");
    assert_eq!(alterations[0]["column"], "Requirement");
    assert_eq!(
        alterations[0]["cell"],
        sheet.cell("Requirement", "SEC-DP-01")
    );
    assert_eq!(alterations[0]["expected"], original.as_str());
    assert_eq!(alterations[0]["found"], weaker.as_str());
    assert_eq!(report["edits"][0]["cell"], sheet.cell("Owner", "SEC-DP-02"));

    // Without --json: the cell is named on stdout, the verdict on stderr.
    let out = crosswalk()
        .arg("--db")
        .arg(&d.db)
        .args(["verify", altered.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("cell {}", sheet.cell("Requirement", "SEC-DP-01"))),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only data was altered"));

    // An altered matrix still merges its legitimate edits; the altered text is ignored.
    let (code, report) = json_with_code(&d.db, &["import-matrix", altered.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(keys(&report["applied"]), ["demo:SEC-DP-02"]);
    assert_eq!(report["ignored"][0]["column"], "Requirement");
    let list = json(&d.db, &["list"]);
    assert_eq!(by_ref(&list, "SEC-DP-01")["text"], original.as_str());
    assert_ne!(file_hash(&d.db), hash);
}

#[test]
fn sorted_and_deleted_rows_and_added_columns_do_no_harm() {
    let d = demo();
    let sheet = MatrixSheet::read(&d.matrix);
    let rows = sheet.rows.len();

    // Sorted (reversed) and a column added by the customer: still untouched.
    let sorted = d.dir.join("sorted.xlsx");
    let reversed: Vec<usize> = (0..rows).rev().collect();
    rearrange_matrix_rows(&d.matrix, &sorted, &reversed);
    let moved = d.dir.join("sorted-with-column.xlsx");
    edit_matrix_cells(
        &sorted,
        &moved,
        &[("AB1", "Customer comment"), ("AB2", "looks fine")],
    );
    let resorted = MatrixSheet::read(&moved);
    assert_eq!(resorted.rows[0][1], sheet.rows[rows - 1][1], "rows moved");
    let (code, report) = json_with_code(&d.db, &["verify", moved.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["status"], "untouched");
    assert_eq!(report["added_columns"][0]["column"], "Customer comment");

    // An edit in the sorted workbook lands on the right requirement.
    let edited = d.dir.join("sorted-edited.xlsx");
    edit_matrix_cells(
        &moved,
        &edited,
        &[(&resorted.cell("Owner", "SEC-DP-04"), "Network team")],
    );
    // And a deleted row: verify names it, import-matrix merges the rest and leaves it alone.
    let deleted = d.dir.join("deleted.xlsx");
    let keep: Vec<usize> = (0..rows).filter(|i| *i != 0).collect();
    rearrange_matrix_rows(&edited, &deleted, &keep);
    let gone = resorted.rows[0][resorted.column("Key")].clone();

    let (code, report) = json_with_code(&d.db, &["verify", deleted.to_str().unwrap()]);
    assert_eq!(code, 3);
    let alterations = report["alterations"].as_array().unwrap();
    assert_eq!(alterations.len(), 1, "{alterations:#?}");
    assert_eq!(alterations[0]["kind"], "row_deleted");
    assert_eq!(alterations[0]["key"], gone.as_str());

    let before = assessments(&d.db);
    let (code, report) = json_with_code(&d.db, &["import-matrix", deleted.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(keys(&report["applied"]), ["demo:SEC-DP-04"]);
    let after = assessments(&d.db);
    assert_eq!(after["demo:SEC-DP-04"][2], "Network team");
    let others_same = after
        .iter()
        .filter(|(k, _)| k.as_str() != "demo:SEC-DP-04")
        .all(|(k, v)| before.get(k) == Some(v));
    assert!(others_same, "no other assessment changed");
    assert_eq!(
        json(&d.db, &["list"])["requirements"]
            .as_array()
            .unwrap()
            .len(),
        rows,
        "the deleted row's requirement is still there"
    );
}

#[test]
fn files_that_cannot_be_trusted_are_refused_and_nothing_is_written() {
    let d = demo();
    let other = demo();
    let sheet = MatrixSheet::read(&d.matrix);
    let good = std::fs::read(&d.matrix).unwrap();

    let truncated = d.dir.join("truncated.xlsx");
    std::fs::write(&truncated, &good[..good.len() / 2]).unwrap();
    let random = d.dir.join("random.xlsx");
    std::fs::write(
        &random,
        (0..20_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    // Edited, then the hidden seal rewritten: nothing in the file can be trusted.
    let edited = d.dir.join("edited.xlsx");
    edit_matrix_cells(
        &d.matrix,
        &edited,
        &[(&sheet.cell("Owner", "SEC-DP-01"), "Mallory")],
    );
    let forged = d.dir.join("forged.xlsx");
    rewrite_part(&edited, &forged, INTEGRITY_PART, |xml| {
        set_inline_cell(&xml, "B1", &"0".repeat(64))
    });
    // A requirements workbook is not a matrix.
    let not_matrix = d.dir.join("demo-requirements.xlsx");
    assert!(not_matrix.is_file());
    // Edited, but with an override that has no reason.
    let no_reason = d.dir.join("no-reason.xlsx");
    edit_matrix_cells(
        &d.matrix,
        &no_reason,
        &[
            (&sheet.cell("Owner", "SEC-DP-02"), "Platform team"),
            (&sheet.cell("Coverage override", "SEC-DP-01"), "inherited"),
        ],
    );

    let cases: [(&Path, &str); 6] = [
        (&truncated, "not a readable xlsx"),
        (&random, "not a readable xlsx"),
        (&forged, "cannot be trusted"),
        (&other.matrix, "not exported from this engagement"),
        (&not_matrix, "not a matrix exported by Crosswalk"),
        (&no_reason, "needs a reason"),
    ];
    let hash = file_hash(&d.db);
    for (file, message) in cases {
        let name = file.display().to_string();
        let (code, err) = run(&d.db, &["import-matrix", &name]);
        assert_eq!(code, 1, "{name}: {err}");
        assert!(
            err.contains(&name) && err.contains(message),
            "{name}: the error names the file and says why: {err}"
        );
        assert_eq!(
            file_hash(&d.db),
            hash,
            "{name}: the engagement file is unchanged"
        );
    }
    assert!(
        run(&d.db, &["import-matrix", &no_reason.display().to_string()])
            .1
            .contains(&sheet.cell("Override reason", "SEC-DP-01")),
        "the problem names the empty reason cell"
    );
    for file in [&truncated, &random, &other.matrix, &not_matrix] {
        let (code, err) = run(&d.db, &["verify", &file.display().to_string()]);
        assert_eq!(code, 1, "verify {}: {err}", file.display());
    }
    let (code, report) = json_with_code(&d.db, &["verify", forged.to_str().unwrap()]);
    assert_eq!(code, 3, "a forged seal is an alteration");
    assert_eq!(report["alterations"][0]["kind"], "integrity_altered");
    assert_eq!(file_hash(&d.db), hash, "verify reads only");
}

#[test]
fn the_matrix_carries_domains_coverage_by_domain_and_a_keyed_about_sheet() {
    use calamine::Reader;
    let d = demo();
    let sheet = MatrixSheet::read(&d.matrix);
    for h in [
        "Req ID",
        "Requirement",
        "Section",
        "Domain",
        "CAF capability",
        "CAF epic",
        "AWS services",
        "Inherited LZ controls",
        "Workload controls",
        "Framework controls",
        "Responsibility",
        "Coverage",
        "Rationale",
        "Owner",
        "Evidence",
        "Notes",
        "Last changed",
    ] {
        sheet.column(h);
    }
    // The domain comes from the CAF classification, not from the source's section.
    assert_eq!(sheet.value("Section", "SEC-DP-01"), "Data Protection");
    assert_eq!(sheet.value("Domain", "SEC-DP-01"), "Data protection");
    assert!(sheet
        .value("CAF capability", "SEC-DP-01")
        .contains("(CAF-SEC-DP)"));
    assert!(sheet.value("CAF epic", "SEC-DP-01").contains("(Sec.DP)"));
    let domains = [
        "Data protection",
        "IAM",
        "Incident response",
        "Infrastructure protection",
        "Logging & monitoring",
    ];
    let d_col = sheet.column("Domain");
    for r in &sheet.rows {
        assert!(
            r[d_col].is_empty() || domains.contains(&r[d_col].as_str()),
            "{}",
            r[d_col]
        );
        let t = &r[sheet.column("Last changed")];
        assert!(
            t.len() == 20 && t.ends_with('Z') && &t[10..11] == "T",
            "RFC 3339 to the second: {t}"
        );
    }

    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&d.matrix).unwrap();
    let coverage = book.worksheet_range("Coverage").unwrap();
    let by_domain: Vec<String> = coverage
        .rows()
        .filter(|r| cell_text(&r[0]) == "Workplan domain")
        .map(|r| cell_text(&r[1]))
        .collect();
    assert_eq!(&by_domain[..5], &domains, "every workplan domain, in order");
    let about = book.worksheet_range("About").unwrap();
    let item = |name: &str| {
        about
            .rows()
            .find(|r| cell_text(&r[0]) == name)
            .map(|r| cell_text(&r[1]))
            .unwrap_or_else(|| panic!("About has {name}"))
    };
    assert_eq!(item("Workloads"), "shipment-tracking");
    assert!(item("Landing-zone profile").contains("enabled landing-zone controls"));
    assert!(!item("Catalogue version").is_empty());
    assert_eq!(item("Crosswalk version"), env!("CARGO_PKG_VERSION"));
    let (_, report) = json_with_code(&d.db, &["verify", d.matrix.to_str().unwrap()]);
    assert_eq!(
        item("Content hash (HMAC-SHA256)"),
        report["export"]["content_hash"].as_str().unwrap()
    );
}

#[test]
fn a_requirement_longer_than_an_excel_cell_is_cut_with_a_marker_and_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("long.crosswalk");
    let csv = dir.path().join("long.csv");
    let long: String = "Every administrative action must be logged. ".repeat(1_000);
    assert!(long.chars().count() > 32_767);
    std::fs::write(
        &csv,
        format!("ID,Requirement\nLONG-1,{long}\nSHORT-1,=cmd|' /C calc'!A0 must never run\n"),
    )
    .unwrap();
    json(&db, &["import", csv.to_str().unwrap()]);
    let matrix = dir.path().join("long.xlsx");
    let report = json(&db, &["export", "--out", matrix.to_str().unwrap()]);
    let warnings = report["warnings"].as_array().unwrap();
    // The long text is cut where it appears: on the Matrix and, as the row is a gap, on Gaps.
    let sheets: Vec<&str> = warnings
        .iter()
        .map(|w| w["sheet"].as_str().unwrap())
        .collect();
    assert_eq!(sheets, ["Matrix", "Gaps"], "{warnings:#?}");
    for w in warnings {
        assert_eq!(w["column"], "Requirement");
        assert_eq!(w["row"], 2);
    }
    let sheet = MatrixSheet::read(&matrix);
    let cut = sheet.value("Requirement", "LONG-1");
    assert_eq!(cut.chars().count(), 32_767);
    assert!(cut.contains("[truncated by Crosswalk"), "visible marker");
    assert!(long.starts_with(cut.split(" … [truncated").next().unwrap()));
    assert_eq!(
        sheet.value("Requirement", "SHORT-1"),
        "=cmd|' /C calc'!A0 must never run",
        "text, never a formula"
    );
    let (code, verified) = json_with_code(&db, &["verify", matrix.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(verified["status"], "untouched");
    // The engagement keeps the whole text.
    assert_eq!(
        by_ref(&json(&db, &["list"]), "LONG-1")["text"]
            .as_str()
            .unwrap()
            .trim(),
        long.trim()
    );
}

/// The A1 address of column `name` on the row of requirement `reference` for `workload`.
fn workload_cell(sheet: &MatrixSheet, name: &str, reference: &str, workload: &str) -> String {
    let (id, w) = (sheet.column("Req ID"), sheet.column("Workload"));
    let at = sheet
        .rows
        .iter()
        .position(|r| r[id] == reference && r[w] == workload)
        .unwrap_or_else(|| panic!("{reference} has a row for {workload}"));
    format!("{}{}", column_letters(sheet.column(name)), at + 2)
}

fn workload_value(sheet: &MatrixSheet, name: &str, reference: &str, workload: &str) -> String {
    let (id, w) = (sheet.column("Req ID"), sheet.column("Workload"));
    let row = sheet
        .rows
        .iter()
        .find(|r| r[id] == reference && r[w] == workload)
        .unwrap_or_else(|| panic!("{reference} has a row for {workload}"));
    row[sheet.column(name)].clone()
}

/// (set:ref, workload) → [coverage, reason, owner, evidence, notes] of every assessment.
fn all_assessments(db: &Path) -> BTreeMap<(String, String), [String; 5]> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT f.key || ':' || i.ref, ifnull(w.name, ''), ifnull(a.coverage, ''),
                    a.coverage_reason, a.owner, a.evidence, a.notes
             FROM assessments a JOIN items i ON i.id = a.item_id
             JOIN frameworks f ON f.id = i.framework_id
             LEFT JOIN workloads w ON w.id = a.workload_id",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
            ))
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    rows
}

#[test]
fn with_several_workloads_each_requirement_has_a_row_per_workload_and_edits_land_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let actor = crosswalk_api::Actor::new("tester", time::OffsetDateTime::now_utc());
    crosswalk_api::create_engagement(
        &db,
        &actor,
        "Acme",
        &["payments".to_string(), "portal".to_string()],
        Some("migration-baseline"),
    )
    .unwrap();
    // Root MFA is strongly recommended, not mandatory: this landing zone enables it.
    crosswalk_api::set_control_enabled(&db, &actor, "ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED", true)
        .unwrap();
    let csv = dir.path().join("acme.csv");
    std::fs::write(
        &csv,
        "ID,Requirement\n\
         R-1,The root user of every account is protected with MFA.\n\
         R-2,Customer data is encrypted with keys the customer controls.\n\
         R-3,Administrators sign in through the corporate identity provider.\n",
    )
    .unwrap();
    json(&db, &["import", csv.to_str().unwrap()]);
    // An engagement-wide owner holds for every workload until a workload has its own.
    crosswalk_api::update_assessment(&db, &actor, "acme", "R-2", "Security office", "", None, "")
        .unwrap();
    let (code, err) = run(
        &db,
        &[
            "map",
            "R-1",
            "ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED",
            "--relationship",
            "equivalent",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, err) = run(&db, &["map", "R-3", "service:IAM"]);
    assert_eq!(code, 0, "{err}");

    let matrix = dir.path().join("acme.xlsx");
    let report = json(&db, &["export", "--out", matrix.to_str().unwrap()]);
    assert_eq!(report["rows"], 6, "three requirements × two workloads");
    assert_eq!(report["requirements"], 3);
    let sheet = MatrixSheet::read(&matrix);
    for wl in ["payments", "portal"] {
        assert_eq!(
            workload_value(&sheet, "Owner", "R-2", wl),
            "Security office"
        );
    }
    let (id, w, key) = (
        sheet.column("Req ID"),
        sheet.column("Workload"),
        sheet.column("Key"),
    );
    let listed: Vec<(&str, &str, &str)> = sheet
        .rows
        .iter()
        .map(|r| (r[id].as_str(), r[w].as_str(), r[key].as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("R-1", "payments", "acme:R-1@payments"),
            ("R-1", "portal", "acme:R-1@portal"),
            ("R-2", "payments", "acme:R-2@payments"),
            ("R-2", "portal", "acme:R-2@portal"),
            ("R-3", "payments", "acme:R-3@payments"),
            ("R-3", "portal", "acme:R-3@portal"),
        ]
    );
    for wl in ["payments", "portal"] {
        assert_eq!(workload_value(&sheet, "Coverage", "R-1", wl), "inherited");
        assert_eq!(workload_value(&sheet, "Coverage", "R-2", wl), "gap");
        assert_eq!(workload_value(&sheet, "Coverage", "R-3", wl), "workload");
    }

    // The customer notes something for payments only and rules R-2 out for the portal.
    let edited = dir.path().join("acme-edited.xlsx");
    edit_matrix_cells(
        &matrix,
        &edited,
        &[
            (
                &workload_cell(&sheet, "Notes", "R-2", "payments"),
                "Card data lives in the payments account",
            ),
            (
                &workload_cell(&sheet, "Coverage override", "R-2", "portal"),
                "not_applicable",
            ),
            (
                &workload_cell(&sheet, "Override reason", "R-2", "portal"),
                "The portal stores no customer data",
            ),
        ],
    );
    let audit_before = audit(&db).len();
    let (code, report) = json_with_code(&db, &["import-matrix", edited.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    let applied: Vec<(&str, &str)> = report["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["ref"].as_str().unwrap(), r["workload"].as_str().unwrap()))
        .collect();
    assert_eq!(applied, [("R-2", "payments"), ("R-2", "portal")]);

    // Exactly two workload assessments, each starting from what its row showed (the
    // engagement-wide owner); the engagement-wide one is untouched.
    let stored = all_assessments(&db);
    let row = |c: &str, r: &str, n: &str| [c, r, "Security office", "", n].map(|s| s.to_string());
    assert_eq!(
        stored.into_iter().collect::<Vec<_>>(),
        [
            (("acme:R-2".to_string(), String::new()), row("", "", "")),
            (
                ("acme:R-2".to_string(), "payments".to_string()),
                row("", "", "Card data lives in the payments account")
            ),
            (
                ("acme:R-2".to_string(), "portal".to_string()),
                row("not_applicable", "The portal stores no customer data", "")
            ),
        ]
    );
    let entries = audit(&db);
    let subjects: Vec<(&str, &str)> = entries[audit_before..]
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["subject"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        subjects,
        [
            ("assessment.set", "assessment:acme:R-2 @ payments"),
            ("assessment.set", "assessment:acme:R-2 @ portal"),
            ("matrix.import", "matrix:acme-edited.xlsx"),
        ]
    );

    // The next export shows each workload its own coverage; R-2 stays one story.
    let next = dir.path().join("acme-next.xlsx");
    let report = json(&db, &["export", "--out", next.to_str().unwrap()]);
    assert_eq!(
        report["coverage"]["gap"], 1,
        "R-2 is a gap for payments only"
    );
    assert_eq!(report["coverage"]["not_applicable"], 1);
    let sheet = MatrixSheet::read(&next);
    assert_eq!(workload_value(&sheet, "Coverage", "R-2", "payments"), "gap");
    assert_eq!(
        workload_value(&sheet, "Notes", "R-2", "payments"),
        "Card data lives in the payments account"
    );
    assert_eq!(
        workload_value(&sheet, "Coverage", "R-2", "portal"),
        "not_applicable"
    );
    assert_eq!(
        workload_value(&sheet, "Coverage basis", "R-2", "portal"),
        "override (rules give gap)"
    );
    assert_eq!(workload_value(&sheet, "Notes", "R-2", "portal"), "");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&next).unwrap();
    use calamine::Reader;
    let gaps = book.worksheet_range("Gaps").unwrap();
    let gap_rows: Vec<(String, String)> = gaps
        .rows()
        .skip(1)
        .map(|r| (cell_text(&r[1]), cell_text(&r[2])))
        .collect();
    assert_eq!(gap_rows, [("R-2".to_string(), "payments".to_string())]);
    let stories = json(&db, &["stories", "list"]);
    assert_eq!(stories["requirement_gaps"], 1, "{stories:#}");
    let (code, verified) = json_with_code(&db, &["verify", next.to_str().unwrap()]);
    assert_eq!((code, verified["status"].as_str()), (0, Some("untouched")));

    // An engagement-wide override shows on every workload's row; clearing it on one workload's
    // row cannot remove it, so the import says so, names the cell and writes nothing.
    crosswalk_api::update_assessment(
        &db,
        &actor,
        "acme",
        "R-3",
        "",
        "",
        Some(crosswalk_api::Coverage::NotApplicable),
        "Administrators use the platform team's access only",
    )
    .unwrap();
    let third = dir.path().join("acme-third.xlsx");
    json(&db, &["export", "--out", third.to_str().unwrap()]);
    let sheet = MatrixSheet::read(&third);
    for wl in ["payments", "portal"] {
        assert_eq!(
            workload_value(&sheet, "Coverage override", "R-3", wl),
            "not_applicable"
        );
    }
    let cleared = dir.path().join("acme-cleared.xlsx");
    let cell = workload_cell(&sheet, "Coverage override", "R-3", "portal");
    edit_matrix_cells(
        &third,
        &cleared,
        &[
            (&cell, ""),
            (
                &workload_cell(&sheet, "Override reason", "R-3", "portal"),
                "",
            ),
        ],
    );
    let hash = file_hash(&db);
    let (code, err) = run(&db, &["import-matrix", cleared.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("cell {cell}")) && err.contains("engagement-wide"),
        "{err}"
    );
    assert_eq!(file_hash(&db), hash, "nothing written");
}

/// The XML of one part of an xlsx.
fn zip_part(path: &Path, name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("part {name}"))
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// The value of `attr` in the first tag of `xml` that starts with `tag_start`.
fn attr(xml: &str, tag_start: &str, attr: &str) -> Option<String> {
    let at = xml.find(tag_start)?;
    let tag = &xml[at..at + xml[at..].find('>')?];
    let key = format!(" {attr}=\"");
    let from = tag.find(&key)? + key.len();
    Some(tag[from..from + tag[from..].find('"')?].to_string())
}

/// The fill colour (ARGB) the cell `a1` of a sheet is formatted with.
fn fill_colour(sheet_xml: &str, styles: &str, a1: &str) -> String {
    let style: usize = attr(sheet_xml, &format!("<c r=\"{a1}\""), "s")
        .unwrap_or_else(|| panic!("cell {a1} has a style"))
        .parse()
        .unwrap();
    let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
    let xf = xfs.split("<xf ").nth(style + 1).unwrap();
    let fill: usize = attr(&format!("<xf {xf}"), "<xf", "fillId")
        .unwrap()
        .parse()
        .unwrap();
    let fills = &styles[styles.find("<fills").unwrap()..styles.find("</fills>").unwrap()];
    let f = fills.split("<fill>").nth(fill + 1).unwrap();
    attr(f, "<fgColor", "rgb").unwrap_or_default()
}

fn sheet_rows(path: &Path, name: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect()
}

#[test]
fn the_demo_matrix_is_frozen_filtered_validated_linked_coloured_and_charted() {
    let d = demo();
    let sheet = MatrixSheet::read(&d.matrix);
    let rows = sheet.rows.len();
    assert_eq!(rows, 60);
    let workbook = zip_part(&d.matrix, "xl/workbook.xml");
    let names: Vec<&str> = workbook
        .split("<sheet name=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(
        names,
        [
            "Matrix",
            "Coverage",
            "Gaps",
            "Links",
            "Catalogue",
            "About",
            "_crosswalk"
        ]
    );

    let xml = zip_part(&d.matrix, MATRIX_PART);
    // Header row and the set/id columns frozen.
    assert_eq!(attr(&xml, "<pane", "state").as_deref(), Some("frozen"));
    assert_eq!(attr(&xml, "<pane", "ySplit").as_deref(), Some("1"));
    assert_eq!(attr(&xml, "<pane", "xSplit").as_deref(), Some("2"));
    // A filter over every visible column and every row; Key and Exported version hidden.
    let last_visible = column_letters(sheet.column("Last changed"));
    assert_eq!(
        attr(&xml, "<autoFilter", "ref"),
        Some(format!("A1:{last_visible}{}", rows + 1))
    );
    assert_eq!(sheet.column("Key"), sheet.column("Last changed") + 1);
    let key_col = (sheet.column("Key") + 1).to_string();
    assert_eq!(
        attr(&xml, &format!("<col min=\"{key_col}\""), "hidden").as_deref(),
        Some("1")
    );
    // Widths: the requirement text is wide, and wraps.
    let text_col = (sheet.column("Requirement") + 1).to_string();
    let width: f64 = attr(&xml, &format!("<col min=\"{text_col}\""), "width")
        .unwrap()
        .parse()
        .unwrap();
    assert!(width >= 60.0, "Requirement is {width} wide");
    let styles = zip_part(&d.matrix, "xl/styles.xml");
    let text_cell = sheet.cell("Requirement", "SEC-DP-01");
    let style: usize = attr(&xml, &format!("<c r=\"{text_cell}\""), "s")
        .unwrap()
        .parse()
        .unwrap();
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let xf = xfs.split("<xf ").nth(style + 1).unwrap();
    assert!(
        xf[..xf.find("</xf>").unwrap()].contains("wrapText=\"1\""),
        "{xf}"
    );

    // Coverage cells coloured by coverage.
    for (reference, coverage, colour) in [
        ("SEC-LM-02", "inherited", "FFC6EFCE"),
        ("SEC-LM-06", "partial", "FFFFEB9C"),
        ("SEC-DP-06", "workload", "FFBDD7EE"),
        ("SEC-IR-01", "gap", "FFFFC7CE"),
        ("SEC-IAM-13", "not_applicable", "FFE7E6E6"),
    ] {
        assert_eq!(sheet.value("Coverage", reference), coverage);
        assert_eq!(
            fill_colour(&xml, &styles, &sheet.cell("Coverage", reference)),
            colour,
            "{reference} is {coverage}"
        );
    }

    // One validation per editable column, over every data row.
    let validations =
        &xml[xml.find("<dataValidations").unwrap()..xml.find("</dataValidations>").unwrap()];
    assert_eq!(
        attr(validations, "<dataValidations", "count").as_deref(),
        Some("5")
    );
    for column in [
        "Coverage override",
        "Override reason",
        "Owner",
        "Evidence",
        "Notes",
    ] {
        let letter = column_letters(sheet.column(column));
        let range = format!("sqref=\"{letter}2:{letter}{}\"", rows + 1);
        assert!(
            validations.contains(&range),
            "{column}: {range} in {validations}"
        );
    }
    assert!(validations
        .contains("<formula1>\"inherited,partial,workload,gap,not_applicable\"</formula1>"));

    // Control refs link to their row on the Catalogue sheet.
    let catalogue = sheet_rows(&d.matrix, "Catalogue");
    let cell = sheet.cell("Inherited LZ controls", "SEC-LM-02");
    let first = sheet.value("Inherited LZ controls", "SEC-LM-02");
    let first = first.lines().next().unwrap();
    let at = catalogue.iter().position(|r| r[0] == first).unwrap();
    let links = &xml[xml.find("<hyperlinks>").unwrap()..xml.find("</hyperlinks>").unwrap()];
    let link = links
        .split("<hyperlink ")
        .find(|l| l.starts_with(&format!("ref=\"{cell}\"")))
        .unwrap_or_else(|| panic!("{cell} is a hyperlink"));
    assert!(
        link.contains(&format!("location=\"Catalogue!A{}\"", at + 1)),
        "{link}"
    );

    // Coverage: a stacked bar chart per CAF capability and per workplan domain, each over its
    // own rows of the sheet.
    let coverage = sheet_rows(&d.matrix, "Coverage");
    for (chart, grouping) in [(1, "CAF capability"), (2, "Workplan domain")] {
        let rows_of: Vec<usize> = coverage
            .iter()
            .enumerate()
            .filter(|(_, r)| r[0] == grouping)
            .map(|(i, _)| i + 1)
            .collect();
        let xml = zip_part(&d.matrix, &format!("xl/charts/chart{chart}.xml"));
        assert!(xml.contains("<c:barChart>") && xml.contains("<c:grouping val=\"stacked\"/>"));
        assert_eq!(xml.matches("<c:ser>").count(), 5, "one series per coverage");
        let categories = format!(
            "<c:f>Coverage!$B${}:$B${}</c:f>",
            rows_of[0],
            rows_of[rows_of.len() - 1]
        );
        assert!(xml.contains(&categories), "chart {chart}: {categories}");
    }
    let totals: f64 = coverage
        .iter()
        .filter(|r| r[0] == "Workplan domain")
        .map(|r| r[7].parse::<f64>().unwrap())
        .sum();
    assert_eq!(
        totals as usize, rows,
        "each row in exactly one domain group"
    );
    let drawing_rels = zip_part(&d.matrix, "xl/worksheets/_rels/sheet2.xml.rels");
    assert!(
        drawing_rels.contains("drawing"),
        "the charts sit on the Coverage sheet"
    );

    // Gaps: a story for every gap row, naming what to implement and criteria drawn from the
    // catalogue entries of those controls and services.
    let gaps = sheet_rows(&d.matrix, "Gaps");
    let gap_rows = sheet
        .rows
        .iter()
        .filter(|r| r[sheet.column("Coverage")] == "gap")
        .count();
    assert_eq!(gaps.len() - 1, gap_rows);
    let by_ref: BTreeMap<&str, &Vec<String>> = catalogue
        .iter()
        .skip(1)
        .map(|r| (r[0].as_str(), r))
        .collect();
    for g in gaps.iter().skip(1) {
        assert!(g[4].starts_with(&format!("Meet {}", g[1])), "{g:?}");
        let implement: Vec<&str> = g[5].lines().collect();
        assert!(!implement.is_empty(), "{} names what to implement", g[1]);
        for r in &implement {
            let entry = by_ref
                .get(r)
                .unwrap_or_else(|| panic!("{r} is on the Catalogue sheet"));
            assert!(
                g[6].contains(&format!("• {}: ", entry[3])),
                "{}: the criteria quote {r}'s catalogue entry: {}",
                g[1],
                g[6]
            );
            assert!(!entry[4].is_empty(), "{r} has a description");
        }
    }

    // Links: one per accepted mapping, with relationship, origin and author.
    let conn =
        rusqlite::Connection::open_with_flags(&d.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let accepted: i64 = conn
        .query_row(
            "SELECT count(*) FROM mappings m JOIN items i ON i.id = m.source_item_id
             JOIN frameworks f ON f.id = i.framework_id
             WHERE f.kind = 'requirements' AND m.status = 'accepted'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let links = sheet_rows(&d.matrix, "Links");
    assert_eq!(links.len() - 1, accepted as usize);
    let h = &links[0];
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    for l in links.iter().skip(1) {
        assert!(
            ["equivalent", "subset-of", "superset-of", "intersects-with"]
                .contains(&l[col("Relationship")].as_str()),
            "{l:?}"
        );
        assert!(!l[col("Origin")].is_empty() && !l[col("Author")].is_empty());
    }

    // Catalogue: every ref the Matrix names, with its description and provenance.
    for column in [
        "AWS services",
        "Inherited LZ controls",
        "Workload controls",
        "Framework controls",
    ] {
        for r in &sheet.rows {
            for reference in r[sheet.column(column)].lines() {
                let entry = by_ref
                    .get(reference)
                    .unwrap_or_else(|| panic!("{reference} is on the Catalogue sheet"));
                assert!(!entry[4].is_empty(), "{reference} has a description");
                assert!(!entry[5].is_empty(), "{reference} has its provenance");
            }
        }
    }
}

#[test]
fn csv_and_json_exports_follow_the_extension_or_the_format_flag() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("formulas.crosswalk");
    let csv_in = dir.path().join("formulas.csv");
    std::fs::write(
        &csv_in,
        "ID,Requirement\n\
         F-1,\"=HYPERLINK(\"\"http://example.com\"\",\"\"click\"\")\"\n\
         F-2,-1 day of log retention is never acceptable\n\
         F-3,Données chiffrées au repos\n",
    )
    .unwrap();
    json(&db, &["import", csv_in.to_str().unwrap()]);

    let csv_out = dir.path().join("matrix.csv");
    let report = json(&db, &["export", "--out", csv_out.to_str().unwrap()]);
    assert_eq!(report["format"], "csv");
    let bytes = std::fs::read(&csv_out).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with a BOM for Excel"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let xlsx = dir.path().join("matrix.xlsx");
    json(&db, &["export", "--out", xlsx.to_str().unwrap()]);
    assert_eq!(
        header,
        MatrixSheet::read(&xlsx).header,
        "the Matrix columns"
    );
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let text = header.iter().position(|h| h == "Requirement").unwrap();
    let texts: Vec<&str> = records.iter().map(|r| &r[text]).collect();
    assert_eq!(
        texts,
        [
            "'=HYPERLINK(\"http://example.com\",\"click\")",
            "'-1 day of log retention is never acceptable",
            "Données chiffrées au repos",
        ],
        "formula-looking fields are neutralised, the rest kept as written"
    );

    // --format wins over the extension.
    let json_out = dir.path().join("matrix.data");
    let report = json(
        &db,
        &[
            "export",
            "--out",
            json_out.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(report["format"], "json");
    let doc: Value = serde_json::from_slice(&std::fs::read(&json_out).unwrap()).unwrap();
    assert_eq!(doc["format"], "crosswalk-matrix/1");
    assert_eq!(doc["content_hash"].as_str().unwrap().len(), 64);
    let rows = doc["matrix"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0]["text"],
        "=HYPERLINK(\"http://example.com\",\"click\")"
    );
    assert_eq!(rows[0]["coverage"], "gap");

    // No format to be told: refused, nothing written; an unknown --format is a usage error.
    let unknown = dir.path().join("matrix.pdf");
    let (code, err) = run(&db, &["export", "--out", unknown.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--format"), "{err}");
    assert!(!unknown.exists());
    let (code, _) = run(
        &db,
        &[
            "export",
            "--out",
            unknown.to_str().unwrap(),
            "--format",
            "pdf",
        ],
    );
    assert_eq!(code, 2);
    assert!(!unknown.exists());
}

#[test]
fn the_matrix_commands_on_a_missing_engagement_file_fail_and_create_nothing() {
    let d = demo();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("missing.crosswalk");
    let out = dir.path().join("matrix.xlsx");
    let matrix = d.matrix.to_str().unwrap();
    for args in [
        vec!["export", "--out", out.to_str().unwrap()],
        vec!["verify", matrix],
        vec!["import-matrix", matrix],
    ] {
        let (code, err) = run(&db, &args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(
            err.contains("missing.crosswalk"),
            "{args:?} names the file: {err}"
        );
        assert!(!db.exists(), "{args:?} created no engagement file");
        assert!(!out.exists());
    }
}

#[test]
fn a_target_whose_source_publishes_no_details_says_so_in_the_matrix() {
    use calamine::Reader;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unpublished.crosswalk");
    let csv = dir.path().join("reqs.csv");
    std::fs::write(
        &csv,
        "ID,Requirement\nAPI-1,GraphQL APIs must only be reachable by authorised callers\n",
    )
    .unwrap();
    json(&db, &["import", csv.to_str().unwrap(), "--set", "acme"]);
    // The Control Tower reference names this proactive control without a title or details.
    let shown = json(&db, &["catalogue", "show", "ct:CT.APPSYNC.PR.1"]);
    assert_eq!(shown["details_published"], false, "{shown:#}");
    json(&db, &["map", "acme:API-1", "ct:CT.APPSYNC.PR.1"]);
    let matrix = dir.path().join("m.xlsx");
    json(&db, &["export", "--out", matrix.to_str().unwrap()]);

    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&matrix).unwrap();
    for sheet in ["Catalogue", "Links"] {
        let range = book.worksheet_range(sheet).unwrap();
        let row = range
            .rows()
            .find(|r| r.iter().any(|c| cell_text(c).contains("CT.APPSYNC.PR.1")))
            .unwrap_or_else(|| panic!("{sheet} lists the control"));
        let texts: Vec<String> = row.iter().map(cell_text).collect();
        assert!(
            texts.iter().any(|t| t == "(no published details)"),
            "{sheet}: {texts:?}"
        );
    }
}

/// `xml` with the whole `<c r="CELL" …>…</c>` element replaced by `element` (the cell is made
/// first if the row has none yet).
fn replace_cell(xml: &str, cell: &str, element: &str) -> String {
    let xml = set_inline_cell(xml, cell, "");
    let start = xml.find(&format!("<c r=\"{cell}\"")).unwrap();
    let end = start + xml[start..].find("</c>").unwrap() + "</c>".len();
    format!("{}{element}{}", &xml[..start], &xml[end..])
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A cell holding a formula, with a cached value (as Excel saves it) or without (as scripts
/// write it).
fn formula_cell(cell: &str, formula: &str, cached: Option<&str>) -> String {
    match cached {
        Some(v) => format!(
            "<c r=\"{cell}\" t=\"str\"><f>{}</f><v>{}</v></c>",
            escape(formula),
            escape(v)
        ),
        None => format!("<c r=\"{cell}\"><f>{}</f></c>", escape(formula)),
    }
}

/// The edits of `edits.xlsx` cannot be told apart from an untouched engagement: nothing written.
fn assert_nothing_written(db: &Path, hash: &str, before: &BTreeMap<String, [String; 5]>) {
    assert_eq!(file_hash(db), hash, "the engagement file is unchanged");
    assert_eq!(&assessments(db), before);
}

#[test]
fn rows_whose_visible_ids_disagree_with_their_hidden_keys_are_not_merged() {
    let d = demo();
    let sheet = MatrixSheet::read(&d.matrix);
    let rows = sheet.rows.len();
    let (key, version) = (sheet.column("Key"), sheet.column("Exported version"));
    let key_letters = column_letters(key);
    let version_letters = column_letters(version);
    let hash = file_hash(&d.db);
    let before = assessments(&d.db);
    assert!(
        before.values().any(|a| !a[2].is_empty()),
        "the demo has owners to misplace"
    );

    // Excel's "sort selection only": the visible columns sorted (here reversed), the hidden
    // Key and Exported version columns left where they were. Then an owner typed on the row
    // that shows SEC-DP-01.
    let reversed = d.dir.join("reversed.xlsx");
    rearrange_matrix_rows(&d.matrix, &reversed, &(0..rows).rev().collect::<Vec<_>>());
    let partial = d.dir.join("partial-sort.xlsx");
    let restored: Vec<(String, String)> = sheet
        .rows
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            [
                (format!("{key_letters}{}", i + 2), r[key].clone()),
                (format!("{version_letters}{}", i + 2), r[version].clone()),
            ]
        })
        .collect();
    let restored: Vec<(&str, &str)> = restored
        .iter()
        .map(|(c, t)| (c.as_str(), t.as_str()))
        .collect();
    edit_matrix_cells(&reversed, &partial, &restored);
    let shown = MatrixSheet::read(&partial);
    let owner_cell = shown.cell("Owner", "SEC-DP-01");
    assert_eq!(
        shown.value("Key", "SEC-DP-01"),
        sheet.rows[rows - 1][key],
        "the row showing SEC-DP-01 carries the last row's key"
    );
    let edited = d.dir.join("partial-sort-edited.xlsx");
    edit_matrix_cells(&partial, &edited, &[(&owner_cell, "Owner-for-DP01")]);

    let (code, report) = json_with_code(&d.db, &["verify", edited.to_str().unwrap()]);
    assert_eq!(code, 3, "verify calls it altered");
    assert!(!report["alterations"].as_array().unwrap().is_empty());

    let (code, report) = json_with_code(&d.db, &["import-matrix", edited.to_str().unwrap()]);
    assert_eq!(code, 3, "{report:#}");
    assert_eq!(report["applied"], Value::Array(vec![]));
    let identity = report["identity_alterations"].as_array().unwrap();
    let dp01_row = owner_cell.trim_start_matches(|c: char| c.is_ascii_uppercase());
    let id_cell = format!("{}{dp01_row}", column_letters(sheet.column("Req ID")));
    let named = identity
        .iter()
        .find(|a| a["cell"] == id_cell.as_str())
        .unwrap_or_else(|| panic!("{id_cell} is named: {identity:#?}"));
    assert_eq!(named["found"], "SEC-DP-01");
    assert_eq!(
        named["expected"],
        sheet.rows[rows - 1][sheet.column("Req ID")]
    );
    // Every row whose id moved is listed (an odd count leaves the middle row in place).
    assert_eq!(identity.len(), rows - rows % 2, "{identity:#?}");
    assert_nothing_written(&d.db, &hash, &before);

    // Without --json: the cells on stdout, why nothing was merged on stderr.
    let out = crosswalk()
        .arg("--db")
        .arg(&d.db)
        .args(["import-matrix", edited.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("cell {id_cell}")), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing was merged"), "{stderr}");
    assert_nothing_written(&d.db, &hash, &before);

    // Two keys swapped: the owner typed on SEC-DP-01's row would have gone to SEC-DP-02.
    let (k1, k2) = (
        sheet.cell("Key", "SEC-DP-01"),
        sheet.cell("Key", "SEC-DP-02"),
    );
    let swapped = d.dir.join("swapped.xlsx");
    edit_matrix_cells(
        &d.matrix,
        &swapped,
        &[
            (&k1, &sheet.value("Key", "SEC-DP-02")),
            (&k2, &sheet.value("Key", "SEC-DP-01")),
            (&sheet.cell("Owner", "SEC-DP-01"), "Owner-for-DP01"),
        ],
    );
    let (code, report) = json_with_code(&d.db, &["import-matrix", swapped.to_str().unwrap()]);
    assert_eq!(code, 3, "{report:#}");
    let cells: Vec<&str> = report["identity_alterations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["cell"].as_str().unwrap())
        .collect();
    assert_eq!(
        cells,
        [
            sheet.cell("Req ID", "SEC-DP-01"),
            sheet.cell("Req ID", "SEC-DP-02")
        ]
    );
    assert_nothing_written(&d.db, &hash, &before);

    // A key blanked on a row that then gets an owner: the owner belongs to no known row.
    let blanked = d.dir.join("blanked-key.xlsx");
    edit_matrix_cells(
        &d.matrix,
        &blanked,
        &[
            (&k1, ""),
            (&sheet.cell("Owner", "SEC-DP-01"), "Owner-for-DP01"),
            (&sheet.cell("Owner", "SEC-DP-02"), "Platform team"),
        ],
    );
    let (code, report) = json_with_code(&d.db, &["import-matrix", blanked.to_str().unwrap()]);
    assert_eq!(code, 3, "{report:#}");
    let identity = report["identity_alterations"].as_array().unwrap();
    assert_eq!(identity.len(), 1, "{identity:#?}");
    assert_eq!(identity[0]["kind"], "row_added");
    assert_eq!(
        identity[0]["row"].as_u64().unwrap().to_string(),
        k1.trim_start_matches(|c: char| c.is_ascii_uppercase())
    );
    assert_eq!(report["applied"], Value::Array(vec![]));
    assert_nothing_written(&d.db, &hash, &before);
}

#[test]
fn formulas_are_alterations_in_read_only_cells_and_problems_in_editable_ones() {
    let d = demo();
    let sheet = MatrixSheet::read(&d.matrix);
    let hash = file_hash(&d.db);
    let before = assessments(&d.db);

    // A read-only cell turned into a live link that shows the exported text.
    let text = sheet.value("Requirement", "SEC-DP-01");
    let text_cell = sheet.cell("Requirement", "SEC-DP-01");
    let linked = d.dir.join("linked.xlsx");
    let formula = format!("HYPERLINK(\"http://evil.example/x\",\"{text}\")");
    rewrite_part(&d.matrix, &linked, MATRIX_PART, |xml| {
        replace_cell(
            &xml,
            &text_cell,
            &formula_cell(&text_cell, &formula, Some(&text)),
        )
    });
    let (code, report) = json_with_code(&d.db, &["verify", linked.to_str().unwrap()]);
    assert_eq!(code, 3, "{report:#}");
    assert_eq!(report["status"], "altered");
    let a = &report["alterations"][0];
    assert_eq!(report["alterations"].as_array().unwrap().len(), 1);
    assert_eq!(a["kind"], "cell_changed");
    assert_eq!(a["cell"], text_cell.as_str());
    assert_eq!(a["expected"], text.as_str());
    assert_eq!(a["found"], format!("={formula}").as_str());

    // Formulas typed into editable cells, without cached values (as a script saves them).
    let owner = sheet.cell("Owner", "SEC-DP-02");
    let notes = sheet.cell("Notes", "SEC-DP-01");
    let evidence = sheet.cell("Evidence", "SEC-DP-03");
    let typed = d.dir.join("typed-formulas.xlsx");
    rewrite_part(&d.matrix, &typed, MATRIX_PART, |xml| {
        let xml = replace_cell(&xml, &owner, &formula_cell(&owner, "1+1", None));
        let xml = replace_cell(
            &xml,
            &notes,
            &formula_cell(&notes, "cmd|' /C calc'!A0", None),
        );
        replace_cell(
            &xml,
            &evidence,
            &formula_cell(&evidence, "HYPERLINK(\"http://x\",\"doc\")", Some("doc")),
        )
    });
    let (code, report) = json_with_code(&d.db, &["verify", typed.to_str().unwrap()]);
    assert_eq!(code, 0, "editable cells only: {report:#}");
    assert_eq!(report["status"], "edited_only");
    let problems: BTreeMap<String, String> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["cell"].as_str().unwrap().to_string(),
                p["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        problems.keys().cloned().collect::<Vec<_>>(),
        {
            let mut v = vec![owner.clone(), notes.clone(), evidence.clone()];
            v.sort();
            v
        },
        "{problems:#?}"
    );
    assert!(problems[&owner].contains("formula (=1+1)"), "{problems:#?}");
    assert!(problems[&notes].contains("=cmd|"), "{problems:#?}");

    for file in [&typed] {
        let (code, err) = run(&d.db, &["import-matrix", file.to_str().unwrap()]);
        assert_eq!(code, 1, "{err}");
        for cell in [&owner, &notes, &evidence] {
            assert!(err.contains(&format!("cell {cell}")), "{cell}: {err}");
        }
        assert!(err.contains("nothing was merged"), "{err}");
        assert_nothing_written(&d.db, &hash, &before);
    }
}

#[test]
fn a_renamed_matrix_sheet_or_a_cleared_header_row_is_refused_naming_what_is_missing() {
    let d = demo();
    let sheet = MatrixSheet::read(&d.matrix);
    let hash = file_hash(&d.db);
    let before = assessments(&d.db);
    let edited = d.dir.join("owner.xlsx");
    edit_matrix_cells(
        &d.matrix,
        &edited,
        &[(&sheet.cell("Owner", "SEC-DP-01"), "Platform team")],
    );

    let renamed = d.dir.join("renamed.xlsx");
    rewrite_part(&edited, &renamed, "xl/workbook.xml", |xml| {
        xml.replace("<sheet name=\"Matrix\"", "<sheet name=\"Matrix (2)\"")
    });
    let (code, err) = run(&d.db, &["import-matrix", renamed.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("{}:", renamed.display()))
            && err.contains("no sheet 'Matrix'")
            && err.contains("'Matrix (2)'"),
        "{err}"
    );
    assert_nothing_written(&d.db, &hash, &before);

    let cleared = d.dir.join("cleared-header.xlsx");
    rewrite_part(&edited, &cleared, MATRIX_PART, |mut xml| {
        for c in 0..sheet.header.len() {
            xml = set_inline_cell(&xml, &format!("{}1", column_letters(c)), "");
        }
        xml
    });
    let (code, err) = run(&d.db, &["import-matrix", cleared.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("{}:", cleared.display())), "{err}");
    for column in ["'Set'", "'Req ID'", "'Owner'", "'Notes'", "'Key'"] {
        assert!(err.contains(column), "{column}: {err}");
    }
    assert_nothing_written(&d.db, &hash, &before);

    // The edited file itself still merges.
    let (code, report) = json_with_code(&d.db, &["import-matrix", edited.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(assessments(&d.db)["demo:SEC-DP-01"][2], "Platform team");
}

#[test]
fn an_override_reason_without_an_override_is_refused_naming_the_cell() {
    let d = demo();
    let sheet = MatrixSheet::read(&d.matrix);
    let hash = file_hash(&d.db);
    let before = assessments(&d.db);
    let plain = ["SEC-DP-01", "SEC-DP-02", "SEC-DP-03"];
    for r in plain {
        assert_eq!(
            sheet.value("Coverage override", r),
            "",
            "{r} has no override"
        );
        assert_eq!(sheet.value("Notes", r), "", "{r} has no notes");
    }

    // An override reason typed on a row without an override: named, nothing merged.
    let reason_cell = sheet.cell("Override reason", "SEC-DP-03");
    let reason_only = d.dir.join("reason-only.xlsx");
    edit_matrix_cells(
        &d.matrix,
        &reason_only,
        &[
            (&reason_cell, "reason without override"),
            (&sheet.cell("Owner", "SEC-DP-01"), "Platform team"),
        ],
    );
    let (code, err) = run(&d.db, &["import-matrix", reason_only.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("cell {reason_cell}")) && err.contains("needs a Coverage override"),
        "{err}"
    );
    assert!(!err.contains("already"), "{err}");
    assert_nothing_written(&d.db, &hash, &before);
}

#[test]
fn a_note_longer_than_an_excel_cell_is_refused_naming_the_cell() {
    let d = demo();
    let sheet = MatrixSheet::read(&d.matrix);
    let hash = file_hash(&d.db);
    let before = assessments(&d.db);
    // 40,000 characters in Notes: more than an Excel cell holds, refused with the cell named.
    let notes_cell = sheet.cell("Notes", "SEC-DP-01");
    let huge = d.dir.join("huge-note.xlsx");
    edit_matrix_cells(&d.matrix, &huge, &[(&notes_cell, &"N".repeat(40_000))]);
    let (code, err) = run(&d.db, &["import-matrix", huge.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("cell {notes_cell}"))
            && err.contains("40000 characters")
            && err.contains("32767"),
        "{err}"
    );
    assert_nothing_written(&d.db, &hash, &before);
}

#[test]
fn a_date_typed_into_notes_is_merged_as_an_iso_date() {
    let d = demo();
    let sheet = MatrixSheet::read(&d.matrix);
    assert_eq!(sheet.value("Notes", "SEC-DP-03"), "");
    // A date typed into Notes: Excel stores the serial number 43831 with a date format.
    let styled = d.dir.join("date-style.xlsx");
    let mut style = 0usize;
    rewrite_part(&d.matrix, &styled, "xl/styles.xml", |xml| {
        let at = xml.find("<cellXfs count=\"").unwrap() + "<cellXfs count=\"".len();
        let end = at + xml[at..].find('"').unwrap();
        style = xml[at..end].parse().unwrap();
        let xml = format!("{}{}{}", &xml[..at], style + 1, &xml[end..]);
        xml.replace(
            "</cellXfs>",
            "<xf numFmtId=\"14\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" \
             applyNumberFormat=\"1\"/></cellXfs>",
        )
    });
    let date_cell = sheet.cell("Notes", "SEC-DP-03");
    let dated = d.dir.join("dated.xlsx");
    rewrite_part(&styled, &dated, MATRIX_PART, |xml| {
        replace_cell(
            &xml,
            &date_cell,
            &format!("<c r=\"{date_cell}\" s=\"{style}\"><v>43831</v></c>"),
        )
    });
    let (code, report) = json_with_code(&d.db, &["import-matrix", dated.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["applied"][0]["changes"][0]["after"], "2020-01-01");
    assert_eq!(assessments(&d.db)["demo:SEC-DP-03"][4], "2020-01-01");
}

/// A workload's row showing the engagement-wide values is merged against what it showed: a
/// field the engagement-wide assessment changed since the export conflicts on that row, the
/// other fields merge into the workload's own assessment.
#[test]
fn a_workload_row_merges_three_ways_against_the_values_it_showed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let actor = crosswalk_api::Actor::new("tester", time::OffsetDateTime::now_utc());
    crosswalk_api::create_engagement(
        &db,
        &actor,
        "Acme",
        &["payments".to_string(), "portal".to_string()],
        None,
    )
    .unwrap();
    let csv = dir.path().join("acme.csv");
    std::fs::write(
        &csv,
        "ID,Requirement\nR-2,Customer data is encrypted with keys the customer controls.\n",
    )
    .unwrap();
    json(&db, &["import", csv.to_str().unwrap()]);
    crosswalk_api::update_assessment(&db, &actor, "acme", "R-2", "Security office", "", None, "")
        .unwrap();
    let matrix = dir.path().join("acme.xlsx");
    json(&db, &["export", "--out", matrix.to_str().unwrap()]);
    let sheet = MatrixSheet::read(&matrix);

    // In the app, after the export: the engagement-wide notes change.
    crosswalk_api::update_assessment(
        &db,
        &actor,
        "acme",
        "R-2",
        "Security office",
        "reviewed in the app",
        None,
        "",
    )
    .unwrap();
    // In the file: the payments row gets an owner, the portal row notes.
    let edited = dir.path().join("edited.xlsx");
    edit_matrix_cells(
        &matrix,
        &edited,
        &[
            (
                &workload_cell(&sheet, "Owner", "R-2", "payments"),
                "Payments team",
            ),
            (
                &workload_cell(&sheet, "Notes", "R-2", "portal"),
                "portal note",
            ),
        ],
    );
    let (code, report) = json_with_code(&db, &["import-matrix", edited.to_str().unwrap()]);
    assert_eq!(code, 3, "{report:#}");
    assert_eq!(keys(&report["applied"]), ["acme:R-2@payments"]);
    assert_eq!(keys(&report["conflicts"]), ["acme:R-2@portal"]);
    assert_eq!(
        report["conflicts"][0]["fields"],
        serde_json::json!([{
            "field": "notes",
            "exported": "",
            "current": "reviewed in the app",
            "edited": "portal note",
        }])
    );
    let all = all_assessments(&db);
    let payments = &all[&("acme:R-2".to_string(), "payments".to_string())];
    assert_eq!(payments[2], "Payments team", "the owner edited in the file");
    assert_eq!(
        payments[4], "reviewed in the app",
        "the notes the engagement holds now, not those exported"
    );
    assert!(
        !all.contains_key(&("acme:R-2".to_string(), "portal".to_string())),
        "nothing written for the portal row: {all:?}"
    );
}

//! Every bad input of the import issue, through the real binary into an engagement that already
//! holds a set: exit 1, one error line naming the file (and the sheet, row and column where they
//! apply), nothing on stdout, and the engagement file byte for byte as it was, with no audit entry.
//! Inputs that are only odd (a formula error, a short CSV row, a protected sheet) import with a
//! warning naming file, sheet, row and column. Fixtures are generated here, never committed.

mod common;
#[path = "../../sheets/tests/common/rawzip.rs"]
mod rawzip;

use common::*;
use std::path::{Path, PathBuf};

const GOOD: &str = "ID,Requirement\nR-1,Encrypt data at rest\nR-2,Require MFA for administrators\n";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn xlsx_with_sheet(sheet_xml: &str) -> Vec<u8> {
    rawzip::zip(&rawzip::xlsx_parts(sheet_xml))
}

/// Sheet XML from rows of raw cell XML (`<c …>…</c>`), with extra XML after the sheet data.
fn sheet(rows: &[&str], after_data: &str) -> String {
    let body: String = rows
        .iter()
        .enumerate()
        .map(|(i, cells)| format!(r#"<row r="{}">{cells}</row>"#, i + 1))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{body}</sheetData>{after_data}</worksheet>"#
    )
}

fn text(cell: &str, value: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{value}</t></is></c>"#)
}

struct Engagement {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    db: PathBuf,
}

fn engagement() -> Engagement {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let db = path.join("acme.crosswalk");
    let good = write(&path, "acme.csv", GOOD.as_bytes());
    json(&db, &["import", good.to_str().unwrap()]);
    Engagement {
        _dir: dir,
        dir: path,
        db,
    }
}

fn audit_entries(db: &Path) -> usize {
    json(db, &["audit"])["entries"].as_array().unwrap().len()
}

/// Imports `file` into the set `acme` (a re-import) and expects a refusal: returns stderr.
fn refused(e: &Engagement, file: &Path) -> String {
    let before = file_hash(&e.db);
    let entries = audit_entries(&e.db);
    let out = crosswalk()
        .arg("--db")
        .arg(&e.db)
        .args(["import", file.to_str().unwrap(), "--set", "acme", "--json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "bad input exits 1: {err}");
    // With --json, the failure is one JSON error document on stdout, saying what stderr says.
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("one JSON document on stdout ({e}): {err}"));
    assert_eq!(doc["error"]["exit_code"], 1);
    let message = doc["error"]["message"].as_str().unwrap();
    assert!(err.contains(message), "{message} vs {err}");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error: ")).count(),
        1,
        "one error line: {err}"
    );
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(err.contains(name), "the error names the file: {err}");
    assert_eq!(
        file_hash(&e.db),
        before,
        "{name}: the engagement file is byte for byte as it was"
    );
    assert_eq!(audit_entries(&e.db), entries, "{name}: no audit entry");
    err
}

#[test]
fn broken_and_hostile_files_are_refused_by_name_and_write_nothing() {
    let e = engagement();
    let d = &e.dir;

    let err = refused(&e, &write(d, "requirements.xlsx", b""));
    assert!(
        err.contains("requirements.xlsx: the file is empty"),
        "{err}"
    );

    let err = refused(
        &e,
        &write(
            d,
            "notes.xlsx",
            b"Dear customer, please find attached our requirements.",
        ),
    );
    assert!(err.contains("notes.xlsx: not a spreadsheet"), "{err}");

    let whole = xlsx_with_sheet(&sheet(
        &[
            &(text("A1", "ID") + &text("B1", "Text")),
            &(text("A2", "R-1") + &text("B2", "Encrypt")),
        ],
        "",
    ));
    let err = refused(&e, &write(d, "cut.xlsx", &whole[..whole.len() / 2]));
    assert!(err.contains("cut.xlsx: the workbook is damaged"), "{err}");

    // An encrypted workbook is an OLE compound file holding an `EncryptedPackage` stream.
    let mut locked = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    locked.resize(512, 0);
    locked.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    locked.resize(2048, 0);
    let err = refused(&e, &write(d, "locked.xlsx", &locked));
    assert!(err.contains("this workbook is encrypted"), "{err}");

    let mut parts = rawzip::xlsx_parts(&rawzip::sheet_xml("A1", &[("A1", "x")]));
    parts[4].stored = rawzip::deflate_zeros(1 << 20);
    parts[4].deflated = true;
    parts[4].declared = 3_000_000_000;
    let err = refused(&e, &write(d, "bomb.xlsx", &rawzip::zip(&parts)));
    assert!(
        err.contains("too large") && err.contains("xl/worksheets/sheet1.xml"),
        "names the part: {err}"
    );

    let mut parts = rawzip::xlsx_parts(&rawzip::sheet_xml("A1", &[("A1", "x")]));
    parts[4].stored = rawzip::deflate_zeros(300 << 20);
    parts[4].deflated = true;
    parts[4].declared = 2000;
    let err = refused(&e, &write(d, "liar.xlsx", &rawzip::zip(&parts)));
    assert!(err.contains("xl/worksheets/sheet1.xml"), "{err}");

    let far = rawzip::sheet_xml("XFD1048576", &[("XFD1048576", "far away")]);
    let err = refused(&e, &write(d, "far.xlsx", &xlsx_with_sheet(&far)));
    assert!(err.contains("far.xlsx"), "{err}");

    let bomb = r#"<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>"#;
    refused(&e, &write(d, "entities.xlsx", &xlsx_with_sheet(bomb)));
}

#[test]
fn sheets_that_are_no_requirement_list_are_refused_naming_sheet_row_and_column() {
    let e = engagement();
    let d = &e.dir;

    let numbers: String = (0..10).map(|i| format!("{i},{},{i}.5\n", i * 7)).collect();
    let err = refused(&e, &write(d, "numbers.csv", numbers.as_bytes()));
    assert!(
        err.contains("numbers.csv, sheet 'numbers'") && err.contains("no header row"),
        "{err}"
    );

    let err = refused(
        &e,
        &write(
            d,
            "dups.csv",
            b"ID,Text\nR-1,First\nR-2,Second\nR-1,Third\nR-3,Fourth\nR-2,Fifth\nR-1,Sixth\n",
        ),
    );
    assert!(
        err.contains(
            "dups.csv: duplicate ids: 'R-1' on sheet 'dups' rows 2, 4, 7; 'R-2' on sheet 'dups' rows 3, 6"
        ),
        "every duplicated id with every row: {err}"
    );

    let err = refused(
        &e,
        &write(
            d,
            "spellings.csv",
            b"Control ID,Text\nAC-2 (1),One\nAC-02 (01),Two\n",
        ),
    );
    assert!(
        err.contains("'AC-2(1)'") && err.contains("'AC-02 (01)'"),
        "two spellings of one id are one duplicate, shown as written: {err}"
    );

    let err = refused(
        &e,
        &write(
            d,
            "shifted.csv",
            b"ID,Text,Owner\nR-1,Encrypt,Ops\nR-2,Back up, daily,Ops\n",
        ),
    );
    assert!(
        err.contains("shifted.csv, sheet 'shifted', row 3, column 'D'"),
        "{err}"
    );

    let err = refused(
        &e,
        &write(
            d,
            "latin.csv",
            b"\xEF\xBB\xBFID,Text\nR-1,ok\nR-2,caf\xE9\n",
        ),
    );
    assert!(err.contains("latin.csv") && err.contains("row 3"), "{err}");

    let far = format!(
        r#"<table:table table:name="Far">{}<table:table-row table:number-rows-repeated="1048570"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="1000"/><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#,
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>ID</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Text</text:p></table:table-cell></table:table-row>"#
    );
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{far}</office:spreadsheet></office:body></office:document-content>"#
    );
    let ods = rawzip::zip(&[
        rawzip::Part::plain(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        rawzip::Part::plain("content.xml", content.as_bytes()),
    ]);
    let err = refused(&e, &write(d, "far.ods", &ods));
    assert!(err.contains("far.ods, sheet 'Far': too large"), "{err}");
}

/// A 100 MB CSV that is one line: refused as too large, not loaded as one giant cell.
#[test]
fn a_hundred_megabyte_csv_of_one_line_is_refused() {
    let e = engagement();
    let path = e.dir.join("oneline.csv");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        f.write_all(b"ID,Text,").unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&chunk).unwrap();
        }
    }
    assert!(std::fs::metadata(&path).unwrap().len() > 100 << 20);
    let err = refused(&e, &path);
    assert!(
        err.contains("oneline.csv") && err.contains("too large"),
        "{err}"
    );
}

#[test]
fn odd_cells_import_with_warnings_naming_file_sheet_row_and_column() {
    let e = engagement();
    // A formula whose cached value is an error, and a protected sheet (editing locked, as in
    // the CAIQ sample): the sheet imports, the error is kept as text and reported.
    let xml = sheet(
        &[
            &(text("A1", "ID") + &text("B1", "Requirement") + &text("C1", "Score")),
            &(text("A2", "R-1")
                + &text("B2", "Encrypt data at rest")
                + r#"<c r="C2"><v>3</v></c>"#),
            &(text("A3", "R-2")
                + &text("B3", "Require MFA for administrators")
                + r##"<c r="C3" t="e"><f>C2/0</f><v>#DIV/0!</v></c>"##),
        ],
        r#"<sheetProtection sheet="1" objects="1" scenarios="1"/>"#,
    );
    let file = write(&e.dir, "scored.xlsx", &xlsx_with_sheet(&xml));
    let out = crosswalk()
        .arg("--db")
        .arg(&e.db)
        .args([
            "import",
            file.to_str().unwrap(),
            "--set",
            "scored",
            "--json",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning: scored.xlsx, sheet 'Sheet1', row 3, column 'Score':")
            && err.contains("#DIV/0!"),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["added"], 2);
    let w = &report["warnings"][0];
    assert_eq!(
        (w["sheet"].as_str(), w["row"].as_u64(), w["column"].as_str()),
        (Some("Sheet1"), Some(3), Some("Score"))
    );
    let list = json(&e.db, &["list", "--set", "scored"]);
    let r2 = by_ref(&list, "R-2");
    assert_eq!(
        r2["attributes"]["Score"], "#DIV/0!",
        "the error value is kept as text"
    );

    // A CSV row with fewer fields than the header is read, with a warning naming the column.
    let short = write(
        &e.dir,
        "short.csv",
        b"ID,Text,Owner\nR-1,Encrypt,Ops\nR-2,Back up\n",
    );
    let out = crosswalk()
        .arg("--db")
        .arg(&e.db)
        .args(["import", short.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning: short.csv, sheet 'short', row 3") && err.contains("'Owner'"),
        "{err}"
    );
}

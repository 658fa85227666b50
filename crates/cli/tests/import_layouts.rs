//! Customer layouts that used to be misread without a word: duplicate or blank header names, a
//! header merged over its columns, an id merged over the lines of its requirement, mixed CSV
//! separators, an unclosed quote, and ids that look alike but differ in invisible characters.

mod common;

use common::*;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A minimal xlsx with one sheet "Reqs": `rows` of inline strings (None = empty) and merged
/// ranges such as "A2:A4".
fn xlsx(dir: &Path, name: &str, rows: &[&[Option<&str>]], merges: &[&str]) -> PathBuf {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, cell) in row.iter().enumerate() {
            if let Some(v) = cell {
                sheet.push_str(&format!(
                    r#"<c r="{}{}" t="inlineStr"><is><t>{v}</t></is></c>"#,
                    column_letters(c),
                    r + 1
                ));
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData>");
    if !merges.is_empty() {
        sheet.push_str(&format!(r#"<mergeCells count="{}">"#, merges.len()));
        for m in merges {
            sheet.push_str(&format!(r#"<mergeCell ref="{m}"/>"#));
        }
        sheet.push_str("</mergeCells>");
    }
    sheet.push_str("</worksheet>");
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Reqs" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let path = dir.join(name);
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (part, content) in parts {
        writer.start_file(part, options).unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    writer.finish().unwrap();
    path
}

fn import(db: &Path, file: &Path) -> Value {
    json(db, &["import", file.to_str().unwrap(), "--set", "s"])
}

fn listed(db: &Path) -> Vec<Value> {
    json(db, &["list", "--set", "s"])["requirements"]
        .as_array()
        .unwrap()
        .clone()
}

fn fail(db: &Path, file: &Path) -> String {
    let out = crosswalk()
        .arg("--db")
        .arg(db)
        .args(["import", file.to_str().unwrap(), "--set", "s"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!db.exists(), "nothing written");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn duplicate_and_blank_header_names_keep_the_first_row_as_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let file = dir.path().join("duphdr.csv");
    std::fs::write(
        &file,
        "ID,Requirement,Requirement,,\nR-1,a,b,c,d\nR-2,e,f,g,h\n",
    )
    .unwrap();
    let report = import(&db, &file);
    assert_eq!(report["sheets"][0]["header_row"], 1);
    let headers: Vec<&str> = report["sheets"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["header"].as_str().unwrap())
        .collect();
    assert_eq!(
        headers,
        [
            "ID",
            "Requirement",
            "Requirement (C)",
            "Column D",
            "Column E"
        ]
    );
    let reqs = listed(&db);
    assert_eq!(reqs.len(), 2, "R-1 is a requirement, not the header");
    assert_eq!(reqs[0]["ref"], "R-1");
    assert_eq!(reqs[0]["text"], "a");
    assert_eq!(reqs[0]["attributes"]["Column D"], "c");
    assert_eq!(reqs[1]["ref"], "R-2");
}

#[test]
fn an_id_merged_over_several_rows_is_one_requirement_with_its_lines_joined() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let file = xlsx(
        dir.path(),
        "merged.xlsx",
        &[
            &[Some("ID"), Some("Title"), Some("Requirement")],
            &[Some("M-1"), Some("Keys"), Some("rotate keys yearly")],
            &[None, None, Some("keys in HSM")],
            &[None, None, Some("no key export")],
            &[Some("M-2"), Some("Logs"), Some("log all")],
        ],
        &["A2:A4", "B2:B4"],
    );
    let report = import(&db, &file);
    assert_eq!(report["requirements"], 2);
    let notes = report["sheets"][0]["notes"].to_string();
    assert!(notes.contains("A2:A4"), "the merge is named: {notes}");
    let reqs = listed(&db);
    assert_eq!(reqs[0]["ref"], "M-1");
    assert_eq!(reqs[0]["title"], "Keys");
    assert_eq!(
        reqs[0]["text"],
        "rotate keys yearly\nkeys in HSM\nno key export"
    );
    assert_eq!(reqs[0]["row"], 2);
    assert_eq!(reqs[1]["ref"], "M-2");
    assert_eq!(reqs[1]["text"], "log all");
}

#[test]
fn a_header_merged_over_its_columns_does_not_turn_a_requirement_into_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let file = xlsx(
        dir.path(),
        "merged2.xlsx",
        &[
            &[Some("ID"), None, None],
            &[Some("M-1"), Some("Keys"), Some("rotate keys yearly")],
            &[None, None, Some("keys in HSM")],
            &[Some("M-2"), Some("Logs"), Some("log all")],
        ],
        &["A1:C1", "A2:A3", "B2:B3"],
    );
    let report = import(&db, &file);
    assert_eq!(report["sheets"][0]["header_row"], 1);
    let reqs = listed(&db);
    let refs: Vec<&str> = reqs.iter().map(|r| r["ref"].as_str().unwrap()).collect();
    assert_eq!(refs, ["M-1", "M-2"], "no requirement is lost");
    assert_eq!(reqs[0]["attributes"]["ID (B)"], "Keys");
    assert_eq!(
        reqs[0]["attributes"]["ID (C)"],
        "rotate keys yearly\nkeys in HSM"
    );
}

#[test]
fn mixed_separators_are_warned_about_naming_the_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let file = dir.path().join("mixed.csv");
    std::fs::write(
        &file,
        "ID,Title;Requirement\tSection\nR-1,Root MFA;The root must use MFA\tIAM\nR-2,Enc;encrypt\tData\n",
    )
    .unwrap();
    let report = import(&db, &file);
    let warnings = report["warnings"].as_array().unwrap();
    let w = warnings
        .iter()
        .find(|w| w["message"].as_str().unwrap().contains("mix separators"))
        .unwrap_or_else(|| panic!("a warning about mixed separators: {warnings:?}"));
    assert_eq!(w["row"], 1);
    let message = w["message"].as_str().unwrap();
    assert!(message.contains("column B"), "{message}");
    assert!(
        message.contains("';'") && message.contains("a tab"),
        "{message}"
    );
}

#[test]
fn an_unclosed_quote_is_an_error_naming_its_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let file = dir.path().join("quote.csv");
    std::fs::write(
        &file,
        "ID,Title,Requirement\r\nR-1,\"unterminated,quote\r\nR-2,x,y\r\nR-3,z,w\r\n",
    )
    .unwrap();
    let err = fail(&db, &file);
    assert!(err.contains("quote.csv"), "{err}");
    assert!(err.contains("row 2"), "{err}");
    assert!(err.contains("'B'"), "{err}");
    assert!(err.contains("never closed"), "{err}");

    // A quoted field over several lines is fine.
    let ok = dir.path().join("ok.csv");
    std::fs::write(
        &ok,
        "ID,Title,Requirement\nR-1,\"two\nlines\",\"say \"\"hi\"\"\"\nR-2,x,5\" screen\n",
    )
    .unwrap();
    import(&db, &ok);
    let reqs = listed(&db);
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0]["title"], "two\nlines");
    assert_eq!(reqs[0]["text"], "say \"hi\"");
}

#[test]
fn ids_differing_only_in_invisible_characters_or_dashes_are_one_id() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.crosswalk");
    let file = dir.path().join("zw.csv");
    std::fs::write(
        &file,
        "ID,Title,Requirement\nR-1,a,first\nR-1\u{200B},b,zws\nR\u{AD}-1,c,shy\nR\u{2011}1,e,nbhyphen\n",
    )
    .unwrap();
    let err = fail(&db, &file);
    assert!(err.contains("duplicate ids: 'R-1'"), "{err}");
    assert!(err.contains("rows 2, 3"), "{err}");
    assert!(err.contains(", 4 (") && err.contains(", 5 ("), "{err}");

    let ok = dir.path().join("ok.csv");
    std::fs::write(
        &ok,
        "ID,Title,Requirement\n\u{FEFF}R-1x,d,bom\nR\u{2013}2,e,dash\nR-3\u{00A0},f,nbsp\n",
    )
    .unwrap();
    import(&db, &ok);
    let reqs = listed(&db);
    let refs: Vec<&str> = reqs.iter().map(|r| r["ref"].as_str().unwrap()).collect();
    assert_eq!(refs, ["R-1x", "R-2", "R-3"]);
    assert_eq!(
        reqs[1]["source_ref"], "R\u{2013}2",
        "the id as written is kept"
    );
    assert_eq!(reqs[0]["source_ref"], "\u{FEFF}R-1x");
    let map = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["map", "s:R-2", "service:KMS"])
        .output()
        .unwrap();
    assert!(map.status.success(), "the id can be typed");
}

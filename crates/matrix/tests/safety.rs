//! Text is always text, long text never breaks the export, and the CSV/JSON forms are complete.

mod common;

use calamine::{Data, Reader, Xlsx};
use common::*;
use crosswalk_matrix::*;
use std::io::Cursor;

const HOSTILE: [&str; 5] = [
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+1+1",
    "-2+3 encrypt everything",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
];

fn hostile_model() -> crosswalk_matrix::MatrixModel {
    let mut m = model();
    for (row, text) in m.rows.iter_mut().zip(HOSTILE) {
        row.text = text.to_string();
    }
    m
}

#[test]
fn requirement_text_that_looks_like_a_formula_is_written_as_text() {
    let export = write_xlsx(&hostile_model(), SECRET).expect("export");
    let mut book = Xlsx::new(Cursor::new(export.bytes.clone())).expect("xlsx");
    let formulas = book.worksheet_formula(MATRIX).expect("formula range");
    assert!(
        formulas.used_cells().next().is_none(),
        "no cell of the Matrix sheet holds a formula"
    );
    let g = sheet(&export.bytes, MATRIX);
    let c = col(&g, "Requirement");
    for (i, text) in HOSTILE.iter().enumerate() {
        assert_eq!(
            g[i + 1][c],
            Data::String(text.to_string()),
            "row {} keeps its text as a string",
            i + 2
        );
    }
    let xml = {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(Cursor::new(&export.bytes)).expect("zip");
        let mut s = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .expect("sheet")
            .read_to_string(&mut s)
            .expect("xml");
        s
    };
    assert!(!xml.contains("<f>"), "no formula element in the sheet XML");
    assert_eq!(
        verify(&export.bytes, SECRET).expect("verify").status,
        VerifyStatus::Untouched
    );
}

#[test]
fn csv_fields_that_look_like_formulas_are_neutralised() {
    let bytes = write_csv(&hostile_model()).expect("csv");
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 with BOM so Excel reads it as UTF-8"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let c = headers
        .iter()
        .position(|h| h == "Requirement")
        .expect("Requirement column");
    let values: Vec<String> = reader
        .records()
        .map(|r| r.expect("record")[c].to_string())
        .collect();
    for (value, text) in values.iter().zip(HOSTILE) {
        assert_eq!(
            *value,
            format!("'{text}"),
            "a leading apostrophe keeps Excel from evaluating it"
        );
    }
    assert_eq!(
        formula_safe("Encrypt data"),
        "Encrypt data",
        "ordinary text is left alone"
    );
}

#[test]
fn a_cell_over_excels_limit_is_truncated_with_a_marker_and_a_warning() {
    let mut m = model();
    let long: String = "Encrypt every backup. ".repeat(2_000); // 44,000 characters
    m.rows[1].text = long.clone();
    let export = write_xlsx(&m, SECRET).expect("a long cell never fails the export");
    let g = sheet(&export.bytes, MATRIX);
    let cell = text(&g, row_of(&g, "a-2"), col(&g, "Requirement"));
    assert_eq!(
        cell.chars().count(),
        EXCEL_CELL_LIMIT,
        "cut exactly to Excel's limit"
    );
    assert!(
        cell.starts_with("Encrypt every backup. Encrypt"),
        "the start is kept"
    );
    assert!(
        cell.contains("[truncated by Crosswalk: 44000 characters"),
        "the marker says what happened"
    );
    assert_eq!(export.warnings.len(), 1, "{:?}", export.warnings);
    let w = &export.warnings[0];
    assert_eq!(
        (w.sheet.as_str(), w.row, w.column.as_str()),
        ("Matrix", 3, "Requirement"),
        "the warning names the cell"
    );
    assert_eq!(
        verify(&export.bytes, SECRET).expect("verify").status,
        VerifyStatus::Untouched,
        "the snapshot holds what was written"
    );

    let csv = String::from_utf8(write_csv(&m).expect("csv")).expect("utf-8");
    assert!(
        csv.contains(&long),
        "CSV has no cell limit: the full text is there"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&write_json(&m, SECRET).expect("json")).expect("valid json");
    assert_eq!(
        json["matrix"]["rows"][1]["text"].as_str(),
        Some(long.as_str()),
        "JSON keeps the full text"
    );
}

#[test]
fn control_characters_and_non_latin_text_survive_the_round_trip() {
    let mut m = model();
    m.rows[0].text = "Zugriff für Administratoren — 管理者\u{7}bell and tab\tend".into();
    let export = write_xlsx(&m, SECRET).expect("export");
    let g = sheet(&export.bytes, MATRIX);
    assert_eq!(
        text(&g, row_of(&g, "a-1"), col(&g, "Requirement")),
        m.rows[0].text,
        "escaped by the writer, restored by the reader"
    );
    assert_eq!(
        verify(&export.bytes, SECRET).expect("verify").status,
        VerifyStatus::Untouched
    );
}

#[test]
fn the_json_export_holds_the_whole_model_and_a_keyed_hash() {
    let m = model();
    let bytes = write_json(&m, SECRET).expect("json");
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("valid json");
    assert_eq!(v["format"], JSON_FORMAT);
    assert_eq!(
        v["content_hash"].as_str().map(str::len),
        Some(64),
        "HMAC-SHA256 hex"
    );
    let back: MatrixModel =
        serde_json::from_value(v["matrix"].clone()).expect("the model reads back");
    assert_eq!(back, m, "nothing is lost in JSON");
    let other = write_json(&m, b"other key").expect("json");
    let v2: serde_json::Value = serde_json::from_slice(&other).expect("json");
    assert_ne!(
        v["content_hash"], v2["content_hash"],
        "keyed: another secret, another hash"
    );
}

#[test]
fn the_csv_has_the_matrix_columns_and_one_record_per_row() {
    let m = model();
    let bytes = write_csv(&m).expect("csv");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers: Vec<String> = reader
        .headers()
        .expect("headers")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(headers.first().map(String::as_str), Some("Set"));
    assert!(
        headers.contains(&"Coverage override".to_string()) && headers.contains(&"Key".to_string())
    );
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(records.len(), m.rows.len());
    let c = headers
        .iter()
        .position(|h| h == "Coverage")
        .expect("coverage");
    let coverages: Vec<&str> = records.iter().map(|r| &r[c]).collect();
    assert_eq!(
        coverages,
        ["inherited", "workload", "partial", "gap", "not_applicable"]
    );
}

//! Shared helpers for the importer's integration tests.
#![allow(dead_code)]

use crosswalk_domain::{ImportedRequirement, SheetImport};
use crosswalk_sheets::{read_requirements, ImportOptions};
use std::path::PathBuf;

/// The real samples live outside the repository, in `<workspace root>/../shared/samples/real/`,
/// or under `$CROSSWALK_SHARED_DIR/samples/real/`.
pub fn sample_path(name: &str) -> PathBuf {
    let shared = match std::env::var_os("CROSSWALK_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    shared.join("samples/real").join(name)
}

pub fn import_sample(name: &str) -> SheetImport {
    import_sample_with(name, &ImportOptions::default())
}

pub fn import_sample_with(name: &str, options: &ImportOptions) -> SheetImport {
    let path = sample_path(name);
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("sample {} must be readable: {e}", path.display()));
    read_requirements(name, &bytes, options).unwrap_or_else(|e| panic!("{name} must import: {e}"))
}

pub fn find<'a>(import: &'a SheetImport, reference: &str) -> &'a ImportedRequirement {
    import
        .requirements
        .iter()
        .find(|r| r.reference == reference)
        .unwrap_or_else(|| panic!("{} must hold a requirement {reference}", import.file))
}

pub fn refs(import: &SheetImport) -> Vec<&str> {
    import
        .requirements
        .iter()
        .map(|r| r.reference.as_str())
        .collect()
}

pub mod rawzip;

/// Writes a workbook with rust_xlsxwriter: one sheet per `(name, rows)`, every cell a string.
pub fn xlsx(sheets: &[(&str, Vec<Vec<&str>>)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

pub fn read(name: &str, bytes: &[u8]) -> Result<SheetImport, crosswalk_sheets::SheetError> {
    read_requirements(name, bytes, &ImportOptions::default())
}

/// A minimal OpenDocument spreadsheet whose `content.xml` body holds the given tables.
pub fn ods(tables: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
    );
    rawzip::zip(&[
        rawzip::Part::plain("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        rawzip::Part::plain("content.xml", content.as_bytes()),
        rawzip::Part::plain(
            "META-INF/manifest.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
        ),
    ])
}

/// One ods table row of string cells.
pub fn ods_row(cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .map(|c| format!(r#"<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>"#))
        .collect();
    format!("<table:table-row>{cells}</table:table-row>")
}

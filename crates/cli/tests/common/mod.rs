//! Shared by the black-box tests: the real binary, temp dirs, the real samples.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// `../shared` next to the workspace root, or `CROSSWALK_SHARED_DIR`.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("CROSSWALK_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

pub fn real_sample(name: &str) -> PathBuf {
    let path = shared_dir().join("samples/real").join(name);
    assert!(
        path.is_file(),
        "{} is missing; set CROSSWALK_SHARED_DIR",
        path.display()
    );
    path
}

/// The workspace root (for data/samples).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The real `crosswalk` binary, run as a known user.
pub fn crosswalk() -> Command {
    let mut cmd = Command::cargo_bin("crosswalk").expect("the crosswalk binary is built");
    cmd.env("USER", "tester");
    cmd
}

/// Runs `crosswalk --db DB ARGS... --json`, expects success, returns the JSON document.
pub fn json(db: &Path, args: &[&str]) -> Value {
    let out = crosswalk()
        .arg("--db")
        .arg(db)
        .args(args)
        .arg("--json")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "crosswalk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is one JSON document ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

pub fn file_hash(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).expect("readable")))
}

/// The requirements of `list --json`, by ref.
pub fn by_ref<'a>(list: &'a Value, reference: &str) -> &'a Value {
    list["requirements"]
        .as_array()
        .expect("requirements is an array")
        .iter()
        .find(|r| r["ref"] == reference)
        .unwrap_or_else(|| panic!("{reference} is listed"))
}

/// The Matrix sheet of an exported matrix as calamine reads it: headers and rows as text.
pub struct MatrixSheet {
    pub header: Vec<String>,
    /// Every row after the header, cells as text.
    pub rows: Vec<Vec<String>>,
}

pub fn cell_text(c: &calamine::Data) -> String {
    match c {
        calamine::Data::Empty => String::new(),
        calamine::Data::String(s) => s.clone(),
        calamine::Data::Float(f) => f.to_string(),
        calamine::Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

impl MatrixSheet {
    pub fn read(path: &Path) -> MatrixSheet {
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook(path).expect("the matrix is a readable xlsx");
        let range = book.worksheet_range("Matrix").expect("a Matrix sheet");
        let mut rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect();
        assert_eq!(
            range.start(),
            Some((0, 0)),
            "the Matrix sheet starts at A1, so row and column numbers below are Excel's"
        );
        let header = rows.remove(0);
        MatrixSheet { header, rows }
    }

    pub fn column(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name} in {:?}", self.header))
    }

    /// The A1 address of the cell in column `name` on the row of requirement `reference`.
    pub fn cell(&self, name: &str, reference: &str) -> String {
        let id = self.column("Req ID");
        let at = self
            .rows
            .iter()
            .position(|r| r[id] == reference)
            .unwrap_or_else(|| panic!("{reference} has a row"));
        format!("{}{}", column_letters(self.column(name)), at + 2)
    }

    pub fn value(&self, name: &str, reference: &str) -> String {
        let id = self.column("Req ID");
        let row = self
            .rows
            .iter()
            .find(|r| r[id] == reference)
            .unwrap_or_else(|| panic!("{reference} has a row"));
        row[self.column(name)].clone()
    }
}

/// 0 → A, 25 → Z, 26 → AA.
pub fn column_letters(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The part of an exported matrix holding the Matrix sheet (the first sheet).
pub const MATRIX_PART: &str = "xl/worksheets/sheet1.xml";
/// The part holding the very hidden integrity sheet (after the six visible sheets).
pub const INTEGRITY_PART: &str = "xl/worksheets/sheet7.xml";

/// Writes `to` as a copy of the xlsx `from` with the XML of `part` rewritten by `edit`, the way
/// a spreadsheet program saves a change: that part changes, every other part is copied as it
/// was, so the hidden sheets, validations and styles the export wrote stay exactly as they were.
pub fn rewrite_part(from: &Path, to: &Path, part: &str, edit: impl FnOnce(String) -> String) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(from).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut workbook = String::new();
    archive
        .by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut workbook)
        .unwrap();
    assert!(
        workbook.contains(r#"<sheet name="Matrix" sheetId="1" r:id="rId1"/>"#)
            && workbook.contains(
                r#"<sheet name="_crosswalk" sheetId="7" state="veryHidden" r:id="rId7"/>"#
            ),
        "the Matrix sheet is sheet1.xml and the integrity sheet sheet7.xml: {workbook}"
    );
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut edit = Some(edit);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().expect("a UTF-8 part name").to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        if name == part {
            let xml = String::from_utf8(content).unwrap();
            content = (edit.take().unwrap())(xml).into_bytes();
        }
        writer.start_file(name, options).unwrap();
        writer.write_all(&content).unwrap();
    }
    assert!(edit.is_none(), "{part} is in the workbook");
    let out = writer.finish().unwrap().into_inner();
    std::fs::write(to, out).unwrap();
}

/// Writes `to` as a copy of `from` with the given Matrix cells (A1 address, new text) set, as
/// typing into them in Excel would. A cell right of the last written one may be new.
pub fn edit_matrix_cells(from: &Path, to: &Path, edits: &[(&str, &str)]) {
    rewrite_part(from, to, MATRIX_PART, |mut xml| {
        for (cell, text) in edits {
            xml = set_inline_cell(&xml, cell, text);
        }
        xml
    });
}

/// Writes `to` as a copy of `from` whose Matrix data rows are `order` (0-based indices of the
/// exported data rows, header excluded): sorting moves rows, a row left out is deleted and the
/// rows below move up, as in Excel. Cell addresses and hyperlink anchors follow their rows.
pub fn rearrange_matrix_rows(from: &Path, to: &Path, order: &[usize]) {
    rewrite_part(from, to, MATRIX_PART, |xml| {
        let data_start = xml.find("<sheetData>").unwrap() + "<sheetData>".len();
        let data_end = xml.find("</sheetData>").unwrap();
        let mut chunks: Vec<&str> = Vec::new();
        let mut rest = &xml[data_start..data_end];
        while let Some(at) = rest.find("<row ") {
            let end = rest.find("</row>").unwrap() + "</row>".len();
            chunks.push(&rest[at..end]);
            rest = &rest[end..];
        }
        let header = chunks.remove(0);
        // Exported rows are contiguous: data row i is sheet row i + 2.
        let mut new_row_of = std::collections::HashMap::new();
        let mut out = String::from(header);
        for (new, &old) in order.iter().enumerate() {
            new_row_of.insert(old as u32 + 2, new as u32 + 2);
            out.push_str(&renumber(chunks[old], old as u32 + 2, new as u32 + 2));
        }
        let mut result = format!("{}{}{}", &xml[..data_start], out, &xml[data_end..]);
        // Hyperlinks are anchored by address after the sheet data: move or drop them too.
        if let (Some(a), Some(b)) = (result.find("<hyperlinks>"), result.find("</hyperlinks>")) {
            let body = &result[a + "<hyperlinks>".len()..b];
            let mut kept = String::new();
            for link in body.split_inclusive("/>") {
                let at = link.find("ref=\"").unwrap() + "ref=\"".len();
                let end = at + link[at..].find('"').unwrap();
                let address = &link[at..end];
                let digits = address.trim_start_matches(|c: char| c.is_ascii_uppercase());
                let letters = &address[..address.len() - digits.len()];
                let row: u32 = digits.parse().unwrap();
                if let Some(new) = new_row_of.get(&row) {
                    kept.push_str(&format!("{}{letters}{new}{}", &link[..at], &link[end..]));
                }
            }
            result = format!("{}<hyperlinks>{kept}{}", &result[..a], &result[b..]);
        }
        result
    });
}

/// A `<row>` element of sheet row `old` moved to sheet row `new`.
fn renumber(chunk: &str, old: u32, new: u32) -> String {
    let moved = chunk.replacen(
        &format!("<row r=\"{old}\""),
        &format!("<row r=\"{new}\""),
        1,
    );
    let mut out = String::new();
    let mut rest = moved.as_str();
    while let Some(at) = rest.find("<c r=\"") {
        let start = at + "<c r=\"".len();
        let end = start + rest[start..].find('"').unwrap();
        let address = &rest[start..end];
        let letters = address.trim_end_matches(|c: char| c.is_ascii_digit());
        assert_eq!(
            &address[letters.len()..],
            old.to_string(),
            "cell {address} is on row {old}"
        );
        out.push_str(&rest[..start]);
        out.push_str(&format!("{letters}{new}"));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Replaces the `<c r="CELL" …>` element with an inline-string cell keeping its style; a cell
/// not written yet is added at the end of its row (it must lie right of the row's last cell).
pub fn set_inline_cell(xml: &str, cell: &str, text: &str) -> String {
    let open = format!("<c r=\"{cell}\"");
    let Some(start) = xml.find(&open) else {
        let row = cell.trim_start_matches(|c: char| c.is_ascii_uppercase());
        let row_open = format!("<row r=\"{row}\"");
        let row_at = xml
            .find(&row_open)
            .unwrap_or_else(|| panic!("row {row} of cell {cell} is written in the sheet"));
        let end = row_at + xml[row_at..].find("</row>").unwrap();
        return format!(
            "{}<c r=\"{cell}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>{}",
            &xml[..end],
            xml_escape(text),
            &xml[end..]
        );
    };
    let rest = &xml[start..];
    let tag_end = rest.find('>').unwrap();
    let (attributes, end) = if rest[..tag_end].ends_with('/') {
        (&rest[open.len()..tag_end - 1], tag_end + 1)
    } else {
        (
            &rest[open.len()..tag_end],
            rest.find("</c>").unwrap() + "</c>".len(),
        )
    };
    let style: String = attributes
        .split_whitespace()
        .filter(|a| a.starts_with("s="))
        .map(|a| format!(" {a}"))
        .collect();
    let replacement = format!(
        "<c r=\"{cell}\"{style} t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
        xml_escape(text)
    );
    format!("{}{}{}", &xml[..start], replacement, &rest[end..])
}

/// Runs `crosswalk --db DB ARGS... --json` and returns the exit code and the JSON on stdout.
pub fn json_with_code(db: &Path, args: &[&str]) -> (i32, Value) {
    let out = crosswalk()
        .arg("--db")
        .arg(db)
        .args(args)
        .arg("--json")
        .output()
        .expect("runs");
    let code = out.status.code().expect("exits normally");
    let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is one JSON document ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, value)
}

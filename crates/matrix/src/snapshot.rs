//! The integrity snapshot: the exact text of every cell as exported, sealed with an HMAC keyed by
//! the engagement's secret. It lives in a very hidden sheet, so `verify` can name each altered
//! cell and `import-matrix` can tell the customer's edits from what was exported.

use crate::tables::{Cell, Role, Table, ABOUT, CONTENT_HASH_KEY, KEY};
use hmac::{Hmac, Mac};
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use sha2::Sha256;

/// Name of the very hidden sheet holding the snapshot (the importer recognises a matrix by it).
pub const INTEGRITY_SHEET: &str = crosswalk_domain::MATRIX_INTEGRITY_SHEET;
/// First cell of the integrity sheet; a reader refuses snapshots of another format.
pub const SNAPSHOT_FORMAT: &str = "crosswalk-matrix-snapshot/1";
/// Column of the integrity sheet's first row holding the key fingerprint (A: format, B: seal,
/// C: chunk count, D: the Owner dropdown's choices).
pub const KEY_ID_COLUMN: u16 = 4;
/// Characters per snapshot cell, safely under Excel's cell limit.
pub const CHUNK_CHARS: usize = 30_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    pub format: String,
    pub engagement: String,
    pub generated_at: String,
    pub catalogue_version: String,
    pub sheets: Vec<SheetSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SheetSnapshot {
    pub name: String,
    pub headers: Vec<String>,
    /// Headers of the columns a customer may edit.
    pub editable: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl SheetSnapshot {
    pub fn key_column(&self) -> Option<usize> {
        self.headers.iter().position(|h| h == KEY)
    }
}

/// The snapshot as a value; the writer serialises it through [`snapshot_json`] instead.
#[cfg(test)]
pub(crate) fn snapshot(
    tables: &[Table],
    engagement: &str,
    generated_at: &str,
    catalogue_version: &str,
) -> Snapshot {
    let sheets = tables
        .iter()
        .map(|t| SheetSnapshot {
            name: t.name.to_string(),
            headers: t.columns.iter().map(|c| c.header.to_string()).collect(),
            editable: t
                .columns
                .iter()
                .filter(|c| matches!(c.role, Role::Edit(_)))
                .map(|c| c.header.to_string())
                .collect(),
            rows: t
                .rows
                .iter()
                .map(|r| {
                    let cells: Vec<String> = r.cells.iter().map(|c| c.text()).collect();
                    blank_content_hash(t.name, cells, t.column(KEY))
                })
                .collect(),
        })
        .collect();
    Snapshot {
        format: SNAPSHOT_FORMAT.to_string(),
        engagement: engagement.to_string(),
        generated_at: generated_at.to_string(),
        catalogue_version: catalogue_version.to_string(),
        sheets,
    }
}

/// The snapshot of `tables` serialised as JSON, the very text `serde_json::to_string(&snapshot(…))`
/// gives, but read straight from the tables: no second copy of every cell is made.
pub(crate) fn snapshot_json(
    tables: &[Table],
    engagement: &str,
    generated_at: &str,
    catalogue_version: &str,
) -> Result<String, serde_json::Error> {
    serde_json::to_string(&SnapshotView {
        engagement,
        generated_at,
        catalogue_version,
        tables,
    })
}

/// Serialises like [`Snapshot`], borrowing everything.
struct SnapshotView<'a> {
    engagement: &'a str,
    generated_at: &'a str,
    catalogue_version: &'a str,
    tables: &'a [Table],
}

impl Serialize for SnapshotView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Snapshot", 5)?;
        st.serialize_field("format", SNAPSHOT_FORMAT)?;
        st.serialize_field("engagement", self.engagement)?;
        st.serialize_field("generated_at", self.generated_at)?;
        st.serialize_field("catalogue_version", self.catalogue_version)?;
        let sheets: Vec<SheetView> = self
            .tables
            .iter()
            .map(|table| SheetView { table })
            .collect();
        st.serialize_field("sheets", &sheets)?;
        st.end()
    }
}

struct SheetView<'a> {
    table: &'a Table,
}

impl Serialize for SheetView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.table;
        let mut st = s.serialize_struct("SheetSnapshot", 4)?;
        st.serialize_field("name", t.name)?;
        let headers: Vec<&str> = t.columns.iter().map(|c| c.header).collect();
        st.serialize_field("headers", &headers)?;
        let editable: Vec<&str> = t
            .columns
            .iter()
            .filter(|c| matches!(c.role, Role::Edit(_)))
            .map(|c| c.header)
            .collect();
        st.serialize_field("editable", &editable)?;
        st.serialize_field("rows", &RowsView { table: t })?;
        st.end()
    }
}

struct RowsView<'a> {
    table: &'a Table,
}

impl Serialize for RowsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.table;
        let key = t.column(KEY);
        let mut seq = s.serialize_seq(Some(t.rows.len()))?;
        for row in &t.rows {
            let hash_row = t.name == ABOUT
                && key
                    .and_then(|k| row.cells.get(k))
                    .is_some_and(|c| matches!(c, Cell::Text(k) | Cell::Refs { text: k, .. } if k == CONTENT_HASH_KEY));
            seq.serialize_element(&CellsView {
                cells: &row.cells,
                blank: if hash_row { Some(1) } else { None },
            })?;
        }
        seq.end()
    }
}

struct CellsView<'a> {
    cells: &'a [Cell],
    /// The cell written as empty text (the About row's content hash).
    blank: Option<usize>,
}

impl Serialize for CellsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.cells.len()))?;
        for (i, cell) in self.cells.iter().enumerate() {
            if Some(i) == self.blank {
                seq.serialize_element("")?;
                continue;
            }
            match cell {
                Cell::Text(t) | Cell::Refs { text: t, .. } => seq.serialize_element(t.as_str())?,
                Cell::Coverage(c) => seq.serialize_element(c.as_str())?,
                Cell::Number(_) => seq.serialize_element(&cell.text())?,
            }
        }
        seq.end()
    }
}

/// The About row carrying the hash cannot be part of what it hashes: its value is kept empty.
#[cfg(test)]
fn blank_content_hash(sheet: &str, mut cells: Vec<String>, key: Option<usize>) -> Vec<String> {
    if sheet == ABOUT
        && key
            .and_then(|k| cells.get(k))
            .is_some_and(|k| k == CONTENT_HASH_KEY)
    {
        if let Some(value) = cells.get_mut(1) {
            value.clear();
        }
    }
    cells
}

fn mac(secret: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length, so this cannot fail.
    <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

/// The keyed content hash of a serialised snapshot, hex.
pub(crate) fn seal(secret: &[u8], json: &str) -> String {
    let mut m = mac(secret);
    m.update(json.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// A public fingerprint of the engagement's key, written beside the seal: a reader holding another
/// key can then say "exported from another engagement" instead of "altered". It is a keyed hash
/// of a fixed label, so it reveals nothing that helps recompute or forge a seal.
pub(crate) fn key_id(secret: &[u8]) -> String {
    let mut m = mac(secret);
    m.update(b"crosswalk-matrix-key-id/1");
    hex::encode(&m.finalize().into_bytes()[..16])
}

/// Whether `seal_hex` is the keyed hash of `json` (constant-time comparison).
pub(crate) fn check(secret: &[u8], json: &str, seal_hex: &str) -> bool {
    let Ok(expected) = hex::decode(seal_hex.trim()) else {
        return false;
    };
    let mut m = mac(secret);
    m.update(json.as_bytes());
    m.verify_slice(&expected).is_ok()
}

/// Splits text into cells of at most `CHUNK_CHARS` characters, at character boundaries.
pub(crate) fn chunks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut n = 0;
    for (i, _) in text.char_indices() {
        if n == CHUNK_CHARS {
            out.push(&text[start..i]);
            start = i;
            n = 0;
        }
        n += 1;
    }
    if start < text.len() || out.is_empty() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
#[allow(unused_imports)]
#[path = "../tests/common/mod.rs"]
mod sample;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_borrowed_json_is_the_json_of_the_snapshot_value() {
        let mut model = sample::model();
        // A number cell, a refs cell, quotes and line breaks that JSON escapes.
        model.rows[0].notes = "say \"hi\"\nthen \\ leave".into();
        let mut warnings = Vec::new();
        let mut tables = crate::tables::build(&model, Some(100), &mut warnings);
        // The writer fills the About row's hash after sealing; the snapshot keeps it empty.
        for t in tables.iter_mut().filter(|t| t.name == ABOUT) {
            let k = t.column(KEY).unwrap();
            for row in &mut t.rows {
                if row.cells[k].text() == CONTENT_HASH_KEY {
                    row.cells[1] = Cell::Text("not part of the seal".into());
                }
            }
        }
        let value = snapshot(&tables, "Eng", "2025-05-02T10:00:00Z", "cat-1");
        let about = value.sheets.iter().find(|s| s.name == ABOUT).unwrap();
        let k = about.key_column().unwrap();
        let hash_row = about
            .rows
            .iter()
            .find(|r| r[k] == CONTENT_HASH_KEY)
            .unwrap();
        assert_eq!(hash_row[1], "");
        assert!(value.sheets[0].rows[0]
            .iter()
            .any(|c| c.contains("say \"hi\"")));
        let expected = serde_json::to_string(&value).unwrap();
        let got = snapshot_json(&tables, "Eng", "2025-05-02T10:00:00Z", "cat-1").unwrap();
        assert_eq!(got, expected);
        let back: Snapshot = serde_json::from_str(&got).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn chunks_cut_at_character_boundaries_and_join_back() {
        assert_eq!(chunks(""), [""]);
        let exact = "é".repeat(CHUNK_CHARS);
        assert_eq!(chunks(&exact), vec![exact.as_str()]);
        let text = format!("{exact}ab€{exact}");
        let parts = chunks(&text);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| p.chars().count() <= CHUNK_CHARS));
        assert_eq!(parts[1].chars().count(), CHUNK_CHARS);
        assert_eq!(parts[2].chars().count(), 3);
        assert_eq!(parts.concat(), text);
    }
}

//! The integrity snapshot: the exact text of every cell as exported, sealed with an HMAC keyed by
//! the engagement's secret. It lives in a very hidden sheet, so `verify` can name each altered
//! cell and `import-matrix` can tell the customer's edits from what was exported.

use crate::tables::{Role, Table, ABOUT, CONTENT_HASH_KEY, KEY};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
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

/// The About row carrying the hash cannot be part of what it hashes: its value is kept empty.
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
pub(crate) fn chunks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut n = 0;
    for (i, _) in text.char_indices() {
        if n == CHUNK_CHARS {
            out.push(text[start..i].to_string());
            start = i;
            n = 0;
        }
        n += 1;
    }
    if start < text.len() || out.is_empty() {
        out.push(text[start..].to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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

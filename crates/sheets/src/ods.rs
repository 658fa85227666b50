//! A pre-check for OpenDocument spreadsheets. calamine builds each ods table as one dense
//! range over its used area, so a single cell placed a million rows down would make it allocate
//! far beyond memory (and abort). This scan walks the table tags of `content.xml` — row and
//! column repeats included — to find each table's used area before calamine does.

use crate::error::{Location, Result, SheetError};
use std::io::Read;

/// Cells calamine may allocate for one table (it keeps a value and a formula per cell).
const MAX_AREA: u64 = 8_000_000;

pub(crate) fn check(file: &str, bytes: &[u8]) -> Result<()> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| SheetError::Damaged {
            file: file.to_string(),
            detail: e.to_string(),
        })?;
    let mut xml = Vec::new();
    match archive.by_name("content.xml") {
        Ok(mut part) => {
            part.read_to_end(&mut xml)
                .map_err(|e| SheetError::Damaged {
                    file: file.to_string(),
                    detail: format!("content.xml: {e}"),
                })?;
        }
        Err(_) => return Ok(()),
    }
    for (table, rows, cols) in used_areas(&xml) {
        if rows.saturating_mul(cols) > MAX_AREA {
            return Err(SheetError::TooLarge {
                file: file.to_string(),
                at: Location::sheet(table),
                detail: format!(
                    "its cells spread over {rows} rows × {cols} columns; only {MAX_AREA} cells can be read safely"
                ),
            });
        }
    }
    Ok(())
}

/// (table name, rows, columns) of the area that holds content in each table.
fn used_areas(xml: &[u8]) -> Vec<(String, u64, u64)> {
    let mut out = Vec::new();
    let (mut name, mut row, mut col) = (String::new(), 0u64, 0u64);
    let (mut row_repeat, mut row_filled) = (1u64, false);
    let (mut max_row, mut max_col): (Option<u64>, u64) = (None, 0);
    let mut i = 0;
    while let Some(start) = find(xml, b'<', i) {
        let end = find(xml, b'>', start).unwrap_or(xml.len());
        let tag = &xml[start + 1..end];
        i = end;
        let self_closing = tag.last() == Some(&b'/');
        let tag_name_end = tag
            .iter()
            .skip(1)
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .map_or(tag.len(), |p| p + 1);
        match &tag[..tag_name_end] {
            b"table:table" => {
                name = attr(tag, b"table:name=\"")
                    .map(|v| String::from_utf8_lossy(v).into_owned())
                    .unwrap_or_default();
                (row, max_row, max_col) = (0, None, 0);
            }
            b"table:table-row" => {
                row_repeat = number(tag, b"table:number-rows-repeated=\"");
                (col, row_filled) = (0, false);
                if self_closing {
                    row += row_repeat;
                }
            }
            b"table:table-cell" | b"table:covered-table-cell" => {
                let repeat = number(tag, b"table:number-columns-repeated=\"");
                let filled = attr(tag, b"office:value-type=\"").is_some() || !self_closing;
                if filled {
                    max_col = max_col.max(col + repeat);
                    row_filled = true;
                }
                col += repeat;
            }
            b"/table:table-row" => {
                if row_filled {
                    max_row = Some(row + row_repeat);
                }
                row += row_repeat;
            }
            b"/table:table" => {
                if let Some(rows) = max_row {
                    out.push((std::mem::take(&mut name), rows, max_col));
                }
            }
            _ => {}
        }
    }
    out
}

fn find(hay: &[u8], needle: u8, from: usize) -> Option<usize> {
    hay.get(from..)?
        .iter()
        .position(|b| *b == needle)
        .map(|p| p + from)
}

fn attr<'a>(tag: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let at = tag.windows(key.len()).position(|w| w == key)? + key.len();
    let len = tag[at..].iter().position(|b| *b == b'"')?;
    Some(&tag[at..at + len])
}

fn number(tag: &[u8], key: &[u8]) -> u64 {
    attr(tag, key)
        .and_then(|v| std::str::from_utf8(v).ok()?.parse().ok())
        .unwrap_or(1)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_empty_repeats_do_not_count_but_a_far_cell_does() {
        let tidy = br#"<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1023"/></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>"#;
        assert_eq!(used_areas(tidy), vec![("S".to_string(), 1, 1)]);
        let far = br#"<table:table table:name="S"><table:table-row table:number-rows-repeated="1048575"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="1023"/><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#;
        assert_eq!(used_areas(far), vec![("S".to_string(), 1_048_576, 1024)]);
    }
}

//! The sheet as the importer sees it: only the rows that have content, each row's cells as
//! trimmed text, plus the merged ranges. Every reader (CSV, xlsx, xls, ods) fills this, so the
//! detection rules run the same on every format.

use crate::error::{Location, Result, SheetError};

/// Bounds that keep a hostile or accidental file within memory: Excel itself stops at
/// 1,048,576 rows × 16,384 columns and 32,767 characters per cell.
pub(crate) const MAX_COLUMNS: u32 = 16_384;
pub(crate) const MAX_ROWS: u32 = 1_048_576;
pub(crate) const MAX_CELLS: usize = 5_000_000;
pub(crate) const MAX_TEXT_BYTES: usize = 512 * 1024 * 1024;
/// Far above Excel's 32,767 characters, so only a file that is not a table trips it.
pub(crate) const MAX_CELL_BYTES: usize = 1024 * 1024;

/// A merged range, 0-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Merge {
    pub top: u32,
    pub left: u32,
    pub bottom: u32,
    pub right: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRow {
    /// 0-based row index in the sheet.
    pub index: u32,
    /// Cells from column A to the last non-empty one; empty cells are "".
    pub cells: Vec<String>,
    /// How many fields the source record had (CSV); for workbooks the cell count.
    pub fields: u32,
}

impl RawRow {
    pub fn get(&self, col: u32) -> &str {
        self.cells
            .get(col as usize)
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn filled(&self) -> usize {
        self.cells.iter().filter(|c| !c.is_empty()).count()
    }
}

/// A cell holding an error value such as `#REF!`: kept as text, reported as a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorCell {
    pub row: u32,
    pub col: u32,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct RawSheet {
    pub name: String,
    /// Rows with at least one non-empty cell, ascending by index.
    pub rows: Vec<RawRow>,
    pub merges: Vec<Merge>,
    pub error_cells: Vec<ErrorCell>,
    /// Rows the sheet claims to span (its dimension), when the format declares it.
    pub declared_rows: Option<u32>,
    /// True for CSV/TSV input, where every record should have the header's field count.
    pub delimited: bool,
}

impl RawSheet {
    pub fn width(&self) -> u32 {
        self.rows
            .iter()
            .map(|r| r.cells.len() as u32)
            .max()
            .unwrap_or(0)
    }

    pub fn row(&self, index: u32) -> Option<&RawRow> {
        self.rows
            .binary_search_by_key(&index, |r| r.index)
            .ok()
            .map(|i| &self.rows[i])
    }

    /// Copies the value of each merged range to the cells it covers. In the header rows the
    /// whole rectangle is filled (a group title spans its sub-columns); below the header only
    /// the first column is filled downwards, because a merged value that spans rows applies to
    /// each of them while one spanning columns is a single value.
    pub fn fill_merges(&mut self, header_top: u32, header_bottom: u32) {
        let width = self.width();
        for m in self.merges.clone() {
            if m.left >= width || m.bottom < m.top || m.right < m.left {
                continue;
            }
            let value = match self.row(m.top) {
                Some(r) if !r.get(m.left).is_empty() => r.get(m.left).to_string(),
                _ => continue,
            };
            let right = m.right.min(width - 1);
            // Only rows that exist are visited, so a merge claiming a million rows costs the
            // rows that hold content.
            let first = self.rows.partition_point(|r| r.index < m.top);
            let last = self.rows.partition_point(|r| r.index <= m.bottom);
            for pos in first..last {
                let index = self.rows[pos].index;
                let in_header = index >= header_top && index <= header_bottom;
                let cols = if in_header {
                    m.left..=right
                } else {
                    m.left..=m.left
                };
                for c in cols {
                    if index == m.top && (c == m.left || !in_header) {
                        continue;
                    }
                    let cells = &mut self.rows[pos].cells;
                    if cells.len() <= c as usize {
                        cells.resize(c as usize + 1, String::new());
                    }
                    if cells[c as usize].is_empty() {
                        cells[c as usize] = value.clone();
                    }
                }
            }
        }
    }
}

/// Collects cells in any order and checks the bounds as they arrive, so a hostile sheet is
/// refused before it fills memory. Workbook readers hand cells over row by row, so rows are
/// kept in arrival order and only sorted at the end when some arrived out of order.
pub(crate) struct SheetBuilder<'a> {
    file: &'a str,
    name: String,
    /// Runs of cells by row index, in arrival order; one run per row while rows arrive in
    /// ascending order.
    rows: Vec<(u32, Vec<(u32, String)>)>,
    /// False once a row arrived below a later one (or a row came back after another).
    in_order: bool,
    cells: usize,
    bytes: usize,
    pub error_cells: Vec<ErrorCell>,
}

impl<'a> SheetBuilder<'a> {
    pub fn new(file: &'a str, name: &str) -> Self {
        SheetBuilder {
            file,
            name: name.to_string(),
            rows: Vec::new(),
            in_order: true,
            cells: 0,
            bytes: 0,
            error_cells: Vec::new(),
        }
    }

    pub fn push(&mut self, row: u32, col: u32, text: String) -> Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        let at = || {
            Location::sheet(&self.name)
                .row(row.saturating_add(1))
                .column(column_letter(col))
        };
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(SheetError::TooLarge {
                file: self.file.to_string(),
                at: at(),
                detail: format!(
                    "a cell lies beyond the largest sheet Excel allows ({MAX_ROWS} rows × {MAX_COLUMNS} columns)"
                ),
            });
        }
        if text.len() > MAX_CELL_BYTES {
            return Err(SheetError::TooLarge {
                file: self.file.to_string(),
                at: at(),
                detail: format!(
                    "one cell holds {} bytes; a spreadsheet cell holds at most 32,767 characters",
                    text.len()
                ),
            });
        }
        self.cells += 1;
        self.bytes += text.len();
        if self.cells > MAX_CELLS || self.bytes > MAX_TEXT_BYTES {
            return Err(SheetError::TooLarge {
                file: self.file.to_string(),
                at: Location::sheet(&self.name),
                detail: format!(
                    "more than {MAX_CELLS} filled cells or {} MiB of text",
                    MAX_TEXT_BYTES / 1024 / 1024
                ),
            });
        }
        match self.rows.last_mut() {
            Some((last, cells)) if *last == row => cells.push((col, text)),
            last => {
                let (prev, width) = last.map_or((None, 4), |(l, c)| (Some(*l), c.len()));
                if prev.is_some_and(|l| l > row) {
                    self.in_order = false;
                }
                let mut cells = Vec::with_capacity(width);
                cells.push((col, text));
                self.rows.push((row, cells));
            }
        }
        Ok(())
    }

    pub fn error_cell(&mut self, row: u32, col: u32, text: &str) {
        self.error_cells.push(ErrorCell {
            row,
            col,
            text: text.to_string(),
        });
    }

    pub fn finish(mut self, merges: Vec<Merge>, declared_rows: Option<u32>) -> RawSheet {
        if !self.in_order {
            // Stable, so a cell given twice keeps its last value, as when the runs are joined.
            self.rows.sort_by_key(|(r, _)| *r);
            let mut joined: Vec<(u32, Vec<(u32, String)>)> = Vec::with_capacity(self.rows.len());
            for (r, cells) in self.rows.drain(..) {
                match joined.last_mut() {
                    Some((last, run)) if *last == r => run.extend(cells),
                    _ => joined.push((r, cells)),
                }
            }
            self.rows = joined;
        }
        let rows = self
            .rows
            .into_iter()
            .map(|(index, mut cells)| {
                if !cells.is_sorted_by_key(|(c, _)| *c) {
                    cells.sort_by_key(|(c, _)| *c);
                }
                let width = cells.last().map(|(c, _)| *c as usize + 1).unwrap_or(0);
                let mut dense = Vec::with_capacity(width);
                for (c, t) in cells {
                    let c = c as usize;
                    if c < dense.len() {
                        // A cell given twice: the later value wins.
                        dense[c] = t;
                    } else {
                        dense.resize(c, String::new());
                        dense.push(t);
                    }
                }
                RawRow {
                    index,
                    fields: width as u32,
                    cells: dense,
                }
            })
            .collect();
        RawSheet {
            name: self.name,
            rows,
            merges,
            error_cells: self.error_cells,
            declared_rows,
            delimited: false,
        }
    }
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`, as Excel names columns.
pub(crate) fn column_letter(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_in_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(16_383), "XFD", "the last column Excel allows");
    }

    #[test]
    fn a_merged_value_applies_to_every_row_it_covers_but_not_sideways() {
        let mut b = SheetBuilder::new("f.xlsx", "S");
        for r in 0..4 {
            b.push(r, 0, format!("id{r}")).unwrap();
        }
        b.push(1, 1, "group".into()).unwrap();
        let mut sheet = b.finish(
            vec![Merge {
                top: 1,
                left: 1,
                bottom: 3,
                right: 2,
            }],
            None,
        );
        sheet.fill_merges(0, 0);
        assert_eq!(
            sheet.row(2).unwrap().get(1),
            "group",
            "carried down to row 3"
        );
        assert_eq!(
            sheet.row(3).unwrap().get(1),
            "group",
            "carried down to row 4"
        );
        assert_eq!(
            sheet.row(2).unwrap().get(2),
            "",
            "not copied into the next column"
        );
    }

    #[test]
    fn cells_given_out_of_order_land_in_their_rows_and_a_repeated_cell_keeps_its_last_value() {
        let mut b = SheetBuilder::new("f.ods", "S");
        b.push(2, 1, "c2".into()).unwrap();
        b.push(0, 2, "a3".into()).unwrap();
        b.push(2, 0, "c1".into()).unwrap();
        b.push(0, 0, "a1".into()).unwrap();
        b.push(2, 1, "c2 again".into()).unwrap();
        let sheet = b.finish(Vec::new(), None);
        let rows: Vec<(u32, Vec<&str>)> = sheet
            .rows
            .iter()
            .map(|r| (r.index, r.cells.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            rows,
            vec![(0, vec!["a1", "", "a3"]), (2, vec!["c1", "c2 again"])]
        );
        assert_eq!(sheet.rows[0].fields, 3);
    }
}

//! The one error type of the importer. Every variant names the file, and the sheet, row and
//! column where the problem is, so a consultant can open the file and find it.

use std::fmt;

/// Where in the file a problem sits. Rows are 1-based as in Excel; the column is its header
/// when known, else its letter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub sheet: Option<String>,
    pub row: Option<u32>,
    pub column: Option<String>,
}

impl Location {
    /// Boxed, because errors travel up every call and should stay small.
    pub fn sheet(sheet: impl Into<String>) -> Box<Self> {
        Box::new(Location {
            sheet: Some(sheet.into()),
            ..Location::default()
        })
    }

    pub fn file() -> Box<Self> {
        Box::default()
    }

    pub fn row(mut self: Box<Self>, row: u32) -> Box<Self> {
        self.row = Some(row);
        self
    }

    pub fn column(mut self: Box<Self>, column: impl Into<String>) -> Box<Self> {
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(s) = &self.sheet {
            parts.push(format!("sheet '{s}'"));
        }
        if let Some(r) = self.row {
            parts.push(format!("row {r}"));
        }
        if let Some(c) = &self.column {
            parts.push(format!("column '{c}'"));
        }
        // Printed right after the file name: "reqs.xlsx, sheet 'Reqs', row 3: …".
        for p in parts {
            write!(f, ", {p}")?;
        }
        Ok(())
    }
}

/// One id that appears on more than one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The normalised ref shared by the rows.
    pub reference: String,
    /// (sheet, 1-based row, id as written) of every row carrying it, in source order.
    pub rows: Vec<(String, u32, String)>,
}

impl fmt::Display for Duplicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' on ", self.reference)?;
        let mut sheets: Vec<&str> = Vec::new();
        for (sheet, _, _) in &self.rows {
            if !sheets.contains(&sheet.as_str()) {
                sheets.push(sheet);
            }
        }
        let mut groups = Vec::new();
        for sheet in sheets {
            let rows: Vec<String> = self
                .rows
                .iter()
                .filter(|(s, _, _)| s == sheet)
                .map(|(_, row, written)| {
                    if *written == self.reference {
                        row.to_string()
                    } else {
                        format!("{row} ('{written}')")
                    }
                })
                .collect();
            let label = if rows.len() > 1 { "rows" } else { "row" };
            groups.push(format!("sheet '{sheet}' {label} {}", rows.join(", ")));
        }
        f.write_str(&groups.join(" and "))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("{file}: the file is empty")]
    Empty { file: String },

    #[error("{file}: not a spreadsheet or CSV file ({detail})")]
    NotASpreadsheet { file: String, detail: String },

    #[error("{file}: this workbook is encrypted (password-protected); save an unprotected copy and import that")]
    Encrypted { file: String },

    #[error("{file}: the workbook is damaged or incomplete ({detail})")]
    Damaged { file: String, detail: String },

    #[error("{file}{at}: cannot be read ({detail})")]
    Unreadable {
        file: String,
        at: Box<Location>,
        detail: String,
    },

    #[error("{file}{at}: too large to import safely ({detail})")]
    TooLarge {
        file: String,
        at: Box<Location>,
        detail: String,
    },

    #[error("{file}{at}: {detail}")]
    Encoding {
        file: String,
        at: Box<Location>,
        detail: String,
    },

    #[error("{file}{at}: {detail}")]
    InconsistentRow {
        file: String,
        at: Box<Location>,
        detail: String,
    },

    #[error("{file}{at}: no header row found ({detail}); name it with --header-row")]
    NoHeader {
        file: String,
        at: Box<Location>,
        detail: String,
    },

    #[error("{file}: no sheet looks like a requirement list ({detail}); name one with --sheet")]
    NoRequirementSheet { file: String, detail: String },

    #[error("{file}: no sheet named '{wanted}' (the sheets are: {available})")]
    UnknownSheet {
        file: String,
        wanted: String,
        available: String,
    },

    #[error(
        "{file}{at}: header row {header_row} is outside the sheet (its last row is {last_row})"
    )]
    HeaderRowOutOfRange {
        file: String,
        at: Box<Location>,
        header_row: u32,
        last_row: u32,
    },

    #[error("{file}{at}: no column is headed '{wanted}' (the headers are: {available})")]
    UnknownColumn {
        file: String,
        at: Box<Location>,
        wanted: String,
        available: String,
    },

    /// The caller of a streamed read asked it to stop (it failed or was cancelled).
    #[error("{file}: reading was stopped before the end")]
    Stopped { file: String },

    #[error("{file}: duplicate ids: {}", list_duplicates(.duplicates))]
    DuplicateIds {
        file: String,
        duplicates: Vec<Duplicate>,
    },
}

fn list_duplicates(duplicates: &[Duplicate]) -> String {
    duplicates
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

pub type Result<T, E = SheetError> = std::result::Result<T, E>;

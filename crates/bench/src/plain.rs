//! A plain importer made of the libraries alone: the second baseline of the import.
//!
//! calamine (or the csv crate) alone only *reads*; an import also stores and indexes, and
//! SQLite with FTS5 is as much a library Crosswalk stands on as calamine is. This importer does
//! the storing and indexing the simplest sound way a hand-written script would, with no
//! detection, normalising, diffing or audit: the reader on one thread hands batches of rows to
//! the writer on another, the rows go into a table shaped like Crosswalk's `items` (id, title,
//! text, section, and every other column as a JSON object) in one transaction, and an FTS5
//! index over the same four columns and with the same tokenizer is built in one statement
//! before the commit. The connection is opened as Crosswalk opens its files (WAL, synchronous
//! NORMAL). It knows the generated sheet's layout (`generate::HEADERS`, `HEADER_ROW`) instead
//! of detecting it.

use crate::generate::{HEADERS, HEADER_ROW};
use crate::measure::{timed, Sample};
use anyhow::{anyhow, bail, Context, Result};
use calamine::{Data, DataRef, Reader};
use std::path::Path;
use std::sync::mpsc;

/// Rows handed from the reader to the writer at a time.
const BATCH: usize = 512;

/// The columns of the generated sheet that Crosswalk stores in their own fields (the rest go
/// into the attributes object), by header.
const SECTION: &str = "Domain";
const REFERENCE: &str = "Req ID";
const TITLE: &str = "Title";
const TEXT: &str = "Requirement";

fn column(header: &str) -> usize {
    HEADERS
        .iter()
        .position(|h| *h == header)
        .expect("the generator writes this header")
}

const SCHEMA: &str = "
CREATE TABLE items (
    id         INTEGER PRIMARY KEY,
    ref        TEXT NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    text       TEXT NOT NULL,
    section    TEXT,
    row        INTEGER NOT NULL,
    attributes TEXT NOT NULL
);
CREATE VIRTUAL TABLE items_fts USING fts5(
    ref, title, text, section,
    content = 'items', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
";

/// Imports the generated sheet `file` (xlsx or CSV) into a new SQLite file `db`; making the
/// empty file and its tables is not timed, as making Crosswalk's empty engagement is not.
pub fn plain_import(file: &Path, db: &Path) -> Result<Sample> {
    if db.exists() {
        bail!(
            "{} exists; the plain import makes its own file",
            db.display()
        );
    }
    let mut conn = rusqlite::Connection::open(db)?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(SCHEMA)?;
    let csv = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let file = file.to_path_buf();
    timed(move || {
        let (send, receive) = mpsc::sync_channel::<Vec<Vec<String>>>(8);
        let reader = std::thread::spawn(move || {
            if csv {
                read_csv(&file, send)
            } else {
                read_xlsx(&file, send)
            }
        });
        let stored = store(&mut conn, receive);
        let read = reader
            .join()
            .map_err(|_| anyhow!("the reader thread panicked"))?;
        read?;
        let stored = stored?;
        conn.close().map_err(|(_, e)| e)?;
        Ok(format!("{stored} rows stored and indexed"))
    })
}

/// Every data row below the header, each with one text per header column (empty when the
/// cell is), in sheet order.
fn read_xlsx(file: &Path, send: mpsc::SyncSender<Vec<Vec<String>>>) -> Result<()> {
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(file)
        .with_context(|| format!("calamine cannot open {}", file.display()))?;
    let name = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| anyhow!("{} has no sheet", file.display()))?;
    let mut cells = wb.worksheet_cells_reader(&name)?;
    let first_data_row = HEADER_ROW; // 0-based index of the row below the header
    let mut batch: Vec<Vec<String>> = Vec::with_capacity(BATCH);
    let mut current: Option<(u32, Vec<String>)> = None;
    while let Some(cell) = cells.next_cell()? {
        let (r, c) = cell.get_position();
        if r < first_data_row || c as usize >= HEADERS.len() {
            continue;
        }
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) => s.clone(),
            DataRef::SharedString(s) => s.to_string(),
            other => Data::from(other.clone()).to_string(),
        };
        if current.as_ref().is_none_or(|(row, _)| *row != r) {
            if let Some((_, done)) = current.take() {
                batch.push(done);
                if batch.len() == BATCH {
                    send.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))?;
                }
            }
            current = Some((r, vec![String::new(); HEADERS.len()]));
        }
        if let Some((_, row)) = current.as_mut() {
            row[c as usize] = text;
        }
    }
    batch.extend(current.map(|(_, row)| row));
    if !batch.is_empty() {
        send.send(batch)?;
    }
    Ok(())
}

fn read_csv(file: &Path, send: mpsc::SyncSender<Vec<Vec<String>>>) -> Result<()> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_path(file)?;
    let mut batch: Vec<Vec<String>> = Vec::with_capacity(BATCH);
    for record in r.records() {
        let record = record?;
        let mut row: Vec<String> = record.iter().map(str::to_string).collect();
        row.resize(HEADERS.len(), String::new());
        batch.push(row);
        if batch.len() == BATCH {
            send.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))?;
        }
    }
    if !batch.is_empty() {
        send.send(batch)?;
    }
    Ok(())
}

/// Stores the rows as they arrive and indexes them, in one transaction; returns their count.
fn store(
    conn: &mut rusqlite::Connection,
    receive: mpsc::Receiver<Vec<Vec<String>>>,
) -> Result<usize> {
    let (section, reference, title, text) = (
        column(SECTION),
        column(REFERENCE),
        column(TITLE),
        column(TEXT),
    );
    let tx = conn.transaction()?;
    let mut stored = 0usize;
    {
        let mut insert = tx.prepare(
            "INSERT INTO items (ref, title, text, section, row, attributes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        // The section is written once, merged down over its rows: carry it to each of them.
        let mut last_section = String::new();
        for batch in receive {
            for row in batch {
                if !row[section].is_empty() {
                    last_section.clone_from(&row[section]);
                }
                let mut attributes = serde_json::Map::new();
                for (c, value) in row.iter().enumerate() {
                    if ![section, reference, title, text].contains(&c) && !value.is_empty() {
                        attributes.insert(HEADERS[c].to_string(), value.as_str().into());
                    }
                }
                stored += 1;
                insert.execute(rusqlite::params![
                    row[reference],
                    row[title],
                    row[text],
                    last_section,
                    stored as i64 + i64::from(HEADER_ROW),
                    serde_json::Value::Object(attributes).to_string(),
                ])?;
            }
        }
    }
    tx.execute(
        "INSERT INTO items_fts (rowid, ref, title, text, section)
         SELECT id, ref, title, text, section FROM items",
        [],
    )?;
    tx.commit()?;
    Ok(stored)
}

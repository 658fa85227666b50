//! Workbooks (xlsx, xlsm, xlsb, xls, ods) through calamine. The container is checked first: a
//! zip whose parts would inflate beyond a bound is refused before calamine reads it (calamine
//! aborts the process on such files rather than returning an error), and xlsx/xlsb sheets are
//! streamed cell by cell so that a sheet claiming a million rows costs only its real cells.

use crate::cells::{from_data, from_data_ref, CellText};
use crate::error::{Location, Result, SheetError};
use crate::grid::{Merge, RawSheet, SheetBuilder};
use calamine::{Dimensions, Ods, Reader, Xls, Xlsb, Xlsx};
use std::io::{Cursor, Read};

/// No part of a real requirement workbook comes near this; a zip bomb does.
const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;
const MAX_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Xlsx => "Excel workbook (xlsx/xlsm)",
            Kind::Xlsb => "Excel binary workbook (xlsb)",
            Kind::Ods => "OpenDocument spreadsheet (ods)",
            Kind::Xls => "legacy Excel workbook (xls)",
        }
    }
}

thread_local! {
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while this thread reads a workbook inside [`contained`]: a panic raised there (by
/// calamine or the zip reader, on a damaged file) becomes an error naming the file, so a panic
/// hook can stay quiet about it instead of reporting a crash that is not one.
pub fn panic_is_contained() -> bool {
    CONTAINED.with(|c| c.get())
}

/// Runs `read` (everything that hands the file to calamine or the zip reader) so that a panic
/// in those libraries becomes [`SheetError::Damaged`]. Fuzzing found such panics in calamine
/// 0.38 on damaged legacy .xls files (slice bounds in its CFB reader, integer overflow in its
/// record parser). An abort, such as a failed huge allocation, cannot be caught: the bounds
/// checked in [`sniff`] and the streaming readers are what prevent those.
pub(crate) fn contained<T>(file: &str, read: impl FnOnce() -> Result<T>) -> Result<T> {
    let was = CONTAINED.with(|c| c.replace(true));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    CONTAINED.with(|c| c.set(was));
    match out {
        Ok(result) => result,
        Err(payload) => {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no detail".into());
            Err(SheetError::Damaged {
                file: file.to_string(),
                detail: format!(
                    "the spreadsheet reader stopped on a structure it cannot handle ({why}); the file is damaged or was not written by a spreadsheet program"
                ),
            })
        }
    }
}

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub(crate) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

pub(crate) fn is_cfb(bytes: &[u8]) -> bool {
    bytes.starts_with(&CFB_MAGIC)
}

/// Tells the workbook kind from the container, checking a zip's parts on the way.
pub(crate) fn sniff(file: &str, bytes: &[u8]) -> Result<Kind> {
    if is_cfb(bytes) {
        // An encrypted xlsx is an OLE container holding an `EncryptedPackage` stream; its
        // directory names are UTF-16.
        let marker: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        if bytes.windows(marker.len()).any(|w| w == marker.as_slice()) {
            return Err(SheetError::Encrypted {
                file: file.to_string(),
            });
        }
        return Ok(Kind::Xls);
    }
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| SheetError::Damaged {
            file: file.to_string(),
            detail: format!("its zip container cannot be opened: {e}"),
        })?;
    check_parts(file, &mut archive)?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok())
        .map(|n| n.trim_start_matches('/').to_string())
        .collect();
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    if has("xl/workbook.bin") {
        Ok(Kind::Xlsb)
    } else if has("xl/workbook.xml") || names.iter().any(|n| n.ends_with("workbook.xml")) {
        Ok(Kind::Xlsx)
    } else if has("content.xml") && has("mimetype") {
        Ok(Kind::Ods)
    } else {
        Err(SheetError::NotASpreadsheet {
            file: file.to_string(),
            detail: "a zip archive without a workbook inside".into(),
        })
    }
}

/// Refuses a container whose parts inflate past the bounds. The declared sizes are checked
/// first (cheap); then every part is inflated into nothing, counting bytes, because a zip's
/// declared sizes can lie.
fn check_parts(file: &str, archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Result<()> {
    let too_large = |part: &str, detail: String| SheetError::TooLarge {
        file: file.to_string(),
        at: Location::file(),
        detail: format!("part '{part}': {detail}"),
    };
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| damaged(file, e))?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let size = entry.size();
        if size > MAX_PART_BYTES {
            return Err(too_large(
                &name,
                format!("the part inflates to {size} bytes (a zip bomb?)"),
            ));
        }
        total = total.saturating_add(size);
        if total > MAX_TOTAL_BYTES {
            return Err(too_large(
                &name,
                format!("the parts inflate to more than {MAX_TOTAL_BYTES} bytes"),
            ));
        }
    }
    let mut inflated: u64 = 0;
    for i in 0..archive.len() {
        let entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(zip::result::ZipError::UnsupportedArchive(m)) if m.contains("assword") => {
                return Err(SheetError::Encrypted {
                    file: file.to_string(),
                })
            }
            Err(e) => return Err(damaged(file, e)),
        };
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let mut refs = RefCheck::new(name.starts_with("xl/worksheets/"));
        let n = std::io::copy(&mut entry.take(MAX_PART_BYTES + 1), &mut refs).map_err(|e| {
            SheetError::Damaged {
                file: file.to_string(),
                detail: format!("part '{name}': {e}"),
            }
        })?;
        if n > MAX_PART_BYTES {
            return Err(too_large(
                &name,
                format!("the part inflates to more than {MAX_PART_BYTES} bytes (a zip bomb?)"),
            ));
        }
        if let Some(bad) = refs.bad {
            return Err(SheetError::Damaged {
                file: file.to_string(),
                detail: format!(
                    "part '{name}': cell reference '{bad}' is beyond Excel's XFD1048576"
                ),
            });
        }
        inflated += n;
        if inflated > MAX_TOTAL_BYTES {
            return Err(too_large(
                &name,
                format!("the parts inflate to more than {MAX_TOTAL_BYTES} bytes"),
            ));
        }
    }
    Ok(())
}

/// Watches a worksheet's XML for cell references (`r`, `ref`, `sqref` attributes) with more
/// than 3 column letters or 7 row digits: calamine's parser overflows on them (a panic in debug
/// builds, a wrapped position otherwise), and no real sheet has one.
struct RefCheck {
    on: bool,
    /// The attribute name being read (its last few letters).
    attr: Vec<u8>,
    after_equals: bool,
    /// Inside a reference value: its closing quote and the current token.
    quote: Option<u8>,
    token: Vec<u8>,
    bad: Option<String>,
}

impl RefCheck {
    fn new(on: bool) -> RefCheck {
        RefCheck {
            on,
            attr: Vec::new(),
            after_equals: false,
            quote: None,
            token: Vec::new(),
            bad: None,
        }
    }

    fn end_token(&mut self) {
        let t = std::mem::take(&mut self.token);
        let letters = t.iter().filter(|b| b.is_ascii_alphabetic()).count();
        let digits = t.iter().filter(|b| b.is_ascii_digit()).count();
        if (letters > 3 || digits > 7) && self.bad.is_none() {
            self.bad = Some(String::from_utf8_lossy(&t[..t.len().min(40)]).into_owned());
        }
    }
}

impl std::io::Write for RefCheck {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.on || self.bad.is_some() {
            return Ok(buf.len());
        }
        for &b in buf {
            if let Some(q) = self.quote {
                match b {
                    _ if b == q => {
                        self.end_token();
                        self.quote = None;
                    }
                    b':' | b' ' => self.end_token(),
                    _ if self.token.len() < 64 => self.token.push(b),
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' | b'\'' if self.after_equals => {
                    if matches!(self.attr.as_slice(), b"r" | b"ref" | b"sqref") {
                        self.quote = Some(b);
                    }
                    self.after_equals = false;
                    self.attr.clear();
                }
                b'=' => self.after_equals = true,
                // Namespace prefixes belong to the name: `xmlns:r` is not `r`.
                _ if b.is_ascii_alphabetic() || b == b':' => {
                    if self.attr.len() == 8 {
                        self.attr.remove(0);
                    }
                    self.attr.push(b);
                    self.after_equals = false;
                }
                _ => {
                    self.attr.clear();
                    self.after_equals = false;
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn damaged(file: &str, e: impl std::fmt::Display) -> SheetError {
    SheetError::Damaged {
        file: file.to_string(),
        detail: e.to_string(),
    }
}

/// Every worksheet in workbook order, plus notes on sheets that could not be used.
pub(crate) fn read(file: &str, bytes: &[u8], kind: Kind) -> Result<(Vec<RawSheet>, Vec<String>)> {
    let cursor = Cursor::new(bytes);
    match kind {
        Kind::Xlsx => {
            let mut wb = Xlsx::new(cursor).map_err(|e| xlsx_error(file, e))?;
            let mut sheets = Vec::new();
            let mut notes = Vec::new();
            for name in wb.sheet_names() {
                match read_xlsx_sheet(file, &mut wb, &name)? {
                    Some(s) => sheets.push(s),
                    None => notes.push(format!(
                        "sheet '{name}' is not a worksheet (a chart?) and was left out"
                    )),
                }
            }
            Ok((sheets, notes))
        }
        Kind::Xlsb => {
            let mut wb = Xlsb::new(cursor).map_err(|e| {
                let password = matches!(e, calamine::XlsbError::Password);
                open_error(file, e, password)
            })?;
            let mut sheets = Vec::new();
            for name in wb.sheet_names() {
                let mut b = SheetBuilder::new(file, &name);
                let mut reader = wb
                    .worksheet_cells_reader(&name)
                    .map_err(|e| sheet_error(file, &name, e))?;
                let dims = reader.dimensions();
                while let Some(cell) = reader
                    .next_cell()
                    .map_err(|e| sheet_error(file, &name, e))?
                {
                    let (r, c) = cell.get_position();
                    push(&mut b, r, c, from_data_ref(cell.get_value()))?;
                }
                drop(reader);
                sheets.push(b.finish(Vec::new(), declared(dims)));
            }
            Ok((sheets, Vec::new()))
        }
        Kind::Xls => {
            let mut wb = Xls::new(cursor).map_err(|e| {
                let password = matches!(e, calamine::XlsError::Password);
                open_error(file, e, password)
            })?;
            let mut sheets = Vec::new();
            for name in wb.sheet_names() {
                let range = wb
                    .worksheet_range(&name)
                    .map_err(|e| sheet_error(file, &name, e))?;
                let merges = wb.merge_cells_by_sheet_name(&name).unwrap_or_default();
                let mut b = SheetBuilder::new(file, &name);
                for (r, c, v) in range.used_cells() {
                    let (r0, c0) = range.start().unwrap_or((0, 0));
                    push(&mut b, r0 + r as u32, c0 + c as u32, from_data(v))?;
                }
                sheets.push(b.finish(merges.iter().map(to_merge).collect(), None));
            }
            Ok((sheets, Vec::new()))
        }
        Kind::Ods => {
            let mut wb: Ods<_> = Ods::new(cursor).map_err(|e| {
                let password = matches!(e, calamine::OdsError::Password);
                open_error(file, e, password)
            })?;
            let mut sheets = Vec::new();
            for name in wb.sheet_names() {
                let range = wb
                    .worksheet_range(&name)
                    .map_err(|e| sheet_error(file, &name, e))?;
                let mut b = SheetBuilder::new(file, &name);
                for (r, c, v) in range.used_cells() {
                    let (r0, c0) = range.start().unwrap_or((0, 0));
                    push(&mut b, r0 + r as u32, c0 + c as u32, from_data(v))?;
                }
                sheets.push(b.finish(Vec::new(), None));
            }
            Ok((sheets, Vec::new()))
        }
    }
}

fn read_xlsx_sheet(
    file: &str,
    wb: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<RawSheet>> {
    let mut b = SheetBuilder::new(file, name);
    let dims;
    {
        let mut reader = match wb.worksheet_cells_reader(name) {
            Ok(r) => r,
            Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(None),
            Err(e) => return Err(sheet_error(file, name, e)),
        };
        dims = reader.dimensions();
        while let Some(cell) = reader.next_cell().map_err(|e| sheet_error(file, name, e))? {
            let (r, c) = cell.get_position();
            push(&mut b, r, c, from_data_ref(cell.get_value()))?;
        }
    }
    let merges = wb
        .merge_cells_by_sheet_name(name)
        .map_err(|e| sheet_error(file, name, e))?;
    Ok(Some(b.finish(
        merges.iter().map(to_merge).collect(),
        declared(dims),
    )))
}

fn push(b: &mut SheetBuilder<'_>, r: u32, c: u32, t: CellText) -> Result<()> {
    match t {
        CellText::Empty => Ok(()),
        CellText::Text(s) => b.push(r, c, s),
        CellText::Error(s) => {
            b.error_cell(r, c, &s);
            b.push(r, c, s)
        }
    }
}

fn declared(d: Dimensions) -> Option<u32> {
    (d.end.0 >= d.start.0 && d != Dimensions::default()).then(|| d.end.0 - d.start.0 + 1)
}

fn to_merge(d: &Dimensions) -> Merge {
    Merge {
        top: d.start.0,
        left: d.start.1,
        bottom: d.end.0,
        right: d.end.1,
    }
}

fn xlsx_error(file: &str, e: calamine::XlsxError) -> SheetError {
    match e {
        calamine::XlsxError::Password => SheetError::Encrypted {
            file: file.to_string(),
        },
        calamine::XlsxError::Zip(z) => damaged(file, z),
        other => damaged(file, other),
    }
}

fn open_error(file: &str, e: impl std::fmt::Display, password: bool) -> SheetError {
    if password {
        SheetError::Encrypted {
            file: file.to_string(),
        }
    } else {
        damaged(file, e)
    }
}

fn sheet_error(file: &str, sheet: &str, e: impl std::fmt::Display) -> SheetError {
    SheetError::Unreadable {
        file: file.to_string(),
        at: Location::sheet(sheet),
        detail: e.to_string(),
    }
}

//! Delimited text (csv, tsv, txt): the encoding is detected (byte-order marks, then UTF-8, then
//! a guess that in practice lands on Windows-1252 for Western exports) and the delimiter is
//! sniffed among comma, semicolon, tab and pipe by how consistently each splits the first
//! records. Quoted fields may span lines.

use crate::cells::clean;
use crate::error::{Location, Result, SheetError};
use crate::grid::{column_letter, RawSheet, SheetBuilder, MAX_COLUMNS};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};
use std::borrow::Cow;

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Enough text to judge the delimiter without parsing a large file twice.
const SNIFF_BYTES: usize = 64 * 1024;
const SNIFF_RECORDS: usize = 50;

/// The file's text: borrowed from its bytes when they are already UTF-8 (most files; no copy
/// of tens of megabytes), decoded into a new string otherwise.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub note: String,
}

/// Reads the whole file as one sheet named `sheet_name`.
pub(crate) fn read(
    file: &str,
    bytes: &[u8],
    sheet_name: &str,
    prefer_tab: bool,
) -> Result<(RawSheet, Vec<String>)> {
    let decoded = decode(file, bytes, sheet_name)?;
    let delimiter = sniff(&decoded.text, prefer_tab);
    if let Some(open) = unclosed_quote(&decoded.text, delimiter) {
        return Err(SheetError::Unreadable {
            file: file.to_string(),
            at: Location::sheet(sheet_name)
                .row(open.record)
                .column(column_letter(open.field)),
            detail: format!(
                "a quote opened here (line {}) is never closed, so every line after it would be read into this one cell; close the quote or remove it",
                open.line
            ),
        });
    }
    let mut notes = vec![decoded.note];
    notes.push(format!(
        "fields are separated by {}",
        delimiter_name(delimiter)
    ));

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(decoded.text.as_bytes());
    let mut builder = SheetBuilder::new(file, sheet_name);
    let mut fields = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut row: u32 = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(SheetError::Unreadable {
                    file: file.to_string(),
                    at: Location::sheet(sheet_name).row(row + 1),
                    detail: e.to_string(),
                })
            }
        }
        if record.len() as u32 > MAX_COLUMNS {
            return Err(SheetError::TooLarge {
                file: file.to_string(),
                at: Location::sheet(sheet_name).row(row + 1),
                detail: format!(
                    "the record has {} fields; a sheet has at most {MAX_COLUMNS} columns",
                    record.len()
                ),
            });
        }
        for (col, field) in record.iter().enumerate() {
            builder.push(row, col as u32, clean(field))?;
        }
        fields.push((row, record.len() as u32));
        row += 1;
    }
    let mut sheet = builder.finish(Vec::new(), Some(row));
    sheet.delimited = true;
    for r in &mut sheet.rows {
        if let Ok(i) = fields.binary_search_by_key(&r.index, |(row, _)| *row) {
            r.fields = fields[i].1;
        }
    }
    Ok((sheet, notes))
}

/// Where a quoted field opens, 1-based record and line, 0-based field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct QuoteOpen {
    record: u32,
    line: u32,
    field: u32,
}

/// Reads the text the way a CSV reader does (a quote opens a field only at its start; `""`
/// inside a quoted field is a quote) and returns where a quoted field opens that never closes.
///
/// Works on bytes: every byte that matters (quote, delimiter, line breaks) is ASCII, and no
/// byte of a multi-byte UTF-8 character is. Inside a quoted field, which in requirement sheets
/// holds the long texts, it jumps from one quote or line break to the next.
fn unclosed_quote(text: &str, delimiter: u8) -> Option<QuoteOpen> {
    let bytes = text.as_bytes();
    let (mut record, mut line, mut field) = (1u32, 1u32, 0u32);
    let mut field_start = true;
    let mut open: Option<QuoteOpen> = None;
    let mut i = 0;
    while i < bytes.len() {
        if open.is_some() {
            let Some(skip) = memchr::memchr3(b'"', b'\n', b'\r', &bytes[i..]) else {
                break;
            };
            i += skip;
            let next = bytes.get(i + 1).copied();
            match bytes[i] {
                b'"' if next == Some(b'"') => i += 1,
                b'"' => open = None,
                b'\n' => line += 1,
                b'\r' if next != Some(b'\n') => line += 1,
                _ => {}
            }
            i += 1;
            continue;
        }
        let b = bytes[i];
        match b {
            b'"' if field_start => {
                open = Some(QuoteOpen {
                    record,
                    line,
                    field,
                });
                field_start = false;
            }
            b'\n' | b'\r' => {
                if b == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                    line += 1;
                    record += 1;
                    field = 0;
                }
                field_start = true;
            }
            _ if b == delimiter => {
                field += 1;
                field_start = true;
            }
            _ => field_start = false,
        }
        i += 1;
    }
    open
}

fn delimiter_name(d: u8) -> &'static str {
    match d {
        b';' => "semicolons",
        b'\t' => "tabs",
        b'|' => "pipes",
        _ => "commas",
    }
}

/// Decodes the bytes, saying how. A byte-order mark is a declaration: bytes that break it are
/// an error, not something to guess around.
pub(crate) fn decode<'a>(file: &str, bytes: &'a [u8], sheet: &str) -> Result<Decoded<'a>> {
    let declared: Option<(&'static Encoding, usize, &str)> =
        if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            Some((UTF_8, 3, "UTF-8 with a byte-order mark"))
        } else if bytes.starts_with(&[0xFF, 0xFE]) {
            Some((UTF_16LE, 2, "UTF-16 little-endian (byte-order mark)"))
        } else if bytes.starts_with(&[0xFE, 0xFF]) {
            Some((UTF_16BE, 2, "UTF-16 big-endian (byte-order mark)"))
        } else {
            None
        };
    if let Some((encoding, skip, how)) = declared {
        let body = &bytes[skip..];
        return match encoding.decode_without_bom_handling_and_without_replacement(body) {
            Some(text) => Ok(Decoded {
                text,
                note: format!("decoded as {how}"),
            }),
            None => {
                let line = first_bad_line(encoding, body);
                Err(SheetError::Encoding {
                    file: file.to_string(),
                    at: Location::sheet(sheet).row(line),
                    detail: format!(
                        "the file declares {how} but line {line} holds bytes that are not valid in it"
                    ),
                })
            }
        };
    }
    if let Some(utf16) = utf16_without_bom(bytes) {
        if let Some(text) = utf16.decode_without_bom_handling_and_without_replacement(bytes) {
            return Ok(Decoded {
                text,
                note: format!(
                    "decoded as {} (no byte-order mark, detected from its zero bytes)",
                    utf16.name()
                ),
            });
        }
    }
    if let Some(at) = memchr::memchr(0, bytes) {
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        let zeros = bytes.iter().filter(|b| **b == 0).count();
        return Err(SheetError::NotASpreadsheet {
            file: file.to_string(),
            detail: format!(
                "it holds binary data, not delimited text: {zeros} NUL byte(s), the first on line {line}"
            ),
        });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: Cow::Borrowed(text),
            note: "decoded as UTF-8".into(),
        });
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    let (text, _) = guess.decode_without_bom_handling(bytes);
    Ok(Decoded {
        text,
        note: format!(
            "not valid UTF-8; decoded as {} (detected from its bytes)",
            guess.name()
        ),
    })
}

/// UTF-16 text without a byte-order mark shows as ASCII interleaved with zero bytes.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_zero = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_zero = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    if odd_zero * 10 > pairs * 7 && even_zero * 10 < pairs {
        Some(UTF_16LE)
    } else if even_zero * 10 > pairs * 7 && odd_zero * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

fn first_bad_line(encoding: &'static Encoding, body: &[u8]) -> u32 {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(body.len() * 2 + 16);
    let _ = decoder.decode_to_string_without_replacement(body, &mut out, true);
    out.matches('\n').count() as u32 + 1
}

/// Picks the delimiter that splits the first records into the same number (> 1) of fields
/// most consistently; ties go to the larger field count. A `.tsv` name favours tabs.
pub(crate) fn sniff(text: &str, prefer_tab: bool) -> u8 {
    let mut end = text.len().min(SNIFF_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    let truncated = end < text.len();
    let mut best = (b',', 0.0_f64, 0_usize);
    for d in DELIMITERS {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(sample.as_bytes());
        let mut counts: Vec<usize> = Vec::new();
        for rec in reader.records().take(SNIFF_RECORDS) {
            match rec {
                Ok(r) => counts.push(r.len()),
                Err(_) => break,
            }
        }
        // The last record of a cut sample may be cut short itself.
        if truncated && counts.len() > 1 {
            counts.pop();
        }
        if counts.is_empty() {
            continue;
        }
        let mode = mode(&counts);
        if mode < 2 {
            continue;
        }
        let consistent = counts.iter().filter(|c| **c == mode).count() as f64 / counts.len() as f64;
        let score = consistent + if prefer_tab && d == b'\t' { 0.5 } else { 0.0 };
        if score > best.1 + 1e-9 || ((score - best.1).abs() < 1e-9 && mode > best.2) {
            best = (d, score, mode);
        }
    }
    best.0
}

fn mode(counts: &[usize]) -> usize {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let (mut best, mut best_n, mut i) = (0, 0, 0);
    while i < sorted.len() {
        let j = sorted[i..].iter().take_while(|c| **c == sorted[i]).count();
        if j > best_n || (j == best_n && sorted[i] > best) {
            best = sorted[i];
            best_n = j;
        }
        i += j;
    }
    best
}

/// Checks a delimited sheet's records against its header: a record with more filled fields
/// than the header has columns means a field held an unquoted delimiter, and the columns after
/// it would be misread.
pub(crate) fn check_record_lengths(
    file: &str,
    sheet: &RawSheet,
    header_bottom: u32,
    header_width: u32,
    headers: &[String],
) -> Result<Vec<(u32, String)>> {
    let mut short = Vec::new();
    // A header name holding a separator means the file mixes separators: the columns after it
    // are misread.
    if let Some(header) = sheet.row(header_bottom) {
        for (col, name) in header.cells.iter().enumerate() {
            let found: Vec<&str> = [(';', "';'"), ('\t', "a tab"), ('|', "'|'"), (',', "','")]
                .iter()
                .filter(|(c, _)| name.contains(*c))
                .map(|(_, n)| *n)
                .collect();
            if !found.is_empty() {
                short.push((
                    header_bottom + 1,
                    format!(
                        "column {}: the header '{}' holds {}: the file seems to mix separators, so this column and the ones after it may be misread",
                        column_letter(col as u32),
                        name.escape_default(),
                        found.join(" and ")
                    ),
                ));
            }
        }
    }
    for r in sheet.rows.iter().filter(|r| r.index > header_bottom) {
        if r.cells.len() as u32 > header_width {
            let col = header_width;
            return Err(SheetError::InconsistentRow {
                file: file.to_string(),
                at: Location::sheet(&sheet.name).row(r.index + 1).column(column_letter(col)),
                detail: format!(
                    "this record has {} fields but the header has {header_width}; a field probably holds an unquoted delimiter",
                    r.fields
                ),
            });
        }
        if r.fields < header_width && r.fields > 0 {
            let missing = headers.get(r.fields as usize).cloned().unwrap_or_default();
            short.push((
                r.index + 1,
                format!(
                    "this record has {} of the header's {header_width} fields; '{missing}' and the columns after it are read as empty",
                    r.fields
                ),
            ));
        }
    }
    Ok(short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_semicolon_file_with_commas_in_its_text_is_read_as_semicolons() {
        let text = "\"Ref\";\"Text\";\"Theme\"\n\"1.1\";\"One, two, three\";\"A\"\n\"1.2\";\"Four, five\";\"B\"\n";
        assert_eq!(sniff(text, false), b';');
    }

    #[test]
    fn a_tab_file_is_read_as_tabs() {
        assert_eq!(sniff("id\ttext\n1\ta, b\n2\tc\n", false), b'\t');
    }

    #[test]
    fn a_windows_1252_file_is_decoded_not_mangled() {
        let bytes = b"id,text\nAC-1,the organization\x92s policy\n";
        let d = decode("f.csv", bytes, "f").unwrap();
        assert!(
            d.text.contains("organization\u{2019}s"),
            "0x92 is a right single quote in Windows-1252: {}",
            d.text
        );
        assert!(d.note.contains("windows-1252"), "{}", d.note);
    }

    #[test]
    fn a_utf8_bom_is_not_part_of_the_first_header() {
        let d = decode("f.csv", b"\xEF\xBB\xBFid,text\n", "f").unwrap();
        assert!(d.text.starts_with("id,"), "{:?}", d.text);
    }

    #[test]
    fn invalid_bytes_after_a_utf8_bom_are_an_error_naming_the_line() {
        let err = decode(
            "f.csv",
            b"\xEF\xBB\xBFid,text\nA,ok\nB,bad \xC3\x28 here\n",
            "f",
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("f.csv") && msg.contains("row 3"), "{msg}");
    }

    #[test]
    fn utf16_with_a_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "id,text\nR1,caf\u{e9}\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode("f.csv", &bytes, "f").unwrap();
        assert_eq!(d.text, "id,text\nR1,caf\u{e9}\n");
    }
    /// The character-by-character reading the byte scan replaced, kept as its oracle.
    fn unclosed_quote_by_chars(text: &str, delimiter: u8) -> Option<QuoteOpen> {
        let delimiter = delimiter as char;
        let (mut record, mut line, mut field) = (1u32, 1u32, 0u32);
        let mut field_start = true;
        let mut open: Option<QuoteOpen> = None;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if open.is_some() {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                    }
                    '"' => open = None,
                    '\n' => line += 1,
                    '\r' if chars.peek() != Some(&'\n') => line += 1,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' if field_start => {
                    open = Some(QuoteOpen {
                        record,
                        line,
                        field,
                    });
                    field_start = false;
                }
                '\n' | '\r' => {
                    if c == '\n' || chars.peek() != Some(&'\n') {
                        line += 1;
                        record += 1;
                        field = 0;
                    }
                    field_start = true;
                }
                c if c == delimiter => {
                    field += 1;
                    field_start = true;
                }
                _ => field_start = false,
            }
        }
        open
    }

    #[test]
    fn an_unclosed_quote_is_found_where_a_csv_reader_would_open_it() {
        let open = unclosed_quote("id,text\nR1,\"fine\"\nR2,\"never\nclosed\n", b',');
        assert_eq!(
            open,
            Some(QuoteOpen {
                record: 3,
                line: 3,
                field: 1
            })
        );
        // A quote inside an unquoted field opens nothing; "" inside a quoted one is a quote.
        assert_eq!(unclosed_quote("a,b\"c\n\"x\"\"y\",z\r\n", b','), None);
        assert_eq!(
            unclosed_quote("a;b\r\"c;\r\nd", b';'),
            Some(QuoteOpen {
                record: 2,
                line: 2,
                field: 0
            })
        );
    }

    #[test]
    fn the_byte_scan_agrees_with_reading_character_by_character() {
        // Every short text over an alphabet of the bytes that matter, plus a multi-byte
        // character, and longer pseudo-random ones.
        let alphabet = ["\"", ",", ";", "\n", "\r", "a", "\u{e9}"];
        let mut texts: Vec<String> = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.chars().count() == texts.last().map_or(0, |l| l.chars().count()))
                .flat_map(|t| alphabet.iter().map(move |a| format!("{t}{a}")))
                .collect();
            texts.extend(longer);
        }
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2_000 {
            let mut t = String::new();
            for _ in 0..200 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                t.push_str(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            texts.push(t);
        }
        assert!(texts.len() > 100_000, "{} texts", texts.len());
        for t in &texts {
            for d in [b',', b';'] {
                assert_eq!(
                    unclosed_quote(t, d),
                    unclosed_quote_by_chars(t, d),
                    "{t:?} with {:?}",
                    d as char
                );
            }
        }
    }
}

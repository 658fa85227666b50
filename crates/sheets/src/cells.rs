//! Turning a workbook cell into the text the importer keeps: the cached value of a formula,
//! whole numbers without `.0` (an id typed as 1001 is stored by Excel as 1001.0), dates as ISO
//! dates rather than serial numbers, and error values such as `#REF!` kept as text.

use calamine::{Data, DataRef, ExcelDateTime};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CellText {
    Empty,
    Text(String),
    /// An error value (`#REF!`, `#N/A`…): kept as its text, and worth a warning.
    Error(String),
}

pub(crate) fn from_data(d: &Data) -> CellText {
    match d {
        Data::Empty => CellText::Empty,
        Data::String(s) => text(s),
        Data::Int(i) => CellText::Text(i.to_string()),
        Data::Float(f) => CellText::Text(number(*f)),
        Data::Bool(b) => CellText::Text(boolean(*b)),
        Data::DateTime(dt) => CellText::Text(date(dt)),
        Data::DateTimeIso(s) | Data::DurationIso(s) => text(s),
        Data::Error(e) => CellText::Error(e.to_string()),
    }
}

pub(crate) fn from_data_ref(d: &DataRef<'_>) -> CellText {
    match d {
        DataRef::Empty => CellText::Empty,
        DataRef::String(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Int(i) => CellText::Text(i.to_string()),
        DataRef::Float(f) => CellText::Text(number(*f)),
        DataRef::Bool(b) => CellText::Text(boolean(*b)),
        DataRef::DateTime(dt) => CellText::Text(date(dt)),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(s),
        DataRef::Error(e) => CellText::Error(e.to_string()),
    }
}

/// Leading and trailing whitespace (including the no-break spaces exports leave behind) carries
/// no meaning in a cell; inner line breaks do, and stay.
pub(crate) fn clean(s: &str) -> String {
    let t = s.trim();
    // Most cells hold no carriage return; looking for the byte is far cheaper than a search
    // for the pair in every cell.
    if memchr::memchr(b'\r', t.as_bytes()).is_none() {
        t.to_string()
    } else {
        t.replace("\r\n", "\n")
    }
}

fn text(s: &str) -> CellText {
    let t = clean(s);
    if t.is_empty() {
        CellText::Empty
    } else {
        CellText::Text(t)
    }
}

fn boolean(b: bool) -> String {
    if b { "TRUE" } else { "FALSE" }.to_string()
}

/// Whole numbers print without a fractional part; others use the shortest form that reads
/// back to the same value.
pub(crate) fn number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn date(dt: &ExcelDateTime) -> String {
    if dt.is_duration() {
        let secs = (dt.as_f64() * 86_400.0).round() as i64;
        return format!(
            "{:02}:{:02}:{:02}",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60
        );
    }
    let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
    if h == 0 && mi == 0 && s == 0 {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTimeType};

    #[test]
    fn an_id_stored_as_a_float_loses_its_fraction() {
        assert_eq!(
            from_data(&Data::Float(1001.0)),
            CellText::Text("1001".into())
        );
        assert_eq!(from_data(&Data::Float(1.5)), CellText::Text("1.5".into()));
        assert_eq!(from_data(&Data::Int(7)), CellText::Text("7".into()));
    }

    #[test]
    fn a_date_becomes_an_iso_date() {
        let dt = ExcelDateTime::new(45292.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(
            from_data(&Data::DateTime(dt)),
            CellText::Text("2024-01-01".into())
        );
        let with_time = ExcelDateTime::new(45292.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(
            from_data(&Data::DateTime(with_time)),
            CellText::Text("2024-01-01T12:00:00".into())
        );
    }

    #[test]
    fn an_error_value_is_kept_as_its_text() {
        assert_eq!(
            from_data(&Data::Error(CellErrorType::Ref)),
            CellText::Error("#REF!".into())
        );
    }

    #[test]
    fn surrounding_spaces_and_no_break_spaces_are_trimmed() {
        assert_eq!(
            from_data(&Data::String("\u{a0} AC-2 \u{a0}".into())),
            CellText::Text("AC-2".into())
        );
        assert_eq!(
            from_data(&Data::String("  ".into())),
            CellText::Empty,
            "a lone space is an empty cell"
        );
    }

    #[test]
    fn windows_line_breaks_inside_a_cell_become_line_feeds_and_a_lone_return_stays() {
        assert_eq!(clean(" one\r\ntwo\r\n\r\nthree "), "one\ntwo\n\nthree");
        assert_eq!(clean("a\rb\r\n"), "a\rb");
        assert_eq!(clean("plain text"), "plain text");
    }
}

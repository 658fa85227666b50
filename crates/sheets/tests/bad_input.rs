//! Bad input gets a clear error naming the file, and the sheet, row and column where it
//! applies, within bounded memory. Fixtures are generated here rather than committed.

mod common;

use common::rawzip;
use common::{read, xlsx};
use crosswalk_sheets::{read_requirements, ImportOptions, SheetError};

fn err(name: &str, bytes: &[u8]) -> SheetError {
    match read(name, bytes) {
        Ok(i) => panic!(
            "{name} must be refused, got {} requirements",
            i.requirements.len()
        ),
        Err(e) => e,
    }
}

#[test]
fn an_empty_file_is_refused_by_name() {
    let e = err("requirements.xlsx", b"");
    assert!(matches!(e, SheetError::Empty { .. }), "{e:?}");
    assert_eq!(e.to_string(), "requirements.xlsx: the file is empty");
    assert!(
        matches!(err("blank.csv", b"  \r\n \n"), SheetError::Empty { .. }),
        "whitespace only is empty too"
    );
}

#[test]
fn a_text_file_renamed_to_xlsx_is_not_a_spreadsheet() {
    let e = err(
        "notes.xlsx",
        b"Dear customer, please find attached our requirements.",
    );
    assert!(matches!(e, SheetError::NotASpreadsheet { .. }), "{e:?}");
    assert!(
        e.to_string().contains("notes.xlsx") && e.to_string().contains(".xlsx"),
        "{e}"
    );
}

#[test]
fn garbage_bytes_renamed_to_xlsx_are_not_a_spreadsheet() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let e = err("garbage.xlsx", &garbage);
    assert!(matches!(e, SheetError::NotASpreadsheet { .. }), "{e:?}");
}

#[test]
fn a_truncated_xlsx_is_reported_as_damaged() {
    let bytes = xlsx(&[(
        "Reqs",
        vec![vec!["ID", "Text"], vec!["R-1", "Encrypt data at rest"]],
    )]);
    let e = err("cut.xlsx", &bytes[..bytes.len() / 2]);
    assert!(matches!(e, SheetError::Damaged { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("cut.xlsx: the workbook is damaged"),
        "{e}"
    );
}

#[test]
fn an_encrypted_workbook_says_it_is_encrypted() {
    // An encrypted xlsx is an OLE compound file holding an `EncryptedPackage` stream.
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(512, 0);
    bytes.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    bytes.resize(2048, 0);
    let e = err("locked.xlsx", &bytes);
    assert!(matches!(e, SheetError::Encrypted { .. }), "{e:?}");
    assert!(e.to_string().contains("this workbook is encrypted"), "{e}");
}

#[test]
fn a_zip_bomb_declaring_its_size_is_refused_before_inflating() {
    let mut parts = rawzip::xlsx_parts(&rawzip::sheet_xml("A1", &[("A1", "x")]));
    let bomb = &mut parts[4];
    bomb.stored = rawzip::deflate_zeros(1 << 20);
    bomb.deflated = true;
    bomb.declared = 3_000_000_000;
    let e = err("bomb.xlsx", &rawzip::zip(&parts));
    assert!(matches!(e, SheetError::TooLarge { .. }), "{e:?}");
    assert!(
        e.to_string().contains("xl/worksheets/sheet1.xml"),
        "names the part: {e}"
    );
}

#[test]
fn a_zip_bomb_lying_about_its_size_is_stopped_while_inflating() {
    let mut parts = rawzip::xlsx_parts(&rawzip::sheet_xml("A1", &[("A1", "x")]));
    let bomb = &mut parts[4];
    bomb.stored = rawzip::deflate_zeros(300 << 20);
    bomb.deflated = true;
    bomb.declared = 2000;
    let e = err("liar.xlsx", &rawzip::zip(&parts));
    assert!(
        matches!(e, SheetError::TooLarge { .. } | SheetError::Damaged { .. }),
        "{e:?}"
    );
    assert!(
        e.to_string().contains("xl/worksheets/sheet1.xml"),
        "names the part: {e}"
    );
}

#[test]
fn a_lone_cell_at_xfd1048576_is_refused_without_allocating_the_sheet() {
    let xml = rawzip::sheet_xml("XFD1048576", &[("XFD1048576", "far away")]);
    let e = err("far.xlsx", &rawzip::zip(&rawzip::xlsx_parts(&xml)));
    assert!(
        matches!(
            e,
            SheetError::NoHeader { .. } | SheetError::NoRequirementSheet { .. }
        ),
        "one cell is no requirement list: {e:?}"
    );
    assert!(e.to_string().contains("far.xlsx"), "{e}");
}

#[test]
fn a_phantom_million_row_dimension_costs_only_the_real_cells() {
    let xml = rawzip::sheet_xml(
        "A1:XFD1048576",
        &[
            ("A1", "ID"),
            ("B1", "Requirement"),
            ("A2", "R-1"),
            ("B2", "Log every login"),
            ("A3", "R-2"),
            ("B3", "Rotate keys"),
        ],
    );
    let import = read("phantom.xlsx", &rawzip::zip(&rawzip::xlsx_parts(&xml))).unwrap();
    assert_eq!(import.requirements.len(), 2);
    assert!(
        import.sheets[0]
            .notes
            .iter()
            .any(|n| n.contains("claims 1048576 rows")),
        "the preview says the sheet claimed more rows than it has: {:?}",
        import.sheets[0].notes
    );
}

#[test]
fn an_entity_bomb_in_a_sheet_is_an_error_not_an_expansion() {
    let xml = r#"<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&c;</t></is></c><c r="B1" t="inlineStr"><is><t>Text</t></is></c></row></sheetData></worksheet>"#;
    let e = err("entities.xlsx", &rawzip::zip(&rawzip::xlsx_parts(xml)));
    assert!(e.to_string().contains("entities.xlsx"), "{e}");
}

#[test]
fn a_sheet_without_a_header_like_row_is_refused_naming_the_sheet() {
    let rows: Vec<Vec<String>> = (0..10)
        .map(|i| vec![format!("{i}"), format!("{}", i * 7), format!("{}.5", i)])
        .collect();
    let rows: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let bytes = xlsx(&[("Numbers", rows)]);
    let e = err("numbers.xlsx", &bytes);
    let msg = e.to_string();
    assert!(
        msg.contains("numbers.xlsx") && msg.contains("Numbers"),
        "{msg}"
    );
    assert!(msg.contains("header"), "says what is missing: {msg}");
}

#[test]
fn duplicate_ids_are_an_error_listing_every_row_of_each() {
    let csv = "ID,Text\nR-1,First\nR-2,Second\nR-1,Third\nR-3,Fourth\nR-2,Fifth\nR-1,Sixth\n";
    let e = err("dups.csv", csv.as_bytes());
    let SheetError::DuplicateIds { duplicates, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(duplicates.len(), 2, "R-1 and R-2");
    let r1: Vec<u32> = duplicates[0].rows.iter().map(|(_, row, _)| *row).collect();
    assert_eq!(
        (duplicates[0].reference.as_str(), r1),
        ("R-1", vec![2, 4, 7]),
        "rows as in the sheet, header = row 1"
    );
    let msg = e.to_string();
    assert_eq!(
        msg,
        "dups.csv: duplicate ids: 'R-1' on sheet 'dups' rows 2, 4, 7; 'R-2' on sheet 'dups' rows 3, 6"
    );
}

#[test]
fn two_spellings_of_one_nist_id_are_duplicates() {
    let e = err(
        "spellings.csv",
        b"Control ID,Text\nAC-2 (1),One\nAC-02 (01),Two\n",
    );
    let SheetError::DuplicateIds { duplicates, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(duplicates[0].reference, "AC-2(1)");
    assert!(
        e.to_string().contains("'AC-02 (01)'"),
        "the message shows the ids as written: {e}"
    );
}

#[test]
fn a_csv_row_with_more_fields_than_the_header_is_an_error_naming_row_and_column() {
    let e = err(
        "shifted.csv",
        b"ID,Text,Owner\nR-1,Encrypt,Ops\nR-2,Back up, daily,Ops\n",
    );
    assert!(matches!(e, SheetError::InconsistentRow { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("shifted.csv") && msg.contains("row 3") && msg.contains("column 'D'"),
        "{msg}"
    );
}

#[test]
fn a_csv_row_with_fewer_fields_is_read_with_a_warning() {
    let import = read(
        "short.csv",
        b"ID,Text,Owner\nR-1,Encrypt,Ops\nR-2,Back up\n",
    )
    .unwrap();
    assert_eq!(import.requirements.len(), 2);
    let w = import
        .warnings
        .iter()
        .find(|w| w.row == Some(3))
        .expect("a warning for row 3");
    assert!(w.message.contains("'Owner'"), "{}", w.message);
}

#[test]
fn invalid_utf8_in_a_csv_declared_utf8_names_the_row() {
    let e = err("bad.csv", b"\xEF\xBB\xBFID,Text\nR-1,ok\nR-2,caf\xE9\n");
    assert!(matches!(e, SheetError::Encoding { .. }), "{e:?}");
    assert!(e.to_string().contains("row 3"), "{e}");
}

#[test]
fn a_csv_whose_one_line_is_huge_is_refused_not_loaded_as_a_cell() {
    let mut bytes = b"ID,Text\nR-1,".to_vec();
    bytes.resize(bytes.len() + 3 * 1024 * 1024, b'a');
    let e = err("huge.csv", &bytes);
    assert!(matches!(e, SheetError::TooLarge { .. }), "{e:?}");
    assert!(e.to_string().contains("row 2"), "{e}");
}

#[test]
fn a_csv_line_with_more_fields_than_any_sheet_has_columns_is_refused() {
    let line = vec!["x"; 20_000].join(",");
    let e = err("wide.csv", line.as_bytes());
    assert!(matches!(e, SheetError::TooLarge { .. }), "{e:?}");
}

#[test]
fn naming_a_missing_sheet_lists_the_sheets_there_are() {
    let bytes = xlsx(&[("Reqs", vec![vec!["ID", "Text"], vec!["R-1", "Encrypt"]])]);
    let options = ImportOptions {
        sheets: vec!["Controls".into()],
        ..ImportOptions::default()
    };
    let e = read_requirements("book.xlsx", &bytes, &options).unwrap_err();
    assert_eq!(
        e.to_string(),
        "book.xlsx: no sheet named 'Controls' (the sheets are: 'Reqs')"
    );
}

#[test]
fn a_role_for_a_missing_column_lists_the_headers() {
    let options = ImportOptions {
        roles: vec![("Owner".into(), crosswalk_domain::ColumnRole::Section)],
        ..ImportOptions::default()
    };
    let e = read_requirements("r.csv", b"ID,Text\nR-1,Encrypt\n", &options).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("'Owner'") && msg.contains("'ID', 'Text'"),
        "{msg}"
    );
}

#[test]
fn a_header_row_past_the_end_is_refused() {
    let options = ImportOptions {
        header_row: Some(9),
        ..ImportOptions::default()
    };
    let e = read_requirements("r.csv", b"ID,Text\nR-1,Encrypt\n", &options).unwrap_err();
    assert!(
        matches!(
            e,
            SheetError::HeaderRowOutOfRange {
                header_row: 9,
                last_row: 2,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn an_ods_cell_a_million_rows_down_is_refused_before_calamine_allocates() {
    let table = format!(
        r#"<table:table table:name="Far">{}<table:table-row table:number-rows-repeated="1048570"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="1000"/><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#,
        common::ods_row(&["ID", "Text"]),
    );
    let e = err("far.ods", &common::ods(&table));
    assert!(matches!(e, SheetError::TooLarge { .. }), "{e:?}");
    assert!(
        e.to_string().starts_with("far.ods, sheet 'Far': too large"),
        "{e}"
    );
}

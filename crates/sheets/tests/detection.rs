//! Shape detection on generated sheets: header rows under titles, merged multi-row headers,
//! roles from French and English headers and from content, explicit overrides, cell values,
//! stable generated ids and the content hash a re-import compares.

mod common;

use common::{read, xlsx};
use crosswalk_domain::ColumnRole;
use crosswalk_sheets::{content_hash, read_requirements, ImportOptions};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

fn role_of(import: &crosswalk_domain::SheetImport, header: &str) -> ColumnRole {
    import.sheets[0]
        .columns
        .iter()
        .find(|c| c.header == header)
        .unwrap_or_else(|| panic!("a column '{header}' in {:?}", import.sheets[0].columns))
        .role
}

#[test]
fn the_header_is_found_below_title_and_instruction_rows() {
    let bytes = xlsx(&[(
        "Requirements",
        vec![
            vec!["ACME Corp — Cloud security requirements"],
            vec!["Fill in column D for each requirement. Do not change the ids."],
            vec![],
            vec!["Req ID", "Requirement", "Domain", "Response"],
            vec![
                "SEC-01",
                "All data at rest is encrypted with customer managed keys",
                "Data protection",
                "",
            ],
            vec![
                "SEC-02",
                "Administrative access requires multi-factor authentication",
                "IAM",
                "Yes",
            ],
        ],
    )]);
    let import = read("acme.xlsx", &bytes).unwrap();
    let sheet = &import.sheets[0];
    assert_eq!(
        sheet.header_row, 4,
        "rows 1–2 are a title and an instruction"
    );
    assert_eq!(
        (
            role_of(&import, "Req ID"),
            role_of(&import, "Requirement"),
            role_of(&import, "Domain")
        ),
        (ColumnRole::Id, ColumnRole::Text, ColumnRole::Section)
    );
    assert!(
        sheet.notes[0].contains("header row 4"),
        "the preview says why: {:?}",
        sheet.notes
    );
    assert_eq!(
        import.requirements[1].attributes.get("Response"),
        Some("Yes")
    );
    assert_eq!(
        import.requirements[0].row, 5,
        "rows are numbered as in Excel"
    );
}

#[test]
fn a_merged_two_row_header_is_joined_into_one_name_per_column() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let f = Format::new();
    ws.merge_range(0, 0, 0, 4, "Supplier questionnaire 2025", &f)
        .unwrap();
    ws.merge_range(1, 0, 2, 0, "ID", &f).unwrap();
    ws.merge_range(1, 1, 2, 1, "Requirement", &f).unwrap();
    ws.merge_range(1, 2, 1, 4, "Applies to", &f).unwrap();
    for (c, v) in ["Cloud", "On-prem", "Hybrid"].iter().enumerate() {
        ws.write_string(2, c as u16 + 2, *v).unwrap();
    }
    for (r, (id, text, cloud)) in [
        ("Q1", "Backups are tested every quarter", "Y"),
        ("Q2", "Logs are kept for a year", "N"),
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(r as u32 + 3, 0, *id).unwrap();
        ws.write_string(r as u32 + 3, 1, *text).unwrap();
        ws.write_string(r as u32 + 3, 2, *cloud).unwrap();
    }
    let import = read("questionnaire.xlsx", &wb.save_to_buffer().unwrap()).unwrap();
    let headers: Vec<&str> = import.sheets[0]
        .columns
        .iter()
        .map(|c| c.header.as_str())
        .collect();
    assert_eq!(
        headers,
        [
            "ID",
            "Requirement",
            "Applies to / Cloud",
            "Applies to / On-prem",
            "Applies to / Hybrid"
        ]
    );
    assert_eq!(
        import.sheets[0].header_row, 3,
        "the last header row; data starts below it"
    );
    assert_eq!(import.requirements.len(), 2);
    assert_eq!(
        import.requirements[0].attributes.get("Applies to / Cloud"),
        Some("Y")
    );
}

#[test]
fn french_headers_give_the_roles() {
    let csv = "Identifiant;Intitulé;Exigence;Domaine;Commentaire\nEX-1;Chiffrement;Les données sont chiffrées au repos;Données;\nEX-2;MFA;L’accès administrateur exige un second facteur;Identités;à revoir\n";
    let import = read("exigences.csv", csv.as_bytes()).unwrap();
    assert_eq!(
        [
            role_of(&import, "Identifiant"),
            role_of(&import, "Intitulé"),
            role_of(&import, "Exigence"),
            role_of(&import, "Domaine")
        ],
        [
            ColumnRole::Id,
            ColumnRole::Title,
            ColumnRole::Text,
            ColumnRole::Section
        ]
    );
    assert_eq!(role_of(&import, "Commentaire"), ColumnRole::Attribute);
    assert_eq!(
        import.requirements[1].attributes.get("Commentaire"),
        Some("à revoir")
    );
}

#[test]
fn without_known_headers_the_content_picks_the_id_and_the_text() {
    let csv = "Key A,Body,Owner\nSEC-101,Every production account sends its audit logs to the central archive,Ops\nSEC-102,Network traffic between tiers is restricted to the ports the application needs,Net\nSEC-103,Secrets are never stored in source code or in container images,Dev\n";
    let import = read("plain.csv", csv.as_bytes()).unwrap();
    assert_eq!(role_of(&import, "Key A"), ColumnRole::Id);
    assert_eq!(role_of(&import, "Body"), ColumnRole::Text);
    let reasons: Vec<&str> = import.sheets[0]
        .columns
        .iter()
        .map(|c| c.reason.as_str())
        .collect();
    assert!(
        reasons[0].contains("unique codes") && reasons[1].contains("longest"),
        "{reasons:?}"
    );
    assert_eq!(import.requirements[0].reference, "SEC-101");
}

#[test]
fn explicit_roles_and_header_row_override_detection() {
    let csv = "Key A,Body,Owner\nnote,this line is not a header,x\nSEC-101,Audit logs go to the archive,Ops\nSEC-102,Ports are restricted,Net\n";
    let options = ImportOptions {
        header_row: Some(1),
        roles: vec![
            ("Owner".into(), ColumnRole::Section),
            ("Key A".into(), ColumnRole::Attribute),
            ("B".into(), ColumnRole::Title),
        ],
        ..ImportOptions::default()
    };
    let import = read_requirements("plain.csv", csv.as_bytes(), &options).unwrap();
    assert_eq!(import.sheets[0].header_row, 1);
    assert_eq!(role_of(&import, "Owner"), ColumnRole::Section);
    assert_eq!(
        role_of(&import, "Key A"),
        ColumnRole::Attribute,
        "an explicit attribute is never an id"
    );
    assert_eq!(
        role_of(&import, "Body"),
        ColumnRole::Title,
        "a column may be named by its letter"
    );
    assert!(
        import.requirements.iter().all(|r| r.generated_ref),
        "with no id column every ref is generated"
    );
    assert_eq!(import.requirements[1].section.as_deref(), Some("Ops"));
    assert_eq!(
        import.requirements[1].attributes.get("Key A"),
        Some("SEC-101"),
        "nothing is dropped"
    );
}

#[test]
fn import_options_round_trip_through_json_as_a_profile() {
    let options = ImportOptions {
        sheets: vec!["Controls".into()],
        all_sheets: false,
        header_row: Some(3),
        roles: vec![
            ("Ref".into(), ColumnRole::Id),
            ("Wording".into(), ColumnRole::Text),
        ],
    };
    let json = serde_json::to_string(&options).unwrap();
    let back: ImportOptions = serde_json::from_str(&json).unwrap();
    assert_eq!(back, options);
    let partial: ImportOptions = serde_json::from_str(r#"{"header_row": 2}"#).unwrap();
    assert_eq!(
        partial.header_row,
        Some(2),
        "missing fields take their defaults"
    );
}

#[test]
fn cell_values_are_kept_as_people_read_them() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["ID", "Text", "Due", "Weight", "Check"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 1001.0).unwrap();
    ws.write_string(1, 1, "Keys are rotated every year")
        .unwrap();
    ws.write_datetime_with_format(1, 2, ExcelDateTime::from_ymd(2025, 3, 31).unwrap(), &date)
        .unwrap();
    ws.write_number(1, 3, 0.25).unwrap();
    ws.write_formula(1, 4, Formula::new("=#REF!+1").set_result("#REF!"))
        .unwrap();
    ws.write_number(2, 0, 1002.0).unwrap();
    ws.write_string(2, 1, "Root has no access keys").unwrap();
    let import = read("values.xlsx", &wb.save_to_buffer().unwrap()).unwrap();
    let r = &import.requirements[0];
    assert_eq!(r.reference, "1001", "a number id loses its '.0'");
    assert_eq!(
        r.attributes.get("Due"),
        Some("2025-03-31"),
        "a date is an ISO date, not a serial number"
    );
    assert_eq!(r.attributes.get("Weight"), Some("0.25"));
    assert_eq!(
        r.attributes.get("Check"),
        Some("#REF!"),
        "an error value is kept as text"
    );
    let w = import
        .warnings
        .iter()
        .find(|w| w.message.contains("#REF!"))
        .expect("and reported");
    assert_eq!((w.row, w.column.as_deref()), (Some(2), Some("Check")));
}

#[test]
fn a_generated_id_follows_the_row_content_not_its_position() {
    let first = read(
        "a.csv",
        b"Title,Text\nEncrypt,Data at rest is encrypted\nMFA,Admins use MFA\nMFA,Admins use MFA\n",
    )
    .unwrap();
    let reordered = read(
        "a.csv",
        b"Title,Text\nLogs,Logs are kept\nMFA,Admins use MFA\nEncrypt,Data at rest is encrypted\n",
    )
    .unwrap();
    let id = |i: &crosswalk_domain::SheetImport, title: &str| {
        i.requirements
            .iter()
            .find(|r| r.title == title)
            .map(|r| r.reference.clone())
            .unwrap()
    };
    assert_eq!(
        id(&first, "Encrypt"),
        id(&reordered, "Encrypt"),
        "the same row gets the same id on re-import"
    );
    assert!(id(&first, "MFA").starts_with("ROW-"));
    let refs: Vec<&str> = first
        .requirements
        .iter()
        .map(|r| r.reference.as_str())
        .collect();
    assert_eq!(
        refs[2],
        format!("{}-2", refs[1]),
        "identical rows are told apart: {refs:?}"
    );
    assert!(first
        .requirements
        .iter()
        .all(|r| r.generated_ref && r.source_ref.is_none()));
}

#[test]
fn the_content_hash_ignores_position_and_sees_any_change() {
    let a = read("a.csv", b"ID,Text,Owner\nR-1,Encrypt,Ops\nR-2,Rotate,Sec\n").unwrap();
    let moved = read("a.csv", b"ID,Text,Owner\nR-2,Rotate,Sec\nR-1,Encrypt,Ops\n").unwrap();
    let changed = read("a.csv", b"ID,Text,Owner\nR-1,Encrypt,Dev\nR-2,Rotate,Sec\n").unwrap();
    let hash = |i: &crosswalk_domain::SheetImport, r: &str| {
        content_hash(i.requirements.iter().find(|x| x.reference == r).unwrap())
    };
    assert_eq!(
        hash(&a, "R-1"),
        hash(&moved, "R-1"),
        "a row that moved is unchanged"
    );
    assert_ne!(
        hash(&a, "R-1"),
        hash(&changed, "R-1"),
        "an attribute edit is a change"
    );
    assert_eq!(hash(&a, "R-2"), hash(&changed, "R-2"));
}

#[test]
fn a_heading_row_between_requirements_becomes_their_section() {
    let bytes = xlsx(&[(
        "Reqs",
        vec![
            vec!["ID", "Requirement"],
            vec!["Identity and access"],
            vec!["IAM-1", "Use single sign-on for every console"],
            vec!["IAM-2", "Review access every quarter"],
            vec!["Logging"],
            vec!["LOG-1", "Keep audit logs for one year"],
        ],
    )]);
    let import = read("headings.xlsx", &bytes).unwrap();
    let sections: Vec<_> = import
        .requirements
        .iter()
        .map(|r| (r.reference.as_str(), r.section.as_deref()))
        .collect();
    assert_eq!(
        sections,
        [
            ("IAM-1", Some("Identity and access")),
            ("IAM-2", Some("Identity and access")),
            ("LOG-1", Some("Logging"))
        ]
    );
}

#[test]
fn one_sheet_per_family_imports_as_one_set_with_the_sheet_as_section() {
    let bytes = xlsx(&[
        (
            "Read me",
            vec![
                vec!["About", "This workbook lists our controls"],
                vec!["Owner", "CISO office"],
            ],
        ),
        (
            "Access",
            vec![
                vec!["Control", "Description"],
                vec!["AC-1", "Access policy"],
                vec!["AC-2", "Account management"],
            ],
        ),
        (
            "Audit",
            vec![
                vec!["Control", "Description"],
                vec!["AU-1", "Audit policy"],
                vec!["AU-2", "Event logging"],
            ],
        ),
    ]);
    let import = read("families.xlsx", &bytes).unwrap();
    let names: Vec<&str> = import.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Access", "Audit"]);
    assert_eq!(
        crate::common::find(&import, "AU-2").section.as_deref(),
        Some("Audit")
    );
    assert!(import.alternative_sheets.is_empty());
}

#[test]
fn all_sheets_imports_every_sheet_with_a_header() {
    let bytes = xlsx(&[
        (
            "Access",
            vec![
                vec!["Control", "Description"],
                vec!["AC-1", "Access policy"],
            ],
        ),
        (
            "Extra",
            vec![
                vec!["Ref", "Text", "Notes"],
                vec!["X-1", "Something else", "n"],
            ],
        ),
    ]);
    let options = ImportOptions {
        all_sheets: true,
        ..ImportOptions::default()
    };
    let import = read_requirements("all.xlsx", &bytes, &options).unwrap();
    assert_eq!(import.requirements.len(), 2);
    assert_eq!(import.sheets.len(), 2);
}

/// A summary sheet of keys, names and counts (the coverage sheet of an exported matrix) comes
/// first and is longer, yet the list is the sheet with requirement text.
#[test]
fn a_longer_summary_sheet_without_requirement_text_is_not_taken_for_the_list() {
    let summary: Vec<Vec<String>> =
        std::iter::once(vec!["Key".into(), "Name".into(), "Total".into()])
            .chain((1..=12).map(|i| vec![format!("G-{i}"), format!("Group {i}"), format!("{i}")]))
            .collect();
    let bytes = xlsx(&[
        (
            "Coverage",
            summary
                .iter()
                .map(|r| r.iter().map(String::as_str).collect())
                .collect(),
        ),
        (
            "Matrix",
            vec![
                vec!["Req ID", "Title", "Requirement"],
                vec!["R-1", "Keys", "Encrypt data at rest with managed keys"],
                vec!["R-2", "MFA", "Require MFA for administrators"],
            ],
        ),
    ]);
    let import = read("matrix.xlsx", &bytes).unwrap();
    assert_eq!(import.sheets.len(), 1);
    assert_eq!(import.sheets[0].name, "Matrix");
    assert_eq!(
        import
            .requirements
            .iter()
            .map(|r| r.reference.as_str())
            .collect::<Vec<_>>(),
        ["R-1", "R-2"]
    );
    assert!(
        import.notes.iter().any(|n| n
            == "not imported: sheet 'Coverage' (12 rows): it has no requirement text column, unlike the chosen sheet"),
        "{:?}",
        import.notes
    );
}

/// A sheet without a header (a cover page) before the list must not shift which sheet is read.
#[test]
fn a_cover_sheet_without_a_header_before_the_list_does_not_shift_the_choice() {
    let bytes = xlsx(&[
        ("Cover", vec![vec!["ACME security requirements"]]),
        (
            "Lookup",
            vec![
                vec!["Code", "Owner"],
                vec!["A", "IAM team"],
                vec!["B", "SecOps"],
            ],
        ),
        (
            "Requirements",
            vec![
                vec!["ID", "Requirement"],
                vec!["R-1", "Encrypt data at rest with managed keys"],
                vec!["R-2", "Require MFA for administrators"],
                vec!["R-3", "Keep audit logs for a year"],
            ],
        ),
    ]);
    let import = read("book.xlsx", &bytes).unwrap();
    assert_eq!(import.sheets.len(), 1, "{:?}", import.notes);
    assert_eq!(import.sheets[0].name, "Requirements");
    assert_eq!(import.sheets[0].rows, 3);
    assert_eq!(import.requirements.len(), 3);
}

/// A Crosswalk traceability matrix of two requirements: its About sheet is longer, yet the
/// requirements are read from its Matrix sheet, and the preview says why.
#[test]
fn an_exported_matrix_is_read_from_its_matrix_sheet_however_small() {
    let about: Vec<Vec<String>> =
        std::iter::once(vec!["Item".into(), "Value".into(), "Key".into()])
            .chain((1..=14).map(|i| {
                vec![
                    format!("Item {i}"),
                    format!("Some value number {i}"),
                    format!("k{i}"),
                ]
            }))
            .collect();
    let bytes = xlsx(&[
        (
            "Matrix",
            vec![
                vec!["Set", "Req ID", "Title", "Requirement", "Coverage"],
                vec!["acme", "R-1", "Keys", "Encrypt data at rest", "gap"],
                vec![
                    "acme",
                    "R-2",
                    "MFA",
                    "Require MFA for administrators",
                    "gap",
                ],
            ],
        ),
        (
            "About",
            about
                .iter()
                .map(|r| r.iter().map(String::as_str).collect())
                .collect(),
        ),
        (
            "_crosswalk",
            vec![vec!["crosswalk-matrix-snapshot/1", "seal"]],
        ),
    ]);
    let import = read("acme-matrix.xlsx", &bytes).unwrap();
    assert_eq!(import.sheets.len(), 1);
    assert_eq!(import.sheets[0].name, "Matrix");
    assert_eq!(
        import
            .requirements
            .iter()
            .map(|r| r.reference.as_str())
            .collect::<Vec<_>>(),
        ["R-1", "R-2"]
    );
    assert!(
        import
            .notes
            .iter()
            .any(|n| n.contains("a traceability matrix exported by Crosswalk")),
        "{:?}",
        import.notes
    );
    // Without the integrity sheet it is an ordinary workbook, chosen by the usual rules.
    let plain = xlsx(&[
        (
            "Matrix",
            vec![
                vec!["Set", "Req ID", "Title", "Requirement", "Coverage"],
                vec!["acme", "R-1", "Keys", "Encrypt data at rest", "gap"],
            ],
        ),
        (
            "About",
            about
                .iter()
                .map(|r| r.iter().map(String::as_str).collect())
                .collect(),
        ),
    ]);
    let plain = read("book.xlsx", &plain).unwrap();
    assert!(
        !plain
            .notes
            .iter()
            .any(|n| n.contains("exported by Crosswalk")),
        "{:?}",
        plain.notes
    );
}

/// A macro-enabled workbook is read like any xlsx; its macros are never run.
#[test]
fn an_xlsm_workbook_is_read_like_an_xlsx() {
    let bytes = xlsx(&[(
        "Controls",
        vec![
            vec!["ID", "Requirement"],
            vec!["C-1", "Encrypt data at rest"],
            vec!["C-2", "Rotate keys yearly"],
        ],
    )]);
    let import = read("controls.xlsm", &bytes).unwrap();
    assert_eq!(import.sheets[0].name, "Controls");
    let refs: Vec<&str> = import
        .requirements
        .iter()
        .map(|r| r.reference.as_str())
        .collect();
    assert_eq!(refs, ["C-1", "C-2"]);
    assert_eq!(import.requirements[1].text, "Rotate keys yearly");
}

#[test]
fn tab_pipe_and_utf16_files_are_read() {
    let tsv = read("r.tsv", b"ID\tText\nR-1\tEncrypt, always\n").unwrap();
    assert_eq!(tsv.requirements[0].text, "Encrypt, always");
    let piped = read(
        "r.txt",
        b"ID|Text|Owner\nR-1|Encrypt; always|Ops\nR-2|Rotate|Sec\n",
    )
    .unwrap();
    assert_eq!(piped.requirements[0].text, "Encrypt; always");
    let mut utf16 = vec![0xFE, 0xFF];
    for u in "ID,Text\nR-1,Chiffré\n".encode_utf16() {
        utf16.extend(u.to_be_bytes());
    }
    let be = read("r.csv", &utf16).unwrap();
    assert_eq!(be.requirements[0].text, "Chiffré");
}

/// A small deterministic generator, so the property below needs no extra crate.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
    fn words(&mut self, count: u64) -> String {
        const W: [&str; 12] = [
            "encrypt",
            "log",
            "rotate",
            "keys",
            "access",
            "review",
            "backup",
            "network",
            "é",
            "’s",
            "data",
            "“audit”",
        ];
        (0..1 + self.next(count))
            .map(|_| W[self.next(12) as usize])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[test]
fn random_sheets_written_to_xlsx_and_csv_read_back_the_same_requirements() {
    let mut rng = Lcg(7);
    for round in 0..30 {
        let extra = rng.next(4) as usize;
        let mut header = vec![
            "ID".to_string(),
            "Title".to_string(),
            "Description".to_string(),
        ];
        header.extend((0..extra).map(|i| format!("Extra {i}")));
        let rows: Vec<Vec<String>> = (0..1 + rng.next(40))
            .map(|i| {
                let mut row = vec![format!("REQ-{round}-{i}"), rng.words(3), rng.words(20)];
                row.extend((0..extra).map(|_| {
                    if rng.next(3) == 0 {
                        String::new()
                    } else {
                        rng.words(4)
                    }
                }));
                row
            })
            .collect();

        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, row) in std::iter::once(&header).chain(&rows).enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
        let mut csv = String::new();
        for row in std::iter::once(&header).chain(&rows) {
            let quoted: Vec<String> = row
                .iter()
                .map(|v| format!("\"{}\"", v.replace('"', "\"\"")))
                .collect();
            csv.push_str(&quoted.join(","));
            csv.push('\n');
        }
        for (name, bytes) in [
            ("r.xlsx", wb.save_to_buffer().unwrap()),
            ("r.csv", csv.into_bytes()),
        ] {
            let import = read(name, &bytes).unwrap_or_else(|e| panic!("round {round} {name}: {e}"));
            assert_eq!(
                import.requirements.len(),
                rows.len(),
                "round {round} {name}"
            );
            for (r, row) in import.requirements.iter().zip(&rows) {
                assert_eq!(
                    (r.reference.as_str(), r.title.as_str(), r.text.as_str()),
                    (row[0].as_str(), row[1].as_str(), row[2].as_str())
                );
                for (i, v) in row[3..].iter().enumerate() {
                    let header = format!("Extra {i}");
                    assert_eq!(
                        r.attributes.get(&header).unwrap_or(""),
                        v.as_str(),
                        "round {round} {name} {header}"
                    );
                }
            }
        }
    }
}

#[test]
fn an_ods_workbook_is_read_and_its_trailing_empty_rows_cost_nothing() {
    let table = format!(
        r#"<table:table table:name="Exigences">{}{}{}<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>"#,
        common::ods_row(&["Référence", "Exigence"]),
        common::ods_row(&["EX-1", "Les journaux sont conservés un an"]),
        common::ods_row(&["EX-2", "Les clés sont renouvelées"]),
    );
    let import = read("exigences.ods", &common::ods(&table)).unwrap();
    assert_eq!(import.sheets[0].name, "Exigences");
    let refs: Vec<&str> = import
        .requirements
        .iter()
        .map(|r| r.reference.as_str())
        .collect();
    assert_eq!(refs, ["EX-1", "EX-2"]);
    assert_eq!(
        import.requirements[0].text,
        "Les journaux sont conservés un an"
    );
}

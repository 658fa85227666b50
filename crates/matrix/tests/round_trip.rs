//! Export → edit "in Excel" → read back: exactly the edits come back, and anything else is named.

mod common;

use calamine::Data;
use common::*;
use crosswalk_domain::{Coverage, CoverageOverride};
use crosswalk_matrix::*;

fn exported() -> Vec<u8> {
    write_xlsx(&model(), SECRET).expect("export").bytes
}

#[test]
fn an_untouched_matrix_verifies_as_untouched() {
    let bytes = exported();
    let report = verify(&bytes, SECRET).expect("verify");
    assert_eq!(
        report.status,
        VerifyStatus::Untouched,
        "{:?}",
        report.alterations
    );
    assert_eq!(report.exit_code(), 0);
    let stamp = report.export.expect("trusted integrity data");
    assert_eq!(stamp.engagement, "Harbourline AWS migration");
    let edits = read_matrix(&bytes, SECRET).expect("read");
    assert!(
        edits.rows.is_empty() && edits.problems.is_empty(),
        "nothing edited"
    );
}

#[test]
fn a_file_saved_again_by_another_tool_without_changes_still_verifies() {
    let bytes = rewrite(&exported(), |_, _| {});
    let report = verify(&bytes, SECRET).expect("verify");
    assert_eq!(
        report.status,
        VerifyStatus::Untouched,
        "re-saving changes no value: {:?}",
        report.alterations
    );
}

#[test]
fn edits_to_the_editable_columns_come_back_exactly_even_after_sorting_and_an_added_column() {
    let bytes = rewrite(&exported(), |name, g| {
        if name != MATRIX {
            return;
        }
        let (owner, notes, over, reason, evidence) = (
            col(g, "Owner"),
            col(g, "Notes"),
            col(g, "Coverage override"),
            col(g, "Override reason"),
            col(g, "Evidence"),
        );
        let r2 = row_of(g, "a-2");
        set(g, r2, owner, "Data Governance");
        set(
            g,
            r2,
            notes,
            "KMS keys per environment; see design doc DP-3.",
        );
        let r4 = row_of(g, "a-4");
        set(g, r4, over, "workload");
        set(g, r4, reason, "NTP is configured in the golden image");
        set(g, r4, evidence, "AMI pipeline run 2025-04-30");
        let r5 = row_of(g, "a-5");
        set(g, r5, over, "");
        set(g, r5, reason, "");
        // The customer sorts the data rows backwards and adds a column of their own at the end.
        let header = g.remove(0);
        g.reverse();
        g.insert(0, header);
        let extra = g[0].len() + 2;
        set(g, 0, extra, "Customer comment");
        set(g, 3, extra, "looks fine");
    });

    let edits = read_matrix(&bytes, SECRET).expect("read");
    assert!(edits.problems.is_empty(), "{:?}", edits.problems);
    assert!(
        edits.alterations.is_empty(),
        "sorting and an added column alter nothing: {:?}",
        edits.alterations
    );
    let keys: Vec<&str> = edits.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(
        keys,
        ["a-5", "a-4", "a-2"],
        "rows in workbook order, which was reversed"
    );

    let a2 = &edits.rows[2];
    assert_eq!(a2.owner.as_deref(), Some("Data Governance"));
    assert_eq!(
        a2.notes.as_deref(),
        Some("KMS keys per environment; see design doc DP-3.")
    );
    assert_eq!(
        (a2.evidence.as_ref(), a2.coverage_override.as_ref()),
        (None, None),
        "untouched fields stay untouched"
    );
    assert_eq!(a2.exported_version, 1);
    assert_eq!(a2.changes.len(), 2, "two cells edited");
    let owner_change = a2
        .changes
        .iter()
        .find(|c| c.field == EditableField::Owner)
        .expect("owner edit");
    assert_eq!(
        (owner_change.before.as_str(), owner_change.after.as_str()),
        ("", "Data Governance")
    );
    assert_eq!(
        owner_change.row, 5,
        "a-2 moved from row 3 to row 5 when the rows were reversed"
    );

    let a4 = &edits.rows[1];
    let expected =
        CoverageOverride::new(Coverage::Workload, "NTP is configured in the golden image")
            .expect("valid");
    assert_eq!(
        a4.coverage_override,
        Some(Some(expected)),
        "a new override with its reason"
    );
    assert_eq!(a4.evidence.as_deref(), Some("AMI pipeline run 2025-04-30"));

    assert_eq!(
        edits.rows[0].coverage_override,
        Some(None),
        "clearing the override removes it"
    );

    let report = verify(&bytes, SECRET).expect("verify");
    assert_eq!(
        report.status,
        VerifyStatus::EditedOnly,
        "{:?}",
        report.alterations
    );
    assert_eq!(report.exit_code(), 0, "legitimate edits verify with 0");
    assert_eq!(
        report.edits.len(),
        7,
        "every edited cell listed: {:?}",
        report.edits
    );
    assert_eq!(report.added_columns.len(), 1);
    assert_eq!(report.added_columns[0].column, "Customer comment");
}

#[test]
fn a_tampered_read_only_cell_is_named_by_sheet_row_and_column() {
    let bytes = rewrite(&exported(), |name, g| {
        if name == MATRIX {
            let r = row_of(g, "a-2");
            let c = col(g, "Requirement");
            set(g, r, c, "Customer data should ideally be encrypted.");
        }
    });
    let report = verify(&bytes, SECRET).expect("verify");
    assert_eq!(report.status, VerifyStatus::Altered);
    assert_eq!(
        report.exit_code(),
        3,
        "the CLI contract: altered read-only data exits 3"
    );
    assert_eq!(report.alterations.len(), 1, "{:?}", report.alterations);
    let a = &report.alterations[0];
    assert_eq!(a.kind, AlterationKind::CellChanged);
    assert_eq!(a.sheet, "Matrix");
    assert_eq!(a.row, Some(3), "a-2 is the second data row");
    assert_eq!(a.column.as_deref(), Some("Requirement"));
    assert_eq!(a.cell.as_deref(), Some("E3"));
    assert_eq!(a.key.as_deref(), Some("a-2"));
    assert_eq!(
        a.expected.as_deref(),
        Some("All customer data stored in the cloud must be encrypted at rest.")
    );
    assert_eq!(
        a.found.as_deref(),
        Some("Customer data should ideally be encrypted.")
    );
    assert!(a.to_string().contains("cell E3"), "readable: {a}");

    let edits = read_matrix(&bytes, SECRET).expect("read still works");
    assert!(edits.rows.is_empty(), "a read-only change is never an edit");
    assert_eq!(
        edits.alterations.len(),
        1,
        "but it is reported to the importer"
    );
}

#[test]
fn changed_coverage_links_catalogue_and_about_cells_are_caught_too() {
    let bytes = rewrite(&exported(), |name, g| match name {
        "Matrix" => {
            let r = row_of(g, "a-4");
            let c = col(g, "Coverage");
            set(g, r, c, "inherited");
        }
        "Links" => {
            let r = row_of(g, "m-3");
            let c = col(g, "Relationship");
            set(g, r, c, "equivalent");
        }
        "Catalogue" => {
            let r = row_of(g, "service:KMS");
            let c = col(g, "Description");
            set(g, r, c, "Anything");
        }
        "About" => {
            let r = row_of(g, "content_hash");
            set(g, r, 1, "0000");
        }
        _ => {}
    });
    let report = verify(&bytes, SECRET).expect("verify");
    let mut found: Vec<(String, String)> = report
        .alterations
        .iter()
        .map(|a| (a.sheet.clone(), a.column.clone().unwrap_or_default()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("About".to_string(), "Value".to_string()),
            ("Catalogue".to_string(), "Description".to_string()),
            ("Links".to_string(), "Relationship".to_string()),
            ("Matrix".to_string(), "Coverage".to_string()),
        ],
        "each altered sheet and column"
    );
}

#[test]
fn deleted_and_added_rows_are_reported() {
    let bytes = rewrite(&exported(), |name, g| {
        if name == MATRIX {
            let r = row_of(g, "a-3");
            g.remove(r);
            let last = g.len();
            set(g, last, 1, "SEC-NEW-99");
            set(g, last, 4, "A requirement the customer slipped in.");
        }
    });
    let report = verify(&bytes, SECRET).expect("verify");
    let kinds: Vec<_> = report
        .alterations
        .iter()
        .map(|a| (a.kind, a.key.clone(), a.row))
        .collect();
    assert!(
        kinds.contains(&(AlterationKind::RowAdded, None, Some(6))),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(AlterationKind::RowDeleted, Some("a-3".to_string()), Some(4))),
        "{kinds:?}"
    );
    assert_eq!(report.alterations.len(), 2, "nothing else");
}

#[test]
fn a_matrix_sealed_by_another_engagement_is_refused_as_not_its_own() {
    let bytes = exported();
    let err = verify(&bytes, b"someone else's key").unwrap_err();
    assert!(
        matches!(err, MatrixError::OtherEngagement(_)),
        "verify names the reason: {err}"
    );
    assert!(err
        .to_string()
        .contains("not exported from this engagement"));
    let err = read_matrix(&bytes, b"someone else's key").unwrap_err();
    assert!(
        matches!(err, MatrixError::OtherEngagement(_)),
        "import refuses: {err}"
    );
}

#[test]
fn without_the_key_fingerprint_another_key_reads_as_altered_integrity_data() {
    // A matrix whose fingerprint cell was emptied: only the seal can tell, and it fails.
    let bytes = rewrite(&exported(), |name, g| {
        if name == INTEGRITY_SHEET {
            g[0][4] = Data::Empty;
        }
    });
    let report = verify(&bytes, b"someone else's key").expect("verify");
    assert_eq!(report.status, VerifyStatus::Altered);
    assert_eq!(report.alterations[0].kind, AlterationKind::IntegrityAltered);
    assert!(
        report.export.is_none(),
        "nothing from the snapshot is trusted"
    );
    let err = read_matrix(&bytes, b"someone else's key").unwrap_err();
    assert!(
        matches!(err, MatrixError::Integrity(_)),
        "import refuses: {err}"
    );
}

#[test]
fn a_forged_snapshot_does_not_pass() {
    // Someone rewrites the hidden snapshot so that a changed text would look original.
    let bytes = rewrite(&exported(), |name, g| {
        if name == INTEGRITY_SHEET {
            let json = g[1][0]
                .to_string()
                .replace("encrypted at rest", "ideally encrypted");
            g[1][0] = Data::String(json);
        }
    });
    let report = verify(&bytes, SECRET).expect("verify");
    assert_eq!(report.alterations.len(), 1);
    assert_eq!(
        report.alterations[0].kind,
        AlterationKind::IntegrityAltered,
        "the keyed hash no longer matches"
    );
}

#[test]
fn a_matrix_without_its_integrity_sheet_is_reported() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let original = exported();
    for (name, g) in sheets(&original) {
        if name == INTEGRITY_SHEET {
            continue;
        }
        let ws = wb.add_worksheet();
        ws.set_name(&name).expect("name");
        for (r, cells) in g.iter().enumerate() {
            for (c, v) in cells.iter().enumerate() {
                if let Data::String(s) = v {
                    ws.write_string(r as u32, c as u16, s).expect("write");
                }
            }
        }
    }
    let bytes = wb.save_to_buffer().expect("save");
    let report = verify(&bytes, SECRET).expect("verify");
    assert_eq!(report.alterations[0].kind, AlterationKind::IntegrityMissing);
    assert_eq!(report.exit_code(), 3);
}

#[test]
fn an_invalid_override_is_a_problem_for_that_cell_and_the_other_edits_still_merge() {
    let bytes = rewrite(&exported(), |name, g| {
        if name == MATRIX {
            let (over, reason, notes) = (
                col(g, "Coverage override"),
                col(g, "Override reason"),
                col(g, "Notes"),
            );
            let r1 = row_of(g, "a-1");
            set(g, r1, over, "mostly");
            set(g, r1, notes, "checked");
            let r2 = row_of(g, "a-2");
            set(g, r2, over, "not applicable");
            set(g, r2, reason, " ");
        }
    });
    let edits = read_matrix(&bytes, SECRET).expect("read");
    assert_eq!(edits.problems.len(), 2, "{:?}", edits.problems);
    assert_eq!(
        edits.problems[0].cell, "R2",
        "the bad coverage value's cell"
    );
    assert!(
        edits.problems[0]
            .message
            .contains("'mostly' is not a valid coverage"),
        "{}",
        edits.problems[0]
    );
    assert_eq!(
        edits.problems[1].column, "Override reason",
        "an override needs a reason"
    );
    assert_eq!(
        edits.rows[0].notes.as_deref(),
        Some("checked"),
        "the note on the same row still merges"
    );
    assert_eq!(
        edits.rows[0].coverage_override, None,
        "the invalid override is not applied"
    );
}

#[test]
fn something_that_is_not_a_crosswalk_matrix_is_refused_clearly() {
    let demo = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/samples/demo-requirements.xlsx"
    ))
    .expect("demo sample");
    let err = verify(&demo, SECRET).unwrap_err();
    assert!(matches!(err, MatrixError::NotAMatrix(_)), "{err}");
    assert!(
        err.to_string().contains("Security Requirements"),
        "names the sheets it found: {err}"
    );
    let err = read_matrix(b"PK\x03\x04 not really a zip", SECRET).unwrap_err();
    assert!(matches!(err, MatrixError::Unreadable(_)), "{err}");
}

#[test]
fn a_workload_rows_edit_names_the_exported_workload_even_if_the_workload_cell_was_changed() {
    let mut m = model();
    m.workloads = vec!["freight-portal".into(), "billing".into()];
    let mut billing = m.rows[1].clone();
    billing.key = format!("{}@billing", m.rows[1].key);
    billing.workload = Some("billing".into());
    m.rows[1].key = format!("{}@freight-portal", m.rows[1].key);
    m.rows[1].workload = Some("freight-portal".into());
    m.rows.insert(2, billing);
    let bytes = write_xlsx(&m, SECRET).expect("export").bytes;
    let edited = rewrite(&bytes, |name, g| {
        if name != MATRIX {
            return;
        }
        let (notes, workload) = (col(g, "Notes"), col(g, "Workload"));
        let r = row_of(g, "a-2@billing");
        set(g, r, notes, "Billing keeps its own keys");
        // Someone also retypes the read-only Workload cell.
        set(g, r, workload, "freight-portal");
    });
    let edits = read_matrix(&edited, SECRET).expect("read");
    assert_eq!(edits.rows.len(), 1);
    let row = &edits.rows[0];
    assert_eq!(row.key, "a-2@billing");
    assert_eq!(
        row.workload.as_deref(),
        Some("billing"),
        "the workload comes from the sealed export, not from the cell"
    );
    assert_eq!(row.notes.as_deref(), Some("Billing keeps its own keys"));
    let altered: Vec<(&str, Option<&str>)> = edits
        .alterations
        .iter()
        .map(|a| (a.sheet.as_str(), a.column.as_deref()))
        .collect();
    assert_eq!(
        altered,
        [("Matrix", Some("Workload"))],
        "the retyped cell is reported"
    );
    let untouched = read_matrix(&bytes, SECRET).expect("read");
    assert!(untouched.rows.is_empty());
}

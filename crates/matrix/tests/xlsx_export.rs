//! The exported workbook, read back with calamine and inspected part by part.

mod common;

use calamine::Data;
use common::*;
use crosswalk_matrix::*;
use std::io::Read;

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut file = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("part {name} present"));
    let mut s = String::new();
    file.read_to_string(&mut s).expect("utf-8 xml");
    s
}

fn parts(bytes: &[u8]) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    zip.file_names()
        .filter_map(|n| n.ok())
        .map(String::from)
        .collect()
}

#[test]
fn the_workbook_has_the_six_sheets_then_the_hidden_integrity_sheet() {
    let export = write_xlsx(&model(), SECRET).expect("export");
    let names: Vec<String> = sheets(&export.bytes).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "Matrix",
            "Coverage",
            "Gaps",
            "Links",
            "Catalogue",
            "About",
            "_crosswalk"
        ]
    );
    let workbook = part(&export.bytes, "xl/workbook.xml");
    assert!(
        workbook.contains(r#"name="_crosswalk" sheetId="7" state="veryHidden""#),
        "the integrity sheet cannot be unhidden from Excel's menu: {workbook}"
    );
    assert!(
        export.warnings.is_empty(),
        "nothing was cut: {:?}",
        export.warnings
    );
}

#[test]
fn matrix_rows_carry_every_column_the_issue_lists() {
    let m = model();
    let export = write_xlsx(&m, SECRET).expect("export");
    let g = sheet(&export.bytes, MATRIX);
    let headers: Vec<String> = g[0].iter().map(|d| d.to_string()).collect();
    for wanted in [
        "Req ID",
        "Requirement",
        "Section",
        "CAF capability",
        "CAF epic",
        "AWS services",
        "Inherited LZ controls",
        "Workload controls",
        "Framework controls",
        "Responsibility",
        "Coverage",
        "Rationale",
        "Owner",
        "Evidence",
        "Notes",
        "Last changed",
        "Coverage override",
        "Override reason",
        "Key",
        "Exported version",
    ] {
        assert!(
            headers.iter().any(|h| h == wanted),
            "column {wanted} missing from {headers:?}"
        );
    }
    assert_eq!(
        g.len(),
        1 + m.rows.len(),
        "a header and one line per requirement"
    );

    let r = row_of(&g, "a-1");
    assert_eq!(text(&g, r, col(&g, "Req ID")), "SEC-IAM-01");
    assert_eq!(text(&g, r, col(&g, "Requirement")), m.rows[0].text);
    assert_eq!(
        text(&g, r, col(&g, "Inherited LZ controls")),
        "ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED"
    );
    assert_eq!(
        text(&g, r, col(&g, "CAF capability")),
        "Identity and access management (CAF-SEC-IAM)",
        "CAF shown by name"
    );
    assert_eq!(text(&g, r, col(&g, "Coverage")), "inherited");
    assert_eq!(text(&g, r, col(&g, "Responsibility")), "inherited");
    assert_eq!(
        g[r][col(&g, "Exported version")],
        Data::Float(1.0),
        "the version is a number"
    );

    let na = row_of(&g, "a-5");
    assert_eq!(text(&g, na, col(&g, "Coverage")), "not_applicable");
    assert_eq!(
        text(&g, na, col(&g, "Coverage basis")),
        "override (rules give gap)",
        "an override is shown as one"
    );
    assert_eq!(text(&g, na, col(&g, "Coverage override")), "not_applicable");
    assert_eq!(
        text(&g, na, col(&g, "Override reason")),
        "Handled by the group DPO process, outside AWS"
    );
}

#[test]
fn the_matrix_sheet_is_frozen_filtered_validated_and_linked() {
    let export = write_xlsx(&model(), SECRET).expect("export");
    let xml = part(&export.bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains(r#"<pane xSplit="2" ySplit="1" topLeftCell="C2" activePane="bottomRight" state="frozen"/>"#), "header row and id columns frozen");
    assert!(
        xml.contains(r#"<autoFilter ref="A1:X6"/>"#),
        "filter over the visible columns and all rows: {}",
        &xml[..xml.len().min(400)]
    );
    assert!(
        xml.contains(r#"<dataValidations count="5">"#),
        "one validation per editable column"
    );
    assert!(
        xml.contains(r#"<formula1>"inherited,partial,workload,gap,not_applicable"</formula1>"#),
        "the override dropdown lists the coverages"
    );
    assert!(
        xml.contains("<formula1>'_crosswalk'!$D$1:$D$3</formula1>"),
        "the owner dropdown lists the three owners"
    );
    assert!(
        xml.contains(r#"location="Catalogue!A2""#),
        "a control ref links to its catalogue row"
    );
    assert!(
        xml.contains(r#"hidden="1""#),
        "key and version columns are hidden"
    );
}

#[test]
fn coverage_cells_are_coloured_by_coverage() {
    let export = write_xlsx(&model(), SECRET).expect("export");
    let styles = part(&export.bytes, "xl/styles.xml");
    for colour in ["FFC6EFCE", "FFFFEB9C", "FFBDD7EE", "FFFFC7CE", "FFE7E6E6"] {
        assert!(
            styles.contains(colour),
            "fill {colour} for one coverage is defined"
        );
    }
}

#[test]
fn the_coverage_sheet_counts_per_capability_and_domain_with_stacked_bar_charts() {
    let export = write_xlsx(&model(), SECRET).expect("export");
    let g = sheet(&export.bytes, COVERAGE);
    let find = |grouping: &str, name: &str| {
        g.iter()
            .position(|r| {
                r.first().map(|d| d.to_string()).as_deref() == Some(grouping)
                    && r.get(1).map(|d| d.to_string()).as_deref() == Some(name)
            })
            .unwrap_or_else(|| panic!("{grouping}/{name} row"))
    };
    let logging = find("Workplan domain", "Logging and monitoring");
    assert_eq!(
        g[logging][col(&g, "Partial")],
        Data::Float(1.0),
        "SEC-LM-01 is partial"
    );
    assert_eq!(
        g[logging][col(&g, "Gap")],
        Data::Float(1.0),
        "GEN-7F3A is a gap"
    );
    assert_eq!(g[logging][col(&g, "Total")], Data::Float(2.0));
    let iam = find("CAF capability", "Identity and access management");
    assert_eq!(g[iam][col(&g, "Inherited")], Data::Float(1.0));
    let unclassified = find("CAF capability", "(unclassified)");
    assert_eq!(
        g[unclassified][col(&g, "Total")],
        Data::Float(3.0),
        "three rows have no CAF capability"
    );

    let names = parts(&export.bytes);
    assert!(
        names.iter().any(|n| n == "xl/charts/chart1.xml")
            && names.iter().any(|n| n == "xl/charts/chart2.xml"),
        "two charts: {names:?}"
    );
    let chart = part(&export.bytes, "xl/charts/chart1.xml");
    assert!(
        chart.contains("<c:barChart>") && chart.contains(r#"<c:grouping val="stacked"/>"#),
        "a stacked bar chart"
    );
    assert_eq!(
        chart.matches("<c:ser>").count(),
        5,
        "one series per coverage"
    );
    assert!(
        chart.contains("<c:f>Coverage!$B$2:$B$"),
        "categories are the capability names"
    );
}

#[test]
fn gaps_links_catalogue_and_about_hold_what_an_auditor_needs() {
    let m = model();
    let export = write_xlsx(&m, SECRET).expect("export");
    let gaps = sheet(&export.bytes, GAPS);
    assert_eq!(gaps.len(), 2, "one gap story");
    assert_eq!(
        text(&gaps, 1, col(&gaps, "Story")),
        "Synchronise instance clocks with the Amazon Time Sync Service"
    );
    assert_eq!(
        text(&gaps, 1, col(&gaps, "Requirement")),
        "Time sources of all systems are synchronised.",
        "the gap's requirement text"
    );
    assert_eq!(
        text(&gaps, 1, col(&gaps, "Acceptance criteria")),
        "• Every instance uses the Time Sync endpoint\n• Drift is alarmed above 1 second"
    );

    let links = sheet(&export.bytes, LINKS);
    assert_eq!(
        links.len(),
        1 + m.links.len(),
        "one row per accepted mapping"
    );
    let l = row_of(&links, "m-4");
    assert_eq!(
        text(&links, l, col(&links, "Relationship")),
        "intersects-with"
    );
    assert_eq!(text(&links, l, col(&links, "Origin")), "suggested");
    assert_eq!(text(&links, l, col(&links, "Author")), "consultant");

    let cat = sheet(&export.bytes, CATALOGUE);
    let c = row_of(&cat, "ct:AWS-GR_CLOUDTRAIL_ENABLED");
    assert_eq!(text(&cat, c, col(&cat, "Enabled in landing zone")), "yes");
    assert!(
        text(&cat, c, col(&cat, "Provenance")).starts_with("Facts from public AWS documentation")
    );

    let about = sheet(&export.bytes, ABOUT);
    let value = |key: &str| text(&about, row_of(&about, key), 1);
    assert_eq!(value("engagement"), "Harbourline AWS migration");
    assert_eq!(value("catalogue_version"), "2025.05.0");
    assert_eq!(value("generated_at"), "2025-05-02T11:00:00Z");
    assert_eq!(
        value("enabled_controls"),
        "ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED\nct:AWS-GR_CLOUDTRAIL_ENABLED"
    );
    assert_eq!(
        value("content_hash"),
        export.content_hash,
        "the About sheet shows the keyed hash"
    );
    assert_eq!(export.content_hash.len(), 64, "HMAC-SHA256 in hex");
}

#[test]
fn the_same_model_gives_the_same_bytes_and_another_key_another_hash() {
    let a = write_xlsx(&model(), SECRET).expect("export");
    let b = write_xlsx(&model(), SECRET).expect("export");
    assert_eq!(
        a.bytes, b.bytes,
        "no clock is read: an export is a function of the model"
    );
    let c = write_xlsx(&model(), b"another engagement").expect("export");
    assert_ne!(
        a.content_hash, c.content_hash,
        "the hash is keyed by the engagement's secret"
    );
}

#[test]
fn an_empty_matrix_still_exports() {
    let mut m = model();
    m.rows.clear();
    m.links.clear();
    m.gaps.clear();
    m.tally_coverage();
    let export =
        write_xlsx(&m, SECRET).expect("an engagement with nothing imported yet still exports");
    let report = verify(&export.bytes, SECRET).expect("verify");
    assert_eq!(report.status, VerifyStatus::Untouched);
}

/// The sample model with its rows repeated (fresh keys) until it has `n` matrix rows.
fn model_with_rows(n: usize) -> MatrixModel {
    let mut m = model();
    let first = m.rows.clone();
    m.rows = (0..n)
        .map(|i| {
            let mut r = first[i % first.len()].clone();
            r.key = format!("{}#{i}", r.key);
            r.reference = format!("{}-{i}", r.reference);
            r
        })
        .collect();
    m
}

#[test]
fn writing_reports_rows_as_they_are_written_and_the_same_workbook_comes_out() {
    let m = model_with_rows(5_000);
    let mut seen: Vec<WriteProgress> = Vec::new();
    let export = write_xlsx_with(&m, SECRET, &mut |p| {
        seen.push(p);
        std::ops::ControlFlow::Continue(())
    })
    .expect("export");
    let total = seen[0].rows_total;
    // Every sheet's rows: 5,000 matrix rows and the others' (links, gaps, catalogue, …).
    let others = m.links.len() + m.gaps.len() + m.catalogue.len();
    assert!(total > 5_000 + others, "{total}");
    assert_eq!(seen[0].rows_done, 0);
    assert_eq!(seen.last().unwrap().rows_done, total);
    assert!(seen.iter().all(|p| p.rows_total == total));
    assert!(seen.windows(2).all(|w| w[0].rows_done <= w[1].rows_done));
    // At least every 1,024 rows: more than a start and an end.
    assert!(seen.len() >= 6, "{} reports", seen.len());
    // The same cells as the plain writer gives, and a seal that verifies.
    let plain = write_xlsx(&m, SECRET).expect("export");
    assert_eq!(sheets(&export.bytes), sheets(&plain.bytes));
    assert_eq!(export.content_hash, plain.content_hash);
    assert_eq!(
        verify(&export.bytes, SECRET).expect("verify").status,
        VerifyStatus::Untouched
    );
    let grid = sheet(&export.bytes, MATRIX);
    assert_eq!(grid.len(), 5_001);
    assert_eq!(
        text(&grid, row_of(&grid, "a-5#4999"), col(&grid, "Req ID")),
        "SEC-IR-10-4999"
    );
}

#[test]
fn a_stop_asked_for_during_the_rows_ends_the_writing_with_stopped() {
    let m = model_with_rows(5_000);
    let mut reports = 0;
    let got = write_xlsx_with(&m, SECRET, &mut |p| {
        reports += 1;
        if p.rows_done > 0 {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    });
    assert!(matches!(got, Err(MatrixError::Stopped)), "{got:?}");
    assert_eq!(reports, 2, "it stops at the first report after the start");
}

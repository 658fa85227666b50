//! The readiness workbook and the backlog CSV, written from a report built by hand and read back
//! with calamine and the csv crate, as a customer's Excel and an issue tracker would read them.

use calamine::{Data, Reader, Xlsx};
use crosswalk_domain::QualifiedRef;
use crosswalk_readiness::*;
use std::io::Cursor;

fn control(r: &str, title: &str) -> ControlRef {
    ControlRef {
        reference: QualifiedRef::parse(r).expect("qualified ref"),
        title: title.into(),
    }
}

fn row(reference: &str, task: Option<&str>, status: WorkplanStatus, notes: &str) -> WorkplanRow {
    WorkplanRow {
        reference: reference.into(),
        task: task.map(String::from),
        title: format!("{reference} title"),
        msr_id: None,
        policy: false,
        status,
        progress: None,
        reason: String::new(),
        owner: String::new(),
        due: None,
        notes: notes.into(),
        decision: String::new(),
        enforced_by: Vec::new(),
        artifacts: Vec::new(),
        updated_at: None,
        updated_by: None,
    }
}

fn story(key: &str, title: &str, domain: Option<SecurityDomain>, labels: &[&str]) -> Story {
    Story {
        key: key.into(),
        title: title.into(),
        description: "Line one, \"quoted\"\nline two".into(),
        acceptance_criteria: vec!["First criterion".into(), "Second   criterion".into()],
        controls: vec![control("ct:ROOT_MFA", "Root MFA")],
        priority: Priority::High,
        domains: domain.into_iter().collect(),
        sources: Vec::new(),
        labels: labels.iter().map(|l| l.to_string()).collect(),
    }
}

fn report() -> ReadinessReport {
    let mut progress = Progress::default();
    progress.add(WorkplanStatus::Done);
    progress.add(WorkplanStatus::NotApplicable);
    let mut task = row("T3", None, progress.status(), "");
    task.progress = Some(progress);
    let mut policy = row(
        "T3.S3",
        Some("T3"),
        WorkplanStatus::Done,
        "=HYPERLINK(\"x\")",
    );
    policy.policy = true;
    policy.msr_id = Some("MSR.IAM.2".into());
    policy.enforced_by = vec![control("ct:ROOT_MFA", "Root MFA")];
    policy.due = Some("2025-06-30".into());
    let mut na = row(
        "T3.S13",
        Some("T3"),
        WorkplanStatus::NotApplicable,
        &"x".repeat(40_000),
    );
    na.reason = "Contacts already routed".into();
    ReadinessReport {
        engagement: "Acme".into(),
        catalogue_version: "1.2.3".into(),
        app_version: "0.1.0".into(),
        generated_at: "2025-03-01T10:00:00Z".into(),
        generated_by: "tester".into(),
        workplan: vec![task, policy, na],
        domains: SecurityDomain::ALL
            .iter()
            .map(|&d| DomainReadiness {
                domain: d,
                task: d.task().into(),
                task_title: format!("{} task", d.label()),
                progress: Progress::default(),
                dimensions: Dimension::ALL
                    .iter()
                    .map(|&x| DimensionState {
                        dimension: x,
                        current_state: format!("{} {} today", d.as_str(), x.as_str()),
                        readiness_state: format!("{} {} ready", d.as_str(), x.as_str()),
                        gap: format!("{} {} gap", d.as_str(), x.as_str()),
                    })
                    .collect(),
                requirement_gaps: 0,
            })
            .collect(),
        stories: vec![
            story(
                "story-1",
                "Enforce root MFA",
                Some(SecurityDomain::Iam),
                &["crosswalk", "iam", "readiness-gap", "requirement-gap"],
            ),
            story("gap-acme:R-2", "-Meet R-2", None, &["crosswalk"]),
            story(
                "gap-acme:R-3",
                &"long title ".repeat(40),
                None,
                &["crosswalk"],
            ),
        ],
    }
}

fn text(range: &calamine::Range<Data>, r: usize, c: usize) -> String {
    match range.get((r, c)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => panic!("({r},{c}) is not a string cell: {other:?}"),
    }
}

#[test]
fn the_workbook_has_the_workplan_a_sheet_per_domain_the_backlog_and_about() {
    let bytes = write_readiness_xlsx(&report()).expect("writes");
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("a valid xlsx");
    assert_eq!(
        book.sheet_names(),
        [
            "Workplan",
            "Data protection",
            "IAM",
            "Incident response",
            "Infrastructure protection",
            "Logging & monitoring",
            "Backlog",
            "About"
        ]
    );

    let wp = book.worksheet_range(WORKPLAN_SHEET).unwrap();
    assert_eq!(wp.height(), 4, "a header and three rows");
    let header: Vec<String> = (0..WORKPLAN_COLUMNS.len())
        .map(|c| text(&wp, 0, c))
        .collect();
    assert_eq!(header, WORKPLAN_COLUMNS);
    assert_eq!(
        text(&wp, 1, 5),
        "Done",
        "a task is done when every applicable subtask is"
    );
    assert_eq!(
        text(&wp, 1, 6),
        "1/1 done",
        "the not-applicable subtask counts in neither number"
    );
    assert_eq!(
        text(&wp, 2, 12),
        "ct:ROOT_MFA (Root MFA)",
        "what enforces the policy"
    );
    assert_eq!(text(&wp, 2, 4), "yes");
    assert_eq!(text(&wp, 2, 9), "2025-06-30");
    assert_eq!(
        text(&wp, 2, 10),
        "=HYPERLINK(\"x\")",
        "text that looks like a formula is a string cell, never run"
    );
    let long = text(&wp, 3, 10);
    assert_eq!(long.chars().count(), 32_767, "cut to Excel's cell limit");
    assert!(long.ends_with('…'), "with a marker that it was cut");
    assert_eq!(text(&wp, 3, 7), "Contacts already routed");

    let iam = book.worksheet_range("IAM").unwrap();
    let first = DIMENSION_HEADER_ROW as usize;
    assert_eq!(text(&iam, first, 0), "Dimension");
    let dims: Vec<(String, String)> = (1..=4)
        .map(|i| (text(&iam, first + i, 0), text(&iam, first + i, 3)))
        .collect();
    assert_eq!(
        dims,
        [
            ("Policy".to_string(), "iam policy gap".to_string()),
            ("Process".into(), "iam process gap".into()),
            ("Tools".into(), "iam tools gap".into()),
            ("People".into(), "iam people gap".into())
        ]
    );
    let stories_at = STORY_HEADER_ROW as usize;
    assert_eq!(text(&iam, stories_at, 1), "Summary");
    assert_eq!(
        text(&iam, stories_at + 1, 0),
        "story-1",
        "the IAM story is on the IAM sheet"
    );
    assert_eq!(text(&iam, stories_at + 2, 0), "", "and only that one");
    let dp = book.worksheet_range("Data protection").unwrap();
    assert_eq!(
        text(&dp, stories_at + 1, 0),
        "",
        "a story of no domain is on no domain sheet"
    );

    let backlog = book.worksheet_range(BACKLOG_SHEET).unwrap();
    assert_eq!(backlog.height(), 4, "a header and every story");
    assert_eq!(
        text(&backlog, 2, 1),
        "-Meet R-2",
        "string cells keep a leading minus as text"
    );
    assert_eq!(
        text(&backlog, 1, 5),
        "* First criterion\n* Second criterion"
    );
    assert_eq!(
        text(&backlog, 1, 8),
        "crosswalk iam readiness-gap requirement-gap"
    );
}

#[test]
fn the_same_report_gives_the_same_workbook() {
    let a = write_readiness_xlsx(&report()).unwrap();
    let b = write_readiness_xlsx(&report()).unwrap();
    assert_eq!(a, b, "no clock inside: the creation time is the report's");
}

#[test]
fn the_backlog_csv_reads_back_in_jiras_layout() {
    let bytes = write_backlog_csv(&report().stories).unwrap();
    assert!(
        !bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "no BOM: it would stick to 'Summary'"
    );
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers,
        [
            "Summary",
            "Description",
            "Acceptance Criteria",
            "Labels",
            "Labels",
            "Labels",
            "Labels",
            "Priority"
        ],
        "Labels repeats as often as the story with most labels needs"
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][0], "Enforce root MFA");
    assert_eq!(
        &rows[0][1], "Line one, \"quoted\"\nline two",
        "commas, quotes and new lines survive the round trip"
    );
    assert_eq!(&rows[0][2], "* First criterion\n* Second criterion");
    let labels: Vec<&str> = (3..7).map(|i| &rows[0][i]).collect();
    assert_eq!(
        labels,
        ["crosswalk", "iam", "readiness-gap", "requirement-gap"]
    );
    assert_eq!(&rows[0][7], "High", "Jira's priority name");
    assert_eq!(
        &rows[1][0], "'-Meet R-2",
        "a summary a spreadsheet would run is neutralised"
    );
    assert_eq!(
        (4..7).map(|i| &rows[1][i]).collect::<String>(),
        "",
        "unused label columns stay empty"
    );
    let long = &rows[2][0];
    assert_eq!(
        long.chars().count(),
        SUMMARY_LIMIT,
        "Jira refuses longer summaries"
    );
    assert!(long.ends_with('…'));
}

#[test]
fn an_empty_backlog_still_has_its_header() {
    let bytes = write_backlog_csv(&[]).unwrap();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "Summary,Description,Acceptance Criteria,Labels,Priority\r\n"
    );
}

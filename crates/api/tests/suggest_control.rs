//! Following and stopping a suggestion run that accepts the strong suggestions (progress by
//! requirement ranked, then accepting; a cancel accepts nothing).

use crosswalk_api::{
    audit_log, create_engagement, import, suggest, suggest_controlled, Actor, ApiError,
    ImportRequest, SuggestControl, SuggestProgress, SuggestReport, SuggestRequest, SuggestStage,
};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use time::macros::datetime;

fn actor() -> Actor {
    Actor::new("tester", datetime!(2026-03-01 10:00 UTC))
}

/// An engagement with `rows` requirements that the catalogue matches strongly.
fn engagement(dir: &Path, rows: usize) -> PathBuf {
    let db = dir.join("acme.crosswalk");
    create_engagement(&db, &actor(), "ACME", &[], None).expect("create");
    let topics = [
        "Encrypt data at rest with customer managed KMS keys",
        "Enable multi-factor authentication for the root user",
        "Enable CloudTrail logging in all regions",
        "Block public access to S3 buckets",
    ];
    let mut text = String::from("ID,Requirement\n");
    for i in 0..rows {
        text.push_str(&format!("R-{},{}\n", i + 1, topics[i % topics.len()]));
    }
    let file = dir.join("acme.csv");
    std::fs::write(&file, text).unwrap();
    import(
        &db,
        &actor(),
        &ImportRequest {
            file,
            ..Default::default()
        },
    )
    .expect("import");
    db
}

fn request() -> SuggestRequest {
    SuggestRequest {
        set: None,
        top: 5,
        accept_above: Some(0.5),
    }
}

fn accepted(report: &SuggestReport) -> usize {
    report
        .requirements
        .iter()
        .flat_map(|r| &r.suggestions)
        .filter(|s| s.accepted)
        .count()
}

fn read_only(db: &Path) -> SuggestReport {
    suggest(
        db,
        &actor(),
        &SuggestRequest {
            accept_above: None,
            ..request()
        },
    )
    .expect("suggest")
}

#[test]
fn progress_counts_requirements_ranked_then_accepting_then_done() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path(), 8);
    let seen: RefCell<Vec<SuggestProgress>> = RefCell::new(Vec::new());
    let progress = |p: SuggestProgress| seen.borrow_mut().push(p);
    let report = suggest_controlled(
        &db,
        &actor(),
        &request(),
        &SuggestControl {
            progress: Some(&progress),
            cancel: None,
        },
    )
    .expect("suggest");
    assert!(report.accepted > 0, "the catalogue matches these strongly");
    let seen: Vec<(SuggestStage, usize, usize)> = seen
        .into_inner()
        .into_iter()
        .map(|p| (p.stage, p.done, p.total))
        .collect();
    let mut expected: Vec<(SuggestStage, usize, usize)> =
        (0..=8).map(|i| (SuggestStage::Ranking, i, 8)).collect();
    expected.push((SuggestStage::Accepting, 0, report.accepted));
    expected.push((SuggestStage::Done, report.accepted, report.accepted));
    assert_eq!(seen, expected);
    assert_eq!(
        accepted(&read_only(&db)),
        report.accepted,
        "all were stored"
    );
}

#[test]
fn a_cancel_while_ranking_accepts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path(), 8);
    let audit_before = audit_log(&db).expect("audit").len();
    let cancel = AtomicBool::new(false);
    let stages = RefCell::new(Vec::new());
    // The host presses Cancel once three requirements are ranked.
    let progress = |p: SuggestProgress| {
        stages.borrow_mut().push(p.stage);
        if p.stage == SuggestStage::Ranking && p.done == 3 {
            cancel.store(true, Ordering::SeqCst);
        }
    };
    let e = suggest_controlled(
        &db,
        &actor(),
        &request(),
        &SuggestControl {
            progress: Some(&progress),
            cancel: Some(&cancel),
        },
    )
    .expect_err("cancelled");
    assert!(
        matches!(e, ApiError::Cancelled { what: "suggest" }),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "suggest cancelled; nothing was written");
    assert!(
        !stages.borrow().contains(&SuggestStage::Accepting),
        "it never reached the accepting step"
    );
    assert_eq!(accepted(&read_only(&db)), 0, "nothing was accepted");
    assert_eq!(audit_log(&db).expect("audit").len(), audit_before);
    // The same run without the cancel accepts.
    let report = suggest(&db, &actor(), &request()).expect("suggest");
    assert!(report.accepted > 0);
}

#[test]
fn a_cancel_set_before_the_run_accepts_nothing_and_the_read_only_run_stops_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path(), 4);
    let cancel = AtomicBool::new(true);
    let control = SuggestControl {
        progress: None,
        cancel: Some(&cancel),
    };
    for accept_above in [Some(0.5), None] {
        let e = suggest_controlled(
            &db,
            &actor(),
            &SuggestRequest {
                accept_above,
                ..request()
            },
            &control,
        )
        .expect_err("cancelled");
        assert!(
            matches!(e, ApiError::Cancelled { what: "suggest" }),
            "{e:?}"
        );
    }
    assert_eq!(accepted(&read_only(&db)), 0);
}

//! Following and stopping an import (progress reports, cancel), and the user's column roles
//! overriding detection.

use crosswalk_api::{
    create_engagement, import, import_with, list_requirements, parse_column_choice, Actor,
    ApiError, ImportControl, ImportPhase, ImportProgress, ImportRequest, RequirementQuery,
    PROGRESS_EVERY,
};
use crosswalk_domain::ColumnRole;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use time::macros::datetime;

fn actor() -> Actor {
    Actor::new("tester", datetime!(2026-03-01 10:00 UTC))
}

/// A CSV of `rows` requirements: `R-1`…, each with its own text.
fn sheet(dir: &Path, name: &str, rows: usize) -> PathBuf {
    let mut text = String::from("ID,Requirement,Owner\n");
    for i in 1..=rows {
        text.push_str(&format!("R-{i},Encrypt volume number {i} at rest,Ops\n"));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn engagement(dir: &Path) -> PathBuf {
    let db = dir.join("acme.crosswalk");
    create_engagement(&db, &actor(), "ACME", &[], None).expect("create");
    db
}

fn all_refs(db: &Path) -> Vec<String> {
    list_requirements(db, &RequirementQuery::default())
        .expect("list")
        .requirements
        .into_iter()
        .map(|r| r.reference)
        .collect()
}

#[test]
fn progress_is_reported_by_phase_and_every_thousand_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    let file = sheet(dir.path(), "acme.csv", 2500);
    let seen: RefCell<Vec<ImportProgress>> = RefCell::new(Vec::new());
    let progress = |p: ImportProgress| seen.borrow_mut().push(p);
    let report = import_with(
        &db,
        &actor(),
        &ImportRequest {
            file,
            ..Default::default()
        },
        &ImportControl {
            progress: Some(&progress),
            cancel: None,
        },
    )
    .expect("import");
    assert_eq!(report.added, 2500);
    let seen = seen.into_inner();
    let at = |phase: ImportPhase| -> Vec<usize> {
        seen.iter()
            .filter(|p| p.phase == phase)
            .map(|p| p.rows)
            .collect()
    };
    assert_eq!(at(ImportPhase::Reading), [0]);
    assert_eq!(
        at(ImportPhase::Storing),
        [0, PROGRESS_EVERY, 2 * PROGRESS_EVERY]
    );
    assert_eq!(at(ImportPhase::Indexing), [2500]);
    assert_eq!(at(ImportPhase::Done), [2500]);
    assert_eq!(seen.last().unwrap().phase, ImportPhase::Done);
}

#[test]
fn a_cancelled_import_stores_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    import(
        &db,
        &actor(),
        &ImportRequest {
            file: sheet(dir.path(), "first.csv", 3),
            set: Some("first".into()),
            ..Default::default()
        },
    )
    .expect("a first set");
    let before = all_refs(&db);

    // Cancelled half-way through storing: the rows stored so far are rolled back.
    let cancel = AtomicBool::new(false);
    let progress = |p: ImportProgress| {
        if p.phase == ImportPhase::Storing && p.rows >= PROGRESS_EVERY {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let err = import_with(
        &db,
        &actor(),
        &ImportRequest {
            file: sheet(dir.path(), "acme.csv", 3000),
            ..Default::default()
        },
        &ImportControl {
            progress: Some(&progress),
            cancel: Some(&cancel),
        },
    )
    .expect_err("cancelled");
    assert!(matches!(err, ApiError::Cancelled { .. }), "{err:?}");
    assert_eq!(err.to_string(), "import cancelled; nothing was written");
    assert_eq!(all_refs(&db), before, "nothing of the cancelled import");
    let acme = list_requirements(
        &db,
        &RequirementQuery {
            set: Some("acme".into()),
            ..Default::default()
        },
    );
    assert!(acme.is_err(), "no set 'acme' was made");

    // Cancelled before it starts, into a file that does not exist: no file appears.
    let missing = dir.path().join("new.crosswalk");
    let stop = AtomicBool::new(true);
    let err = import_with(
        &missing,
        &actor(),
        &ImportRequest {
            file: sheet(dir.path(), "acme.csv", 10),
            ..Default::default()
        },
        &ImportControl {
            progress: None,
            cancel: Some(&stop),
        },
    )
    .expect_err("cancelled");
    assert!(matches!(err, ApiError::Cancelled { .. }), "{err:?}");
    assert!(!missing.exists(), "a cancelled first import leaves no file");

    // The same import, not cancelled, goes through.
    let report = import(
        &db,
        &actor(),
        &ImportRequest {
            file: sheet(dir.path(), "acme.csv", 3000),
            ..Default::default()
        },
    )
    .expect("import");
    assert_eq!(report.added, 3000);
}

#[test]
fn column_roles_chosen_by_the_user_override_detection() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path());
    // Detection takes `Control` as the id and `Description` as the text; the user says the
    // ids are in `Key` and the text in `Statement`.
    let file = dir.path().join("controls.csv");
    std::fs::write(
        &file,
        "Control,Key,Statement,Description\n\
         AC-1,K-1,Keep an access policy,old wording one\n\
         AC-2,K-2,Review accounts quarterly,old wording two\n",
    )
    .unwrap();
    let report = import(
        &db,
        &actor(),
        &ImportRequest {
            file: file.clone(),
            columns: vec![
                parse_column_choice("id=Key").unwrap(),
                parse_column_choice("text=Statement").unwrap(),
            ],
            ..Default::default()
        },
    )
    .expect("import");
    let roles: Vec<(String, ColumnRole)> = report.sheets[0]
        .columns
        .iter()
        .map(|c| (c.header.clone(), c.role))
        .collect();
    assert!(roles.contains(&("Key".into(), ColumnRole::Id)), "{roles:?}");
    assert!(
        roles.contains(&("Statement".into(), ColumnRole::Text)),
        "{roles:?}"
    );
    let page = list_requirements(&db, &RequirementQuery::default()).expect("list");
    assert_eq!(
        page.requirements
            .iter()
            .map(|r| (r.reference.as_str(), r.text.as_str()))
            .collect::<Vec<_>>(),
        [
            ("K-1", "Keep an access policy"),
            ("K-2", "Review accounts quarterly")
        ]
    );

    // A column the sheet does not have: an error naming the file, the sheet and the column,
    // and nothing stored.
    let err = import(
        &db,
        &actor(),
        &ImportRequest {
            file,
            set: Some("other".into()),
            columns: vec![(String::from("Rationale"), ColumnRole::Text)],
            ..Default::default()
        },
    )
    .expect_err("no such column");
    let message = err.to_string();
    assert!(message.contains("controls.csv"), "{message}");
    assert!(message.contains("sheet 'controls'"), "{message}");
    assert!(message.contains("'Rationale'"), "{message}");
    assert_eq!(all_refs(&db).len(), 2);
}

#[test]
fn a_column_choice_is_role_equals_header() {
    assert_eq!(
        parse_column_choice("ref = Control ID").unwrap(),
        ("Control ID".to_string(), ColumnRole::Id)
    );
    assert_eq!(
        parse_column_choice("Section=B").unwrap(),
        ("B".to_string(), ColumnRole::Section)
    );
    assert_eq!(
        parse_column_choice("text=a=b").unwrap(),
        ("a=b".to_string(), ColumnRole::Text)
    );
    assert!(parse_column_choice("Description")
        .unwrap_err()
        .contains("ROLE=HEADER"));
    assert!(parse_column_choice("owner=Owner")
        .unwrap_err()
        .contains("not a column role"));
    assert!(parse_column_choice("text=").is_err());
}

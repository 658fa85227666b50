//! Re-importing a newer version of a sheet is an upsert: added / changed / removed / unchanged
//! are reported and audited, mappings and assessments of changed and unchanged requirements are
//! kept, and a requirement gone from the file is marked removed with its decisions intact — so
//! that it comes back whole when a later file has it again.

use crosswalk_api::{
    audit_log, import, list_requirements, map, requirement_detail, update_assessment, Actor,
    ImportRequest, MapRequest, RequirementQuery,
};
use std::path::Path;
use time::macros::datetime;

fn actor() -> Actor {
    Actor::new("tester", datetime!(2026-03-01 10:00 UTC))
}

const V1: &str = "ID,Requirement\n\
R-1,Encrypt data at rest\n\
R-2,Require MFA for administrators\n\
R-3,Keep audit logs for a year\n";

const V2: &str = "ID,Requirement\n\
R-1,Encrypt data at rest with customer managed keys\n\
R-3,Keep audit logs for a year\n\
R-4,Scan container images for vulnerabilities\n";

fn import_version(db: &Path, dir: &Path, text: &str) -> crosswalk_api::ImportReport {
    let file = dir.join("acme.csv");
    std::fs::write(&file, text).unwrap();
    import(
        db,
        &actor(),
        &ImportRequest {
            file,
            ..Default::default()
        },
    )
    .expect("import")
}

fn map_to(db: &Path, requirement: &str, target: &str) {
    map(
        db,
        &actor(),
        &MapRequest {
            requirement: requirement.into(),
            targets: vec![target.into()],
            relationship: None,
            responsibility: None,
            rationale: Some("decided in the workshop".into()),
        },
    )
    .expect("map");
}

fn decided(db: &Path, reference: &str) -> (Vec<String>, String, String) {
    let d = requirement_detail(db, "acme", reference, 1).expect("detail");
    (
        d.mappings.into_iter().map(|m| m.target).collect(),
        d.owner,
        d.notes,
    )
}

#[test]
fn a_newer_sheet_is_an_upsert_that_keeps_every_decision() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    import_version(&db, dir.path(), V1);
    map_to(&db, "acme:R-1", "service:KMS");
    map_to(&db, "acme:R-2", "service:IAM");
    for (r, owner) in [("R-1", "Data team"), ("R-2", "IAM team"), ("R-3", "SecOps")] {
        update_assessment(&db, &actor(), "acme", r, owner, "agreed", None, "").expect("assess");
    }

    let report = import_version(&db, dir.path(), V2);
    assert_eq!(
        (
            report.added,
            report.changed,
            report.removed,
            report.unchanged
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(report.diff.added, ["R-4"]);
    assert_eq!(report.diff.changed, ["R-1"]);
    assert_eq!(report.diff.removed, ["R-2"]);

    let r1 = decided(&db, "R-1");
    assert_eq!(
        r1,
        (
            vec!["service:KMS".into()],
            "Data team".into(),
            "agreed".into()
        )
    );
    let r3 = decided(&db, "R-3");
    assert_eq!((r3.1.as_str(), r3.2.as_str()), ("SecOps", "agreed"));

    let listed = list_requirements(&db, &RequirementQuery::default()).expect("list");
    let refs: Vec<&str> = listed
        .requirements
        .iter()
        .map(|r| r.reference.as_str())
        .collect();
    assert_eq!(
        refs,
        ["R-1", "R-3", "R-4"],
        "a removed requirement leaves the default list"
    );
    let all = list_requirements(
        &db,
        &RequirementQuery {
            include_removed: true,
            ..Default::default()
        },
    )
    .expect("list");
    let r2 = all
        .requirements
        .iter()
        .find(|r| r.reference == "R-2")
        .expect("R-2 is kept");
    assert!(r2.removed, "marked removed, not deleted");
    assert_eq!(
        decided(&db, "R-2"),
        (
            vec!["service:IAM".into()],
            "IAM team".into(),
            "agreed".into()
        ),
        "its decisions are kept"
    );

    let log = audit_log(&db).expect("audit");
    let imports: Vec<_> = log
        .iter()
        .filter(|e| e.action.starts_with("import"))
        .collect();
    assert_eq!(imports.len(), 2, "one audit event per import");
    let after = imports[1].after.as_ref().expect("the diff");
    assert_eq!(after["diff"]["removed"][0], "R-2", "{after}");

    // The next delivery has R-2 again: it comes back with its mapping and assessment.
    let report = import_version(
        &db,
        dir.path(),
        &format!("{V2}R-2,Require MFA for administrators\n"),
    );
    assert_eq!(report.diff.added, ["R-2"], "back from removed");
    let back = list_requirements(&db, &RequirementQuery::default()).expect("list");
    assert!(back
        .requirements
        .iter()
        .any(|r| r.reference == "R-2" && !r.removed));
    assert_eq!(decided(&db, "R-2").0, ["service:IAM"]);
}

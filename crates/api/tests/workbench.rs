//! The use cases the desktop workbench calls, on a real engagement file and a real sample sheet.

use crosswalk_api::{
    apply_preset, coverage_summary, create_engagement, decide_mapping, engagement_summary, import,
    landing_zone_controls, list_requirements, profile_presets, requirement_detail,
    requirement_sections, set_control_enabled, update_assessment, Actor, Coverage, ImportRequest,
    RequirementQuery,
};
use std::path::{Path, PathBuf};
use time::macros::datetime;

fn actor() -> Actor {
    Actor::new("tester", datetime!(2026-03-01 10:00 UTC))
}

fn real_sample(name: &str) -> PathBuf {
    let shared = match std::env::var_os("CROSSWALK_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let path = shared.join("samples/real").join(name);
    assert!(
        path.is_file(),
        "{} is missing; set CROSSWALK_SHARED_DIR",
        path.display()
    );
    path
}

/// A new engagement with the Security Hub sample imported as set `fsbp-sample`.
fn engagement_with_sample(dir: &Path) -> PathBuf {
    let db = dir.join("acme.crosswalk");
    create_engagement(&db, &actor(), "ACME", &[], None).expect("create");
    let request = ImportRequest {
        file: real_sample("aws-securityhub-controls-export-sample.csv"),
        set: Some("fsbp-sample".into()),
        ..Default::default()
    };
    import(&db, &actor(), &request).expect("the sample imports");
    db
}

#[test]
fn a_new_engagement_has_its_customer_workloads_and_the_preset_controls_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("harbour.crosswalk");
    let preset = profile_presets()
        .into_iter()
        .next()
        .expect("the catalogue ships presets");
    let summary = create_engagement(
        &db,
        &actor(),
        "Harbourline",
        &["billing".into(), " portal ".into(), "".into()],
        Some(&preset.id),
    )
    .expect("create");
    assert_eq!(summary.info.customer, "Harbourline");
    assert_eq!(
        summary.workloads,
        vec!["billing", "portal"],
        "names are trimmed, blanks skipped"
    );
    let on = landing_zone_controls(&db)
        .expect("profile")
        .into_iter()
        .filter(|c| c.enabled)
        .count();
    assert_eq!(
        on, preset.controls,
        "exactly the preset's controls are enabled"
    );
}

#[test]
fn creating_over_an_existing_file_fails_and_leaves_it_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("x.crosswalk");
    std::fs::write(&db, b"keep me").expect("write");
    assert!(create_engagement(&db, &actor(), "X", &[], None).is_err());
    assert_eq!(
        std::fs::read(&db).expect("read"),
        b"keep me",
        "nothing overwritten"
    );
}

#[test]
fn an_unknown_preset_is_refused_before_a_file_is_made() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("y.crosswalk");
    let e =
        create_engagement(&db, &actor(), "Y", &[], Some("no-such-preset")).expect_err("unknown");
    assert!(
        e.to_string().contains("no-such-preset"),
        "the error names the preset: {e}"
    );
    assert!(!db.exists(), "no half-made engagement file is left behind");
}

#[test]
fn rejecting_a_suggestion_is_remembered_and_accepting_one_changes_coverage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = engagement_with_sample(dir.path());
    let detail = requirement_detail(&db, "fsbp-sample", "ACM.1", 6).expect("detail");
    assert_eq!(detail.requirement.reference, "ACM.1");
    assert_eq!(
        detail.requirement.coverage,
        Coverage::Gap,
        "nothing is mapped yet"
    );
    assert!(
        detail.suggestions.len() >= 2,
        "the engine ranks several targets for ACM.1"
    );
    let first = detail.suggestions[0].reference.clone();
    let second = detail.suggestions[1].reference.clone();

    decide_mapping(
        &db,
        &actor(),
        "fsbp-sample",
        "ACM.1",
        &second,
        false,
        "not relevant",
    )
    .expect("reject");
    decide_mapping(&db, &actor(), "fsbp-sample", "ACM.1", &first, true, "fits").expect("accept");

    let after = requirement_detail(&db, "fsbp-sample", "ACM.1", 6).expect("detail");
    let status = |r: &str| {
        after
            .mappings
            .iter()
            .find(|m| m.target == r)
            .map(|m| m.status.as_str())
    };
    assert_eq!(status(&first), Some("accepted"));
    assert_eq!(
        status(&second),
        Some("rejected"),
        "a rejection is kept so it is not suggested as new"
    );
    assert_ne!(
        after.requirement.coverage,
        Coverage::Gap,
        "an accepted mapping covers the requirement"
    );
}

#[test]
fn an_override_needs_a_reason_and_shows_in_the_grid_row() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = engagement_with_sample(dir.path());
    let refused = update_assessment(
        &db,
        &actor(),
        "fsbp-sample",
        "ACM.1",
        "ana",
        "",
        Some(Coverage::NotApplicable),
        " ",
    );
    assert!(refused.is_err(), "an override without a reason is refused");
    let row = update_assessment(
        &db,
        &actor(),
        "fsbp-sample",
        "ACM.1",
        "ana",
        "no certificates in scope",
        Some(Coverage::NotApplicable),
        "no ACM in the workload",
    )
    .expect("update");
    assert_eq!(row.coverage, Coverage::NotApplicable);
    assert!(row.coverage_overridden);
    let detail = requirement_detail(&db, "fsbp-sample", "ACM.1", 1).expect("detail");
    assert_eq!(detail.owner, "ana");
    assert_eq!(detail.notes, "no certificates in scope");
}

#[test]
fn coverage_groups_count_every_requirement_once_per_section() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = engagement_with_sample(dir.path());
    let summary = coverage_summary(&db).expect("summary");
    let total: usize = summary
        .by_domain
        .iter()
        .flat_map(|g| g.counts.values())
        .sum();
    let listed = list_requirements(&db, &RequirementQuery::default())
        .expect("list")
        .total;
    assert_eq!(
        total as u64, listed,
        "each listed requirement falls in exactly one section group"
    );
    assert_eq!(listed, 497, "the Security Hub sample holds 497 controls");
    let sections = requirement_sections(&db, Some("fsbp-sample")).expect("sections");
    let named: usize = summary
        .by_domain
        .iter()
        .filter(|g| !g.key.is_empty())
        .count();
    assert_eq!(
        sections.len(),
        named,
        "the filter offers the same sections the chart shows"
    );
}

#[test]
fn toggling_a_control_and_applying_a_preset_are_audited() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = engagement_with_sample(dir.path());
    let before = engagement_summary(&db).expect("summary").audit_entries;
    let control = landing_zone_controls(&db)
        .expect("controls")
        .into_iter()
        .next()
        .expect("some control");
    set_control_enabled(&db, &actor(), &control.reference, true).expect("enable");
    let now_on = landing_zone_controls(&db).expect("controls");
    assert!(now_on
        .iter()
        .any(|c| c.reference == control.reference && c.enabled));
    let preset = profile_presets().into_iter().next().expect("preset");
    let changed = apply_preset(&db, &actor(), &preset.id).expect("apply");
    assert!(changed > 0, "a fresh engagement differs from the preset");
    let again = apply_preset(&db, &actor(), &preset.id).expect("apply again");
    assert_eq!(
        again, 0,
        "applying the same preset twice changes nothing the second time"
    );
    let after = engagement_summary(&db).expect("summary").audit_entries;
    assert_eq!(
        after,
        before + 1 + changed,
        "one audit entry per control that changed"
    );
}

//! The use cases the desktop workbench calls, on a real engagement file and a real sample sheet.

use crosswalk_api::{
    apply_preset, audit_log, coverage_summary, create_engagement, decide_mapping,
    engagement_summary, import, landing_zone_controls, list_requirements, profile_presets,
    requirement_detail, requirement_sections, set_control_enabled, update_assessment, Actor,
    Coverage, ImportRequest, RequirementQuery,
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

#[test]
fn each_workload_shows_and_keeps_its_own_assessment_of_a_requirement() {
    use crosswalk_api::{update_assessment_for, AssessmentUpdate, CoverageSource};
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("acme.crosswalk");
    create_engagement(
        &db,
        &actor(),
        "ACME",
        &["billing".into(), "portal".into()],
        None,
    )
    .expect("create");
    let request = ImportRequest {
        file: real_sample("aws-securityhub-controls-export-sample.csv"),
        set: Some("fsbp-sample".into()),
        ..Default::default()
    };
    import(&db, &actor(), &request).expect("the sample imports");

    let fresh = requirement_detail(&db, "fsbp-sample", "ACM.1", 1).expect("detail");
    let names: Vec<&str> = fresh
        .workloads
        .iter()
        .map(|w| w.workload.as_str())
        .collect();
    assert_eq!(
        names,
        ["billing", "portal"],
        "one entry per workload, in order"
    );
    for w in &fresh.workloads {
        assert_eq!(
            (w.coverage, w.source, w.own),
            (Coverage::Gap, CoverageSource::Derived, false)
        );
    }
    assert_eq!(fresh.derived_coverage, Coverage::Gap);

    // The engagement-wide owner shows on each workload until it has its own assessment.
    update_assessment(&db, &actor(), "fsbp-sample", "ACM.1", "ana", "", None, "").expect("owner");
    let d = requirement_detail(&db, "fsbp-sample", "ACM.1", 1).expect("detail");
    assert!(d.workloads.iter().all(|w| w.owner == "ana" && !w.own));

    let audit_before = engagement_summary(&db).expect("summary").audit_entries;
    let edit = AssessmentUpdate {
        set: "fsbp-sample",
        reference: "ACM.1",
        workload: Some("billing"),
        owner: "billing team",
        notes: "no certificates in billing",
        coverage: Some(Coverage::NotApplicable),
        reason: "billing terminates TLS nowhere",
    };
    let row = update_assessment_for(&db, &actor(), &edit).expect("billing's assessment");
    assert_eq!(
        (row.coverage, row.coverage_overridden),
        (Coverage::Gap, false),
        "the grid row is the requirement as a whole: a workload's override does not move it"
    );
    let d = requirement_detail(&db, "fsbp-sample", "ACM.1", 1).expect("detail");
    let billing = &d.workloads[0];
    assert_eq!(billing.coverage, Coverage::NotApplicable);
    assert_eq!(billing.source, CoverageSource::WorkloadOverride);
    assert_eq!(billing.coverage_reason, "billing terminates TLS nowhere");
    assert_eq!(
        (billing.own, billing.owner.as_str(), billing.notes.as_str()),
        (true, "billing team", "no certificates in billing")
    );
    let portal = &d.workloads[1];
    assert_eq!(
        (
            portal.coverage,
            portal.source,
            portal.own,
            portal.owner.as_str()
        ),
        (Coverage::Gap, CoverageSource::Derived, false, "ana"),
        "the other workload is untouched"
    );
    assert_eq!(
        d.owner, "ana",
        "the engagement-wide assessment is untouched"
    );
    let log = audit_log(&db).expect("audit");
    assert_eq!(
        log.len(),
        audit_before + 1,
        "one transaction, one audit entry"
    );
    let last = log.last().expect("an entry");
    assert_eq!(last.action, "assessment.set");
    assert_eq!(last.subject, "assessment:fsbp-sample:ACM.1 @ billing");
    assert_eq!(
        last.after.as_ref().expect("after")["coverage"],
        "not_applicable"
    );

    // An engagement-wide override holds for every workload without its own.
    update_assessment(
        &db,
        &actor(),
        "fsbp-sample",
        "ACM.1",
        "ana",
        "",
        Some(Coverage::Workload),
        "each team renews its certificates",
    )
    .expect("general override");
    let d = requirement_detail(&db, "fsbp-sample", "ACM.1", 1).expect("detail");
    assert_eq!(
        (d.workloads[0].coverage, d.workloads[0].source),
        (Coverage::NotApplicable, CoverageSource::WorkloadOverride)
    );
    assert_eq!(
        (d.workloads[1].coverage, d.workloads[1].source),
        (Coverage::Workload, CoverageSource::EngagementOverride)
    );
    assert_eq!(
        d.workloads[1].coverage_reason,
        "each team renews its certificates"
    );
    assert_eq!(
        d.derived_coverage,
        Coverage::Gap,
        "the rules' answer is kept beside the override"
    );

    // An unknown workload names the ones there are and writes nothing.
    let entries = engagement_summary(&db).expect("summary").audit_entries;
    let e = update_assessment_for(
        &db,
        &actor(),
        &AssessmentUpdate {
            workload: Some("payroll"),
            ..edit
        },
    )
    .expect_err("no such workload");
    assert!(
        e.to_string().contains("payroll") && e.to_string().contains("billing, portal"),
        "{e}"
    );
    assert_eq!(
        engagement_summary(&db).expect("summary").audit_entries,
        entries
    );
}

#[test]
fn the_panel_learns_only_from_decisions_a_person_made() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("acme.crosswalk");
    create_engagement(&db, &actor(), "ACME", &[], None).expect("create");
    let csv = dir.path().join("reqs.csv");
    std::fs::write(
        &csv,
        "ID,Requirement\n\
         R-1,Rotate the customer managed encryption keys of the payment database every year\n\
         R-2,Rotate the customer managed encryption keys of the payment database every year and log it\n",
    )
    .expect("write");
    import(
        &db,
        &actor(),
        &ImportRequest {
            file: csv,
            set: Some("acme".into()),
            ..Default::default()
        },
    )
    .expect("import");
    let target = requirement_detail(&db, "acme", "R-1", 5)
        .expect("detail")
        .suggestions[0]
        .reference
        .clone();
    let learned = |db: &Path| {
        requirement_detail(db, "acme", "R-2", 10)
            .expect("detail")
            .suggestions
            .iter()
            .any(|s| s.reason.contains("like acme:R-1 which you mapped"))
    };
    // A bulk acceptance (its rationale says so) is no person's decision yet.
    decide_mapping(
        &db,
        &actor(),
        "acme",
        "R-1",
        &target,
        true,
        "Accepted automatically (score 0.90 \u{2265} 0.80), not yet reviewed: x.",
    )
    .expect("bulk-style acceptance");
    assert!(
        !learned(&db),
        "an unreviewed bulk acceptance teaches nothing"
    );
    // Accepted in the workbench by a person: now the similar requirement learns from it.
    decide_mapping(
        &db,
        &actor(),
        "acme",
        "R-1",
        &target,
        true,
        "accepted in the workbench",
    )
    .expect("accept");
    assert!(
        learned(&db),
        "a person's decision shows as a reason on the similar requirement"
    );
}

//! An engagement made with an older catalogue is upgraded to the shipped one the first time the
//! API writes to it: every user mapping, assessment and landing-zone choice is kept, an entry
//! that disappeared upstream stays (marked removed) for the mapping that still refers to it,
//! changed entries are refreshed, and the upgrade is one audit event.

use crosswalk_api::{
    audit_log, engagement_summary, landing_zone_controls, map, requirement_detail, Actor, Coverage,
    MapRequest,
};
use crosswalk_domain::{CatalogueItem, MappingStatus, Origin, QualifiedRef, Relationship};
use crosswalk_sheets::{read_requirements, ImportOptions};
use crosswalk_store::{Assessment, Engagement, MappingInput};
use time::macros::datetime;

fn actor() -> Actor {
    Actor::new("tester", datetime!(2026-03-01 10:00 UTC))
}

fn later() -> Actor {
    Actor::new("reviewer", datetime!(2026-04-01 09:00 UTC))
}

fn id_of(e: &Engagement, framework: &str, reference: &str) -> i64 {
    let found = e.find_items(Some(framework), reference).expect("lookup");
    assert_eq!(found.len(), 1, "{framework}:{reference}");
    found[0].id
}

fn accepted(source: i64, target: i64) -> MappingInput {
    MappingInput {
        source,
        target,
        relationship: Relationship::SubsetOf,
        responsibility: None,
        status: MappingStatus::Accepted,
        rationale: "chosen by the consultant".into(),
        origin: Origin::Manual,
    }
}

#[test]
fn an_upgrade_keeps_mappings_assessments_and_profile_choices() {
    let shipped = crosswalk_catalogue::shipped();
    // The older catalogue: a service the newer one no longer ships, an older KMS title.
    let mut old = shipped.clone();
    old.version = "0.9.0".into();
    let services = old
        .frameworks
        .iter_mut()
        .find(|f| f.id == "service")
        .expect("services");
    services.items.push(CatalogueItem {
        reference: "RETIRED".into(),
        title: "A retired service".into(),
        text: "Gone from the newer catalogue.".into(),
        parent: None,
        details_published: true,
        attributes: Default::default(),
    });
    let kms = services
        .items
        .iter_mut()
        .find(|i| i.reference == "KMS")
        .expect("KMS");
    kms.title = "Key service (older wording)".into();

    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("acme.crosswalk");
    let sheet = read_requirements(
        "acme.csv",
        b"ID,Requirement\nR-1,Use the legacy key vault\nR-2,Encrypt data at rest\nR-3,Require MFA\n",
        &ImportOptions::default(),
    )
    .expect("sheet");
    let mut e = Engagement::create(&db, &actor(), "ACME", &old).expect("create");
    e.import_requirements(&actor(), "acme", &sheet)
        .expect("import");
    let r1 = id_of(&e, "acme", "R-1");
    let r2 = id_of(&e, "acme", "R-2");
    e.put_mappings(
        &actor(),
        &[
            accepted(r1, id_of(&e, "service", "RETIRED")),
            accepted(r2, id_of(&e, "service", "KMS")),
        ],
    )
    .expect("mappings");
    e.set_assessment(
        &actor(),
        r1,
        None,
        &Assessment {
            coverage: Some(Coverage::NotApplicable),
            coverage_reason: "the vault is being decommissioned".into(),
            owner: "J. Park".into(),
            evidence: "CHG-1042".into(),
            notes: "checked with the platform team".into(),
            backlog_story: String::new(),
        },
    )
    .expect("assessment");
    let root_mfa = id_of(&e, "ct", "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED");
    e.set_control_enabled(&actor(), root_mfa, true, "enabled on every OU")
        .expect("profile choice");
    e.close().expect("close");

    // The first write through the API upgrades the copy to the shipped catalogue.
    map(
        &db,
        &later(),
        &MapRequest {
            requirement: "acme:R-3".into(),
            targets: vec!["service:IAM".into()],
            relationship: None,
            responsibility: None,
            rationale: None,
        },
    )
    .expect("map after the upgrade");

    let summary = engagement_summary(&db).expect("summary");
    assert_eq!(summary.info.catalogue_version, shipped.version);

    let d1 = requirement_detail(&db, "acme", "R-1", 3).expect("R-1");
    assert_eq!(
        d1.mappings
            .iter()
            .map(|m| m.target.as_str())
            .collect::<Vec<_>>(),
        ["service:RETIRED"],
        "the mapping to an entry gone upstream is kept"
    );
    assert_eq!(
        (
            d1.owner.as_str(),
            d1.notes.as_str(),
            d1.coverage_reason.as_str()
        ),
        (
            "J. Park",
            "checked with the platform team",
            "the vault is being decommissioned"
        )
    );
    assert_eq!(d1.requirement.coverage, Coverage::NotApplicable);
    assert!(d1.requirement.coverage_overridden);

    let d2 = requirement_detail(&db, "acme", "R-2", 3).expect("R-2");
    assert_eq!(d2.mappings.len(), 1);
    assert_eq!(d2.mappings[0].target, "service:KMS");
    let (_, shipped_kms) = shipped
        .item(&QualifiedRef::new("service", "KMS"))
        .expect("KMS");
    assert_eq!(
        d2.mappings[0].title, shipped_kms.title,
        "changed entries are refreshed"
    );

    let controls = landing_zone_controls(&db).expect("profile");
    let root = controls
        .iter()
        .find(|c| c.reference == "ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED")
        .expect("the control is listed");
    assert!(root.enabled, "the profile choice survives the upgrade");

    let log = audit_log(&db).expect("audit");
    let upgrades: Vec<_> = log
        .iter()
        .filter(|a| a.action == "catalogue.upgrade")
        .collect();
    assert_eq!(upgrades.len(), 1, "one audit event for the upgrade");
    let after = upgrades[0].after.as_ref().expect("counts");
    assert_eq!(after["items_removed"], 1, "{after}");
}

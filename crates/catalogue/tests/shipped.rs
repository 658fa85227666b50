//! The shipped catalogue against the facts of ../shared/reference: counts, spot checks, links.

use crosswalk_catalogue::{links_of, load_dir, load_profiles, shipped, shipped_profile};
use crosswalk_domain::{Catalogue, FrameworkKind, QualifiedRef};
use std::collections::HashSet;
use std::path::PathBuf;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/catalogue")
}

fn q(text: &str) -> QualifiedRef {
    QualifiedRef::parse(text).expect("test refs are qualified")
}

fn count(c: &Catalogue, framework: &str, attribute: &str, value: &str) -> usize {
    c.framework(framework)
        .expect("framework exists")
        .items
        .iter()
        .filter(|i| i.attributes.get(attribute) == Some(value))
        .count()
}

fn linked_to<'a>(c: &'a Catalogue, from: &QualifiedRef, framework: &str) -> Vec<&'a str> {
    c.links
        .iter()
        .filter(|l| &l.from == from && l.to.framework == framework)
        .map(|l| l.to.reference.as_str())
        .collect()
}

#[test]
fn the_embedded_catalogue_is_the_data_folder() {
    let from_disk = load_dir(&data_dir()).expect("data/catalogue loads");
    assert_eq!(
        &from_disk,
        shipped(),
        "the binary must embed exactly the files the manifest lists"
    );
}

#[test]
fn every_framework_has_a_version_provenance_and_items() {
    let c = shipped();
    assert!(crosswalk_catalogue::is_version(&c.version));
    for fw in &c.frameworks {
        assert!(crosswalk_catalogue::is_version(&fw.version), "{}", fw.id);
        assert!(
            fw.provenance.contains("Caveats:"),
            "{} must keep its source's caveats visible",
            fw.id
        );
        assert!(!fw.items.is_empty(), "{} is empty", fw.id);
    }
}

#[test]
fn services_number_at_least_sixty_and_each_serves_a_caf_capability() {
    let c = shipped();
    let services = c.framework("service").expect("service framework");
    assert_eq!(services.kind, FrameworkKind::Services);
    assert!(
        services.items.len() >= 60,
        "the issue asks for at least 60 services, got {}",
        services.items.len()
    );
    for s in &services.items {
        assert!(
            s.attributes.get("category").is_some_and(|v| !v.is_empty()),
            "{} has no category",
            s.reference
        );
        let caps = linked_to(c, &QualifiedRef::new("service", &s.reference), "caf");
        assert!(
            !caps.is_empty(),
            "{} links to no CAF capability",
            s.reference
        );
    }
    let kms = c.item(&q("service:KMS")).expect("KMS is a service").1;
    assert_eq!(kms.attributes.get("category"), Some("data_protection"));
    assert_eq!(linked_to(c, &q("service:KMS"), "caf"), vec!["CAF-SEC-DP"]);
}

#[test]
fn caf_holds_nine_capabilities_and_five_epics_linked_to_them() {
    let c = shipped();
    let caf = c.framework("caf").expect("caf framework");
    let capabilities = caf
        .items
        .iter()
        .filter(|i| i.reference.starts_with("CAF-SEC-"))
        .count();
    let epics: Vec<&str> = caf
        .items
        .iter()
        .filter(|i| i.reference.starts_with("Sec."))
        .map(|i| i.reference.as_str())
        .collect();
    assert_eq!(capabilities, 9, "caf.yaml: capability_count 9");
    assert_eq!(epics, ["Sec.IAM", "Sec.Det", "Sec.Inf", "Sec.DP", "Sec.IR"]);
    for epic in epics {
        assert!(
            !linked_to(c, &QualifiedRef::new("caf", epic), "caf").is_empty(),
            "{epic} must reach a current capability so a matrix can be grouped either way"
        );
    }
    assert_eq!(
        linked_to(c, &q("caf:Sec.Inf"), "caf"),
        ["CAF-SEC-IP", "CAF-SEC-VM"]
    );
}

#[test]
fn control_tower_counts_match_the_reference() {
    let c = shipped();
    let ct = c.framework("ct").expect("ct framework");
    assert_eq!(ct.kind, FrameworkKind::LzControls);
    assert_eq!(
        ct.items.len(),
        526,
        "control_tower.yaml: total_distinct_ids"
    );
    assert_eq!(count(c, "ct", "guidance", "mandatory"), 23);
    assert_eq!(count(c, "ct", "guidance", "strongly recommended"), 14);
    assert_eq!(count(c, "ct", "guidance", "elective"), 28);
    assert_eq!(count(c, "ct", "kind", "proactive"), 154);
    assert_eq!(count(c, "ct", "kind", "security hub"), 202);
    let unpublished: Vec<_> = ct.items.iter().filter(|i| !i.details_published).collect();
    assert!(
        unpublished.iter().all(|i| i.title.is_empty()),
        "an id without published details keeps an empty title rather than an invented one"
    );
    assert!(
        unpublished.len() >= 105,
        "the 105 ids of the 2024 list have no details"
    );
}

#[test]
fn the_root_mfa_guardrail_is_detective_and_governs_iam() {
    let c = shipped();
    let r = q("ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED");
    let (_, item) = c.item(&r).expect("root MFA guardrail is shipped");
    assert_eq!(
        item.title,
        "Detect Whether MFA for the Root User is Enabled"
    );
    assert_eq!(item.attributes.get("behavior"), Some("detective"));
    assert_eq!(
        item.attributes.get("guidance"),
        Some("strongly recommended")
    );
    assert_eq!(linked_to(c, &r, "service"), ["IAM"]);
    assert_eq!(linked_to(c, &r, "caf"), ["CAF-SEC-IAM"]);
}

#[test]
fn every_control_tower_control_links_to_a_service_and_a_capability() {
    let c = shipped();
    for item in &c.framework("ct").expect("ct").items {
        let r = QualifiedRef::new("ct", &item.reference);
        // Region deny and the multi-service controls govern every service at once.
        let multiple = item
            .attributes
            .get("service")
            .is_some_and(|s| s.starts_with("Multiple"));
        if !multiple {
            assert!(
                !linked_to(c, &r, "service").is_empty(),
                "{r} names no service"
            );
        }
        if item.details_published {
            assert!(
                !linked_to(c, &r, "caf").is_empty(),
                "{r} serves no CAF capability"
            );
        }
    }
}

#[test]
fn links_of_finds_links_in_both_directions() {
    let c = shipped();
    let iam = q("caf:CAF-SEC-IAM");
    let incoming: HashSet<String> = links_of(c, &iam).map(|l| l.from.to_string()).collect();
    assert!(incoming.contains("service:IAM"));
    assert!(incoming.contains("ct:AWS-GR_RESTRICT_ROOT_USER"));
}

#[test]
fn the_mandatory_profile_enables_exactly_the_mandatory_controls() {
    let c = shipped();
    let mandatory = shipped_profile("ct-mandatory").expect("preset exists");
    assert_eq!(mandatory.controls.len(), 23);
    assert!(mandatory.enables(&q("ct:AWS-GR_CLOUDTRAIL_ENABLED")));
    assert!(!mandatory.enables(&q("ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED")));
    let recommended = shipped_profile("ct-strongly-recommended").expect("preset exists");
    assert_eq!(recommended.controls.len(), 23 + 14);
    assert!(recommended.enables(&q("ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED")));
    let from_disk = load_profiles(&data_dir(), c).expect("profiles.toml loads");
    assert_eq!(
        from_disk,
        crosswalk_catalogue::shipped_profiles(),
        "embedded presets are the data file"
    );
}

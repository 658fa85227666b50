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

/// Attributes are shown in the order the data file writes them (what a control does first,
/// where it comes from last), not sorted by name.
#[test]
fn attributes_keep_the_order_of_the_data_file() {
    let c = shipped();
    let keys = |r: &str| -> Vec<String> {
        let (_, item) = c.item(&q(r)).expect(r);
        item.attributes.iter().map(|(k, _)| k.to_string()).collect()
    };
    assert_eq!(
        keys("ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED"),
        [
            "kind",
            "behavior",
            "guidance",
            "implementation",
            "service",
            "default_state",
            "id_mapping_basis",
            "doc",
            "source"
        ]
    );
    assert_eq!(
        keys("msr:MSR.IAM.1"),
        [
            "domain_prefix",
            "theme",
            "service_screener_checks",
            "source"
        ]
    );
    // Every item of every file: its keys appear in the file in the order they are loaded.
    for fw in &c.frameworks {
        let text =
            std::fs::read_to_string(data_dir().join(format!("{}.toml", fw.id))).expect("data file");
        for item in &fw.items {
            let start = text
                .find(&format!("ref = \"{}\"\n", item.reference))
                .unwrap_or_else(|| panic!("{}:{} in its file", fw.id, item.reference));
            let mut at = start;
            for (k, _) in item.attributes.iter() {
                let found = text[at..].find(&format!("\n{k} = ")).unwrap_or_else(|| {
                    panic!("{}:{} attribute {k} out of order", fw.id, item.reference)
                });
                at += found + 1;
            }
        }
    }
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

#[test]
fn fsbp_holds_205_checks_with_service_severity_rule_and_nist_mappings() {
    let c = shipped();
    let fsbp = c.framework("fsbp").expect("fsbp framework");
    assert_eq!(fsbp.kind, FrameworkKind::Standard);
    assert_eq!(fsbp.items.len(), 205, "fsbp.yaml: counts.fsbp_controls");
    for (severity, n) in [("MEDIUM", 127), ("LOW", 24), ("HIGH", 36), ("CRITICAL", 18)] {
        assert_eq!(
            count(c, "fsbp", "severity", severity),
            n,
            "fsbp.yaml: by_severity {severity}"
        );
    }
    for item in &fsbp.items {
        let r = QualifiedRef::new("fsbp", &item.reference);
        assert!(
            !linked_to(c, &r, "nist").is_empty(),
            "{r}: every FSBP control has a NIST mapping"
        );
        assert!(
            !linked_to(c, &r, "service").is_empty(),
            "{r} names no service"
        );
    }
    let distinct_services: HashSet<&str> = fsbp
        .items
        .iter()
        .filter_map(|i| i.attributes.get("service"))
        .collect();
    assert_eq!(distinct_services.len(), 37, "fsbp.yaml: counts.services");

    let (_, iam6) = c.item(&q("fsbp:IAM.6")).expect("IAM.6 is an FSBP control");
    assert_eq!(
        iam6.title,
        "Hardware MFA should be enabled for the root user"
    );
    assert_eq!(iam6.attributes.get("severity"), Some("CRITICAL"));
    assert_eq!(linked_to(c, &q("fsbp:IAM.6"), "service"), ["IAM"]);
    let (_, acm1) = c.item(&q("fsbp:ACM.1")).expect("ACM.1");
    assert_eq!(
        acm1.attributes.get("config_rules"),
        Some("acm-certificate-expiration-check")
    );
    assert_eq!(
        linked_to(c, &q("fsbp:ACM.1"), "nist"),
        ["SC-28(3)", "SC-7(16)"]
    );
}

#[test]
fn nist_ids_have_no_invented_titles_and_enhancements_sit_under_their_control() {
    let c = shipped();
    let nist = c.framework("nist").expect("nist framework");
    assert!(
        nist.items
            .iter()
            .all(|i| !i.details_published && i.title.is_empty()),
        "the reference gives no NIST titles, so none may be shown"
    );
    let (_, ac2_1) = c
        .item(&q("nist:AC-2(1)"))
        .expect("AC-2(1) is mapped by FSBP");
    assert_eq!(ac2_1.parent.as_deref(), Some("AC-2"));
    assert!(c.item(&q("nist:AC-2")).is_some());
}

/// A customer requirement that cites AC-2 must reach the FSBP checks behind it, the services
/// those checks evaluate, and the Control Tower controls that run the same checks.
#[test]
fn a_requirement_citing_ac_2_reaches_fsbp_checks_their_services_and_control_tower() {
    let c = shipped();
    let nist = c.framework("nist").expect("nist");
    // AC-2 and its enhancements, as a requirement citing "AC-2" means the whole family branch.
    let branch: HashSet<String> = nist
        .items
        .iter()
        .filter(|i| i.reference == "AC-2" || i.parent.as_deref() == Some("AC-2"))
        .map(|i| i.reference.clone())
        .collect();
    assert!(branch.contains("AC-2(1)") && branch.contains("AC-2(4)"));
    let checks: HashSet<&str> = c
        .links
        .iter()
        .filter(|l| l.to.framework == "nist" && branch.contains(&l.to.reference))
        .filter(|l| l.from.framework == "fsbp")
        .map(|l| l.from.reference.as_str())
        .collect();
    for expected in ["IAM.8", "CloudTrail.1", "GuardDuty.1", "SecretsManager.1"] {
        let direct = linked_to(c, &QualifiedRef::new("fsbp", expected), "nist");
        assert!(
            direct.iter().any(|n| branch.contains(*n)),
            "fsbp.yaml maps {expected} into AC-2's branch ({direct:?})"
        );
        assert!(checks.contains(expected), "{expected} is reached from AC-2");
    }
    let services: HashSet<&str> = checks
        .iter()
        .flat_map(|id| linked_to(c, &QualifiedRef::new("fsbp", *id), "service"))
        .collect();
    assert!(
        services.contains("IAM") && services.contains("CLOUDTRAIL"),
        "{services:?}"
    );
    let ct: HashSet<&str> = c
        .links
        .iter()
        .filter(|l| l.from.framework == "ct" && l.to.framework == "fsbp")
        .filter(|l| checks.contains(l.to.reference.as_str()))
        .map(|l| l.from.reference.as_str())
        .collect();
    assert!(
        ct.contains("SH.IAM.8"),
        "the Control Tower standard runs IAM.8 as SH.IAM.8: {ct:?}"
    );
}

#[test]
fn well_architected_has_11_questions_and_63_best_practices_under_them() {
    let c = shipped();
    let wa = c.framework("wa").expect("wa framework");
    let questions: Vec<&str> = wa
        .items
        .iter()
        .filter(|i| i.parent.is_none())
        .map(|i| i.reference.as_str())
        .collect();
    assert_eq!(questions.len(), 11, "wa_security.yaml: counts.questions");
    assert_eq!(questions.first(), Some(&"SEC01"));
    assert_eq!(
        wa.items.len() - questions.len(),
        63,
        "wa_security.yaml: counts.best_practices"
    );
    let sec10 = wa
        .items
        .iter()
        .filter(|i| i.parent.as_deref() == Some("SEC10"))
        .count();
    assert_eq!(sec10, 8);
    let (_, bp) = c.item(&q("wa:SEC02-BP01")).expect("SEC02-BP01");
    assert_eq!(bp.title, "Use strong sign-in mechanisms");
    assert_eq!(bp.attributes.get("risk_if_not_established"), Some("High"));
    assert_eq!(linked_to(c, &q("wa:SEC02-BP01"), "caf"), ["CAF-SEC-IAM"]);
    assert_eq!(linked_to(c, &q("wa:SEC06-BP01"), "caf"), ["CAF-SEC-VM"]);
}

#[test]
fn msr_holds_69_ids_and_the_workplan_7_tasks_and_38_subtasks() {
    let c = shipped();
    let msr = c.framework("msr").expect("msr framework");
    let ids: Vec<_> = msr
        .items
        .iter()
        .filter(|i| i.reference.starts_with("MSR."))
        .collect();
    assert_eq!(ids.len(), 69, "msr.yaml: msr_framework_ids.count");
    assert_eq!(
        ids.iter().filter(|i| i.details_published).count(),
        8,
        "only 8 MSR subjects are known; the rest stay untitled"
    );
    let tasks: Vec<_> = msr
        .items
        .iter()
        .filter(|i| i.reference.starts_with('T') && i.parent.is_none())
        .collect();
    assert_eq!(tasks.len(), 7);
    let subtasks = msr
        .items
        .iter()
        .filter(|i| i.parent.as_deref().is_some_and(|p| p.starts_with('T')))
        .count();
    assert_eq!(subtasks, 38);

    assert_eq!(
        linked_to(c, &q("msr:T3.S3"), "msr"),
        ["MSR.IAM.2"],
        "the workplan tags T3.S3 with MSR.IAM.2"
    );
    let root = linked_to(c, &q("msr:T3.S3"), "ct");
    assert!(
        root.contains(&"AWS-GR_RESTRICT_ROOT_USER")
            && root.contains(&"AWS-GR_ROOT_ACCOUNT_MFA_ENABLED")
    );
    assert_eq!(
        linked_to(c, &q("msr:T1.S1"), "wa").len(),
        11,
        "task 1 reviews against the whole pillar"
    );
    assert_eq!(
        linked_to(c, &q("msr:T7.S2"), "caf").len(),
        5,
        "T7.S2 works against the five core epics"
    );
    // service-screener-v2 maps MSR.IAM.1 to iam.*, bedrock.* and stepfunctions.* checks.
    assert_eq!(
        linked_to(c, &q("msr:MSR.IAM.1"), "service"),
        ["IAM", "BEDROCK", "STEPFUNCTIONS"]
    );
}

#[test]
fn every_workplan_subtask_with_a_concrete_topic_links_to_what_satisfies_it() {
    let c = shipped();
    for subtask in [
        "T2.S4", "T3.S3", "T3.S11", "T5.S4", "T5.S6", "T6.S3", "T6.S5",
    ] {
        let r = QualifiedRef::new("msr", subtask);
        let targets: Vec<_> = c
            .links
            .iter()
            .filter(|l| {
                l.from == r && ["ct", "fsbp", "scp", "config"].contains(&l.to.framework.as_str())
            })
            .collect();
        assert!(!targets.is_empty(), "{r} reaches no control");
        assert!(
            !linked_to(c, &r, "service").is_empty(),
            "{r} reaches no service"
        );
    }
}

#[test]
fn the_migration_baseline_holds_twenty_custom_scps_and_its_detective_controls() {
    let c = shipped();
    assert_eq!(
        count(c, "scp", "variant", "standard"),
        20,
        "the SCP design lists 20 custom SCPs"
    );
    assert_eq!(count(c, "scp", "variant", "ozone"), 5);
    let config = c.framework("config").expect("config framework");
    // counts in the design: 21 CIS + 31 FSBP + 1 custom + 32 Ozone rules, 15 alarms, 6 events.
    assert_eq!(config.items.len(), 21 + 31 + 1 + 32 + 15 + 6);
    assert_eq!(count(c, "config", "variant", "ozone"), 32);
    assert_eq!(linked_to(c, &q("config:FSBP-IAM.4"), "fsbp"), ["IAM.4"]);
    assert_eq!(
        linked_to(c, &q("config:FSBP-ELBv2.1"), "fsbp"),
        ["ELB.1"],
        "the design's ELBv2.1 carries ELB.1's title"
    );
    let (_, scp) = c
        .item(&q("scp:ALLOWED-REGIONS"))
        .expect("Allowed Regions SCP");
    assert_eq!(
        scp.attributes.get("condition"),
        Some("Except for us-west-2")
    );
    let (_, renamed) = c
        .item(&q("scp:CUSTOM-CONFIG-RULES-PERSIST"))
        .expect("renamed SCP");
    assert_eq!(
        renamed.attributes.get("name_as_written"),
        Some("Custom Confg Rules Persist")
    );

    let baseline = shipped_profile("migration-baseline").expect("preset exists");
    assert_eq!(baseline.controls.len(), 23 + 20 + (106 - 32));
    assert!(baseline.enables(&q("scp:GUARDDUTY-ENABLED")));
    assert!(baseline.enables(&q("config:CIS-1.1")));
    assert!(
        baseline.enables(&q("ct:AWS-GR_CLOUDTRAIL_ENABLED")),
        "it extends the mandatory preset"
    );
    assert!(
        !baseline.enables(&q("config:AMSCheckIAMRootKeys")),
        "Ozone checks are not in the standard baseline"
    );
    let ozone = shipped_profile("migration-baseline-ozone").expect("preset exists");
    assert_eq!(ozone.controls.len(), baseline.controls.len() + 5 + 32);
}

#[test]
fn every_item_of_every_framework_keeps_its_source() {
    for fw in &shipped().frameworks {
        for item in &fw.items {
            assert!(
                item.attributes.get("source").is_some_and(|s| !s.is_empty())
                    || item
                        .attributes
                        .get("named_in")
                        .is_some_and(|s| !s.is_empty())
                    || fw.id == "caf",
                "{}:{} has no provenance attribute",
                fw.id,
                item.reference
            );
        }
    }
}

#[test]
fn descriptions_are_not_copied_from_the_reference_paraphrases() {
    // The CAF file carries one-line paraphrases; the catalogue must word them differently.
    let reference = std::fs::read_to_string(shared_dir().join("reference/caf.yaml"))
        .expect("../shared/reference/caf.yaml is readable");
    let paraphrases: Vec<&str> = reference
        .lines()
        .filter_map(|l| l.trim().strip_prefix("paraphrase: "))
        .collect();
    assert!(paraphrases.len() >= 14);
    for fw in &shipped().frameworks {
        for item in &fw.items {
            for p in &paraphrases {
                assert!(
                    !item.text.contains(p),
                    "{}:{} repeats the reference wording",
                    fw.id,
                    item.reference
                );
            }
        }
    }
}

fn shared_dir() -> PathBuf {
    std::env::var_os("CROSSWALK_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

#[test]
fn searching_mfa_finds_the_mfa_controls_and_kms_finds_the_service_first() {
    let c = shipped();
    let hits: Vec<String> = crosswalk_catalogue::search(c, "MFA")
        .iter()
        .map(|h| format!("{}:{}", h.framework.id, h.item.reference))
        .collect();
    for expected in [
        "ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED",
        "ct:AWS-GR_MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
        "fsbp:IAM.6",
        "fsbp:IAM.5",
        "config:CIS-1.2",
    ] {
        assert!(
            hits.contains(&expected.to_string()),
            "{expected} mentions MFA: {hits:?}"
        );
    }
    let kms = crosswalk_catalogue::search(c, "KMS");
    assert_eq!(
        (kms[0].framework.id.as_str(), kms[0].item.reference.as_str()),
        ("service", "KMS"),
        "an exact ref wins"
    );
    assert!(
        kms.iter().any(|h| h.item.reference == "KMS.1"),
        "FSBP's KMS checks match too"
    );
    let both = crosswalk_catalogue::search(c, "root mfa");
    assert!(
        both.iter().all(|h| {
            let all =
                format!("{} {} {}", h.item.reference, h.item.title, h.item.text).to_lowercase();
            let attrs: String = h
                .item
                .attributes
                .iter()
                .map(|(_, v)| v.to_lowercase())
                .collect();
            (all.contains("root") || attrs.contains("root"))
                && (all.contains("mfa") || attrs.contains("mfa"))
        }),
        "every word must match"
    );
    assert!(crosswalk_catalogue::search(c, "  ").is_empty());
}

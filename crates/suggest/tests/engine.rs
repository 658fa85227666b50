//! The engine against a small catalogue written here, so each behaviour is checked in isolation.

use crosswalk_domain::{
    Attributes, Catalogue, CatalogueFramework, CatalogueItem, CatalogueLink, FrameworkKind,
    QualifiedRef, Relationship, TargetKind,
};
use crosswalk_suggest::{Decision, Engine, EngineOptions, Query, Suggestion};

fn item(reference: &str, title: &str, text: &str) -> CatalogueItem {
    CatalogueItem {
        reference: reference.into(),
        title: title.into(),
        text: text.into(),
        parent: None,
        details_published: true,
        attributes: Attributes::default(),
    }
}

fn framework(id: &str, kind: FrameworkKind, items: Vec<CatalogueItem>) -> CatalogueFramework {
    CatalogueFramework {
        id: id.into(),
        name: id.into(),
        kind,
        version: "1.0.0".into(),
        provenance: "written for this test".into(),
        items,
    }
}

fn link(from: &str, to: &str) -> CatalogueLink {
    CatalogueLink {
        from: QualifiedRef::parse(from).unwrap(),
        to: QualifiedRef::parse(to).unwrap(),
        relationship: Relationship::IntersectsWith,
        note: String::new(),
    }
}

fn catalogue() -> Catalogue {
    let services = framework(
        "service",
        FrameworkKind::Services,
        vec![
            item(
                "KMS",
                "AWS Key Management Service",
                "Creates and controls the cryptographic keys that encrypt data in other services.",
            ),
            item(
                "S3",
                "Amazon S3",
                "Object storage in buckets, with bucket policies and public access blocks.",
            ),
            item(
                "CLOUDTRAIL",
                "AWS CloudTrail",
                "Records the API calls made in an account as an audit trail.",
            ),
            item(
                "IAM",
                "AWS Identity and Access Management",
                "Users, roles and policies that grant permissions in an account.",
            ),
            item(
                "WAF",
                "AWS WAF",
                "A web application firewall that filters HTTP requests to web applications.",
            ),
            item(
                "SHIELD",
                "AWS Shield",
                "Managed protection of public endpoints against DDoS attacks.",
            ),
            item(
                "GUARDDUTY",
                "Amazon GuardDuty",
                "Managed threat detection from logs and network activity.",
            ),
        ],
    );
    let caf = framework(
        "caf",
        FrameworkKind::Caf,
        vec![
            item(
                "CAF-SEC-GOV",
                "Security governance",
                "Roles, policies and standards for security.",
            ),
            item(
                "CAF-SEC-IAM",
                "Identity and access management",
                "Identities and their permissions at scale.",
            ),
            item(
                "CAF-SEC-DP",
                "Data protection",
                "Visibility and control over data.",
            ),
            item(
                "CAF-SEC-TD",
                "Threat detection",
                "Noticing threats and unexpected behaviour.",
            ),
            item(
                "CAF-SEC-IP",
                "Infrastructure protection",
                "Protecting systems and networks.",
            ),
        ],
    );
    let mut root_mfa = item(
        "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED",
        "Detect whether MFA for the root user is enabled",
        "Reports accounts whose root user signs in without a second factor.",
    );
    root_mfa.attributes.push("behavior", "detective");
    let ct = framework(
        "ct",
        FrameworkKind::LzControls,
        vec![
            root_mfa,
            item(
                "CT.KMS.PR.1",
                "Require KMS keys to have rotation enabled",
                "Checks before deployment that a customer managed key rotates yearly.",
            ),
        ],
    );
    let mut iam6 = item(
        "IAM.6",
        "Hardware MFA should be enabled for the root user",
        "The root user should sign in with a hardware second factor.",
    );
    iam6.attributes.push("nist_800_53_r5", "IA-2(1), IA-2(2)");
    let fsbp = framework(
        "fsbp",
        FrameworkKind::Standard,
        vec![
            iam6,
            item(
                "KMS.4",
                "AWS KMS key rotation should be enabled",
                "Customer managed keys should rotate their key material every year.",
            ),
        ],
    );
    let nist = framework(
        "nist",
        FrameworkKind::Standard,
        vec![item(
            "SC-12",
            "Cryptographic key establishment and management",
            "Establish and manage cryptographic keys.",
        )],
    );
    Catalogue {
        version: "1.0.0".into(),
        frameworks: vec![services, caf, ct, fsbp, nist],
        links: vec![
            link("service:KMS", "caf:CAF-SEC-DP"),
            link("service:S3", "caf:CAF-SEC-DP"),
            link("service:CLOUDTRAIL", "caf:CAF-SEC-TD"),
            link("service:IAM", "caf:CAF-SEC-IAM"),
            link("service:WAF", "caf:CAF-SEC-IP"),
            link("service:SHIELD", "caf:CAF-SEC-IP"),
            link("service:GUARDDUTY", "caf:CAF-SEC-TD"),
            link("ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED", "service:IAM"),
            link("ct:CT.KMS.PR.1", "service:KMS"),
            link("fsbp:IAM.6", "service:IAM"),
            link("fsbp:KMS.4", "service:KMS"),
            link("fsbp:KMS.4", "nist:SC-12"),
        ],
    }
}

fn of_kind(suggestions: &[Suggestion], kind: TargetKind) -> Vec<&Suggestion> {
    suggestions.iter().filter(|s| s.kind == kind).collect()
}

fn first(suggestions: &[Suggestion], kind: TargetKind) -> String {
    of_kind(suggestions, kind)
        .first()
        .map(|s| s.target.to_string())
        .unwrap_or_default()
}

#[test]
fn synonyms_from_the_vocabulary_reach_a_service_that_uses_other_words() {
    let engine = Engine::new(&catalogue());
    let s = engine.suggest(
        &Query::new(
            "R-1",
            "",
            "Public endpoints must withstand denial of service attacks.",
        ),
        3,
        &[],
    );
    assert_eq!(
        first(&s, TargetKind::Service),
        "service:SHIELD",
        "'denial of service' is the DDoS concept: {s:#?}"
    );
    let reason = &of_kind(&s, TargetKind::Service)[0].reason;
    assert!(
        reason.contains("denial of service"),
        "the reason quotes the requirement's words: {reason}"
    );
}

#[test]
fn an_acronym_in_the_requirement_meets_the_spelled_out_words_of_the_catalogue() {
    let engine = Engine::new(&catalogue());
    let s = engine.suggest(
        &Query::new(
            "R-2",
            "",
            "Keep an audit trail of every administrative action.",
        ),
        3,
        &[],
    );
    assert_eq!(
        first(&s, TargetKind::Service),
        "service:CLOUDTRAIL",
        "{s:#?}"
    );
    assert_eq!(
        first(&s, TargetKind::Caf),
        "caf:CAF-SEC-TD",
        "logging belongs to threat detection: {s:#?}"
    );
}

#[test]
fn a_cited_nist_control_is_followed_to_the_standard_control_and_its_service() {
    let engine = Engine::new(&catalogue());
    let s = engine.suggest(
        &Query::new("R-3", "", "Cryptography as per NIST 800-53 SC-12."),
        3,
        &[],
    );
    let service = of_kind(&s, TargetKind::Service)[0];
    assert_eq!(service.target.to_string(), "service:KMS");
    assert!(
        service
            .reason
            .contains("SC-12 \u{2192} nist:SC-12 \u{2192} fsbp:KMS.4 \u{2192} service:KMS"),
        "the reason is the path through the catalogue: {}",
        service.reason
    );
    assert!(
        service.score >= 0.7,
        "a reference path is strong evidence: {}",
        service.score
    );
}

#[test]
fn a_nist_control_named_only_in_an_attribute_still_resolves() {
    let engine = Engine::new(&catalogue());
    let s = engine.suggest(&Query::new("R-4", "", "Comply with IA-2 (1)."), 3, &[]);
    let fc = of_kind(&s, TargetKind::FrameworkControl);
    assert_eq!(
        fc[0].target.to_string(),
        "fsbp:IAM.6",
        "IA-2(1) is listed on IAM.6: {s:#?}"
    );
    assert_eq!(first(&s, TargetKind::Service), "service:IAM");
}

#[test]
fn a_qualified_reference_names_exactly_one_item() {
    let engine = Engine::new(&catalogue());
    let s = engine.suggest(&Query::new("R-5", "", "Same as ct:CT.KMS.PR.1"), 1, &[]);
    assert_eq!(first(&s, TargetKind::LzControl), "ct:CT.KMS.PR.1");
    assert_eq!(
        first(&s, TargetKind::Service),
        "service:KMS",
        "followed to the service it governs"
    );
}

#[test]
fn every_requirement_gets_a_caf_capability_even_an_empty_one() {
    let engine = Engine::new(&catalogue());
    let s = engine.suggest(&Query::new("R-6", "", ""), 3, &[]);
    let caf = of_kind(&s, TargetKind::Caf);
    assert_eq!(
        caf.len(),
        1,
        "one capability, even with nothing to go on: {s:#?}"
    );
    assert_eq!(caf[0].target.to_string(), "caf:CAF-SEC-GOV");
    assert_eq!(
        caf[0].score, 0.0,
        "and the score says there was no evidence"
    );
}

#[test]
fn the_caf_capability_follows_the_services_that_match() {
    let engine = Engine::new(&catalogue());
    let s = engine.suggest(
        &Query::new("R-7", "", "Customer managed keys rotate every year."),
        3,
        &[],
    );
    assert_eq!(first(&s, TargetKind::Service), "service:KMS");
    let caf = of_kind(&s, TargetKind::Caf)[0];
    assert_eq!(caf.target.to_string(), "caf:CAF-SEC-DP");
    assert!(
        caf.reason.contains("service:KMS"),
        "the reason names the services: {}",
        caf.reason
    );
    // The same evidence, as words an auditor reads.
    assert_eq!(
        caf.evidence.capability_of.first().map(String::as_str),
        Some("service:KMS")
    );
    let sentence = caf.evidence.sentence();
    assert!(sentence.contains("service:KMS"), "{sentence}");
    assert!(sentence.contains("to this capability"), "{sentence}");
    let kms = of_kind(&s, TargetKind::Service)[0];
    assert!(!kms.evidence.words.is_empty(), "{kms:#?}");
    let sentence = kms.evidence.sentence();
    assert!(
        sentence.starts_with("the requirement mentions \u{201c}"),
        "{sentence}"
    );
    assert!(
        !sentence.contains("matches"),
        "no matcher wording: {sentence}"
    );
}

#[test]
fn an_accepted_mapping_lifts_the_same_target_for_a_similar_requirement() {
    let engine = Engine::new(&catalogue());
    let query = Query::new(
        "REQ-13",
        "",
        "Firewall rules protect the web shop front end.",
    );
    let before = engine.suggest(&query, 3, &[]);
    assert_ne!(
        first(&before, TargetKind::Service),
        "service:SHIELD",
        "text alone prefers WAF"
    );
    let history = [Decision {
        requirement: Query::new(
            "REQ-12",
            "",
            "Firewall rules protect the public web portal front end.",
        ),
        target: QualifiedRef::new("service", "SHIELD"),
        accepted: true,
    }];
    let after = engine.suggest(&query, 3, &history);
    let top = of_kind(&after, TargetKind::Service)[0];
    assert_eq!(top.target.to_string(), "service:SHIELD", "{after:#?}");
    assert!(
        top.reason
            .contains("like REQ-12 which you mapped to SHIELD"),
        "{}",
        top.reason
    );
    assert_eq!(
        top.evidence.like,
        Some(("REQ-12".to_string(), "SHIELD".to_string()))
    );
    assert!(
        top.evidence
            .sentence()
            .starts_with("a similar requirement, REQ-12, was mapped to SHIELD by hand"),
        "{}",
        top.evidence.sentence()
    );
}

#[test]
fn a_rejected_target_is_pushed_down_for_similar_requirements() {
    let engine = Engine::new(&catalogue());
    let query = Query::new(
        "REQ-21",
        "",
        "A web application firewall filters web requests and absorbs DDoS attacks.",
    );
    let before = engine.suggest(&query, 3, &[]);
    assert_eq!(
        first(&before, TargetKind::Service),
        "service:WAF",
        "{before:#?}"
    );
    let history = [Decision {
        requirement: Query::new(
            "REQ-20",
            "",
            "A web application firewall filters our web requests and absorbs DDoS attacks.",
        ),
        target: QualifiedRef::new("service", "WAF"),
        accepted: false,
    }];
    let after = engine.suggest(&query, 3, &history);
    let services = of_kind(&after, TargetKind::Service);
    assert_eq!(
        services[0].target.to_string(),
        "service:SHIELD",
        "WAF drops below Shield: {after:#?}"
    );
    let waf = services
        .iter()
        .find(|s| s.target.reference == "WAF")
        .expect("still listed, lower");
    assert!(
        waf.reason.contains("you rejected it for REQ-20"),
        "{}",
        waf.reason
    );
    let waf_before = of_kind(&before, TargetKind::Service)[0].score;
    assert!(
        waf.score < waf_before / 2.0,
        "{} vs {waf_before}",
        waf.score
    );
}

#[test]
fn an_unrelated_decision_changes_nothing() {
    let engine = Engine::new(&catalogue());
    let query = Query::new("REQ-30", "", "Customer managed keys rotate every year.");
    let history = [Decision {
        requirement: Query::new("REQ-1", "", "Block public access to storage buckets."),
        target: QualifiedRef::new("service", "S3"),
        accepted: true,
    }];
    assert_eq!(
        engine.suggest(&query, 5, &[]),
        engine.suggest(&query, 5, &history)
    );
}

#[test]
fn the_same_input_gives_the_same_output_and_ties_are_broken_by_ref() {
    let a = Engine::new(&catalogue());
    let b = Engine::new(&catalogue());
    let q = Query::new("R-8", "Protection", "protect data, keys and networks");
    let first = a.suggest(&q, 10, &[]);
    assert_eq!(
        first,
        b.suggest(&q, 10, &[]),
        "two engines built from one catalogue agree"
    );
    for _ in 0..5 {
        assert_eq!(first, a.suggest(&q, 10, &[]));
    }
    for kind in [TargetKind::Service, TargetKind::Caf] {
        let list = of_kind(&first, kind);
        for pair in list.windows(2) {
            let ordered = pair[0].score > pair[1].score
                || (pair[0].score == pair[1].score && pair[0].target < pair[1].target);
            assert!(ordered, "sorted by score, then ref: {pair:#?}");
        }
    }
}

#[test]
fn scores_stay_within_zero_and_one_and_top_limits_each_kind() {
    let engine = Engine::new(&catalogue());
    let s = engine.suggest(
        &Query::new(
            "R-9",
            "",
            "MFA keys logging firewall DDoS threat detection buckets IA-2(1) SC-12",
        ),
        2,
        &[],
    );
    for kind in [
        TargetKind::Service,
        TargetKind::LzControl,
        TargetKind::Caf,
        TargetKind::FrameworkControl,
    ] {
        assert!(of_kind(&s, kind).len() <= 2, "at most two of {kind}");
    }
    assert!(s.iter().all(|x| (0.0..=1.0).contains(&x.score)), "{s:#?}");
    assert!(engine
        .suggest(&Query::new("R", "", "keys"), 0, &[])
        .is_empty());
}

#[test]
fn excluded_frameworks_and_items_are_never_suggested_nor_followed() {
    let options = EngineOptions {
        excluded_frameworks: vec!["fsbp".into()],
        excluded_items: vec![QualifiedRef::new("ct", "CT.KMS.PR.1")],
    };
    let engine = Engine::with_options(&catalogue(), &options);
    let s = engine.suggest(
        &Query::new("R-10", "", "KMS key rotation, see IAM.6 and SC-12"),
        10,
        &[],
    );
    assert!(s.iter().all(|x| x.target.framework != "fsbp"), "{s:#?}");
    assert!(
        s.iter().all(|x| x.target.reference != "CT.KMS.PR.1"),
        "{s:#?}"
    );
    assert!(
        s.iter().all(|x| !x.reason.contains("fsbp:")),
        "no path runs through an excluded item: {s:#?}"
    );
    assert_eq!(engine.candidates(TargetKind::LzControl), 1);
}

#[test]
fn a_requirements_own_decisions_never_make_it_cite_itself() {
    let engine = Engine::new(&catalogue());
    let query = Query::new(
        "REQ-40",
        "",
        "A web application firewall filters web requests and absorbs DDoS attacks.",
    );
    let history = [
        Decision {
            requirement: query.clone(),
            target: QualifiedRef::new("service", "SHIELD"),
            accepted: true,
        },
        Decision {
            requirement: query.clone(),
            target: QualifiedRef::new("service", "WAF"),
            accepted: false,
        },
    ];
    let after = engine.suggest(&query, 3, &history);
    for s in &after {
        assert!(
            !s.reason.contains("REQ-40"),
            "{} names the requirement itself: {}",
            s.target,
            s.reason
        );
    }
    let services = of_kind(&after, TargetKind::Service);
    let waf = services
        .iter()
        .find(|s| s.target.reference == "WAF")
        .expect("a rejected target is still listed, lower");
    assert_eq!(
        services[0].target.to_string(),
        "service:SHIELD",
        "{after:#?}"
    );
    assert!(
        waf.reason.ends_with("you rejected it for this requirement"),
        "{}",
        waf.reason
    );
    // Accepting on itself is not evidence from a similar requirement: Shield's score is its text's.
    let shield_alone = engine
        .suggest(&query, 3, &[])
        .into_iter()
        .find(|s| s.target.reference == "SHIELD")
        .expect("Shield ranks on its text");
    assert_eq!(services[0].score, shield_alone.score);
}

#[test]
fn suggestions_of_some_kinds_only_are_those_of_the_full_ranking() {
    let catalogue = crosswalk_catalogue::shipped();
    let engine = Engine::new(catalogue);
    let history = engine.history(&[
        Decision {
            requirement: Query::new("acme:R-1", "", "Encrypt data at rest with managed keys."),
            target: QualifiedRef::new("service", "KMS"),
            accepted: true,
        },
        Decision {
            requirement: Query::new("acme:R-2", "", "Log every API call centrally."),
            target: QualifiedRef::new("service", "CLOUDTRAIL"),
            accepted: false,
        },
    ]);
    let queries = [
        Query::new(
            "acme:R-3",
            "",
            "Data at rest is encrypted with keys we manage.",
        ),
        Query::new(
            "acme:R-4",
            "Audit",
            "API activity is logged and kept a year (AC-2, AU-2).",
        ),
        Query::new("acme:R-5", "", "Root MFA and no public S3 buckets."),
        Query::new("acme:R-6", "", ""),
    ];
    let wanted = [TargetKind::Service, TargetKind::LzControl];
    for q in &queries {
        for top in [1, 3] {
            let all: Vec<Suggestion> = engine
                .suggest_with(q, top, &history)
                .into_iter()
                .filter(|s| wanted.contains(&s.kind))
                .collect();
            let some = engine.suggest_kinds(q, top, &history, &wanted);
            assert_eq!(some, all, "{}", q.reference);
            let caf: Vec<Suggestion> = engine
                .suggest_with(q, top, &history)
                .into_iter()
                .filter(|s| s.kind == TargetKind::Caf)
                .collect();
            assert_eq!(
                engine.suggest_kinds(q, top, &history, &[TargetKind::Caf]),
                caf,
                "{}",
                q.reference
            );
        }
    }
}

//! What `crosswalk catalogue list|show` hands a consultant, with and without an engagement file:
//! the counts the reference holds, every id kept, ids without published details flagged as such
//! (never given an invented title), attributes in the order the data files write them.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

fn listing(db: Option<&Path>) -> Value {
    let mut cmd = crosswalk();
    if let Some(db) = db {
        cmd.arg("--db").arg(db);
    }
    let out = cmd.args(["catalogue", "list", "--json"]).output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn items<'a>(listing: &'a Value, framework: &str) -> &'a Vec<Value> {
    listing["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == framework)
        .unwrap_or_else(|| panic!("framework {framework}"))["items"]
        .as_array()
        .unwrap()
}

fn count(items: &[Value], keep: impl Fn(&Value) -> bool) -> usize {
    items.iter().filter(|i| keep(i)).count()
}

fn starts(i: &Value, prefix: &str) -> bool {
    i["ref"].as_str().unwrap().starts_with(prefix)
}

fn check_counts(l: &Value) {
    let services = items(l, "service");
    assert!(services.len() >= 60, "{} services", services.len());
    for r in [
        "KMS",
        "IAM",
        "GUARDDUTY",
        "SECURITYHUB",
        "CLOUDTRAIL",
        "WAF",
        "S3",
    ] {
        assert!(
            services.iter().any(|i| i["ref"] == r),
            "service:{r} is catalogued"
        );
    }

    let caf = items(l, "caf");
    assert_eq!(
        count(caf, |i| starts(i, "CAF-SEC-")),
        9,
        "nine capabilities"
    );
    let epics: Vec<&str> = caf
        .iter()
        .filter(|i| starts(i, "Sec."))
        .map(|i| i["ref"].as_str().unwrap())
        .collect();
    assert_eq!(epics, ["Sec.IAM", "Sec.Det", "Sec.Inf", "Sec.DP", "Sec.IR"]);

    assert_eq!(items(l, "ct").len(), 526, "Control Tower ids");
    assert_eq!(items(l, "fsbp").len(), 205, "FSBP controls");

    let wa = items(l, "wa");
    assert_eq!(count(wa, |i| i["parent"].is_null()), 11, "WA questions");
    assert_eq!(
        count(wa, |i| !i["parent"].is_null()),
        63,
        "WA best practices"
    );

    let msr = items(l, "msr");
    assert_eq!(count(msr, |i| starts(i, "MSR.")), 69, "MSR ids");
    let tasks = count(msr, |i| starts(i, "T") && i["parent"].is_null());
    let subtasks = count(msr, |i| {
        i["parent"].as_str().is_some_and(|p| p.starts_with('T'))
    });
    assert_eq!((tasks, subtasks), (7, 38), "workplan tasks and subtasks");
}

/// An empty title is only ever an id whose source publishes nothing, and it says so.
fn check_unpublished(l: &Value) {
    for f in l["frameworks"].as_array().unwrap() {
        let items = f["items"].as_array().unwrap();
        let unpublished = count(items, |i| i["details_published"] == false);
        assert_eq!(f["unpublished"], unpublished, "{}", f["id"]);
        for i in items {
            if i["title"] == "" {
                assert_eq!(
                    i["details_published"], false,
                    "{}:{} has an empty title without the flag",
                    f["id"], i["ref"]
                );
            }
        }
    }
    let msr = items(l, "msr");
    let unpublished: Vec<&Value> = msr
        .iter()
        .filter(|i| starts(i, "MSR.") && i["details_published"] == false)
        .collect();
    assert_eq!(unpublished.len(), 61, "8 of the 69 MSR subjects are known");
    assert!(
        unpublished.iter().all(|i| i["title"] == ""),
        "none invented"
    );
    let iam2 = msr.iter().find(|i| i["ref"] == "MSR.IAM.2").unwrap();
    assert_eq!(iam2["details_published"], true);
    assert_eq!(
        iam2["title"],
        "Root user usage policy that keeps the root credentials protected"
    );
}

#[test]
fn the_shipped_catalogue_holds_the_reference_counts_and_flags_unpublished_ids() {
    let l = listing(None);
    check_counts(&l);
    check_unpublished(&l);
}

#[test]
fn an_engagement_copy_of_the_catalogue_holds_the_same_counts_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let csv = dir.path().join("acme.csv");
    std::fs::write(&csv, "ID,Requirement\nR-1,Encrypt data at rest\n").unwrap();
    json(&db, &["import", csv.to_str().unwrap()]);
    let l = listing(Some(&db));
    check_counts(&l);
    check_unpublished(&l);
    assert_eq!(l, listing(None), "the copy is the shipped catalogue");
    let out = crosswalk()
        .arg("--db")
        .arg(&db)
        .args(["catalogue", "show", "msr:MSR.IAM.1"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("msr:MSR.IAM.1  (no published details)\n"),
        "{text}"
    );
    let head = text.split("\nSource and caveats:").next().unwrap();
    let keys: Vec<&str> = head
        .lines()
        .filter_map(|l| l.strip_prefix("  ")?.split_once(": ").map(|(k, _)| k))
        .collect();
    assert_eq!(
        keys,
        [
            "domain_prefix",
            "theme",
            "service_screener_checks",
            "source"
        ],
        "the copy keeps the order of the data file"
    );
}

#[test]
fn an_id_without_published_details_is_shown_as_such() {
    let out = crosswalk()
        .args(["catalogue", "show", "msr:MSR.IAM.1"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("msr:MSR.IAM.1  (no published details)")
    );

    let out = crosswalk().args(["catalogue", "list"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let msr = text.lines().find(|l| l.starts_with("msr ")).unwrap();
    assert!(msr.ends_with("(61 with no published details)"), "{msr}");
    let nist = text.lines().find(|l| l.starts_with("nist ")).unwrap();
    assert!(nist.ends_with("(135 with no published details)"), "{nist}");

    let out = crosswalk()
        .args(["catalogue", "search", "MSR.IAM.1", "--json"])
        .output()
        .unwrap();
    let hits: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hit = hits["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["ref"] == "msr:MSR.IAM.1")
        .expect("found by its id");
    assert_eq!(
        (&hit["title"], &hit["details_published"]),
        (&Value::from(""), &Value::from(false))
    );
}

#[test]
fn attributes_are_shown_in_the_order_of_the_data_file() {
    let out = crosswalk()
        .args(["catalogue", "show", "ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let head = text.split("\nSource and caveats:").next().unwrap();
    let keys: Vec<&str> = head
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("  ->") && !l.starts_with("  <-"))
        .filter_map(|l| l.trim_start().split_once(": ").map(|(k, _)| k))
        .collect();
    assert_eq!(
        keys,
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
}

#[test]
fn show_gives_the_flag_the_provenance_and_the_caveats_in_json_and_text() {
    let out = crosswalk()
        .args(["catalogue", "show", "msr:MSR.IAM.1", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let raw = String::from_utf8(out.stdout).unwrap();
    let item: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(item["ref"], "msr:MSR.IAM.1");
    assert_eq!(
        (&item["title"], &item["details_published"]),
        (&Value::from(""), &Value::from(false))
    );
    let provenance = item["provenance"].as_str().unwrap();
    assert!(
        provenance.contains("Caveats:") && provenance.contains("empty title"),
        "{provenance}"
    );
    // The JSON object keeps the attributes in the order of the data file.
    let at = |k: &str| {
        raw.find(&format!("\"{k}\":"))
            .unwrap_or_else(|| panic!("{k}"))
    };
    assert!(at("domain_prefix") < at("theme") && at("theme") < at("service_screener_checks"));

    let out = crosswalk()
        .args(["catalogue", "show", "fsbp:IAM.6"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("fsbp:IAM.6  Hardware MFA should be enabled for the root user\n"),
        "{text}"
    );
    let source = text
        .split("\nSource and caveats:\n")
        .nth(1)
        .expect("a provenance section");
    assert!(
        source.contains("2023-06-15") && source.contains("Caveats:"),
        "{source}"
    );
}

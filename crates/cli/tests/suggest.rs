//! `crosswalk suggest` on the demo workbook: the JSON shape of the CLI contract, decided targets
//! marked as such, learning that never cites the requirement to itself, and the workbook's
//! reference column followed.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `crosswalk --db DB ARGS... --json`, expects success, returns the JSON document.
fn json(db: &Path, args: &[&str]) -> Value {
    let out = Command::cargo_bin("crosswalk")
        .expect("the crosswalk binary is built")
        .env("USER", "tester")
        .arg("--db")
        .arg(db)
        .args(args)
        .arg("--json")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "crosswalk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

fn requirement<'a>(report: &'a Value, reference: &str) -> &'a Value {
    report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ref"] == reference)
        .unwrap_or_else(|| panic!("{reference} is in the report"))
}

fn suggestions(r: &Value) -> &Vec<Value> {
    r["suggestions"].as_array().unwrap()
}

#[test]
fn an_accepted_target_is_marked_and_teaches_the_others_without_citing_itself() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("harbourline.crosswalk");
    let workbook = workspace_root().join("data/samples/demo-requirements.xlsx");
    json(
        &db,
        &["import", workbook.to_str().unwrap(), "--set", "demo"],
    );

    let before = json(&db, &["suggest", "--set", "demo", "--top", "3"]);
    let all = before["requirements"].as_array().unwrap();
    assert_eq!(all.len(), 60);
    for r in all {
        assert_eq!(r["set"], "demo");
        for s in suggestions(r) {
            for key in ["kind", "ref", "title", "score", "reason"] {
                assert!(s.get(key).is_some(), "{key} in {s}");
            }
            assert!(["service", "lz_control", "caf", "framework_control"]
                .contains(&s["kind"].as_str().unwrap()));
            assert!((0.0..=1.0).contains(&s["score"].as_f64().unwrap()), "{s}");
            assert_eq!(s["accepted"], false, "nothing is decided yet: {s}");
        }
    }
    // The "Reference" column (NIST 800-53 SC-28) is followed through the catalogue's links.
    let dp01 = requirement(&before, "SEC-DP-01");
    assert!(
        suggestions(dp01)
            .iter()
            .any(|s| s["reason"].as_str().unwrap().contains("cites SC-28")),
        "{dp01:#}"
    );

    json(&db, &["map", "demo:SEC-DP-01", "service:KMS"]);
    let after = json(&db, &["suggest", "--set", "demo", "--top", "3"]);
    let dp01 = requirement(&after, "SEC-DP-01");
    let kms: Vec<&Value> = suggestions(dp01)
        .iter()
        .filter(|s| s["ref"] == "service:KMS")
        .collect();
    assert_eq!(kms.len(), 1, "{dp01:#}");
    assert_eq!(kms[0]["accepted"], true, "{}", kms[0]);
    assert_eq!(kms[0]["accepted_now"], false, "{}", kms[0]);
    for s in suggestions(dp01) {
        let reason = s["reason"].as_str().unwrap();
        assert!(
            !reason.contains("SEC-DP-01"),
            "SEC-DP-01 is cited to itself: {reason}"
        );
        if s["ref"] != "service:KMS" {
            assert_eq!(s["accepted"], false, "{s}");
        }
    }
    // A near-identical requirement of another set, with the same ref, learns from it: the
    // reason names the other requirement with its set.
    let extra = dir.path().join("extra.csv");
    std::fs::write(
        &extra,
        "ID,Requirement\nSEC-DP-01,All customer and shipment data kept in the cloud must be \
         encrypted at rest using AES-256.\n",
    )
    .unwrap();
    json(&db, &["import", extra.to_str().unwrap(), "--set", "extra"]);
    let learned = json(&db, &["suggest", "--set", "extra", "--top", "3"]);
    let twin = requirement(&learned, "SEC-DP-01");
    assert_eq!(twin["set"], "extra");
    let kms = suggestions(twin)
        .iter()
        .find(|s| s["ref"] == "service:KMS")
        .unwrap_or_else(|| panic!("{twin:#}"));
    assert!(
        kms["reason"]
            .as_str()
            .unwrap()
            .contains("like demo:SEC-DP-01 which you mapped to KMS"),
        "{kms}"
    );
    assert_eq!(
        kms["accepted"], false,
        "accepted on demo, not on extra: {kms}"
    );

    // Accepting in bulk leaves the decided pair alone and marks what it accepted.
    let bulk = json(
        &db,
        &[
            "suggest",
            "--set",
            "demo",
            "--top",
            "1",
            "--accept-above",
            "0.9",
        ],
    );
    let now = bulk["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(suggestions)
        .filter(|s| s["accepted_now"] == true)
        .inspect(|s| {
            assert_eq!(s["accepted"], true);
            assert!(s["score"].as_f64().unwrap() >= 0.9);
        })
        .count();
    assert_eq!(bulk["accepted"].as_u64().unwrap(), now as u64);
    let dp01 = requirement(&bulk, "SEC-DP-01");
    for s in suggestions(dp01)
        .iter()
        .filter(|s| s["ref"] == "service:KMS")
    {
        assert_eq!(s["accepted_now"], false, "already accepted before: {s}");
    }
}

/// Each way of citing another standard resolves to the item it names, which comes first among
/// the framework controls, and the reasons show the crosswalk path to the services behind it.
#[test]
fn cited_references_resolve_to_the_item_they_name_and_follow_the_crosswalk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let csv = dir.path().join("acme.csv");
    std::fs::write(
        &csv,
        "ID,Requirement\n\
         R-1,Accounts are managed as required by NIST 800-53 AC-2\n\
         R-2,Follow CIS 1.4 for root access keys\n\
         R-3,Implement SEC03-BP01 and MSR.IAM.2\n\
         R-4,Hardware MFA for the root user (IAM.6)\n",
    )
    .unwrap();
    json(&db, &["import", csv.to_str().unwrap()]);
    let report = json(&db, &["suggest", "--top", "5"]);
    let of_kind = |reference: &str, kind: &str| -> Vec<(String, f64, String)> {
        suggestions(requirement(&report, reference))
            .iter()
            .filter(|s| s["kind"] == kind)
            .map(|s| {
                (
                    s["ref"].as_str().unwrap().to_string(),
                    s["score"].as_f64().unwrap(),
                    s["reason"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };

    let r1 = of_kind("R-1", "framework_control");
    assert_eq!(r1[0].0, "nist:AC-2", "{r1:?}");
    assert!(r1[0].2.starts_with("cites AC-2 → nist:AC-2"), "{}", r1[0].2);
    let iam = of_kind("R-1", "service");
    assert_eq!(iam[0].0, "service:IAM", "{iam:?}");
    assert!(
        iam[0]
            .2
            .contains("cites AC-2 → nist:AC-2 → fsbp:IAM.1 → service:IAM"),
        "the path goes through the Security Hub control mapped to AC-2: {}",
        iam[0].2
    );
    for (target, _, reason) in &r1 {
        assert!(
            !reason.contains("→ fsbp:IAM.1 → nist:"),
            "{target}: a path does not come back to a sibling of the cited control: {reason}"
        );
    }

    let r2 = of_kind("R-2", "framework_control");
    assert_eq!(
        r2[0].0, "fsbp:IAM.4",
        "CIS 1.4 is the root access key check: {r2:?}"
    );
    assert!(
        r2[0].2.contains("cites CIS 1.4 → fsbp:IAM.4"),
        "{}",
        r2[0].2
    );

    let r3 = of_kind("R-3", "framework_control");
    let firsts: Vec<&str> = r3.iter().take(2).map(|s| s.0.as_str()).collect();
    assert_eq!(firsts, ["msr:MSR.IAM.2", "wa:SEC03-BP01"], "{r3:?}");
    assert!(r3[0].1 >= 0.9 && r3[1].1 >= 0.9, "{r3:?}");

    let r4 = of_kind("R-4", "framework_control");
    assert_eq!(r4[0].0, "fsbp:IAM.6", "{r4:?}");
    assert_eq!(of_kind("R-4", "service")[0].0, "service:IAM");
}

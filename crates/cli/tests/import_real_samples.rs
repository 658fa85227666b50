//! The three real samples of issue 2 imported through the CLI, with the counts, ids and texts
//! that ../shared/samples/README.md gives as true.

mod common;

use common::*;

#[test]
fn the_security_hub_csv_imports_all_497_controls_with_the_bom_free_id_header() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let file = real_sample("aws-securityhub-controls-export-sample.csv");
    let report = json(&db, &["import", file.to_str().unwrap(), "--set", "sh"]);
    assert_eq!(report["set"], "sh");
    assert_eq!(report["file"], "aws-securityhub-controls-export-sample.csv");
    assert_eq!(report["added"], 497, "the README counts 497 controls");
    assert_eq!(report["changed"], 0);
    let columns = report["sheets"][0]["columns"].as_array().unwrap();
    assert_eq!(
        columns[0]["header"], "Security Control ID",
        "the BOM is not part of the header"
    );
    assert_eq!(columns[0]["role"], "id");

    let list = json(&db, &["list", "--set", "sh"]);
    let reqs = list["requirements"].as_array().unwrap();
    assert_eq!(reqs.len(), 497);
    assert_eq!(reqs[0]["ref"], "ACM.1", "the first control, in file order");
    assert_eq!(reqs[496]["ref"], "WorkSpaces.2", "the last control");
    let acm1 = by_ref(&list, "ACM.1");
    assert_eq!(
        acm1["title"],
        "Imported and ACM-issued certificates should be renewed after a specified time period"
    );
    assert_eq!(acm1["row"], 2, "the row under the header, 1-based");
    assert!(
        acm1["attributes"].get("AWS Config rule").is_some(),
        "columns without a role are kept as attributes: {}",
        acm1["attributes"]
    );
}

#[test]
fn the_nist_csf_workbook_imports_its_hierarchy_with_withdrawn_subcategories_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let file = real_sample("nist-csf2.0-core-csf2.xlsx");
    let report = json(&db, &["import", file.to_str().unwrap(), "--set", "csf"]);
    assert_eq!(report["sheets"][0]["name"], "CSF 2.0");
    assert_eq!(report["sheets"][0]["header_row"], 2, "row 1 is a title");

    let list = json(&db, &["list", "--set", "csf"]);
    let reqs = list["requirements"].as_array().unwrap();
    // CSF ids: `GV` (function), `GV.OC` (category), `GV.OC-01` (subcategory).
    let function = |r: &str| r.len() == 2 && r.chars().all(|c| c.is_ascii_uppercase());
    let category = |r: &str| r.len() == 5 && r.as_bytes()[2] == b'.' && !r.contains('-');
    let subcategory = |r: &str| r.len() == 8 && r.as_bytes()[2] == b'.' && r.as_bytes()[5] == b'-';
    let count = |shape: &dyn Fn(&str) -> bool, withdrawn: bool| {
        reqs.iter()
            .filter(|r| shape(r["ref"].as_str().unwrap()) && r["withdrawn"] == withdrawn)
            .count()
    };
    assert_eq!(count(&function, false), 6, "6 functions");
    assert_eq!(count(&category, false), 22, "22 current categories");
    let subcategories = count(&subcategory, false) + count(&subcategory, true);
    assert_eq!(subcategories, 185, "185 subcategories");
    assert_eq!(
        count(&subcategory, true),
        79,
        "79 withdrawn subcategories stay, marked"
    );
    assert_eq!(report["added"], reqs.len(), "everything read was stored");

    let oc01 = by_ref(&list, "GV.OC-01");
    assert_eq!(
        oc01["text"],
        "The organizational mission is understood and informs cybersecurity risk management"
    );
    assert_eq!(
        oc01["parent"], "GV.OC",
        "a subcategory's parent is its category"
    );
    assert_eq!(
        by_ref(&list, "GV.OC")["parent"],
        "GV",
        "a category's parent is its function"
    );
    let withdrawn = by_ref(&list, "ID.BE-01");
    assert_eq!(withdrawn["withdrawn"], true);
    assert!(withdrawn["text"].as_str().unwrap().contains("Withdrawn"));
}

#[test]
fn the_legacy_xls_imports_both_rule_sheets_as_one_set_with_numeric_ids_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.crosswalk");
    let file = real_sample("complianceascode-jbossfuse6-guide-content.xls");
    let report = json(&db, &["import", file.to_str().unwrap(), "--set", "fuse"]);
    let sheets: Vec<(&str, u64)> = report["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["rows"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        sheets,
        [("KarafRules", 57), ("ActiveMQRules", 10)],
        "two rule sheets of one shape"
    );
    assert_eq!(report["added"], 67);

    let list = json(&db, &["list", "--set", "fuse"]);
    let first = by_ref(&list, "1001");
    assert_eq!(
        first["ref"], "1001",
        "a numeric id stored as 1001.0 reads as 1001"
    );
    assert_eq!(first["sheet"], "KarafRules");
    assert_eq!(
        first["title"],
        "Ensure adequate physical protections are in place"
    );
    assert_eq!(
        first["attributes"]["xccdfId"], "gr_policy-1001",
        "the formula's cached value is kept"
    );
    let karaf = list["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["sheet"] == "KarafRules");
    assert_eq!(karaf.count(), 57);
}

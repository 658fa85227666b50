//! Every real sample in `../shared/samples/real/` imports with the counts, hierarchy and spot
//! values that `../shared/samples/README.md` lists for it.

mod common;

use common::{find, import_sample, refs};
use crosswalk_domain::ColumnRole;
use std::collections::HashSet;

#[test]
fn the_security_hub_export_gives_497_controls_from_acm_1_to_workspaces_2() {
    let import = import_sample("aws-securityhub-controls-export-sample.csv");
    let ids = refs(&import);
    assert_eq!(ids.len(), 497, "the README counts 497 controls");
    assert_eq!(ids.first(), Some(&"ACM.1"), "rows keep the file's order");
    assert_eq!(ids.last(), Some(&"WorkSpaces.2"));
    let sheet = &import.sheets[0];
    assert_eq!(sheet.header_row, 1);
    assert_eq!(
        sheet.columns[0].header, "Security Control ID",
        "the byte-order mark must not stick to the first header"
    );
    assert_eq!(sheet.columns[0].role, ColumnRole::Id);
    let acm1 = find(&import, "ACM.1");
    assert!(
        acm1.title
            .starts_with("Imported and ACM-issued certificates should be renewed"),
        "{}",
        acm1.title
    );
    assert!(!acm1.text.is_empty(), "the Description column is the text");
    assert!(
        acm1.attributes.get("AWS Config rule").is_some(),
        "columns without a role are kept as attributes: {:?}",
        acm1.attributes
    );
}

#[test]
fn the_security_hub_export_keeps_multi_line_fields_whole() {
    let import = import_sample("aws-securityhub-controls-export-sample.csv");
    let multi = import
        .requirements
        .iter()
        .filter(|r| r.text.contains('\n') || r.attributes.iter().any(|(_, v)| v.contains('\n')))
        .count();
    assert!(multi > 0, "quoted fields spanning lines stay one field");
    assert_eq!(
        import.requirements.len(),
        497,
        "so they do not create extra rows"
    );
}

#[test]
fn the_csf_core_gives_functions_categories_and_subcategories_with_parents() {
    let import = import_sample("nist-csf2.0-core-csf2.xlsx");
    assert_eq!(import.sheets.len(), 1);
    assert_eq!(import.sheets[0].name, "CSF 2.0");
    assert_eq!(import.sheets[0].header_row, 2, "row 1 is a title");

    let reqs = &import.requirements;
    let functions: Vec<_> = reqs.iter().filter(|r| r.parent.is_none()).collect();
    let function_ids: HashSet<&str> = functions.iter().map(|r| r.reference.as_str()).collect();
    let categories: Vec<_> = reqs
        .iter()
        .filter(|r| {
            r.parent
                .as_deref()
                .is_some_and(|p| function_ids.contains(p))
        })
        .collect();
    let category_ids: HashSet<&str> = categories.iter().map(|r| r.reference.as_str()).collect();
    let subcategories: Vec<_> = reqs
        .iter()
        .filter(|r| {
            r.parent
                .as_deref()
                .is_some_and(|p| category_ids.contains(p))
        })
        .collect();

    assert_eq!(
        function_ids,
        HashSet::from(["GV", "ID", "PR", "DE", "RS", "RC"]),
        "six functions, and the closing label rows are not extra requirements"
    );
    assert_eq!(
        categories.iter().filter(|c| !c.withdrawn).count(),
        22,
        "22 current categories"
    );
    assert_eq!(subcategories.len(), 185, "185 subcategories");
    assert_eq!(
        subcategories.iter().filter(|s| s.withdrawn).count(),
        79,
        "79 of them withdrawn, and kept"
    );
    assert_eq!(
        reqs.len(),
        functions.len() + categories.len() + subcategories.len(),
        "nothing outside the tree"
    );

    let oc01 = find(&import, "GV.OC-01");
    assert_eq!(
        oc01.parent.as_deref(),
        Some("GV.OC"),
        "a subcategory's parent is its category"
    );
    assert!(
        oc01.text
            .starts_with("The organizational mission is understood"),
        "{}",
        oc01.text
    );
    assert_eq!(oc01.section.as_deref(), Some("GOVERN"));
    let oc = find(&import, "GV.OC");
    assert_eq!(
        (oc.title.as_str(), oc.parent.as_deref()),
        ("Organizational Context", Some("GV"))
    );
    let withdrawn = find(&import, "RC.CO-01");
    assert!(withdrawn.withdrawn, "its text says '[Withdrawn: …]'");
}

#[test]
fn the_legacy_xls_imports_both_rule_sheets_as_one_set_with_numeric_ids() {
    let import = import_sample("complianceascode-jbossfuse6-guide-content.xls");
    let names: Vec<&str> = import.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["KarafRules", "ActiveMQRules"],
        "same shape, disjoint ids: parts of one list"
    );
    assert_eq!(import.sheets[0].rows, 57);
    assert_eq!(import.sheets[1].rows, 10);
    assert_eq!(import.requirements.len(), 67);

    let rule = find(&import, "1001");
    assert_eq!(
        rule.source_ref, None,
        "1001 was stored as a number and is written without '.0'"
    );
    assert_eq!(
        rule.section.as_deref(),
        Some("KarafRules"),
        "the sheet is the section"
    );
    assert_eq!(
        rule.attributes.get("xccdfId"),
        Some("gr_policy-1001"),
        "the formula's cached value"
    );
    assert_eq!(
        rule.title,
        "Ensure adequate physical protections are in place"
    );
    assert_eq!(
        find(&import, "3001").section.as_deref(),
        Some("ActiveMQRules")
    );
    let id_col = import.sheets[0]
        .columns
        .iter()
        .find(|c| c.role == ColumnRole::Id)
        .unwrap();
    assert_eq!(id_col.header, "genericId");
}

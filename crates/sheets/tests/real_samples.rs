//! Every real sample in `../shared/samples/real/` imports with the counts, hierarchy and spot
//! values that `../shared/samples/README.md` lists for it.

mod common;

use common::{find, import_sample, import_sample_with, refs};
use crosswalk_domain::ColumnRole;
use crosswalk_sheets::ImportOptions;
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

#[test]
fn the_fedramp_baselines_are_alternatives_and_the_largest_is_taken_with_the_others_listed() {
    let import = import_sample("fedramp-rev5-security-controls-baseline.xlsx");
    assert_eq!(import.sheets.len(), 1);
    assert_eq!(import.sheets[0].name, "High Baseline");
    assert_eq!(import.sheets[0].header_row, 2, "row 1 is a title");
    assert_eq!(import.requirements.len(), 410);
    assert_eq!(
        import.alternative_sheets,
        ["Moderate Baseline", "Low Baseline"]
    );
    let why = import
        .notes
        .iter()
        .find(|n| n.contains("alternatives"))
        .expect("the choice is explained");
    assert!(
        why.contains("--sheet") && why.contains("'Moderate Baseline'"),
        "{why}"
    );
    assert!(
        import
            .notes
            .iter()
            .any(|n| n.contains("'NIST Catalog - Excel'")),
        "the other shapes are listed as not imported: {:?}",
        import.notes
    );
}

#[test]
fn each_fedramp_baseline_can_be_named_and_has_its_own_count() {
    for (sheet, count) in [("Moderate Baseline", 323), ("Low Baseline", 156)] {
        let options = ImportOptions {
            sheets: vec![sheet.into()],
            ..ImportOptions::default()
        };
        let import = import_sample_with("fedramp-rev5-security-controls-baseline.xlsx", &options);
        assert_eq!(import.requirements.len(), count, "{sheet}");
        assert!(import.requirements.iter().all(|r| r.sheet == sheet));
    }
}

#[test]
fn the_two_fedramp_id_spellings_meet_in_one_ref_and_both_are_kept() {
    let import = import_sample("fedramp-rev5-security-controls-baseline.xlsx");
    let r = find(&import, "AC-2(1)");
    assert_eq!(
        r.source_ref.as_deref(),
        Some("AC-2 (1)"),
        "the ID column as written"
    );
    assert_eq!(
        r.attributes.get("SORT ID"),
        Some("AC-02 (01)"),
        "the other spelling stays an attribute"
    );
    assert_eq!(
        crosswalk_sheets::ids::normalise(r.attributes.get("SORT ID").unwrap()),
        r.reference,
        "both spellings normalise to the same ref"
    );
    assert_eq!(
        r.section.as_deref(),
        Some("ACCESS CONTROL"),
        "Family is the section"
    );
    assert_eq!(
        r.title,
        "Account Management | Automated System Account Management"
    );
    assert!(
        import
            .requirements
            .iter()
            .all(|r| r.reference.trim() == r.reference && !r.reference.contains('\u{a0}')),
        "refs are trimmed and free of no-break spaces"
    );
}

#[test]
fn the_caiq_carries_merged_ccm_cells_down_and_skips_the_end_rows() {
    let import = import_sample("csa-caiq-v4.0.3-completed-whitepact.xlsx");
    let sheet = &import.sheets[0];
    assert_eq!((sheet.name.as_str(), sheet.header_row), ("CAIQv4.0.3", 2));
    let ids = refs(&import);
    assert_eq!(
        ids.len(),
        261,
        "261 questions, not the end marker or the copyright line"
    );
    assert_eq!((ids[0], ids[260]), ("A&A-01.1", "UEM-14.1"));

    let second = find(&import, "A&A-01.2");
    assert_eq!(
        second.attributes.get("CCM Control ID"),
        Some("A&A-01"),
        "the merged cell covers this row"
    );
    assert_eq!(
        second.title, "Audit and Assurance Policy and Procedures",
        "so does the merged title"
    );
    let controls: HashSet<&str> = import
        .requirements
        .iter()
        .filter_map(|r| r.attributes.get("CCM Control ID"))
        .collect();
    assert_eq!(
        controls.len(),
        197,
        "the questions sit under 197 CCM controls"
    );
    assert!(
        import
            .requirements
            .iter()
            .all(|r| r.attributes.get("CCM Control ID").is_some()),
        "every question carries its control"
    );

    let blank: Vec<_> = sheet
        .columns
        .iter()
        .filter(|c| c.header.starts_with("Column "))
        .collect();
    assert_eq!(
        blank.len(),
        2,
        "two blank headers are kept with generated names: {:?}",
        sheet.columns
    );
    assert!(blank.iter().all(|c| c.role == ColumnRole::Attribute));
    assert!(
        sheet
            .notes
            .iter()
            .filter(|n| n.contains("was skipped"))
            .count()
            >= 2,
        "the preview says which rows were skipped: {:?}",
        sheet.notes
    );
}

#[test]
fn the_anssi_semicolon_file_reads_accents_and_the_repeated_iso_groups() {
    let import = import_sample("anssi-recyf-nis2-iso-comparison.csv");
    let ids = refs(&import);
    assert_eq!(ids.len(), 152);
    assert_eq!((ids[0], ids[151]), ("1.1-EI/EE", "20.6-EE"));
    let sheet = &import.sheets[0];
    assert_eq!(sheet.columns[0].header, "Référence");
    assert_eq!(
        sheet.columns[0].role,
        ColumnRole::Id,
        "a French header names the id"
    );
    assert_eq!(sheet.columns.len(), 21, "semicolons split the 21 columns");
    let first = find(&import, "1.1-EI/EE");
    assert!(first.text.starts_with("L’entité liste"), "{}", first.text);
    assert!(
        import
            .requirements
            .iter()
            .any(|r| r.attributes.get("Référence ISO (7)").is_some()),
        "some requirements fill all seven ISO reference groups"
    );
}

#[test]
fn the_nist_catalogue_csv_is_decoded_from_windows_1252() {
    let import = import_sample("nist-sp800-53r5-control-catalog.csv");
    let ids = refs(&import);
    assert_eq!(ids.len(), 1189);
    assert_eq!((ids[0], ids[1188]), ("AC-1", "SR-12"));
    let all_text = import
        .requirements
        .iter()
        .flat_map(|r| {
            [r.text.as_str(), r.title.as_str()]
                .into_iter()
                .chain(r.attributes.iter().map(|(_, v)| v))
        })
        .collect::<String>();
    assert!(
        all_text.contains('\u{2019}'),
        "0x92 decodes to a right single quote"
    );
    assert!(!all_text.contains('\u{fffd}'), "no byte was replaced");
    assert!(
        import.notes.iter().any(|n| n.contains("windows-1252")),
        "{:?}",
        import.notes
    );
    assert!(
        find(&import, "AC-15").withdrawn,
        "'[Withdrawn: Incorporated into MP-3.]'"
    );
}

#[test]
fn the_cis_benchmark_takes_reco_content_and_turns_depth_into_parents() {
    let import = import_sample("ciso-assistant-cis-benchmark-aws-foundations.xlsx");
    assert_eq!(import.sheets.len(), 1);
    assert_eq!(
        import.sheets[0].name, "reco_content",
        "the *_meta sheets are key/value metadata"
    );
    let reqs = &import.requirements;
    assert_eq!(reqs.len(), 80);
    let assessable = reqs
        .iter()
        .filter(|r| r.attributes.get("assessable") == Some("x"))
        .count();
    assert_eq!(
        (assessable, reqs.len() - assessable),
        (70, 10),
        "70 recommendations, 10 grouping nodes"
    );
    assert_eq!(find(&import, "2.1.1").parent.as_deref(), Some("2.1"));
    assert_eq!(find(&import, "2.1").parent.as_deref(), Some("2"));
    assert_eq!(find(&import, "2").parent, None, "depth 1 is a root");
    let depth = import.sheets[0]
        .columns
        .iter()
        .find(|c| c.header == "depth")
        .unwrap();
    assert_eq!(depth.role, ColumnRole::Parent);
    assert_eq!(
        find(&import, "2.1.1").attributes.get("depth"),
        Some("3"),
        "the depth itself is kept"
    );
    let parents: HashSet<&str> = reqs.iter().map(|r| r.reference.as_str()).collect();
    assert!(
        reqs.iter()
            .filter_map(|r| r.parent.as_deref())
            .all(|p| parents.contains(p)),
        "every parent is a requirement of the set"
    );
}

//! The evaluation against the shipped catalogue and the real labelled sets: the labels never
//! reach the ranking, the Security Hub set is ranked without FSBP, and the figures meet the
//! targets the project set.

use crosswalk_domain::{QualifiedRef, TargetKind};
use crosswalk_suggest::eval::{self, DemoView, LabelledSet};
use crosswalk_suggest::{Engine, Query, Suggestion};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn queries(set: &LabelledSet) -> Vec<Query> {
    set.cases.iter().map(|c| c.query.clone()).collect()
}

fn ranked(set: &LabelledSet) -> Vec<Vec<Suggestion>> {
    let engine = Engine::with_options(crosswalk_catalogue::shipped(), &set.options);
    eval::rank(&engine, &queries(set))
}

/// Moves every entry's values of `keys` to the entry half the list further on (round the end), so
/// each requirement gets the labels of a requirement from another domain.
fn rotate(entries: &mut [toml::Value], keys: &[&str]) {
    let taken: Vec<Vec<Option<toml::Value>>> = entries
        .iter_mut()
        .map(|e| {
            let t = e.as_table_mut().expect("a table");
            keys.iter().map(|k| t.remove(*k)).collect()
        })
        .collect();
    let n = entries.len();
    for (i, values) in taken.into_iter().enumerate() {
        let t = entries[(i + n / 2) % n].as_table_mut().expect("a table");
        for (k, v) in keys.iter().zip(values) {
            if let Some(v) = v {
                t.insert((*k).to_string(), v);
            }
        }
    }
}

#[test]
fn the_demo_rankings_are_the_same_whatever_the_labels_say() {
    let catalogue = crosswalk_catalogue::shipped();
    let workbook = std::fs::read(root().join(eval::DEMO_WORKBOOK)).unwrap();
    let labels = read(root().join(eval::DEMO_LABELS));
    let mut shuffled: toml::Table = labels.parse().unwrap();
    let entries = shuffled["requirement"].as_array_mut().unwrap();
    rotate(entries, &["services", "caf"]);
    let shuffled = toml::to_string(&shuffled).unwrap();
    assert_ne!(shuffled, labels);

    for view in [DemoView::AsImported, DemoView::TextOnly] {
        let q = eval::demo_queries(eval::DEMO_WORKBOOK, &workbook, view).unwrap();
        assert_eq!(q.len(), 60, "the demo workbook has 60 requirements");
        let real = eval::demo_set(q.clone(), eval::DEMO_LABELS, &labels, catalogue, view).unwrap();
        let wrong = eval::demo_set(q, "shuffled.toml", &shuffled, catalogue, view).unwrap();
        assert_eq!(queries(&real), queries(&wrong));
        assert_eq!(real.options, wrong.options);
        let (a, b) = (ranked(&real), ranked(&wrong));
        assert_eq!(a, b, "the rankings must not depend on the labels");
        // The labels do matter to the scoring, so the check above compared something.
        let right = eval::score(&real.name, &real.cases, &a, 0);
        let shuffled = eval::score(&wrong.name, &wrong.cases, &b, 0);
        let caf = |r: &eval::SetReport| r.per_kind[&TargetKind::Caf].precision_at_1;
        assert!(
            caf(&right) > caf(&shuffled) + 0.3,
            "{} vs {}",
            caf(&right),
            caf(&shuffled)
        );
    }
}

#[test]
fn the_securityhub_rankings_are_the_same_whatever_the_labels_say() {
    let catalogue = crosswalk_catalogue::shipped();
    let csv_path = eval::shared_dir(&root()).join(eval::SECURITYHUB_CSV);
    let csv_text = read(csv_path.clone());
    let prefixes = read(root().join(eval::SECURITYHUB_LABELS));
    // Hand every prefix that names services the services of the next such prefix.
    let mut shuffled: toml::Table = prefixes.parse().unwrap();
    let table = shuffled["prefix"].as_table_mut().unwrap();
    let named: Vec<String> = table
        .iter()
        .filter(|(_, v)| !v.as_array().unwrap().is_empty())
        .map(|(k, _)| k.clone())
        .collect();
    let values: Vec<toml::Value> = named.iter().map(|k| table[k].clone()).collect();
    for (i, k) in named.iter().enumerate() {
        table.insert(k.clone(), values[(i + 1) % values.len()].clone());
    }
    let shuffled = toml::to_string(&shuffled).unwrap();

    let name = csv_path.display().to_string();
    let real = eval::securityhub_set(&name, &csv_text, "labels", &prefixes, catalogue).unwrap();
    let wrong = eval::securityhub_set(&name, &csv_text, "shuffled", &shuffled, catalogue).unwrap();
    assert_eq!(queries(&real), queries(&wrong));
    assert_eq!(real.options, wrong.options);
    let (a, b) = (ranked(&real), ranked(&wrong));
    assert_eq!(a, b, "the rankings must not depend on the labels");
    let recall = |r: &eval::SetReport| r.per_kind[&TargetKind::Service].recall_at_3;
    let right = eval::score(&real.name, &real.cases, &a, 0);
    let shuffled = eval::score(&wrong.name, &wrong.cases, &b, 0);
    assert!(recall(&right) > recall(&shuffled) + 0.5);
}

#[test]
fn the_securityhub_set_is_ranked_without_fsbp_and_without_its_control_ids() {
    let catalogue = crosswalk_catalogue::shipped();
    let sets = eval::shipped_sets(&root(), catalogue).unwrap();
    let set = &sets[0];
    assert_eq!(set.name, "securityhub-controls");
    let engine = Engine::with_options(catalogue, &set.options);

    // No FSBP control is a candidate, nor any copy of one under another framework's name.
    let mut fsbp = 0;
    let mut copies = 0;
    for fw in &catalogue.frameworks {
        for item in &fw.items {
            let target = QualifiedRef::new(&fw.id, &item.reference);
            if fw.id == "fsbp" {
                fsbp += 1;
                assert!(!engine.is_candidate(&target), "{target} is a candidate");
            } else if item.attributes.get("security_hub_control").is_some() {
                copies += 1;
                assert!(!engine.is_candidate(&target), "{target} is a candidate");
            }
        }
    }
    assert!(
        fsbp > 200 && copies > 100,
        "{fsbp} FSBP items, {copies} copies"
    );
    assert!(engine.is_candidate(&QualifiedRef::new("service", "KMS")));
    for ranking in ranked(set) {
        for s in ranking {
            assert_ne!(s.target.framework, "fsbp");
            assert!(!s.reason.contains("fsbp:"), "{}", s.reason);
        }
    }

    // The queries hold the title and description only, without the control id.
    let text = read(eval::shared_dir(&root()).join(eval::SECURITYHUB_CSV));
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let id = headers
        .iter()
        .position(|h| h == "Security Control ID")
        .unwrap();
    let ids: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[id].to_string())
        .collect();
    assert_eq!(set.cases.len() + set.unanswerable.len(), ids.len());
    for case in &set.cases {
        assert_eq!(case.query.section, None);
        for id in &ids {
            let q = &case.query;
            assert!(
                !q.title.contains(id.as_str()) && !q.text.contains(id.as_str()),
                "{} holds the control id {id}",
                q.reference
            );
        }
    }
}

#[test]
fn the_figures_meet_the_targets_on_every_set() {
    let catalogue = crosswalk_catalogue::shipped();
    let sets = eval::shipped_sets(&root(), catalogue).unwrap();
    let names: Vec<&str> = sets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["securityhub-controls", "demo", "demo (text only)"]);
    let reports: Vec<eval::SetReport> = sets.iter().map(|s| eval::evaluate(catalogue, s)).collect();
    for r in &reports {
        assert!(r.per_kind[&TargetKind::Service].cases > 50, "{}", r.name);
    }
    assert_eq!(reports[1].per_kind[&TargetKind::Caf].cases, 60);
    let shortfalls: Vec<String> = reports.iter().flat_map(eval::shortfalls).collect();
    assert!(
        shortfalls.is_empty(),
        "{shortfalls:#?}\n{}",
        eval::table(&reports)
    );
}

#[test]
fn the_reference_column_of_an_imported_row_is_read_as_text_and_the_owner_is_not() {
    let q = Query::new("R-1", "", "Keys rotate yearly.").with_attributes([
        ("Reference", "NIST 800-53 SC-12"),
        ("Owner", "Information Security"),
        ("Requirement owner", "CISO"),
        ("CIS mapping", " "),
    ]);
    assert_eq!(q.text, "Keys rotate yearly.\nReference: NIST 800-53 SC-12");
}

#[test]
fn every_capability_and_service_the_vocabulary_names_is_in_the_shipped_catalogue() {
    let catalogue = crosswalk_catalogue::shipped();
    let vocabulary = crosswalk_suggest::Vocabulary::shipped().unwrap();
    let mut services = 0;
    for concept in vocabulary.concepts() {
        for caf in &concept.caf {
            let r = QualifiedRef::new("caf", caf);
            assert!(catalogue.item(&r).is_some(), "{}: {r}", concept.id);
        }
        for service in &concept.services {
            let r = QualifiedRef::new("service", service);
            assert!(catalogue.item(&r).is_some(), "{}: {r}", concept.id);
            services += 1;
        }
    }
    assert!(services > 50, "{services}");
}

#[test]
fn a_figure_below_its_target_is_a_shortfall_naming_the_set() {
    let metrics = |p1: f64, r3: f64| eval::Metrics {
        cases: 10,
        precision_at_1: p1,
        recall_at_3: r3,
        mrr: p1,
    };
    let report = eval::SetReport {
        name: "acme".to_string(),
        per_kind: [
            (TargetKind::Service, metrics(0.9, 0.84)),
            (TargetKind::Caf, metrics(0.79, 1.0)),
        ]
        .into_iter()
        .collect(),
        unanswerable: 0,
    };
    assert_eq!(
        eval::shortfalls(&report),
        [
            "acme: service recall@3 0.840 < 0.85",
            "acme: CAF precision@1 0.790 < 0.8"
        ]
    );
    let met = eval::SetReport {
        per_kind: [
            (TargetKind::Service, metrics(0.1, 0.85)),
            (TargetKind::Caf, metrics(0.8, 0.0)),
        ]
        .into_iter()
        .collect(),
        ..report
    };
    assert!(eval::shortfalls(&met).is_empty());
}

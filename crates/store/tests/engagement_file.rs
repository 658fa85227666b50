//! The engagement file as a whole: creation, refusing newer files, imports as upserts, the
//! audit log, coverage and the windowed query. Every test works on a real file in a temp dir.

use crosswalk_domain::*;
use crosswalk_store::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use time::macros::datetime;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn actor() -> Actor {
    Actor::new("tester", datetime!(2025-03-01 10:00 UTC))
}

fn later() -> Actor {
    Actor::new("reviewer", datetime!(2025-03-02 09:30 UTC))
}

fn item(reference: &str, title: &str, text: &str, attributes: &[(&str, &str)]) -> CatalogueItem {
    CatalogueItem {
        reference: reference.into(),
        title: title.into(),
        text: text.into(),
        parent: None,
        details_published: true,
        attributes: Attributes(
            attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
    }
}

/// A small catalogue in the shipped shape: services, landing-zone controls and a standard.
fn catalogue(version: &str) -> Catalogue {
    Catalogue {
        version: version.into(),
        frameworks: vec![
            CatalogueFramework {
                id: "service".into(),
                name: "AWS services".into(),
                kind: FrameworkKind::Services,
                version: version.into(),
                provenance: "test".into(),
                items: vec![
                    item(
                        "KMS",
                        "AWS Key Management Service",
                        "Managed encryption keys",
                        &[],
                    ),
                    item(
                        "IAM",
                        "AWS Identity and Access Management",
                        "Users, roles, policies",
                        &[],
                    ),
                ],
            },
            CatalogueFramework {
                id: "ct".into(),
                name: "Control Tower controls".into(),
                kind: FrameworkKind::LzControls,
                version: version.into(),
                provenance: "test".into(),
                items: vec![
                    item(
                        "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED",
                        "Root user MFA",
                        "Detects a root user without MFA",
                        &[("guidance", "Strongly recommended")],
                    ),
                    item(
                        "AWS-GR_CLOUDTRAIL_ENABLED",
                        "CloudTrail on",
                        "Keeps CloudTrail enabled",
                        &[("guidance", "Mandatory")],
                    ),
                ],
            },
            CatalogueFramework {
                id: "fsbp".into(),
                name: "Security Hub FSBP".into(),
                kind: FrameworkKind::Standard,
                version: version.into(),
                provenance: "test".into(),
                items: vec![item(
                    "CloudTrail.1",
                    "CloudTrail multi-region trail",
                    "",
                    &[],
                )],
            },
            CatalogueFramework {
                id: "caf".into(),
                name: "AWS CAF security".into(),
                kind: FrameworkKind::Caf,
                version: version.into(),
                provenance: "test".into(),
                items: vec![item("IAM-EPIC", "Identity and access management", "", &[])],
            },
        ],
        links: vec![CatalogueLink {
            from: QualifiedRef::new("fsbp", "CloudTrail.1"),
            to: QualifiedRef::new("ct", "AWS-GR_CLOUDTRAIL_ENABLED"),
            relationship: Relationship::Equivalent,
            note: "same check".into(),
        }],
    }
}

fn requirement(reference: &str, text: &str, row: u32) -> ImportedRequirement {
    ImportedRequirement {
        reference: reference.into(),
        source_ref: None,
        generated_ref: false,
        title: String::new(),
        text: text.into(),
        section: Some("Logging".into()),
        parent: None,
        sheet: "Sheet1".into(),
        row,
        attributes: Attributes(vec![
            ("Owner".into(), "Ops".into()),
            ("Notes".into(), "".into()),
        ]),
        withdrawn: false,
    }
}

fn sheet(file: &str, requirements: Vec<ImportedRequirement>) -> SheetImport {
    SheetImport {
        file: file.into(),
        file_sha256: format!("{:x}", Sha256::digest(file.as_bytes())),
        sheets: vec![SheetReport {
            name: "Sheet1".into(),
            header_row: 1,
            columns: vec![],
            rows: requirements.len() as u32,
            notes: vec![],
        }],
        requirements,
        warnings: vec![],
        notes: vec![],
        alternative_sheets: vec![],
    }
}

fn file_hash(path: &Path) -> String {
    format!(
        "{:x}",
        Sha256::digest(std::fs::read(path).expect("the engagement file is readable"))
    )
}

fn new_engagement(dir: &tempfile::TempDir) -> Result<(PathBuf, Engagement), StoreError> {
    let path = dir.path().join("acme.crosswalk");
    let e = Engagement::create(&path, &actor(), "ACME", &catalogue("1.0"))?;
    Ok((path, e))
}

fn id_of(view: &View, framework: &str, reference: &str) -> i64 {
    let found = view
        .find_items(Some(framework), reference)
        .expect("lookup works");
    assert_eq!(
        found.len(),
        1,
        "{framework}:{reference} names exactly one item"
    );
    found[0].id
}

fn accept(source: i64, target: i64, relationship: Relationship) -> MappingInput {
    MappingInput {
        source,
        target,
        relationship,
        responsibility: None,
        status: MappingStatus::Accepted,
        rationale: "because".into(),
        origin: Origin::Manual,
    }
}

#[test]
fn a_new_engagement_carries_the_catalogue_and_logs_its_creation() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (path, e) = new_engagement(&dir)?;
    let info = e.info()?;
    assert_eq!(info.customer, "ACME");
    assert_eq!(info.catalogue_version, "1.0");
    assert_eq!(
        info.created_at, "2025-03-01T10:00:00Z",
        "the time is the actor's, not the clock's"
    );
    assert_eq!(
        e.catalogue()?,
        catalogue("1.0"),
        "the copy reads back as what was installed"
    );
    let profile = e.landing_zone_profile()?;
    assert_eq!(
        profile.len(),
        1,
        "only the mandatory control starts enabled: {profile:?}"
    );
    assert_eq!(profile[0].reference, "AWS-GR_CLOUDTRAIL_ENABLED");
    let log = e.audit_log(0)?;
    assert_eq!(log.len(), 1, "creation is one event");
    assert_eq!(log[0].action, "engagement.create");
    assert_eq!(log[0].actor, "tester");
    e.close()?;
    assert!(
        !dir.path().join("acme.crosswalk-wal").exists(),
        "closing folds the WAL into the file"
    );
    assert!(path.is_file());
    Ok(())
}

#[test]
fn creating_over_an_existing_file_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (path, e) = new_engagement(&dir)?;
    e.close()?;
    let err = Engagement::create(&path, &actor(), "Other", &catalogue("1.0")).err();
    assert!(
        matches!(err, Some(StoreError::AlreadyExists { .. })),
        "{err:?}"
    );
    Ok(())
}

#[test]
fn a_file_from_a_newer_crosswalk_is_refused_and_left_untouched() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (path, e) = new_engagement(&dir)?;
    e.close()?;
    {
        let raw = rusqlite::Connection::open(&path)?;
        raw.pragma_update(None, "user_version", SCHEMA_VERSION + 1)?;
    }
    let before = file_hash(&path);
    let err = Engagement::open(&path, &actor(), &catalogue("1.0"))
        .err()
        .expect("refused");
    let message = err.to_string();
    assert!(matches!(err, StoreError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1));
    assert!(
        message.contains("newer Crosswalk"),
        "the message says what to do: {message}"
    );
    assert!(
        message.contains("acme.crosswalk"),
        "the message names the file: {message}"
    );
    let err = EngagementReader::open(&path).err();
    assert!(
        matches!(err, Some(StoreError::NewerSchema { .. })),
        "the reader refuses too: {err:?}"
    );
    assert_eq!(file_hash(&path), before, "a refused file is not touched");
    Ok(())
}

#[test]
fn a_missing_file_is_not_created_by_the_reader() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.crosswalk");
    let err = EngagementReader::open(&path).err();
    assert!(matches!(err, Some(StoreError::Missing { .. })), "{err:?}");
    assert!(!path.exists(), "reading never creates a file");
}

#[test]
fn a_file_that_is_not_sqlite_is_named_as_such() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("notes.crosswalk");
    std::fs::write(&path, b"just some text, not a database at all.............................................................................")?;
    let err = Engagement::open(&path, &actor(), &catalogue("1.0"))
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::NotAnEngagement { .. }), "{err:?}");
    Ok(())
}

#[test]
fn reimport_is_an_upsert_that_keeps_mappings_and_withdraws_removed_refs() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_, mut e) = new_engagement(&dir)?;
    let first = sheet(
        "v1.xlsx",
        vec![
            requirement("R-1", "Log every admin action", 2),
            requirement("R-2", "Encrypt data at rest", 3),
            requirement("R-3", "Use MFA", 4),
        ],
    );
    let diff = e.import_requirements(&actor(), "acme", &first)?;
    assert_eq!(diff.added, ["R-1", "R-2", "R-3"]);
    assert!(diff.new_set);

    let r2 = id_of(&e, "acme", "R-2");
    let kms = id_of(&e, "service", "KMS");
    e.put_mappings(&actor(), &[accept(r2, kms, Relationship::SubsetOf)])?;

    let second = sheet(
        "v2.xlsx",
        vec![
            requirement("R-2", "Encrypt all data at rest with managed keys", 3),
            requirement("R-3", "Use MFA", 5),
            requirement("R-4", "Patch monthly", 6),
        ],
    );
    let planned = e.plan_import("acme", &second)?;
    let diff = e.import_requirements(&later(), "acme", &second)?;
    assert_eq!(
        planned, diff,
        "the dry run predicts exactly what the import does"
    );
    assert_eq!(diff.added, ["R-4"]);
    assert_eq!(
        diff.changed,
        ["R-2"],
        "a text change is a change; a moved row alone is not"
    );
    assert_eq!(diff.removed, ["R-1"]);
    assert_eq!(diff.unchanged, 1);

    assert_eq!(
        id_of(&e, "acme", "R-2"),
        r2,
        "a changed requirement keeps its identity"
    );
    let maps = e.mappings(&MappingFilter::default())?;
    assert_eq!(
        maps.len(),
        1,
        "the mapping of the changed requirement survives"
    );
    assert_eq!(maps[0].source.reference, "R-2");

    let listed = e.requirements(&RequirementQuery::default())?;
    let refs: Vec<&str> = listed.rows.iter().map(|r| r.reference.as_str()).collect();
    assert_eq!(
        refs,
        ["R-2", "R-3", "R-4"],
        "removed refs leave the default list, in file order"
    );
    let all = e.requirements(&RequirementQuery {
        include_removed: true,
        ..Default::default()
    })?;
    let r1 = all
        .rows
        .iter()
        .find(|r| r.reference == "R-1")
        .expect("R-1 is kept");
    assert!(
        r1.removed,
        "a ref missing from the new file is marked removed, not deleted"
    );

    let log = e.audit_log(0)?;
    let imports: Vec<&AuditEntry> = log.iter().filter(|a| a.action == "import").collect();
    assert_eq!(
        imports.len(),
        2,
        "each import is one event, not one per row"
    );
    let after = imports[1]
        .after
        .as_ref()
        .expect("an import event carries its result");
    assert_eq!(after["file"], "v2.xlsx");
    assert_eq!(after["sha256"], second.file_sha256);
    assert_eq!(after["added"], 1);
    assert_eq!(after["diff"]["removed"][0], "R-1");
    assert_eq!(imports[1].actor, "reviewer");
    Ok(())
}

#[test]
fn attributes_keep_their_source_order_and_duplicates() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_, mut e) = new_engagement(&dir)?;
    let mut r = requirement("R-1", "x", 2);
    r.attributes = Attributes(vec![
        ("Zulu".into(), "1".into()),
        ("Alpha".into(), "2".into()),
        ("Zulu".into(), "3".into()),
    ]);
    e.import_requirements(&actor(), "acme", &sheet("a.csv", vec![r.clone()]))?;
    let row = &e.requirements(&RequirementQuery::default())?.rows[0];
    assert_eq!(
        row.attributes, r.attributes,
        "nothing from a source row is dropped or reordered"
    );
    Ok(())
}

#[test]
fn a_failed_import_leaves_the_file_byte_for_byte_as_it_was() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (path, mut e) = new_engagement(&dir)?;
    e.import_requirements(
        &actor(),
        "acme",
        &sheet("v1.csv", vec![requirement("R-1", "a", 2)]),
    )?;
    e.close()?;
    let before = file_hash(&path);

    let mut e = Engagement::open(&path, &actor(), &catalogue("1.0"))?;
    let bad = sheet(
        "v2.csv",
        vec![requirement("R-9", "a", 2), requirement("R-9", "b", 7)],
    );
    let err = e
        .import_requirements(&later(), "acme", &bad)
        .expect_err("duplicates are refused");
    assert!(
        err.to_string().contains("rows 2 and 7"),
        "the error names both rows: {err}"
    );
    let err = e.import_requirements(&later(), "fsbp", &bad).err();
    assert!(matches!(
        err,
        Some(StoreError::DuplicateRef { .. } | StoreError::ReservedSetName { .. })
    ));
    e.close()?;
    assert_eq!(
        file_hash(&path),
        before,
        "nothing of a failed import reaches the file"
    );
    Ok(())
}

#[test]
fn a_set_cannot_take_the_name_of_a_shipped_framework() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_, mut e) = new_engagement(&dir)?;
    let err = e.import_requirements(
        &actor(),
        "fsbp",
        &sheet("a.csv", vec![requirement("R-1", "a", 2)]),
    );
    assert!(
        matches!(err, Err(StoreError::ReservedSetName { .. })),
        "{err:?}"
    );
    Ok(())
}

#[test]
fn the_audit_log_refuses_edits_and_its_chain_shows_tampering() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (path, mut e) = new_engagement(&dir)?;
    e.import_requirements(
        &actor(),
        "acme",
        &sheet("v1.csv", vec![requirement("R-1", "a", 2)]),
    )?;
    assert_eq!(
        e.verify_audit_chain()?,
        2,
        "creation and import, both verified"
    );
    e.close()?;

    let raw = rusqlite::Connection::open(&path)?;
    let update = raw.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2", []);
    assert!(update.is_err(), "the trigger forbids updates");
    let delete = raw.execute("DELETE FROM audit_log WHERE seq = 1", []);
    assert!(delete.is_err(), "the trigger forbids deletes");

    // Someone who drops the trigger can edit the row, but not recompute the chain unnoticed.
    raw.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;",
    )?;
    drop(raw);
    let reader = EngagementReader::open(&path)?;
    let err = reader.verify_audit_chain().err();
    assert!(
        matches!(err, Some(StoreError::AuditTampered { seq: 2 })),
        "{err:?}"
    );
    Ok(())
}

fn coverage_mapping(m: &MappingRow) -> CoverageMapping {
    CoverageMapping {
        target: m.target.qualified(),
        kind: m.target.kind.target_kind(),
        relationship: m.relationship,
        status: m.status,
        workload: None,
    }
}

#[test]
fn coverage_in_sql_follows_the_domain_rules() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_, mut e) = new_engagement(&dir)?;
    let reqs = (1..=8)
        .map(|n| requirement(&format!("R-{n}"), "text", n + 1))
        .collect();
    e.import_requirements(&actor(), "acme", &sheet("v1.csv", reqs))?;
    let r: Vec<i64> = (1..=8)
        .map(|n| id_of(&e, "acme", &format!("R-{n}")))
        .collect();
    let trail = id_of(&e, "ct", "AWS-GR_CLOUDTRAIL_ENABLED");
    let root_mfa = id_of(&e, "ct", "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED");
    let kms = id_of(&e, "service", "KMS");
    let fsbp = id_of(&e, "fsbp", "CloudTrail.1");
    let epic = id_of(&e, "caf", "IAM-EPIC");
    let mut rejected = accept(r[6], trail, Relationship::Equivalent);
    rejected.status = MappingStatus::Rejected;
    e.put_mappings(
        &actor(),
        &[
            accept(r[0], trail, Relationship::Equivalent),
            accept(r[1], trail, Relationship::IntersectsWith),
            accept(r[2], kms, Relationship::SubsetOf),
            accept(r[3], root_mfa, Relationship::Equivalent),
            accept(r[4], fsbp, Relationship::SubsetOf),
            accept(r[5], epic, Relationship::IntersectsWith),
            rejected,
        ],
    )?;
    e.set_assessment(
        &actor(),
        r[7],
        None,
        &Assessment {
            coverage: Some(Coverage::NotApplicable),
            coverage_reason: "no such system".into(),
            ..Default::default()
        },
    )?;

    let check = |e: &Engagement, expected: &[Coverage]| -> TestResult {
        let rows = e.requirements(&RequirementQuery::default())?.rows;
        let profile = LandingZoneProfile::new(
            e.landing_zone_profile()?
                .into_iter()
                .filter(|p| p.enabled)
                .map(|p| QualifiedRef::new(p.framework, p.reference)),
        );
        let maps = e.mappings(&MappingFilter::default())?;
        for (row, want) in rows.iter().zip(expected) {
            assert_eq!(row.coverage, *want, "{} in SQL", row.reference);
            if !row.coverage_overridden {
                let mine: Vec<CoverageMapping> = maps
                    .iter()
                    .filter(|m| m.source.id == row.id)
                    .map(coverage_mapping)
                    .collect();
                assert_eq!(
                    derive_coverage(&mine, &profile, None),
                    row.coverage,
                    "{}: the SQL view and the domain rules agree",
                    row.reference
                );
            }
        }
        // Filtering and sorting by coverage derive it only for rows with an accepted mapping or
        // an override: they must find exactly the rows the view gives each coverage.
        for c in Coverage::ALL.iter().copied() {
            let want: Vec<&str> = rows
                .iter()
                .filter(|r| r.coverage == c)
                .map(|r| r.reference.as_str())
                .collect();
            let page = e.requirements(&RequirementQuery {
                coverage: Some(c),
                ..Default::default()
            })?;
            let got: Vec<&str> = page.rows.iter().map(|r| r.reference.as_str()).collect();
            assert_eq!(got, want, "the {c:?} filter");
            assert_eq!(page.total, want.len() as u64);
        }
        let by_coverage = e.requirements(&RequirementQuery {
            sort: SortColumn::Coverage,
            ..Default::default()
        })?;
        let mut want: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r.coverage.as_str().to_string(), r.reference.clone()))
            .collect();
        want.sort();
        let got: Vec<(String, String)> = by_coverage
            .rows
            .iter()
            .map(|r| (r.coverage.as_str().to_string(), r.reference.clone()))
            .collect();
        assert_eq!(got, want, "sorted by coverage, then source order");
        Ok(())
    };
    use Coverage::*;
    check(
        &e,
        &[
            Inherited,     // full mapping to an enabled (mandatory) control
            Partial,       // partial mapping to an enabled control
            Workload,      // a service to configure
            Workload,      // that control is not enabled in this profile
            Workload,      // a framework control, no enabled landing-zone control reached
            Gap,           // a CAF epic classifies; it covers nothing
            Gap,           // a rejected mapping counts for nothing
            NotApplicable, // the override, with its reason
        ],
    )?;
    let rows = e.requirements(&RequirementQuery::default())?.rows;
    assert!(rows[7].coverage_overridden && !rows[0].coverage_overridden);

    e.set_control_enabled(&actor(), root_mfa, true, "enabled in the customer's OU")?;
    check(
        &e,
        &[
            Inherited,
            Partial,
            Workload,
            Inherited,
            Workload,
            Gap,
            Gap,
            NotApplicable,
        ],
    )?;

    let err = e.set_assessment(
        &actor(),
        r[7],
        None,
        &Assessment {
            coverage: Some(Coverage::Gap),
            ..Default::default()
        },
    );
    assert!(err.is_err(), "an override without a reason is refused");
    Ok(())
}

#[test]
fn a_requirement_the_source_withdraws_stays_listed_and_flagged() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_, mut e) = new_engagement(&dir)?;
    let mut gone = requirement("R-2", "[Withdrawn: moved to R-1]", 3);
    gone.withdrawn = true;
    e.import_requirements(
        &actor(),
        "acme",
        &sheet("v1.csv", vec![requirement("R-1", "a", 2), gone]),
    )?;
    let rows = e.requirements(&RequirementQuery::default())?.rows;
    assert_eq!(rows.len(), 2, "a withdrawn requirement is kept");
    assert!(rows[1].withdrawn && !rows[1].removed);
    assert_eq!(e.sets()?[0].withdrawn, 1);
    Ok(())
}

#[test]
fn the_window_query_filters_sorts_and_pages_in_sql() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_, mut e) = new_engagement(&dir)?;
    let mut reqs: Vec<_> = (1..=30)
        .map(|n| requirement(&format!("R-{n:02}"), &format!("control number {n}"), n + 1))
        .collect();
    reqs[4].text = "Rotate encryption keys every year".into();
    reqs[9].section = Some("Identity".into());
    e.import_requirements(&actor(), "acme", &sheet("v1.csv", reqs))?;

    let page = e.requirements(&RequirementQuery {
        offset: 10,
        limit: Some(5),
        ..Default::default()
    })?;
    assert_eq!(
        page.total, 30,
        "the total counts every match, not just the window"
    );
    let refs: Vec<&str> = page.rows.iter().map(|r| r.reference.as_str()).collect();
    assert_eq!(refs, ["R-11", "R-12", "R-13", "R-14", "R-15"]);

    let sorted = e.requirements(&RequirementQuery {
        sort: SortColumn::Ref,
        descending: true,
        limit: Some(2),
        ..Default::default()
    })?;
    assert_eq!(sorted.rows[0].reference, "R-30");

    let found = e.requirements(&RequirementQuery {
        search: Some("encrypt rot".into()),
        ..Default::default()
    })?;
    assert_eq!(found.total, 1, "prefix words all have to match");
    assert_eq!(found.rows[0].reference, "R-05");

    let section = e.requirements(&RequirementQuery {
        section: Some("Identity".into()),
        ..Default::default()
    })?;
    assert_eq!(
        section
            .rows
            .iter()
            .map(|r| r.reference.as_str())
            .collect::<Vec<_>>(),
        ["R-10"]
    );

    let gaps = e.requirements(&RequirementQuery {
        coverage: Some(Coverage::Gap),
        limit: Some(0),
        ..Default::default()
    })?;
    assert_eq!(
        gaps.total, 30,
        "nothing is mapped yet, so everything is a gap"
    );
    Ok(())
}

#[test]
fn windows_in_every_sort_order_tile_the_whole_list() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_, mut e) = new_engagement(&dir)?;
    let mut reqs: Vec<_> = (1..=23)
        .map(|n| {
            let mut r = requirement(&format!("R-{n:02}"), &format!("text {}", n % 4), n + 1);
            r.section = Some(["Identity", "Logging", "Data"][n as usize % 3].into());
            r
        })
        .collect();
    reqs[3].title = "Same title".into();
    reqs[8].title = "Same title".into();
    e.import_requirements(&actor(), "acme", &sheet("v1.csv", reqs))?;
    let kms = id_of(&e, "service", "KMS");
    let r5 = id_of(&e, "acme", "R-05");
    e.put_mappings(&actor(), &[accept(r5, kms, Relationship::SubsetOf)])?;
    for sort in [
        SortColumn::Source,
        SortColumn::Ref,
        SortColumn::Title,
        SortColumn::Text,
        SortColumn::Section,
        SortColumn::Coverage,
        SortColumn::Row,
    ] {
        for descending in [false, true] {
            let q = RequirementQuery {
                sort,
                descending,
                ..Default::default()
            };
            let all = e.requirements(&q)?;
            let mut tiled = Vec::new();
            for offset in (0..23).step_by(5) {
                let page = e.requirements(&RequirementQuery {
                    offset,
                    limit: Some(5),
                    ..q.clone()
                })?;
                assert_eq!(page.total, 23);
                tiled.extend(page.rows);
            }
            assert_eq!(
                tiled, all.rows,
                "{sort:?} desc={descending}: no overlap, no skip"
            );
        }
    }
    let mapped = e.requirements(&RequirementQuery {
        coverage: Some(Coverage::Workload),
        ..Default::default()
    })?;
    assert_eq!(mapped.rows.len(), 1);
    assert_eq!(mapped.rows[0].reference, "R-05");
    // One row by id, in the order asked, with its coverage; the sections for the filter.
    let r1 = id_of(&e, "acme", "R-01");
    let rows = e.requirements_by_id(&[r5, r1, kms])?;
    let got: Vec<(&str, Coverage)> = rows
        .iter()
        .map(|r| (r.reference.as_str(), r.coverage))
        .collect();
    assert_eq!(
        got,
        [("R-05", Coverage::Workload), ("R-01", Coverage::Gap)],
        "in the order asked; a non-requirement is left out"
    );
    assert_eq!(
        e.requirement_sections(Some("acme"))?,
        ["Data", "Identity", "Logging"]
    );
    assert!(e.requirement_sections(Some("nope")).is_err());
    Ok(())
}

#[test]
fn a_newer_catalogue_upgrades_the_copy_and_keeps_user_mappings() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (path, mut e) = new_engagement(&dir)?;
    e.import_requirements(
        &actor(),
        "acme",
        &sheet("v1.csv", vec![requirement("R-1", "a", 2)]),
    )?;
    let r1 = id_of(&e, "acme", "R-1");
    let iam = id_of(&e, "service", "IAM");
    e.put_mappings(&actor(), &[accept(r1, iam, Relationship::IntersectsWith)])?;
    e.close()?;

    let mut newer = catalogue("1.1");
    newer.frameworks[0].items.retain(|i| i.reference != "IAM");
    newer.frameworks[0].items.push(item(
        "GuardDuty",
        "Amazon GuardDuty",
        "Threat detection",
        &[],
    ));
    let e = Engagement::open(&path, &later(), &newer)?;
    assert_eq!(e.info()?.catalogue_version, "1.1");
    let maps = e.mappings(&MappingFilter::default())?;
    assert_eq!(maps.len(), 1, "the user's mapping survives the upgrade");
    assert!(
        maps[0].target.removed,
        "IAM is no longer shipped, so it is kept, marked removed"
    );
    assert_eq!(
        e.find_items(Some("service"), "GuardDuty")?.len(),
        1,
        "new items arrive"
    );
    let last = e.audit_log(0)?.pop().expect("an event");
    assert_eq!(last.action, "catalogue.upgrade");
    assert_eq!(last.after.as_ref().unwrap()["items_removed"], 1);
    e.close()?;

    let e = Engagement::open(&path, &later(), &catalogue("1.0"))?;
    assert_eq!(
        e.info()?.catalogue_version,
        "1.1",
        "an older catalogue never downgrades the copy"
    );
    Ok(())
}

#[test]
fn the_reader_sees_everything_but_cannot_write() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (path, mut e) = new_engagement(&dir)?;
    e.import_requirements(
        &actor(),
        "acme",
        &sheet("v1.csv", vec![requirement("R-1", "a", 2)]),
    )?;
    e.close()?;
    let before = file_hash(&path);
    let reader = EngagementReader::open(&path)?;
    assert_eq!(reader.requirements(&RequirementQuery::default())?.total, 1);
    assert_eq!(reader.sets()?[0].file.as_deref(), Some("v1.csv"));
    drop(reader);
    assert_eq!(
        file_hash(&path),
        before,
        "reading leaves the file as it was"
    );
    Ok(())
}

#[test]
fn mapping_the_same_pair_twice_updates_it_and_logs_before_and_after() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_, mut e) = new_engagement(&dir)?;
    e.import_requirements(
        &actor(),
        "acme",
        &sheet("v1.csv", vec![requirement("R-1", "a", 2)]),
    )?;
    let r1 = id_of(&e, "acme", "R-1");
    let kms = id_of(&e, "service", "KMS");
    let first = e.put_mappings(&actor(), &[accept(r1, kms, Relationship::IntersectsWith)])?;
    let again = e.put_mappings(&actor(), &[accept(r1, kms, Relationship::IntersectsWith)])?;
    let changed = e.put_mappings(&later(), &[accept(r1, kms, Relationship::Equivalent)])?;
    assert_eq!(first, [MappingChange::Created]);
    assert_eq!(
        again,
        [MappingChange::Unchanged],
        "an identical mapping writes nothing"
    );
    assert_eq!(changed, [MappingChange::Updated]);
    let maps = e.mappings(&MappingFilter::default())?;
    assert_eq!(maps.len(), 1, "one mapping per pair");
    assert_eq!(maps[0].author, "reviewer");
    assert_eq!(
        maps[0].created_at, "2025-03-01T10:00:00Z",
        "creation time is kept on update"
    );
    let log = e.audit_log(0)?;
    let mapping_events: Vec<_> = log
        .iter()
        .filter(|a| a.action.starts_with("mapping."))
        .collect();
    assert_eq!(
        mapping_events.len(),
        2,
        "the unchanged repeat left no event"
    );
    assert_eq!(
        mapping_events[1].before.as_ref().unwrap()["relationship"],
        "intersects-with"
    );
    assert_eq!(
        mapping_events[1].after.as_ref().unwrap()["relationship"],
        "equivalent"
    );
    Ok(())
}

#[test]
fn a_row_revision_moves_only_when_the_requirement_or_its_decisions_change() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_, mut e) = new_engagement(&dir)?;
    let v1 = sheet(
        "v1.csv",
        vec![requirement("R-1", "a", 2), requirement("R-2", "b", 3)],
    );
    e.import_requirements(&actor(), "acme", &v1)?;
    let revisions = |e: &Engagement| -> Vec<i64> {
        let rows = e
            .requirements(&RequirementQuery::default())
            .expect("list")
            .rows;
        rows.iter().map(|r| r.revision).collect()
    };
    let first = revisions(&e);
    e.import_requirements(&later(), "acme", &v1)?;
    assert_eq!(
        revisions(&e),
        first,
        "re-importing the same file changes no row"
    );
    let r2 = id_of(&e, "acme", "R-2");
    let kms = id_of(&e, "service", "KMS");
    e.put_mappings(&later(), &[accept(r2, kms, Relationship::SubsetOf)])?;
    let now = revisions(&e);
    assert_eq!(now[0], first[0], "R-1 was not touched");
    assert!(now[1] > first[1], "a new mapping is a change of R-2's row");
    let rows = e.requirements(&RequirementQuery::default())?.rows;
    assert_eq!(rows[1].changed_at.as_deref(), Some("2025-03-02T09:30:00Z"));
    Ok(())
}

#[test]
fn the_export_secret_is_made_once_and_never_logged() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_, mut e) = new_engagement(&dir)?;
    assert_eq!(e.export_secret()?, None);
    let first = e.ensure_export_secret(&actor(), &[7u8; 32])?;
    let second = e.ensure_export_secret(&actor(), &[9u8; 32])?;
    assert_eq!(
        first, second,
        "the first key stays: matrices sealed with it must still verify"
    );
    let log = e.audit_log(0)?;
    let made = log.iter().filter(|a| a.action == "secret.create").count();
    assert_eq!(made, 1);
    assert!(
        !serde_json::to_string(&log)?.contains("7,7,7"),
        "the key itself is not in the log"
    );
    Ok(())
}

#[test]
fn reading_leaves_no_side_files_behind() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (path, e) = new_engagement(&dir)?;
    e.close()?;
    let reader = EngagementReader::open(&path)?;
    assert_eq!(reader.requirements(&RequirementQuery::default())?.total, 0);
    drop(reader);
    let names: Vec<String> = std::fs::read_dir(dir.path())?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    assert_eq!(
        names,
        ["acme.crosswalk"],
        "the one file is all there is after reading"
    );
    Ok(())
}

/// FTS5's own check that the index holds exactly the terms of the `items` rows.
fn index_matches_items(path: &Path) -> Result<(), rusqlite::Error> {
    let raw = rusqlite::Connection::open(path)?;
    raw.execute(
        "INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 1)",
        [],
    )?;
    let deferred: i64 = raw.query_row("SELECT deferred FROM fts_control", [], |r| r.get(0))?;
    assert_eq!(deferred, 0, "only a running import defers the index");
    Ok(())
}

fn found(e: &Engagement, words: &str) -> Result<Vec<String>, StoreError> {
    Ok(e.requirements(&RequirementQuery {
        search: Some(words.into()),
        ..Default::default()
    })?
    .rows
    .into_iter()
    .map(|r| r.reference)
    .collect())
}

#[test]
fn a_reimport_updates_the_search_index_of_reworded_requirements() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (path, mut e) = new_engagement(&dir)?;
    e.import_requirements(
        &actor(),
        "acme",
        &sheet(
            "v1.csv",
            vec![
                requirement("R-1", "Encrypt volumes at rest", 2),
                requirement("R-2", "Require MFA for administrators", 3),
                requirement("R-3", "Keep audit logs for a year", 4),
            ],
        ),
    )?;
    assert_eq!(found(&e, "encrypt")?, ["R-1"]);
    assert_eq!(found(&e, "logs")?, ["R-3"]);

    let diff = e.import_requirements(
        &later(),
        "acme",
        &sheet(
            "v2.csv",
            vec![
                requirement("R-2", "Require MFA for administrators", 2),
                requirement("R-1", "Tokenise cardholder numbers", 3),
                requirement("R-4", "Scan container images", 4),
            ],
        ),
    )?;
    assert_eq!(diff.changed, ["R-1"]);
    assert_eq!(diff.added, ["R-4"]);
    assert_eq!(diff.removed, ["R-3"]);
    assert_eq!(diff.unchanged, 1);
    assert!(found(&e, "encrypt")?.is_empty(), "the old wording is gone");
    assert_eq!(
        found(&e, "tokenise cardholder")?,
        ["R-1"],
        "the new wording"
    );
    assert_eq!(found(&e, "mfa")?, ["R-2"], "an unchanged row that moved");
    assert_eq!(found(&e, "container")?, ["R-4"], "an added row");
    assert!(found(&e, "logs")?.is_empty(), "a removed row is not listed");

    // R-3 comes back reworded: its old terms go, its new ones come.
    e.import_requirements(
        &later(),
        "acme",
        &sheet(
            "v3.csv",
            vec![
                requirement("R-1", "Tokenise cardholder numbers", 2),
                requirement("R-3", "Archive flow records for a decade", 3),
            ],
        ),
    )?;
    assert_eq!(found(&e, "archive decade")?, ["R-3"]);
    assert!(found(&e, "logs")?.is_empty());
    e.close()?;
    index_matches_items(&path)?;
    Ok(())
}

#[test]
fn a_failed_streamed_import_leaves_the_index_and_its_flag_as_they_were() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (path, mut e) = new_engagement(&dir)?;
    e.import_requirements(
        &actor(),
        "acme",
        &sheet("v1.csv", vec![requirement("R-1", "Encrypt volumes", 2)]),
    )?;
    let failed = e.import_streamed(&later(), "acme", "v2.csv", |sink| {
        sink.push(&requirement("R-1", "Tokenise cardholder numbers", 2))?;
        sink.push(&requirement("R-2", "Scan images", 3))?;
        Err::<FedImport, _>(StoreError::Invalid("the reader failed".into()))
    });
    assert!(failed.is_err());
    assert_eq!(found(&e, "encrypt")?, ["R-1"]);
    assert!(found(&e, "tokenise")?.is_empty());
    e.close()?;
    index_matches_items(&path)?;
    Ok(())
}

#[test]
fn mapping_filters_pick_one_requirements_rows_and_the_decisions_a_person_made() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_, mut e) = new_engagement(&dir)?;
    let reqs = (1..=3)
        .map(|n| requirement(&format!("R-{n}"), "text", n + 1))
        .collect();
    e.import_requirements(&actor(), "acme", &sheet("v1.csv", reqs))?;
    let r: Vec<i64> = (1..=3)
        .map(|n| id_of(&e, "acme", &format!("R-{n}")))
        .collect();
    let kms = id_of(&e, "service", "KMS");
    let trail = id_of(&e, "ct", "AWS-GR_CLOUDTRAIL_ENABLED");
    let bulk = "Accepted in bulk";
    let by_hand = accept(r[0], kms, Relationship::IntersectsWith);
    let mut in_bulk = accept(r[0], trail, Relationship::IntersectsWith);
    in_bulk.origin = Origin::Suggested;
    in_bulk.rationale = format!("{bulk} (score 0.71)");
    let mut reviewed = accept(r[1], kms, Relationship::IntersectsWith);
    reviewed.origin = Origin::Suggested;
    reviewed.rationale = "checked with the customer".into();
    let mut proposed = accept(r[2], kms, Relationship::IntersectsWith);
    proposed.status = MappingStatus::Proposed;
    // A hand-made mapping keeps counting whatever its rationale says.
    let mut by_hand_same_words = accept(r[2], trail, Relationship::IntersectsWith);
    by_hand_same_words.rationale = format!("{bulk}, then looked at again");
    e.put_mappings(
        &actor(),
        &[by_hand, in_bulk, reviewed, proposed, by_hand_same_words],
    )?;

    let pairs = |rows: Vec<MappingRow>| -> Vec<(String, String)> {
        rows.iter()
            .map(|m| (m.source.reference.clone(), m.target.reference.clone()))
            .collect()
    };
    let own = e.mappings(&MappingFilter {
        source: Some(r[0]),
        ..Default::default()
    })?;
    assert_eq!(
        pairs(own),
        [
            ("R-1".to_string(), "KMS".to_string()),
            ("R-1".to_string(), "AWS-GR_CLOUDTRAIL_ENABLED".to_string())
        ]
    );
    let decided = e.mappings(&MappingFilter {
        decided: true,
        bulk_rationale: Some(bulk.into()),
        ..Default::default()
    })?;
    assert_eq!(
        pairs(decided),
        [
            ("R-1".to_string(), "KMS".to_string()),
            ("R-2".to_string(), "KMS".to_string()),
            ("R-3".to_string(), "AWS-GR_CLOUDTRAIL_ENABLED".to_string())
        ]
    );
    let all_decided = e.mappings(&MappingFilter {
        decided: true,
        ..Default::default()
    })?;
    assert_eq!(all_decided.len(), 4, "only the proposed one is left out");

    e.set_assessment(
        &actor(),
        r[1],
        None,
        &Assessment {
            owner: "Dana".into(),
            ..Default::default()
        },
    )?;
    let found = e.assessment_of(r[1], None)?.map(|a| a.assessment.owner);
    assert_eq!(found.as_deref(), Some("Dana"));
    assert!(e.assessment_of(r[0], None)?.is_none());
    Ok(())
}

#[test]
fn the_whole_engagement_readers_match_the_listings_without_the_texts() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_, mut e) = new_engagement(&dir)?;
    let mut r2 = requirement("R-2", "Encrypt data at rest", 3);
    r2.attributes
        .0
        .push(("NIST 800-53".to_string(), "SC-28".to_string()));
    let first = sheet(
        "v1.xlsx",
        vec![
            requirement("R-1", "Log every admin action", 2),
            r2,
            requirement("R-3", "Use MFA", 4),
        ],
    );
    e.import_requirements(&actor(), "acme", &first)?;
    let (r1, r2) = (id_of(&e, "acme", "R-1"), id_of(&e, "acme", "R-2"));
    let kms = id_of(&e, "service", "KMS");
    e.put_mappings(
        &actor(),
        &[
            accept(r2, kms, Relationship::SubsetOf),
            accept(r1, kms, Relationship::IntersectsWith),
        ],
    )?;
    // R-1 goes from the sheet: its mapping stays, and so do its title and text.
    let second = sheet(
        "v2.xlsx",
        vec![
            requirement("R-2", "Encrypt data at rest", 3),
            requirement("R-3", "Use MFA", 4),
        ],
    );
    e.import_requirements(&later(), "acme", &second)?;

    let listed = e.requirements(&RequirementQuery::default())?.rows;
    let entries = e.requirement_entries()?;
    assert_eq!(entries.len(), 2);
    for (row, entry) in listed.iter().zip(&entries) {
        assert_eq!(
            (
                row.id,
                &row.set,
                &row.reference,
                &row.title,
                &row.text,
                &row.section,
                row.revision,
                &row.changed_at
            ),
            (
                entry.id,
                &entry.set,
                &entry.reference,
                &entry.title,
                &entry.text,
                &entry.section,
                entry.revision,
                &entry.changed_at
            )
        );
        assert_eq!(row.attributes, entry.attributes()?);
    }

    let full = e.mappings(&MappingFilter::default())?;
    let lean = e.mappings_without_texts()?;
    assert_eq!(full.len(), 2);
    assert_eq!(lean.len(), 2);
    for (f, l) in full.iter().zip(&lean) {
        let mut expected = f.clone();
        expected.target.text = String::new();
        if !f.source.removed {
            expected.source.title = String::new();
            expected.source.text = String::new();
        }
        assert_eq!(&expected, l);
    }
    let removed = lean
        .iter()
        .find(|m| m.source.id == r1)
        .expect("the removed requirement's mapping is read");
    assert_eq!(removed.source.text, "Log every admin action");
    assert!(lean.iter().all(|m| !m.target.title.is_empty()));
    Ok(())
}

#[test]
fn a_prepared_row_stores_what_the_requirement_says() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_, mut e) = new_engagement(&dir)?;
    let mut r = requirement("R-1", "Encrypt volumes", 2);
    r.attributes = Attributes(vec![
        ("Zulu".into(), "a \"quoted\" value".into()),
        ("Alpha".into(), "2".into()),
        ("Zulu".into(), "3".into()),
    ]);
    let prepared = ImportRow::new(r.clone())?;
    assert!(
        prepared.requirement.attributes.0.is_empty(),
        "the attributes travel as JSON only"
    );
    let summary = sheet("v1.csv", vec![]);
    let (diff, _) = e.import_streamed(&actor(), "acme", "v1.csv", |sink| {
        sink.push_row(&prepared)?;
        Ok::<FedImport, StoreError>((summary, None))
    })?;
    assert_eq!(diff.added, ["R-1"]);
    let row = &e.requirements(&RequirementQuery::default())?.rows[0];
    assert_eq!(row.attributes, r.attributes);
    assert_eq!(row.text, "Encrypt volumes");
    assert_eq!(found(&e, "encrypt")?, ["R-1"]);
    // The same requirement pushed whole reads as unchanged: both paths write the same JSON.
    let diff = e.import_requirements(&later(), "acme", &sheet("v2.csv", vec![r]))?;
    assert_eq!((diff.unchanged, diff.changed.len()), (1, 0));
    Ok(())
}

#[test]
fn a_new_files_first_import_skips_the_wal_rolls_back_and_is_published_in_wal_mode() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("new.crosswalk");
    let sidecars = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .expect("the folder lists")
            .filter_map(|f| f.ok())
            .map(|f| f.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with("-wal") || n.ends_with("-journal"))
            .collect()
    };
    let pending = Engagement::prepare_new(&path, &actor(), "ACME", &catalogue("1.0"))?;
    let mut e = pending.open()?;
    // A first import that fails after storing rows leaves the new file as it was.
    let row = ImportRow::new(requirement("R-0", "stored, then undone", 2))?;
    let failed = e.import_streamed(&actor(), "acme", "v0.csv", |sink| {
        sink.push_row(&row)?;
        Err::<FedImport, StoreError>(StoreError::Invalid("the sheet broke".into()))
    });
    assert!(failed.is_err());
    assert!(e
        .requirements(&RequirementQuery::default())?
        .rows
        .is_empty());
    let diff = e.import_requirements(
        &actor(),
        "acme",
        &sheet(
            "v1.csv",
            vec![requirement("R-1", "a", 2), requirement("R-2", "b", 3)],
        ),
    )?;
    assert_eq!(diff.added, ["R-1", "R-2"]);
    assert_eq!(
        sidecars(dir.path()),
        Vec::<String>::new(),
        "the import went straight into the temporary file"
    );
    e.close()?;
    assert!(!path.exists(), "nothing is visible before it is published");
    let published = pending.publish()?;
    assert_eq!(
        published.requirements(&RequirementQuery::default())?.total,
        2
    );
    published.close()?;
    let conn = rusqlite::Connection::open(&path)?;
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    assert_eq!(
        mode, "wal",
        "the published file is in WAL mode, as every engagement"
    );
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    assert_eq!(check, "ok");
    Ok(())
}

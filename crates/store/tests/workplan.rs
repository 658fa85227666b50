//! The workplan, readiness and stories tables of the engagement file: seeded from the catalogue
//! copy (on creation, on migrating an older file, on a catalogue upgrade), changed only through
//! audited transactions, and refused changes leave the file as it was.

use crosswalk_domain::*;
use crosswalk_store::workplan::{ReadinessEdit, StoryInput, WorkplanChange};
use crosswalk_store::*;
use sha2::{Digest, Sha256};
use std::path::Path;
use time::macros::datetime;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn actor() -> Actor {
    Actor::new("tester", datetime!(2025-03-01 10:00 UTC))
}

fn item(
    reference: &str,
    title: &str,
    parent: Option<&str>,
    attrs: &[(&str, &str)],
) -> CatalogueItem {
    CatalogueItem {
        reference: reference.into(),
        title: title.into(),
        text: format!("{title}, described"),
        parent: parent.map(String::from),
        details_published: true,
        attributes: Attributes(
            attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
    }
}

/// A catalogue in the shipped shape: a service, two landing-zone controls (one mandatory), and
/// an `msr` framework with MSR ids and a small workplan. `extra` adds subtask T2.S3 (v2).
fn catalogue(version: &str, extra: bool) -> Catalogue {
    let mut msr = vec![
        item("MSR.IAM.2", "Root user usage policy", None, &[]),
        item("T1", "Review", None, &[]),
        item("T1.S1", "Review the environment", Some("T1"), &[]),
        item("T2", "Identity", None, &[]),
        item("T2.S1", "Workshop", Some("T2"), &[]),
        item(
            "T2.S2",
            "Define root usage policy",
            Some("T2"),
            &[("msr_id", "MSR.IAM.2")],
        ),
    ];
    if extra {
        msr.push(item("T2.S3", "Enforce MFA", Some("T2"), &[]));
    } else {
        msr.push(item("T2.S9", "Dropped in v2", Some("T2"), &[]));
        msr.push(item("T2.S8", "Dropped in v2, but tracked", Some("T2"), &[]));
    }
    Catalogue {
        version: version.into(),
        frameworks: vec![
            CatalogueFramework {
                id: "service".into(),
                name: "AWS services".into(),
                kind: FrameworkKind::Services,
                version: version.into(),
                provenance: "test".into(),
                items: vec![item("IAM", "AWS IAM", None, &[])],
            },
            CatalogueFramework {
                id: "ct".into(),
                name: "Control Tower controls".into(),
                kind: FrameworkKind::LzControls,
                version: version.into(),
                provenance: "test".into(),
                items: vec![
                    item(
                        "ROOT_MFA",
                        "Root MFA",
                        None,
                        &[("guidance", "strongly recommended")],
                    ),
                    item(
                        "TRAIL_ON",
                        "CloudTrail on",
                        None,
                        &[("guidance", "Mandatory")],
                    ),
                ],
            },
            CatalogueFramework {
                id: "msr".into(),
                name: "Migration security requirements and workplan".into(),
                kind: FrameworkKind::Standard,
                version: version.into(),
                provenance: "test".into(),
                items: msr,
            },
        ],
        links: vec![CatalogueLink {
            from: QualifiedRef::new("msr", "T2.S2"),
            to: QualifiedRef::new("ct", "ROOT_MFA"),
            relationship: Relationship::IntersectsWith,
            note: "editorial".into(),
        }],
    }
}

fn hash(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).expect("readable")))
}

fn refs(e: &View) -> Result<Vec<String>, StoreError> {
    Ok(e.workplan()?.into_iter().map(|w| w.reference).collect())
}

#[test]
fn a_new_engagement_holds_every_workplan_item_of_its_catalogue_and_no_msr_id() -> TestResult {
    let dir = tempfile::tempdir()?;
    let e = Engagement::create(
        &dir.path().join("a.cw"),
        &actor(),
        "Acme",
        &catalogue("1.0.0", false),
    )?;
    assert_eq!(
        refs(&e)?,
        ["T1", "T1.S1", "T2", "T2.S1", "T2.S2", "T2.S9", "T2.S8"],
        "tasks and subtasks in catalogue order; MSR.IAM.2 is a requirement id, not a task"
    );
    let s2 = e
        .workplan()?
        .into_iter()
        .find(|w| w.reference == "T2.S2")
        .unwrap();
    assert_eq!(s2.status, "not_started");
    assert_eq!(s2.parent.as_deref(), Some("T2"));
    assert_eq!(s2.msr_id.as_deref(), Some("MSR.IAM.2"));
    assert_eq!(s2.updated_at, None, "never touched");
    assert_eq!(
        e.readiness()?.len(),
        20,
        "five domains times four dimensions"
    );
    Ok(())
}

#[test]
fn migrating_a_file_made_before_the_workplan_seeds_it_from_the_catalogue_copy() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("old.cw");
    Engagement::create(&path, &actor(), "Acme", &catalogue("1.0.0", false))?.close()?;
    {
        // Roll the file back to schema 2, as a build without the workplan left it (and without
        // the text changes of schema 11 and the bulk-indexed import of schema 12).
        let raw = rusqlite::Connection::open(&path)?;
        raw.execute_batch(
            "DROP TRIGGER text_change_record; DROP TRIGGER text_change_import;
             DROP TRIGGER mapping_review_decided; DROP TABLE mapping_reviews;
             DROP TABLE text_changes; DELETE FROM schema_migrations WHERE version = 11;
             DROP TRIGGER workplan_seed; DROP TABLE story_controls; DROP TABLE stories;
             DROP TABLE readiness; DROP TABLE workplan_artifacts; DROP TABLE workplan_entries;
             DROP TRIGGER items_fts_insert; DROP TRIGGER items_fts_delete;
             DROP TRIGGER items_fts_update; DROP TABLE fts_control;
             CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
                 INSERT INTO items_fts(rowid, ref, title, text, section)
                 VALUES (new.id, new.ref, new.title, new.text, new.section);
             END;
             CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
                 INSERT INTO items_fts(items_fts, rowid, ref, title, text, section)
                 VALUES ('delete', old.id, old.ref, old.title, old.text, old.section);
             END;
             CREATE TRIGGER items_fts_update AFTER UPDATE OF ref, title, text, section ON items BEGIN
                 INSERT INTO items_fts(items_fts, rowid, ref, title, text, section)
                 VALUES ('delete', old.id, old.ref, old.title, old.text, old.section);
                 INSERT INTO items_fts(rowid, ref, title, text, section)
                 VALUES (new.id, new.ref, new.title, new.text, new.section);
             END;
             DELETE FROM schema_migrations WHERE version IN (10, 12); PRAGMA user_version = 2;",
        )?;
    }
    let e = Engagement::open(&path, &actor(), &catalogue("1.0.0", false))?;
    assert_eq!(refs(&e)?.len(), 7, "every task and subtask the copy holds");
    assert_eq!(e.readiness()?.len(), 20);
    let last = e.audit_log(0)?.pop().expect("an entry");
    assert_eq!(last.action, "schema.migrate");
    assert_eq!(
        last.after.unwrap()["applied"],
        serde_json::json!([10, 11, 12])
    );
    Ok(())
}

#[test]
fn a_catalogue_upgrade_adds_new_subtasks_and_keeps_removed_ones_only_when_tracked() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("a.cw");
    let mut e = Engagement::create(&path, &actor(), "Acme", &catalogue("1.0.0", false))?;
    let tracked = e
        .workplan()?
        .into_iter()
        .find(|w| w.reference == "T2.S8")
        .unwrap();
    e.update_workplan(
        &actor(),
        tracked.item_id,
        &WorkplanChange {
            notes: Some("started before the upgrade".into()),
            ..Default::default()
        },
    )?;
    e.close()?;
    let e = Engagement::open(&path, &actor(), &catalogue("2.0.0", true))?;
    let now = e.workplan()?;
    let listed: Vec<(&str, bool)> = now
        .iter()
        .map(|w| (w.reference.as_str(), w.removed))
        .collect();
    assert_eq!(
        listed,
        [
            ("T1", false),
            ("T1.S1", false),
            ("T2", false),
            ("T2.S1", false),
            ("T2.S2", false),
            ("T2.S3", false),
            ("T2.S8", true)
        ],
        "T2.S3 arrives with the new catalogue; T2.S9 was never touched and goes quietly; \
         T2.S8 has notes, so it stays, marked removed"
    );
    Ok(())
}

#[test]
fn not_applicable_without_a_reason_leaves_the_file_as_it_was() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("a.cw");
    let e = Engagement::create(&path, &actor(), "Acme", &catalogue("1.0.0", false))?;
    let id = e.workplan()?[1].item_id;
    e.close()?;
    let before = hash(&path);
    let mut e = Engagement::open(&path, &actor(), &catalogue("1.0.0", false))?;
    let err = e
        .update_workplan(
            &actor(),
            id,
            &WorkplanChange {
                status: Some("not_applicable".into()),
                reason: Some("  ".into()),
                owner: Some("Ana".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("needs a reason"), "{err}");
    let bad_date = e.update_workplan(
        &actor(),
        id,
        &WorkplanChange {
            due: Some(Some("2025-13-01".into())),
            ..Default::default()
        },
    );
    assert!(bad_date.is_err(), "month 13 is not a date");
    e.close()?;
    assert_eq!(
        hash(&path),
        before,
        "refused changes write nothing, not even an audit entry"
    );
    Ok(())
}

#[test]
fn a_status_change_and_its_policy_mappings_are_audited_in_one_transaction() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut e = Engagement::create(
        &dir.path().join("a.cw"),
        &actor(),
        "Acme",
        &catalogue("1.0.0", false),
    )?;
    let s2 = e
        .workplan()?
        .into_iter()
        .find(|w| w.reference == "T2.S2")
        .unwrap();
    let ct = e.find_items(Some("ct"), "ROOT_MFA")?.remove(0);
    let iam = e.find_items(Some("service"), "IAM")?.remove(0);
    let seq = e.last_audit_seq()?;
    let mapping = |target: i64| MappingInput {
        source: s2.item_id,
        target,
        relationship: Relationship::SubsetOf,
        responsibility: None,
        status: MappingStatus::Accepted,
        rationale: "enforces the root policy".into(),
        origin: Origin::Manual,
    };
    let update = e.update_workplan(
        &Actor::new("reviewer", datetime!(2025-03-02 09:30 UTC)),
        s2.item_id,
        &WorkplanChange {
            status: Some("in_progress".into()),
            decision: Some("Root only for account recovery".into()),
            add_artifacts: vec!["decisions/root.md".into(), "decisions/root.md".into()],
            mappings: vec![mapping(ct.id), mapping(iam.id)],
            ..Default::default()
        },
    )?;
    assert!(update.changed);
    assert_eq!(
        update.entry.artifacts,
        ["decisions/root.md"],
        "a link is kept once"
    );
    assert_eq!(
        update.mappings,
        [MappingChange::Created, MappingChange::Created],
        "replacing the catalogue's suggestion is the engagement's first decision"
    );
    let log = e.audit_log(seq)?;
    let actions: Vec<(&str, &str)> = log
        .iter()
        .map(|l| (l.action.as_str(), l.subject.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("workplan.update", "workplan:msr:T2.S2"),
            ("mapping.create", "mapping:msr:T2.S2 -> ct:ROOT_MFA"),
            ("mapping.create", "mapping:msr:T2.S2 -> service:IAM"),
        ]
    );
    assert!(log
        .iter()
        .all(|l| l.at == "2025-03-02T09:30:00Z" && l.actor == "reviewer"));
    assert_eq!(
        log[1].before.as_ref().unwrap()["origin"],
        "shipped",
        "the replaced catalogue link stays readable in the log"
    );
    assert_eq!(log[0].after.as_ref().unwrap()["status"], "in_progress");
    let accepted = e.mappings(&MappingFilter {
        set: Some("msr".into()),
        status: Some(MappingStatus::Accepted),
        ..Default::default()
    })?;
    assert_eq!(
        accepted.len(),
        2,
        "both controls are mappings of the subtask"
    );
    assert_eq!(e.verify_audit_chain()?, e.last_audit_seq()? as usize);
    Ok(())
}

#[test]
fn a_readiness_edit_is_audited_and_an_unchanged_story_writes_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut e = Engagement::create(
        &dir.path().join("a.cw"),
        &actor(),
        "Acme",
        &catalogue("1.0.0", false),
    )?;
    let ct = e.find_items(Some("ct"), "ROOT_MFA")?.remove(0);
    let edit = ReadinessEdit {
        domain: "iam".into(),
        dimension: Some("people".into()),
        current_state: Some("One admin".into()),
        readiness_state: Some("Two custodians".into()),
        gap: Some("A second custodian".into()),
        story: Some(StoryInput {
            dimension: Some("people".into()),
            title: "Name a second custodian".into(),
            description: String::new(),
            acceptance_criteria: vec!["Two people can recover root".into(), " ".into()],
            priority: "high".into(),
            controls: vec![ct.id, ct.id],
        }),
        remove_story: None,
    };
    let seq = e.last_audit_seq()?;
    let out = e.edit_readiness(&actor(), &edit)?;
    assert!(out.cell_changed);
    let story = out.story.expect("the story");
    assert_eq!(
        story.acceptance_criteria,
        ["Two people can recover root"],
        "blank criteria dropped"
    );
    assert_eq!(
        story.controls.len(),
        1,
        "a control named twice is kept once"
    );
    let actions: Vec<String> = e.audit_log(seq)?.into_iter().map(|l| l.action).collect();
    assert_eq!(actions, ["readiness.update", "story.create"]);

    let seq = e.last_audit_seq()?;
    let again = e.edit_readiness(&actor(), &edit)?;
    assert!(!again.cell_changed);
    assert_eq!(again.story_change, Some(MappingChange::Unchanged));
    assert_eq!(e.last_audit_seq()?, seq, "the same edit again logs nothing");

    let texts_alone = ReadinessEdit {
        domain: "iam".into(),
        gap: Some("orphan".into()),
        ..Default::default()
    };
    assert!(
        e.edit_readiness(&actor(), &texts_alone).is_err(),
        "a gap belongs to a dimension"
    );
    Ok(())
}

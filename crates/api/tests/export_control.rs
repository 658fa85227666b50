//! The export's progress reports and cancel flag: a cancelled export writes nothing (an earlier
//! file at the same path stays as it was) and says it was cancelled; gap stories are the same
//! however often the export runs.

use crosswalk_api::{
    export, export_controlled, import, map, matrix_model, Actor, ApiError, ExportControl,
    ExportFormat, ExportProgress, ExportRequest, ExportStage, ImportRequest, MapRequest,
};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use time::macros::datetime;

fn actor() -> Actor {
    Actor::new("tester", datetime!(2026-12-04 10:00 UTC))
}

const TOPICS: [&str; 6] = [
    "Data at rest must be encrypted with customer managed keys",
    "The root user must use multi-factor authentication",
    "API activity must be logged centrally and kept for a year",
    "Inbound network traffic is restricted to documented ports",
    "Object storage must never be public",
    "Threats and anomalous activity are detected and alerted on",
];

/// An engagement of `rows` requirements in three sections, a few of them mapped by hand (so the
/// suggestion engine has decisions to learn from), none accepted in bulk: most rows are gaps.
fn engagement(dir: &Path, rows: usize) -> PathBuf {
    let db = dir.join("e.crosswalk");
    let sheet = dir.join("reqs.csv");
    let mut csv = String::from("ID,Section,Title,Requirement\n");
    for i in 0..rows {
        let topic = TOPICS[i % TOPICS.len()];
        csv.push_str(&format!(
            "R-{i},Part {},Requirement {i},\"{topic} (item {i}).\"\n",
            i % 3
        ));
    }
    std::fs::write(&sheet, csv).unwrap();
    import(
        &db,
        &actor(),
        &ImportRequest {
            file: sheet,
            set: Some("acme".into()),
            ..Default::default()
        },
    )
    .unwrap();
    for (r, target) in [
        ("acme:R-0", "service:KMS"),
        ("acme:R-2", "service:CLOUDTRAIL"),
    ] {
        map(
            &db,
            &actor(),
            &MapRequest {
                requirement: r.into(),
                targets: vec![target.into()],
                relationship: Some(crosswalk_api::Relationship::IntersectsWith),
                responsibility: None,
                rationale: Some("decided in the workshop".into()),
            },
        )
        .unwrap();
    }
    db
}

fn request(out: &Path) -> ExportRequest {
    ExportRequest {
        out: out.to_path_buf(),
        format: Some(ExportFormat::Xlsx),
    }
}

#[test]
fn progress_is_reported_stage_by_stage_up_to_the_saved_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path(), 90);
    let out = dir.path().join("m.xlsx");
    let seen: Mutex<Vec<ExportProgress>> = Mutex::new(Vec::new());
    let progress = |p: ExportProgress| seen.lock().unwrap().push(p);
    let report = export_controlled(
        &db,
        &actor(),
        &request(&out),
        &ExportControl {
            progress: Some(&progress),
            cancel: None,
        },
    )
    .unwrap();
    assert!(out.is_file());
    assert!(
        report.gaps > 0,
        "the engagement has gaps to write stories for"
    );
    let seen = seen.into_inner().unwrap();
    let mut stages: Vec<ExportStage> = seen.iter().map(|p| p.stage).collect();
    stages.dedup();
    assert_eq!(
        stages,
        [
            ExportStage::Reading,
            ExportStage::Rows,
            ExportStage::GapStories,
            ExportStage::Writing,
            ExportStage::Saving
        ]
    );
    assert!(seen.iter().all(|p| p.done <= p.total), "{seen:?}");
    let last = seen.last().unwrap();
    assert_eq!(
        (last.stage, last.done, last.total),
        (ExportStage::Saving, 1, 1)
    );
    let rows_done = seen
        .iter()
        .filter(|p| p.stage == ExportStage::Rows)
        .map(|p| (p.done, p.total))
        .max()
        .unwrap();
    assert_eq!(rows_done, (90, 90), "every requirement's row is counted");
    // Writing the xlsx counts the rows of every sheet as they are written, up to all of them.
    let writing: Vec<(usize, usize)> = seen
        .iter()
        .filter(|p| p.stage == ExportStage::Writing && p.total > 1)
        .map(|p| (p.done, p.total))
        .collect();
    let (_, total) = writing[0];
    assert!(total > 90 + report.links, "{writing:?}");
    assert_eq!(writing.first(), Some(&(0, total)));
    assert_eq!(writing.last(), Some(&(total, total)));
}

#[test]
fn a_cancelled_export_writes_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path(), 60);
    let out = dir.path().join("m.xlsx");
    std::fs::write(&out, b"an earlier matrix").unwrap();

    // Cancelled before it starts.
    let cancel = AtomicBool::new(true);
    let err = export_controlled(
        &db,
        &actor(),
        &request(&out),
        &ExportControl {
            progress: None,
            cancel: Some(&cancel),
        },
    )
    .unwrap_err();
    assert!(matches!(err, ApiError::Cancelled { .. }), "{err:?}");
    assert_eq!(err.to_string(), "export cancelled; nothing was written");
    assert_eq!(std::fs::read(&out).unwrap(), b"an earlier matrix");

    // Cancelled at each stage in turn, by the host reacting to a progress report.
    for stage in [
        ExportStage::Rows,
        ExportStage::GapStories,
        ExportStage::Writing,
        ExportStage::Saving,
    ] {
        let cancel = AtomicBool::new(false);
        let progress = |p: ExportProgress| {
            if p.stage == stage {
                cancel.store(true, Ordering::Relaxed);
            }
        };
        let err = export_controlled(
            &db,
            &actor(),
            &request(&out),
            &ExportControl {
                progress: Some(&progress),
                cancel: Some(&cancel),
            },
        )
        .unwrap_err();
        assert!(
            matches!(err, ApiError::Cancelled { what: "export" }),
            "{stage:?}: {err:?}"
        );
        assert_eq!(
            std::fs::read(&out).unwrap(),
            b"an earlier matrix",
            "{stage:?}: the earlier file is untouched"
        );
        let leftovers: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "m.xlsx" && n != "reqs.csv" && !n.starts_with("e.crosswalk"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "{stage:?}: no temporary files: {leftovers:?}"
        );
    }

    // Not cancelled: the export goes through and replaces the file.
    let flag = AtomicBool::new(false);
    export_controlled(
        &db,
        &actor(),
        &request(&out),
        &ExportControl {
            progress: None,
            cancel: Some(&flag),
        },
    )
    .unwrap();
    assert_ne!(std::fs::read(&out).unwrap(), b"an earlier matrix");
}

#[test]
fn gap_stories_do_not_depend_on_how_the_work_is_split() {
    // Enough gaps to be ranked on several threads, with hand-made decisions to learn from.
    let dir = tempfile::tempdir().unwrap();
    let db = engagement(dir.path(), 300);
    let view = crosswalk_store::EngagementReader::open(&db).unwrap();
    let first = matrix_model(&view, &actor()).unwrap();
    let again = matrix_model(&view, &actor()).unwrap();
    assert_eq!(first.gaps, again.gaps);
    assert!(first.gaps.len() >= 290, "{} gaps", first.gaps.len());
    // Requirements with the same text get the same proposals, wherever they fall.
    let by_topic = |i: usize| {
        first
            .gaps
            .iter()
            .filter(|g| {
                let n: usize = g.requirement.trim_start_matches("R-").parse().unwrap();
                n % TOPICS.len() == i && n > 10
            })
            .map(|g| g.implement.clone())
            .collect::<Vec<_>>()
    };
    for i in 0..TOPICS.len() {
        let proposals = by_topic(i);
        assert!(
            proposals.iter().all(|p| !p.is_empty()),
            "topic {i} gets something to implement: {proposals:?}"
        );
    }
    let encrypt = by_topic(0);
    assert!(
        encrypt
            .iter()
            .all(|p| p.iter().any(|t| t.to_string() == "service:KMS")),
        "{encrypt:?}"
    );
    // The same stories as the plain export writes.
    let out = dir.path().join("m.xlsx");
    let report = export(&db, &actor(), &request(&out)).unwrap();
    assert_eq!(report.gaps, first.gaps.len());
}

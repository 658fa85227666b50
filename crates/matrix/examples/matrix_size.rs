//! Measures how long a matrix of N rows takes to write, verify and read back, and how big it is.
//! `cargo run --release -p crosswalk-matrix --example matrix_size -- 20000`

use crosswalk_domain::{Coverage, QualifiedRef};
use crosswalk_matrix::*;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let catalogue: Vec<CatalogueEntry> = (0..200)
        .map(|i| CatalogueEntry {
            reference: QualifiedRef::new("ct", format!("CT.CONTROL.{i}")),
            kind: crosswalk_domain::TargetKind::LzControl,
            framework: "AWS Control Tower controls".into(),
            title: format!("Control {i}"),
            description: "A landing-zone control described in a sentence or two for the auditor."
                .into(),
            provenance: "Public AWS documentation.".into(),
            enabled: Some(i % 2 == 0),
        })
        .collect();
    let coverages = Coverage::ALL;
    let rows: Vec<MatrixRow> = (0..n)
        .map(|i| {
            let coverage = coverages[i % coverages.len()];
            MatrixRow {
                key: format!("row-{i}"),
                version: 1,
                set: "bench".into(),
                reference: format!("REQ-{i:05}"),
                workload: None,
                title: format!("Requirement {i}"),
                text: "The workload must encrypt data at rest with customer-managed keys, rotate them yearly and log every use of them centrally. ".repeat(2),
                section: Some("Data protection".into()),
                domain: Some("Data protection".into()),
                caf_capabilities: vec![],
                caf_epics: vec![],
                services: vec![QualifiedRef::new("service", "KMS")],
                inherited_controls: vec![catalogue[i % 200].reference.clone()],
                workload_controls: vec![],
                framework_controls: vec![],
                responsibility: crosswalk_domain::responsibility_for(coverage),
                coverage,
                derived_coverage: coverage,
                coverage_override: None,
                rationale: "Mapped in review.".into(),
                owner: "Platform".into(),
                evidence: String::new(),
                notes: String::new(),
                last_changed: "2025-05-02T10:00:00Z".into(),
            }
        })
        .collect();
    let mut model = MatrixModel {
        rows,
        catalogue,
        generated_at: "2025-05-02T11:00:00Z".into(),
        ..Default::default()
    };
    model.tally_coverage();
    let secret = b"bench";

    let t = Instant::now();
    let export = write_xlsx(&model, secret).expect("export");
    let write = t.elapsed();
    let t = Instant::now();
    let report = verify(&export.bytes, secret).expect("verify");
    let verify_time = t.elapsed();
    let t = Instant::now();
    let edits = read_matrix(&export.bytes, secret).expect("read");
    let read = t.elapsed();
    let t = Instant::now();
    let csv = write_csv(&model).expect("csv");
    let csv_time = t.elapsed();
    assert_eq!(report.status, VerifyStatus::Untouched);
    assert!(edits.rows.is_empty());
    println!(
        "{n} rows: xlsx {:.1} MB written in {:.2?}, verified in {:.2?}, read back in {:.2?}; csv {:.1} MB in {:.2?}",
        export.bytes.len() as f64 / 1e6,
        write,
        verify_time,
        read,
        csv.len() as f64 / 1e6,
        csv_time
    );
}

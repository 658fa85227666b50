//! A small, realistic matrix model and a way to edit an exported workbook "with a script", as a
//! customer's spreadsheet program would: read every sheet and write it back out.
#![allow(dead_code)]

use calamine::{Data, Reader, Xlsx};
use crosswalk_domain::{
    Coverage, CoverageOverride, MappingStatus, Origin, QualifiedRef, Relationship, TargetKind,
};
use crosswalk_matrix::*;
use rust_xlsxwriter::Workbook;
use std::io::Cursor;

pub const SECRET: &[u8] = b"engagement-secret-for-tests-0123456789";

pub fn q(fw: &str, r: &str) -> QualifiedRef {
    QualifiedRef::new(fw, r)
}

fn row(key: &str, reference: &str, text: &str, coverage: Coverage) -> MatrixRow {
    MatrixRow {
        key: key.into(),
        version: 1,
        set: "harbourline".into(),
        reference: reference.into(),
        workload: None,
        title: String::new(),
        text: text.into(),
        section: None,
        domain: None,
        caf_capabilities: vec![],
        caf_epics: vec![],
        services: vec![],
        inherited_controls: vec![],
        workload_controls: vec![],
        framework_controls: vec![],
        responsibility: crosswalk_domain::responsibility_for(coverage),
        coverage,
        derived_coverage: coverage,
        coverage_override: None,
        rationale: String::new(),
        owner: String::new(),
        evidence: String::new(),
        notes: String::new(),
        last_changed: "2025-05-02T10:00:00Z".into(),
    }
}

fn entry(
    r: QualifiedRef,
    kind: TargetKind,
    framework: &str,
    title: &str,
    enabled: Option<bool>,
) -> CatalogueEntry {
    CatalogueEntry {
        reference: r,
        kind,
        framework: framework.into(),
        title: title.into(),
        description: format!("{title}: what the control does, in the catalogue's words."),
        provenance: "Facts from public AWS documentation; descriptions written for Crosswalk."
            .into(),
        enabled,
    }
}

fn link(
    key: &str,
    row: &MatrixRow,
    target: QualifiedRef,
    kind: TargetKind,
    title: &str,
    rel: Relationship,
) -> MatrixLink {
    MatrixLink {
        key: key.into(),
        row_key: row.key.clone(),
        set: row.set.clone(),
        requirement: row.reference.clone(),
        workload: None,
        target,
        target_kind: kind,
        target_title: title.into(),
        relationship: rel,
        responsibility: row.responsibility,
        status: MappingStatus::Accepted,
        origin: Origin::Suggested,
        rationale: "Top suggestion accepted in review.".into(),
        author: "consultant".into(),
        at: "2025-05-02T09:30:00Z".into(),
    }
}

/// Five requirements: inherited, workload, partial, a gap and an overridden not-applicable.
pub fn model() -> MatrixModel {
    let root_mfa = q("ct", "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED");
    let trail = q("ct", "AWS-GR_CLOUDTRAIL_ENABLED");
    let kms = q("service", "KMS");
    let iam6 = q("fsbp", "IAM.6");
    let cap_iam = q("caf", "CAF-SEC-IAM");
    let cap_dp = q("caf", "CAF-SEC-DP");
    let epic_iam = q("caf", "Sec.IAM");

    let mut r1 = row(
        "a-1",
        "SEC-IAM-01",
        "The root account of every cloud account must be protected by hardware MFA.",
        Coverage::Inherited,
    );
    r1.title = "Root account MFA".into();
    r1.section = Some("Identity & Access Management".into());
    r1.domain = Some("Identity and access management".into());
    r1.caf_capabilities = vec![cap_iam.clone()];
    r1.caf_epics = vec![epic_iam.clone()];
    r1.inherited_controls = vec![root_mfa.clone()];
    r1.framework_controls = vec![iam6.clone()];
    r1.rationale = "Control Tower enables the root MFA guardrail in every enrolled account.".into();
    r1.owner = "Cloud Platform Team".into();

    let mut r2 = row(
        "a-2",
        "SEC-DP-01",
        "All customer data stored in the cloud must be encrypted at rest.",
        Coverage::Workload,
    );
    r2.section = Some("Data Protection".into());
    r2.domain = Some("Data protection".into());
    r2.caf_capabilities = vec![cap_dp.clone()];
    r2.services = vec![kms.clone()];

    let mut r3 = row(
        "a-3",
        "SEC-LM-01",
        "API activity logging must be enabled in all accounts and regions.",
        Coverage::Partial,
    );
    r3.domain = Some("Logging and monitoring".into());
    r3.inherited_controls = vec![trail.clone()];

    let mut r4 = row(
        "a-4",
        "GEN-7F3A",
        "Time sources of all systems are synchronised.",
        Coverage::Gap,
    );
    r4.domain = Some("Logging and monitoring".into());

    let mut r5 = row(
        "a-5",
        "SEC-IR-10",
        "Personal data breaches must be reportable within 72 hours.",
        Coverage::NotApplicable,
    );
    r5.derived_coverage = Coverage::Gap;
    r5.coverage_override = Some(
        CoverageOverride::new(
            Coverage::NotApplicable,
            "Handled by the group DPO process, outside AWS",
        )
        .expect("a reason is given"),
    );
    r5.domain = Some("Incident response".into());

    let links = vec![
        link(
            "m-1",
            &r1,
            root_mfa.clone(),
            TargetKind::LzControl,
            "Enable MFA for the root user",
            Relationship::Equivalent,
        ),
        link(
            "m-2",
            &r1,
            iam6.clone(),
            TargetKind::FrameworkControl,
            "Hardware MFA should be enabled for the root user",
            Relationship::Equivalent,
        ),
        link(
            "m-3",
            &r2,
            kms.clone(),
            TargetKind::Service,
            "AWS Key Management Service",
            Relationship::IntersectsWith,
        ),
        link(
            "m-4",
            &r3,
            trail.clone(),
            TargetKind::LzControl,
            "Enable CloudTrail in all accounts",
            Relationship::IntersectsWith,
        ),
    ];
    let catalogue = vec![
        entry(
            root_mfa,
            TargetKind::LzControl,
            "AWS Control Tower controls",
            "Enable MFA for the root user",
            Some(true),
        ),
        entry(
            trail.clone(),
            TargetKind::LzControl,
            "AWS Control Tower controls",
            "Enable CloudTrail in all accounts",
            Some(true),
        ),
        entry(
            kms,
            TargetKind::Service,
            "AWS services",
            "AWS Key Management Service",
            None,
        ),
        entry(
            iam6,
            TargetKind::FrameworkControl,
            "Security Hub FSBP",
            "Hardware MFA should be enabled for the root user",
            None,
        ),
        entry(
            cap_iam,
            TargetKind::Caf,
            "AWS CAF security",
            "Identity and access management",
            None,
        ),
        entry(
            cap_dp,
            TargetKind::Caf,
            "AWS CAF security",
            "Data protection",
            None,
        ),
        entry(
            epic_iam,
            TargetKind::Caf,
            "AWS CAF security",
            "Identity and Access Management (IAM) epic",
            None,
        ),
    ];
    let gaps = vec![GapStory {
        row_key: "a-4".into(),
        set: "harbourline".into(),
        requirement: "GEN-7F3A".into(),
        workload: None,
        title: "Synchronise instance clocks with the Amazon Time Sync Service".into(),
        implement: vec![q("service", "EC2")],
        acceptance_criteria: vec![
            "Every instance uses the Time Sync endpoint".into(),
            "Drift is alarmed above 1 second".into(),
        ],
    }];

    let mut m = MatrixModel {
        engagement: EngagementInfo {
            name: "Harbourline AWS migration".into(),
            customer: "Harbourline Logistics".into(),
            description: "Security workstream of wave 1.".into(),
        },
        workloads: vec!["freight-portal".into()],
        landing_zone: LandingZoneInfo {
            name: "Control Tower baseline".into(),
            enabled_controls: vec![q("ct", "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED"), trail],
        },
        catalogue_version: "2025.05.0".into(),
        app_version: "0.1.0".into(),
        generated_at: "2025-05-02T11:00:00Z".into(),
        generated_by: "consultant".into(),
        owners: vec![
            "Cloud Platform Team".into(),
            "Security Operations".into(),
            "Data Governance".into(),
        ],
        rows: vec![r1, r2, r3, r4, r5],
        links,
        catalogue,
        coverage_by_capability: vec![],
        coverage_by_domain: vec![],
        gaps,
    };
    m.tally_coverage();
    m
}

/// Every sheet of a workbook as a grid of values (absolute positions), in workbook order.
pub fn sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a readable xlsx");
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("sheet reads");
            let mut grid: Vec<Vec<Data>> = Vec::new();
            if let Some((r0, c0)) = range.start() {
                for (r, c, v) in range.used_cells() {
                    let (r, c) = (r + r0 as usize, c + c0 as usize);
                    if grid.len() <= r {
                        grid.resize(r + 1, Vec::new());
                    }
                    if grid[r].len() <= c {
                        grid[r].resize(c + 1, Data::Empty);
                    }
                    grid[r][c] = v.clone();
                }
            }
            (name, grid)
        })
        .collect()
}

pub fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    sheets(bytes)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, g)| g)
        .expect("the sheet exists")
}

/// Column index of a header in row 1.
pub fn col(grid: &[Vec<Data>], header: &str) -> usize {
    grid[0]
        .iter()
        .position(|d| matches!(d, Data::String(s) if s == header))
        .unwrap_or_else(|| panic!("header {header} present"))
}

/// Row index (0-based) of the row whose `Key` column holds `key`.
pub fn row_of(grid: &[Vec<Data>], key: &str) -> usize {
    let k = col(grid, "Key");
    grid.iter()
        .position(|r| r.get(k).map(|d| d.to_string()).as_deref() == Some(key))
        .unwrap_or_else(|| panic!("row {key} present"))
}

pub fn text(grid: &[Vec<Data>], row: usize, col: usize) -> String {
    grid.get(row)
        .and_then(|r| r.get(col))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// Reads every sheet, lets `edit` change the grids, and writes a new workbook with the same
/// sheets in the same order — the way a customer's tool saves an edited file.
pub fn rewrite(bytes: &[u8], edit: impl Fn(&str, &mut Vec<Vec<Data>>)) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, mut grid) in sheets(bytes) {
        edit(&name, &mut grid);
        let ws = wb.add_worksheet();
        ws.set_name(&name).expect("same name");
        for (r, cells) in grid.iter().enumerate() {
            for (c, v) in cells.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v {
                    Data::String(s) => {
                        ws.write_string(r, c, s).expect("write");
                    }
                    Data::Float(f) => {
                        ws.write_number(r, c, *f).expect("write");
                    }
                    Data::Int(i) => {
                        ws.write_number(r, c, *i as f64).expect("write");
                    }
                    Data::Bool(b) => {
                        ws.write_boolean(r, c, *b).expect("write");
                    }
                    Data::Empty => {}
                    other => {
                        ws.write_string(r, c, other.to_string()).expect("write");
                    }
                }
            }
        }
    }
    wb.save_to_buffer().expect("saved")
}

/// Sets one cell of a grid, growing it as needed.
pub fn set(grid: &mut Vec<Vec<Data>>, row: usize, col: usize, value: &str) {
    if grid.len() <= row {
        grid.resize(row + 1, Vec::new());
    }
    if grid[row].len() <= col {
        grid[row].resize(col + 1, Data::Empty);
    }
    grid[row][col] = if value.is_empty() {
        Data::Empty
    } else {
        Data::String(value.into())
    };
}

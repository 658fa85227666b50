//! What the fuzz targets and their seed writer share. The fuzz project (`fuzz/`, its own
//! workspace) includes this file by path rather than depending on this crate, so a fuzz build
//! compiles only the sheets and matrix crates, not SQLite.
//!
//! Byte-level mutation of a zip mostly breaks its checksums, so two targets are structure-aware:
//! the fuzzer mutates the XML parts and the target wraps them into a valid, uncompressed zip.

use crosswalk_domain::{
    Coverage, CoverageOverride, MappingStatus, Origin, QualifiedRef, Relationship, Responsibility,
    TargetKind,
};
use crosswalk_matrix::{
    CatalogueEntry, EngagementInfo, GapStory, LandingZoneInfo, MatrixLink, MatrixModel, MatrixRow,
};
use std::io::{Cursor, Read, Write};

/// The key the fuzzed matrices are sealed with, so the fuzzer reaches the cell comparisons
/// behind the seal check.
pub const SECRET: &[u8] = b"crosswalk-fuzz-secret-0123456789abcdef";

/// Separates the parts of a structure-aware input. XML never contains a NUL byte.
pub const PART_SEPARATOR: u8 = 0;

/// File names the workbook target picks from with the input's first byte.
pub const WORKBOOK_NAMES: [&str; 6] = [
    "fuzz.xlsx",
    "fuzz.xls",
    "fuzz.ods",
    "fuzz.csv",
    "fuzz.xlsb",
    "fuzz.tsv",
];

/// The first byte of a workbook-target input that means "the rest is a worksheet's XML and its
/// shared strings" (see [`xlsx_from_parts`]) rather than a whole file.
pub const WORKBOOK_PARTS: u8 = WORKBOOK_NAMES.len() as u8;

/// The first byte of a matrix-target input at or above which the rest is a whole file rather
/// than one replaced part of the base matrix.
pub const MATRIX_RAW: u8 = 0x80;

/// The name and the bytes of a workbook-target input (the parts form already wrapped in a zip).
pub fn workbook_input(data: &[u8]) -> (&'static str, std::borrow::Cow<'_, [u8]>) {
    match data.split_first() {
        Some((first, rest)) if *first % (WORKBOOK_PARTS + 1) == WORKBOOK_PARTS => {
            ("fuzz.xlsx", std::borrow::Cow::Owned(xlsx_from_parts(rest)))
        }
        Some((first, rest)) => (
            WORKBOOK_NAMES[*first as usize % (WORKBOOK_PARTS as usize + 1)],
            std::borrow::Cow::Borrowed(rest),
        ),
        None => (WORKBOOK_NAMES[0], std::borrow::Cow::Borrowed(data)),
    }
}

/// Keeps the panic hook quiet about panics that the sheet and matrix readers contain (raised
/// inside calamine or the zip reader on a damaged file, and turned into an error naming the
/// file): libFuzzer's hook would count each as a crash although no panic leaves the reader. A
/// panic in Crosswalk's own code, or one that escapes, still reaches the previous hook.
pub fn quiet_contained_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let ours = info.location().is_some_and(|l| {
            let f = l.file();
            f.contains("crates/sheets") || f.contains("crates/matrix") || f.contains("crates/bench")
        });
        let contained =
            crosswalk_sheets::panic_is_contained() || crosswalk_matrix::panic_is_contained();
        if contained && !ours {
            return;
        }
        previous(info);
    }));
}

/// The CSV target: the reader and shape detection on arbitrary bytes.
pub fn run_sheets_csv(data: &[u8]) {
    let options = crosswalk_sheets::ImportOptions::default();
    let _ = crosswalk_sheets::read_requirements("fuzz.csv", data, &options);
}

/// The workbook target: the whole reader path (container sniffing, zip bounds, calamine,
/// shape detection) under each supported name, with default and with explicit options.
pub fn run_sheets_workbook(data: &[u8]) {
    let (name, bytes) = workbook_input(data);
    let _ = crosswalk_sheets::read_requirements(
        name,
        &bytes,
        &crosswalk_sheets::ImportOptions::default(),
    );
    // A named sheet and an explicit header row take other paths through detection.
    let explicit = crosswalk_sheets::ImportOptions {
        sheets: vec!["Requirements".into()],
        header_row: Some(1 + data.len() as u32 % 4),
        ..Default::default()
    };
    let _ = crosswalk_sheets::read_requirements(name, &bytes, &explicit);
}

/// The matrix target: re-import and seal verification, on the base matrix with one part
/// replaced (first byte below [`MATRIX_RAW`]) or on the rest of the input as a whole file.
pub fn run_matrix(data: &[u8]) {
    let bytes = match data.split_first() {
        Some((first, rest)) if *first >= MATRIX_RAW => rest.to_vec(),
        _ => matrix_with_part(base_parts(), data),
    };
    let _ = crosswalk_matrix::read_matrix(&bytes, SECRET);
    let _ = crosswalk_matrix::verify(&bytes, SECRET);
}

/// The base matrix's parts, made once per process.
pub fn base_parts() -> &'static [(String, Vec<u8>)] {
    static BASE: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    BASE.get_or_init(|| base_matrix().and_then(|b| unzip(&b)).unwrap_or_default())
}

/// A stored (uncompressed) zip of `parts`, with correct checksums.
pub fn zip_stored(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(false);
    for (name, bytes) in parts {
        // Writing into memory cannot fail for want of space; a name zip refuses is skipped.
        if w.start_file(*name, options).is_ok() {
            let _ = w.write_all(bytes);
        }
    }
    w.finish().map(|c| c.into_inner()).unwrap_or_default()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Requirements" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// An xlsx with one sheet whose XML is the input's first part and whose shared strings are
/// its second part (absent when the input has no separator).
pub fn xlsx_from_parts(data: &[u8]) -> Vec<u8> {
    let mut parts = data.splitn(2, |b| *b == PART_SEPARATOR);
    let sheet = parts.next().unwrap_or_default();
    let strings = parts.next();
    let mut files: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    if let Some(s) = strings {
        files.push(("xl/sharedStrings.xml", s));
    }
    zip_stored(&files)
}

/// The parts-target input for an existing xlsx: its first worksheet and its shared strings.
pub fn parts_of_xlsx(bytes: &[u8]) -> Option<Vec<u8>> {
    let parts = unzip(bytes)?;
    let sheet = parts
        .iter()
        .filter(|(n, _)| n.starts_with("xl/worksheets/") && n.ends_with(".xml"))
        .min_by_key(|(n, _)| {
            // sheet1.xml before sheet10.xml
            let digits: String = n.chars().filter(|c| c.is_ascii_digit()).collect();
            digits.parse::<u64>().unwrap_or(u64::MAX)
        })?;
    let mut out = sheet.1.clone();
    if let Some((_, s)) = parts.iter().find(|(n, _)| n == "xl/sharedStrings.xml") {
        out.push(PART_SEPARATOR);
        out.extend_from_slice(s);
    }
    Some(out)
}

/// Every part of a zip, in archive order; `None` when it is not a readable zip. Parts are read
/// up to 64 MiB each, which no seed comes near.
pub fn unzip(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let entry = archive.by_index(i).ok()?;
        let name = entry.name().ok()?.to_string();
        let mut data = Vec::new();
        entry.take(64 << 20).read_to_end(&mut data).ok()?;
        out.push((name, data));
    }
    Some(out)
}

/// A small matrix that uses every feature the reader checks: overrides, several kinds of
/// target, links, gaps, a workload, long text and text that looks like a formula.
pub fn base_model() -> MatrixModel {
    let ct = |r: &str| QualifiedRef::new("ct", r);
    let service = |r: &str| QualifiedRef::new("service", r);
    let catalogue = vec![
        CatalogueEntry {
            reference: ct("AWS-GR_ENCRYPTED_VOLUMES"),
            kind: TargetKind::LzControl,
            framework: "AWS Control Tower controls".into(),
            title: "Encrypted EBS volumes".into(),
            description: "Detects volumes that are not encrypted.".into(),
            provenance: "Public AWS documentation.".into(),
            enabled: Some(true),
        },
        CatalogueEntry {
            reference: service("KMS"),
            kind: TargetKind::Service,
            framework: "AWS services".into(),
            title: "AWS Key Management Service".into(),
            description: "Managed keys.".into(),
            provenance: "Public AWS documentation.".into(),
            enabled: None,
        },
    ];
    let row = |i: usize, coverage: Coverage| MatrixRow {
        key: format!("row-{i}"),
        version: 1 + i as u64,
        set: "fuzz".into(),
        reference: format!("REQ-{i:03}"),
        workload: i.is_multiple_of(2).then(|| "Payments".to_string()),
        title: format!("Requirement {i}"),
        text: if i == 3 {
            "=HYPERLINK(\"http://example.com\") looks like a formula".into()
        } else {
            "Data at rest must be encrypted with customer-managed keys. ".repeat(1 + i)
        },
        section: Some("Data protection".into()),
        domain: Some("Data protection".into()),
        caf_capabilities: vec![],
        caf_epics: vec![],
        services: vec![service("KMS")],
        inherited_controls: if coverage == Coverage::Inherited {
            vec![ct("AWS-GR_ENCRYPTED_VOLUMES")]
        } else {
            vec![]
        },
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
    };
    let mut rows: Vec<MatrixRow> = Coverage::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| row(i, *c))
        .collect();
    if let Ok(o) = CoverageOverride::new(Coverage::NotApplicable, "No such data in scope") {
        rows[1].coverage = Coverage::NotApplicable;
        rows[1].coverage_override = Some(o);
    }
    let links = rows
        .iter()
        .map(|r| MatrixLink {
            key: format!("link-{}", r.key),
            row_key: r.key.clone(),
            set: r.set.clone(),
            requirement: r.reference.clone(),
            workload: r.workload.clone(),
            target: service("KMS"),
            target_kind: TargetKind::Service,
            target_title: "AWS Key Management Service".into(),
            relationship: Relationship::IntersectsWith,
            responsibility: Some(Responsibility::Workload),
            status: MappingStatus::Accepted,
            origin: Origin::Manual,
            rationale: "Keys live in KMS.".into(),
            author: "fuzz".into(),
            at: "2025-05-02T10:00:00Z".into(),
        })
        .collect();
    let gaps = rows
        .iter()
        .filter(|r| r.coverage == Coverage::Gap)
        .map(|r| GapStory {
            row_key: r.key.clone(),
            set: r.set.clone(),
            requirement: r.reference.clone(),
            workload: r.workload.clone(),
            title: format!("Implement {}", r.reference),
            implement: vec![service("KMS")],
            acceptance_criteria: vec!["Keys rotate yearly".into()],
        })
        .collect();
    let mut model = MatrixModel {
        engagement: EngagementInfo {
            name: "Fuzz".into(),
            customer: "Fuzz customer".into(),
            description: String::new(),
        },
        workloads: vec!["Payments".into()],
        landing_zone: LandingZoneInfo {
            name: "baseline".into(),
            enabled_controls: vec![ct("AWS-GR_ENCRYPTED_VOLUMES")],
        },
        catalogue_version: "1".into(),
        app_version: "0.0.0".into(),
        generated_at: "2025-05-02T11:00:00Z".into(),
        generated_by: "fuzz".into(),
        owners: vec!["Platform".into(), "SecOps".into()],
        rows,
        links,
        catalogue,
        gaps,
        ..Default::default()
    };
    model.tally_coverage();
    model
}

/// The base matrix as an xlsx sealed with [`SECRET`]; `None` only if the writer fails.
pub fn base_matrix() -> Option<Vec<u8>> {
    crosswalk_matrix::write_xlsx(&base_model(), SECRET)
        .ok()
        .map(|x| x.bytes)
}

/// The base matrix with one part replaced: the input's first byte picks the part (in archive
/// order), the rest is its new content. The result is re-zipped uncompressed.
pub fn matrix_with_part(base: &[(String, Vec<u8>)], data: &[u8]) -> Vec<u8> {
    let Some((first, content)) = data.split_first() else {
        return Vec::new();
    };
    let pick = *first as usize % base.len().max(1);
    let parts: Vec<(&str, &[u8])> = base
        .iter()
        .enumerate()
        .map(|(i, (n, b))| (n.as_str(), if i == pick { content } else { b.as_slice() }))
        .collect();
    zip_stored(&parts)
}

/// The matrix-parts seeds: each part of the base matrix as it is, with its selector byte.
pub fn matrix_part_seeds(base: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    base.iter()
        .enumerate()
        .filter(|(_, (n, _))| n.ends_with(".xml"))
        .map(|(i, (n, b))| {
            let mut seed = vec![i as u8];
            seed.extend_from_slice(b);
            (n.replace(['/', '[', ']'], "_"), seed)
        })
        .collect()
}

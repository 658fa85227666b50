//! Seeds for the fuzz targets, written at fuzz time into a scratch folder (`scripts/fuzz.sh`
//! calls `crosswalk-bench fuzz-seeds`). They come from three places: the real samples, read in
//! place and cut to a few dozen rows; generated requirement sheets; and hand-made bad inputs
//! (the shapes the sheets crate's bad-input tests use). None of them is committed: the corpus
//! in `fuzz/corpus/` holds only what the fuzzer found, with sample content filtered out.

use crate::fuzzing::{self, MATRIX_RAW, PART_SEPARATOR, WORKBOOK_NAMES, WORKBOOK_PARTS};
use crate::generate;
use anyhow::{Context, Result};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The three fuzz targets, as named in `fuzz/Cargo.toml`.
pub const TARGETS: [&str; 3] = ["sheets_csv", "sheets_workbook", "matrix_read"];

/// The shared folder beside the workspace, or `$CROSSWALK_SHARED_DIR`.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("CROSSWALK_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join("..").join("shared"))
}

/// The real sample files, sorted; empty when the folder is missing.
pub fn samples() -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(shared_dir().join("samples").join("real")) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("csv" | "xlsx" | "xls" | "ods")
            )
        })
        .collect();
    files.sort();
    files
}

/// The first `lines` lines of a text file (a line break inside quotes may cut a record; the
/// fuzzer does not mind).
fn head_lines(bytes: &[u8], lines: usize) -> &[u8] {
    let mut seen = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' {
            seen += 1;
            if seen == lines {
                return &bytes[..=i];
            }
        }
    }
    bytes
}

/// A worksheet XML cut after `rows` rows and closed again, so it stays small and well formed.
fn cut_sheet_xml(xml: &[u8], rows: usize) -> Vec<u8> {
    cut_after(xml, b"</row>", rows, b"</sheetData></worksheet>")
}

/// Shared strings cut after `count` entries (later indexes become dangling: a bad input too).
fn cut_strings(xml: &[u8], count: usize) -> Vec<u8> {
    cut_after(xml, b"</si>", count, b"</sst>")
}

fn cut_after(xml: &[u8], end_tag: &[u8], count: usize, close: &[u8]) -> Vec<u8> {
    let mut seen = 0;
    let mut i = 0;
    while i + end_tag.len() <= xml.len() {
        if &xml[i..i + end_tag.len()] == end_tag {
            seen += 1;
            if seen == count {
                let mut out = xml[..i + end_tag.len()].to_vec();
                out.extend_from_slice(close);
                return out;
            }
            i += end_tag.len();
        } else {
            i += 1;
        }
    }
    xml.to_vec()
}

fn with_selector(selector: u8, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 1);
    out.push(selector);
    out.extend_from_slice(bytes);
    out
}

fn name_selector(ext: &str) -> u8 {
    let name = format!("fuzz.{ext}");
    WORKBOOK_NAMES.iter().position(|n| *n == name).unwrap_or(0) as u8
}

/// The parts form of an xlsx (first sheet cut to `rows` rows, strings to 2,000 entries).
fn parts_seed(xlsx: &[u8], rows: usize) -> Option<Vec<u8>> {
    let parts = fuzzing::parts_of_xlsx(xlsx)?;
    let mut split = parts.splitn(2, |b| *b == PART_SEPARATOR);
    let sheet = split.next().unwrap_or_default();
    let mut out = cut_sheet_xml(sheet, rows);
    if let Some(strings) = split.next() {
        out.push(PART_SEPARATOR);
        out.extend_from_slice(&cut_strings(strings, 2_000));
    }
    Some(with_selector(WORKBOOK_PARTS, &out))
}

/// A worksheet XML with inline strings: `dimension` and `(cell, text)` pairs, one row each.
fn sheet_xml(dimension: &str, cells: &[(&str, &str)]) -> String {
    let mut rows = String::new();
    for (cell, text) in cells {
        let row: String = cell.chars().filter(char::is_ascii_digit).collect();
        rows.push_str(&format!(
            r#"<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c></row>"#
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>"#
    )
}

/// Every seed of every target: (target, file name, bytes). Samples are read in place.
pub fn all_seeds() -> Result<Vec<(&'static str, String, Vec<u8>)>> {
    let mut seeds: Vec<(&'static str, String, Vec<u8>)> = Vec::new();

    // Generated sheets: the benchmark generator at 60 rows.
    let sections = generate::requirements(60);
    let gen_csv = generate::csv(&sections)?;
    let gen_xlsx = generate::xlsx(&sections)?;
    seeds.push(("sheets_csv", "generated.csv".into(), gen_csv.clone()));
    seeds.push((
        "sheets_workbook",
        "generated-csv".into(),
        with_selector(name_selector("csv"), &gen_csv),
    ));
    seeds.push((
        "sheets_workbook",
        "generated-xlsx".into(),
        with_selector(name_selector("xlsx"), &gen_xlsx),
    ));
    if let Some(p) = parts_seed(&gen_xlsx, 60) {
        seeds.push(("sheets_workbook", "generated-parts".into(), p));
    }

    // The real samples, cut short.
    for path in samples() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_string();
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        if ext == "csv" {
            let head = head_lines(&bytes, 40);
            seeds.push(("sheets_csv", format!("sample-{name}"), head.to_vec()));
            seeds.push((
                "sheets_workbook",
                format!("sample-{name}"),
                with_selector(name_selector("csv"), head),
            ));
        } else {
            // Whole workbooks are a few hundred KB at most: the fuzzer mutates them as they are.
            seeds.push((
                "sheets_workbook",
                format!("sample-{name}"),
                with_selector(name_selector(&ext), &bytes),
            ));
            if ext == "xlsx" {
                if let Some(p) = parts_seed(&bytes, 40) {
                    seeds.push(("sheets_workbook", format!("sample-parts-{name}"), p));
                }
            }
        }
    }

    // Bad inputs: the shapes the bad-input tests check, small enough for the fuzzer.
    let bad_csv: [(&str, &[u8]); 9] = [
        ("empty", b""),
        ("only-header", b"ID,Requirement\n"),
        ("no-header", b"1,2,3\n4,5,6\n"),
        ("too-many-fields", b"ID,Requirement\nR-1,Log,extra,more\n"),
        (
            "too-few-fields",
            b"ID,Requirement,Owner\nR-1\nR-2,Rotate keys,Ops\n",
        ),
        ("bad-utf8", b"ID,Requirement\nR-1,caf\xe9 \xff\xfe\n"),
        (
            "unclosed-quote",
            b"ID,Requirement\nR-1,\"never closed\nR-2,x\n",
        ),
        (
            "semicolons-bom",
            b"\xef\xbb\xbfId;Exigence;Domaine\nA.5.1;Politiques;Gouvernance\n",
        ),
        (
            "duplicates",
            b"ID,Requirement\nAC-2 (1),one\nAC-02(01),two\nAC-2(1),three\n",
        ),
    ];
    for (name, bytes) in bad_csv {
        seeds.push(("sheets_csv", format!("bad-{name}"), bytes.to_vec()));
    }
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "ID\tRequirement\r\nR-1\tKeep logs\r\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    seeds.push(("sheets_csv", "bad-utf16".into(), utf16.clone()));
    seeds.push((
        "sheets_workbook",
        "bad-utf16-tsv".into(),
        with_selector(name_selector("tsv"), &utf16),
    ));

    let far = sheet_xml("XFD1048576", &[("XFD1048576", "far away")]);
    let phantom = sheet_xml(
        "A1:XFD1048576",
        &[
            ("A1", "ID"),
            ("B1", "Requirement"),
            ("A2", "R-1"),
            ("B2", "Log every login"),
        ],
    );
    let entities = r#"<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>"#;
    let merged = r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c><c r="C2" t="s"><v>5</v></c></row><row r="3"><c r="B3" t="s"><v>6</v></c><c r="C3" t="n"><v>7</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="A2:A3"/></mergeCells></worksheet>"#;
    let strings = r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="7" uniqueCount="7"><si><t>Domain</t></si><si><t>Req ID</t></si><si><t>Requirement</t></si><si><t>Data protection</t></si><si><t>DP-1</t></si><si><t>Encrypt data at rest.</t></si><si><t>DP-2</t></si></sst>"#;
    for (name, sheet, sst) in [
        ("far-cell", far.as_str(), None),
        ("phantom-dimension", phantom.as_str(), None),
        ("entity-bomb", entities, None),
        ("merged-shared-strings", merged, Some(strings)),
    ] {
        let mut parts = sheet.as_bytes().to_vec();
        if let Some(s) = sst {
            parts.push(PART_SEPARATOR);
            parts.extend_from_slice(s.as_bytes());
        }
        seeds.push((
            "sheets_workbook",
            format!("bad-parts-{name}"),
            with_selector(WORKBOOK_PARTS, &parts),
        ));
        seeds.push((
            "sheets_workbook",
            format!("bad-xlsx-{name}"),
            with_selector(name_selector("xlsx"), &fuzzing::xlsx_from_parts(&parts)),
        ));
    }
    let truncated = &gen_xlsx[..gen_xlsx.len() / 2];
    for (name, bytes) in [
        ("truncated-xlsx", truncated.to_vec()),
        ("text-as-xlsx", b"ID,Requirement\nR-1,x\n".to_vec()),
        (
            "garbage-xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1garbage".to_vec(),
        ),
        ("empty-zip", fuzzing::zip_stored(&[])),
    ] {
        let ext = if name.ends_with("xls") { "xls" } else { "xlsx" };
        seeds.push((
            "sheets_workbook",
            format!("bad-{name}"),
            with_selector(name_selector(ext), &bytes),
        ));
    }

    // Matrix: every XML part of a sealed matrix, the whole matrix, and damaged wholes.
    let base = fuzzing::base_parts();
    for (name, seed) in fuzzing::matrix_part_seeds(base) {
        seeds.push(("matrix_read", format!("part-{name}"), seed));
    }
    if let Some(whole) = fuzzing::base_matrix() {
        seeds.push((
            "matrix_read",
            "whole".into(),
            with_selector(MATRIX_RAW, &whole),
        ));
        seeds.push((
            "matrix_read",
            "whole-truncated".into(),
            with_selector(MATRIX_RAW, &whole[..whole.len() / 2]),
        ));
        let stored: Vec<(&str, &[u8])> = base
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        seeds.push((
            "matrix_read",
            "whole-stored".into(),
            with_selector(MATRIX_RAW, &fuzzing::zip_stored(&stored)),
        ));
    }
    seeds.push((
        "matrix_read",
        "not-a-matrix".into(),
        with_selector(MATRIX_RAW, &gen_xlsx),
    ));
    Ok(seeds)
}

/// Writes the seeds into `out/<target>/`, replacing what was there.
pub fn write_seeds(out: &Path) -> Result<usize> {
    let seeds = all_seeds()?;
    for target in TARGETS {
        let dir = out.join(target);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    for (target, name, bytes) in &seeds {
        let path = out.join(target).join(name);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(seeds.len())
}

/// Fingerprints of every 32-byte window starting at a multiple of 16 in the samples (their
/// raw bytes and, for zips, their inflated parts). Any run of 48 bytes that an input shares
/// with a sample contains one of these windows.
pub struct SampleWindows(HashSet<u64>);

const WINDOW: usize = 32;
const STRIDE: usize = 16;

fn fingerprint(bytes: &[u8]) -> u64 {
    // FNV-1a: stable across runs and enough to tell windows apart.
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

impl SampleWindows {
    pub fn of_samples() -> Result<Self> {
        let mut set = HashSet::new();
        for path in samples() {
            let bytes =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let mut texts = vec![bytes.clone()];
            if let Some(parts) = fuzzing::unzip(&bytes) {
                texts.extend(parts.into_iter().map(|(_, b)| b));
            }
            for t in &texts {
                let mut i = 0;
                while i + WINDOW <= t.len() {
                    set.insert(fingerprint(&t[i..i + WINDOW]));
                    i += STRIDE;
                }
            }
        }
        // Boilerplate every xlsx writer emits (XML declarations, namespaces, content types) is
        // not sample content: windows our own generated seeds hold are not counted.
        for (_, name, bytes) in all_seeds()? {
            if name.starts_with("sample-") {
                continue;
            }
            let mut texts = vec![bytes.clone()];
            for start in [0usize, 1] {
                if let Some(parts) = bytes.get(start..).and_then(fuzzing::unzip) {
                    texts.extend(parts.into_iter().map(|(_, b)| b));
                }
            }
            for t in &texts {
                for w in t.windows(WINDOW) {
                    set.remove(&fingerprint(w));
                }
            }
        }
        Ok(SampleWindows(set))
    }

    /// Whether `bytes` (or, for a zip, one of its parts) shares 48 bytes or more with a sample.
    pub fn overlaps(&self, bytes: &[u8]) -> bool {
        let mut texts = vec![bytes.to_vec()];
        // Inputs of the structure-aware forms carry XML after a selector byte; zips inside
        // inputs are checked inflated too.
        for start in [0usize, 1] {
            if let Some(parts) = bytes.get(start..).and_then(fuzzing::unzip) {
                texts.extend(parts.into_iter().map(|(_, b)| b));
            }
        }
        texts
            .iter()
            .any(|t| t.windows(WINDOW).any(|w| self.0.contains(&fingerprint(w))))
    }
}

/// Removes from `dir` every file that shares content with a sample; returns how many went.
pub fn strip_sample_content(dir: &Path) -> Result<usize> {
    let windows = SampleWindows::of_samples()?;
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        if path.is_file() && windows.overlaps(&std::fs::read(&path)?) {
            std::fs::remove_file(&path)?;
            removed += 1;
        }
    }
    Ok(removed)
}

//! Measuring suggestion quality on labelled sets: precision@1, recall@3 and MRR per target kind.
//!
//! Ranking and scoring are two separate steps: [`rank`] sees only the queries, [`score`] compares
//! its output with the labels afterwards. The labels never reach the engine.
//!
//! Two sets ship with the crate's data: the Security Hub controls export in
//! `../shared/samples/real/` (title and description only, control id removed → the service its
//! id prefix names, with the FSBP framework and its copies left out of the candidates), and the
//! demo workbook `data/samples/demo-requirements.xlsx`, read by the importer, with the expected
//! services and CAF capability written in `data/eval/demo-labels.toml`.

use crate::{Engine, EngineOptions, History, Query, Suggestion};
use crosswalk_domain::{Catalogue, QualifiedRef, TargetKind};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A labelled file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("{file}: {source}")]
    Toml {
        file: String,
        source: Box<toml::de::Error>,
    },
    #[error("{file}, row {row}: {source}")]
    Csv {
        file: String,
        row: u64,
        source: Box<csv::Error>,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What a ranking should contain for one kind: groups of acceptable targets. A group is found
/// when any of its members is (`EC2` controls may name the EC2, VPC or EBS service).
pub type Groups = Vec<Vec<QualifiedRef>>;

/// One labelled requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub query: Query,
    pub labels: BTreeMap<TargetKind, Groups>,
}

/// A named set of labelled requirements and the candidates it may be ranked against.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledSet {
    pub name: String,
    pub cases: Vec<Case>,
    pub options: EngineOptions,
    /// Requirements left out because none of their labels is a catalogue item, with the reason.
    pub unanswerable: Vec<String>,
}

/// The figures for one kind of one set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// Cases with at least one label of this kind.
    pub cases: usize,
    /// Share of cases whose first suggestion is labelled.
    pub precision_at_1: f64,
    /// Mean over cases of (label groups found in the first 3) / min(groups, 3).
    pub recall_at_3: f64,
    /// Mean reciprocal rank of the first labelled suggestion (0 when none is in the list).
    pub mrr: f64,
}

/// The figures of one set.
#[derive(Debug, Clone, PartialEq)]
pub struct SetReport {
    pub name: String,
    pub per_kind: BTreeMap<TargetKind, Metrics>,
    pub unanswerable: usize,
}

/// How deep the rankings are scored; MRR counts a label found down to this rank.
pub const DEPTH: usize = 10;

/// Ranks every query of a set; nothing but the queries is passed to the engine.
pub fn rank(engine: &Engine, queries: &[Query]) -> Vec<Vec<Suggestion>> {
    let history = History::default();
    queries
        .iter()
        .map(|q| engine.suggest_with(q, DEPTH, &history))
        .collect()
}

/// Compares rankings with the labels of the same cases, in the same order.
pub fn score(
    name: &str,
    cases: &[Case],
    rankings: &[Vec<Suggestion>],
    unanswerable: usize,
) -> SetReport {
    let mut sums: BTreeMap<TargetKind, (usize, f64, f64, f64)> = BTreeMap::new();
    for (case, ranking) in cases.iter().zip(rankings) {
        for (kind, groups) in &case.labels {
            if groups.is_empty() {
                continue;
            }
            let list: Vec<&QualifiedRef> = ranking
                .iter()
                .filter(|s| s.kind == *kind)
                .map(|s| &s.target)
                .collect();
            let in_group = |t: &QualifiedRef| groups.iter().any(|g| g.contains(t));
            let p1 = list.first().is_some_and(|t| in_group(t));
            let found_in_3 = groups
                .iter()
                .filter(|g| list.iter().take(3).any(|t| g.contains(t)))
                .count();
            let r3 = found_in_3 as f64 / groups.len().min(3) as f64;
            let rr = list
                .iter()
                .position(|t| in_group(t))
                .map_or(0.0, |p| 1.0 / (p + 1) as f64);
            let e = sums.entry(*kind).or_default();
            e.0 += 1;
            e.1 += f64::from(u8::from(p1));
            e.2 += r3;
            e.3 += rr;
        }
    }
    let per_kind = sums
        .into_iter()
        .map(|(kind, (n, p1, r3, rr))| {
            let n_f = n as f64;
            (
                kind,
                Metrics {
                    cases: n,
                    precision_at_1: p1 / n_f,
                    recall_at_3: r3 / n_f,
                    mrr: rr / n_f,
                },
            )
        })
        .collect();
    SetReport {
        name: name.to_string(),
        per_kind,
        unanswerable,
    }
}

/// Ranks and scores a set against a catalogue, building the engine with the set's options.
pub fn evaluate(catalogue: &Catalogue, set: &LabelledSet) -> SetReport {
    let engine = Engine::with_options(catalogue, &set.options);
    let queries: Vec<Query> = set.cases.iter().map(|c| c.query.clone()).collect();
    let rankings = rank(&engine, &queries);
    score(&set.name, &set.cases, &rankings, set.unanswerable.len())
}

/// The cases of one kind whose first suggestion is not labelled or whose labels are not all in
/// the first 3, with what came instead.
pub fn misses(catalogue: &Catalogue, set: &LabelledSet, kind: TargetKind) -> String {
    let engine = Engine::with_options(catalogue, &set.options);
    let queries: Vec<Query> = set.cases.iter().map(|c| c.query.clone()).collect();
    let rankings = rank(&engine, &queries);
    let mut out = String::new();
    for (case, ranking) in set.cases.iter().zip(&rankings) {
        let Some(groups) = case.labels.get(&kind).filter(|g| !g.is_empty()) else {
            continue;
        };
        let top: Vec<&Suggestion> = ranking.iter().filter(|s| s.kind == kind).take(3).collect();
        let all_found = groups
            .iter()
            .all(|g| top.iter().any(|s| g.contains(&s.target)));
        let first_right = top
            .first()
            .is_some_and(|s| groups.iter().any(|g| g.contains(&s.target)));
        if all_found && first_right {
            continue;
        }
        let expected: Vec<String> = groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|t| t.reference.as_str())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        let text: String = format!("{} {}", case.query.title, case.query.text)
            .chars()
            .take(110)
            .collect();
        let _ = writeln!(
            out,
            "{} [{}] {}",
            case.query.reference,
            expected.join(", "),
            text.replace('\n', " ")
        );
        for s in top {
            let _ = writeln!(
                out,
                "    {:.3} {} — {}",
                s.score, s.target.reference, s.reason
            );
        }
    }
    out
}

/// The targets the issue sets: service recall@3 and CAF precision@1 per set.
pub const SERVICE_RECALL_AT_3: f64 = 0.85;
pub const CAF_PRECISION_AT_1: f64 = 0.80;

/// The figures below their targets, one line each; empty when all are met.
pub fn shortfalls(report: &SetReport) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(m) = report.per_kind.get(&TargetKind::Service) {
        if m.recall_at_3 < SERVICE_RECALL_AT_3 {
            out.push(format!(
                "{}: service recall@3 {:.3} < {SERVICE_RECALL_AT_3}",
                report.name, m.recall_at_3
            ));
        }
    }
    if let Some(m) = report.per_kind.get(&TargetKind::Caf) {
        if m.precision_at_1 < CAF_PRECISION_AT_1 {
            out.push(format!(
                "{}: CAF precision@1 {:.3} < {CAF_PRECISION_AT_1}",
                report.name, m.precision_at_1
            ));
        }
    }
    out
}

/// A fixed-width table of reports, one row per set and kind.
pub fn table(reports: &[SetReport]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<26} {:<18} {:>6} {:>7} {:>7} {:>7}",
        "set", "kind", "cases", "P@1", "R@3", "MRR"
    );
    for r in reports {
        for (kind, m) in &r.per_kind {
            let _ = writeln!(
                out,
                "{:<26} {:<18} {:>6} {:>7.3} {:>7.3} {:>7.3}",
                r.name,
                kind.as_str(),
                m.cases,
                m.precision_at_1,
                m.recall_at_3,
                m.mrr
            );
        }
        if r.unanswerable > 0 {
            let _ = writeln!(
                out,
                "{:<26} ({} rows left out: their labelled target is not in the catalogue)",
                r.name, r.unanswerable
            );
        }
    }
    out
}

// ------------------------------------------------------------------ the Security Hub sample

/// The candidates for the Security Hub set: everything but the FSBP standard and the items that
/// are FSBP controls under another framework's name (Control Tower's `SH.*` controls carry a
/// `security_hub_control` attribute). Ranking the set against its own controls would be leakage.
pub fn without_fsbp(catalogue: &Catalogue) -> EngineOptions {
    let mut excluded_items = Vec::new();
    for fw in &catalogue.frameworks {
        for item in &fw.items {
            if item.attributes.get("security_hub_control").is_some() {
                excluded_items.push(QualifiedRef::new(&fw.id, &item.reference));
            }
        }
    }
    EngineOptions {
        excluded_frameworks: vec!["fsbp".to_string()],
        excluded_items,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrefixFile {
    prefix: BTreeMap<String, Vec<String>>,
}

/// Reads the Security Hub export (`csv_text`) and the table of control-id prefix → catalogue
/// services (`prefixes_toml`, `data/eval/securityhub-services.toml`). The query is the title and
/// the description with the control id removed; its ref is the row number.
pub fn securityhub_set(
    csv_name: &str,
    csv_text: &str,
    prefixes_name: &str,
    prefixes_toml: &str,
    catalogue: &Catalogue,
) -> Result<LabelledSet, EvalError> {
    let table: PrefixFile = toml::from_str(prefixes_toml).map_err(|e| EvalError::Toml {
        file: prefixes_name.to_string(),
        source: Box::new(e),
    })?;
    for (prefix, services) in &table.prefix {
        for s in services {
            if catalogue.item(&QualifiedRef::new("service", s)).is_none() {
                return Err(EvalError::Invalid {
                    file: prefixes_name.to_string(),
                    message: format!("prefix {prefix}: service '{s}' is not in the catalogue"),
                });
            }
        }
    }
    let text = csv_text.strip_prefix('\u{feff}').unwrap_or(csv_text);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| EvalError::Csv {
            file: csv_name.to_string(),
            row: 1,
            source: Box::new(e),
        })?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| EvalError::Invalid {
                file: csv_name.to_string(),
                message: format!("no column '{name}'"),
            })
    };
    let (id_col, title_col, text_col) = (
        column("Security Control ID")?,
        column("Title")?,
        column("Description")?,
    );
    let mut cases = Vec::new();
    let mut unanswerable = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| EvalError::Csv {
            file: csv_name.to_string(),
            row: e.position().map_or(n as u64 + 2, |p| p.line()),
            source: Box::new(e),
        })?;
        let id = record.get(id_col).unwrap_or("").trim();
        let prefix = id.split('.').next().unwrap_or("");
        let Some(services) = table.prefix.get(prefix) else {
            return Err(EvalError::Invalid {
                file: prefixes_name.to_string(),
                message: format!(
                    "no entry for prefix '{prefix}' (control {id}, row {})",
                    n + 2
                ),
            });
        };
        if services.is_empty() {
            unanswerable.push(format!(
                "{id}: the catalogue has no service for prefix {prefix}"
            ));
            continue;
        }
        let strip = |s: &str| s.replace(id, " ").trim().to_string();
        let query = Query {
            reference: format!("row-{}", n + 2),
            title: strip(record.get(title_col).unwrap_or("")),
            text: strip(record.get(text_col).unwrap_or("")),
            section: None,
        };
        let group: Vec<QualifiedRef> = services
            .iter()
            .map(|s| QualifiedRef::new("service", s))
            .collect();
        cases.push(Case {
            query,
            labels: BTreeMap::from([(TargetKind::Service, vec![group])]),
        });
    }
    Ok(LabelledSet {
        name: "securityhub-controls".to_string(),
        cases,
        options: without_fsbp(catalogue),
        unanswerable,
    })
}

// ------------------------------------------------------------------------ the demo requirements

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelFile {
    requirement: Vec<LabelEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelEntry {
    /// The requirement's id, or for a row without one, the start of its text.
    #[serde(default)]
    id: String,
    #[serde(default)]
    text_starts: String,
    /// Groups of services, alternatives separated by `|`.
    #[serde(default)]
    services: Vec<String>,
    caf: String,
    #[allow(dead_code)]
    #[serde(default)]
    why: String,
}

/// How the demo requirements are turned into queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoView {
    /// As `crosswalk suggest` gives them to the engine after an import: the merged "Domain"
    /// column as section, the "Reference" column appended to the text.
    AsImported,
    /// The requirement's sentence alone: no domain, no reference column.
    TextOnly,
}

/// The demo workbook's requirements, read by the same importer as `crosswalk import`, as
/// queries: (the query, whether its ref was generated). No label is involved.
pub fn demo_queries(
    workbook_name: &str,
    workbook: &[u8],
    view: DemoView,
) -> Result<Vec<(Query, bool)>, EvalError> {
    let import = crosswalk_sheets::read_requirements(
        workbook_name,
        workbook,
        &crosswalk_sheets::ImportOptions::default(),
    )
    .map_err(|e| EvalError::Invalid {
        file: workbook_name.to_string(),
        message: e.to_string(),
    })?;
    Ok(import
        .requirements
        .into_iter()
        .map(|r| {
            let query = match view {
                DemoView::AsImported => Query {
                    reference: r.reference.clone(),
                    title: r.title.clone(),
                    text: r.text.clone(),
                    section: r.section.clone(),
                }
                .with_attributes(r.attributes.iter()),
                DemoView::TextOnly => Query::new(r.reference.clone(), "", r.text.trim()),
            };
            (query, r.generated_ref)
        })
        .collect())
}

/// Attaches the labels of `data/eval/demo-labels.toml` to the demo queries: an entry with an
/// `id` labels the requirement with that ref, one with `text_starts` the row without an id whose
/// text starts so. Every requirement needs exactly one entry and every entry one requirement.
pub fn demo_set(
    queries: Vec<(Query, bool)>,
    labels_name: &str,
    labels_toml: &str,
    catalogue: &Catalogue,
    view: DemoView,
) -> Result<LabelledSet, EvalError> {
    let labels: LabelFile = toml::from_str(labels_toml).map_err(|e| EvalError::Toml {
        file: labels_name.to_string(),
        source: Box::new(e),
    })?;
    let invalid = |message: String| EvalError::Invalid {
        file: labels_name.to_string(),
        message,
    };
    let mut used = vec![false; labels.requirement.len()];
    let mut cases = Vec::new();
    for (query, generated) in queries {
        let found = labels.requirement.iter().position(|l| {
            if generated {
                l.id.is_empty()
                    && !l.text_starts.is_empty()
                    && query.text.trim_start().starts_with(&l.text_starts)
            } else {
                l.id == query.reference
            }
        });
        let Some(li) = found else {
            let name = if generated {
                query.text.chars().take(40).collect()
            } else {
                query.reference.clone()
            };
            return Err(invalid(format!("no labels for demo requirement '{name}'")));
        };
        if used[li] {
            return Err(invalid(format!(
                "labels entry {} matches two requirements",
                li + 1
            )));
        }
        used[li] = true;
        let l = &labels.requirement[li];
        let mut groups: Groups = Vec::new();
        for g in &l.services {
            let group: Vec<QualifiedRef> = g
                .split('|')
                .map(|s| QualifiedRef::new("service", s.trim()))
                .collect();
            for t in &group {
                if catalogue.item(t).is_none() {
                    return Err(invalid(format!(
                        "{}: {t} is not in the catalogue",
                        label_name(l)
                    )));
                }
            }
            groups.push(group);
        }
        let caf = QualifiedRef::new("caf", l.caf.trim());
        if catalogue.item(&caf).is_none() {
            return Err(invalid(format!(
                "{}: {caf} is not in the catalogue",
                label_name(l)
            )));
        }
        let labels = BTreeMap::from([
            (TargetKind::Service, groups),
            (TargetKind::Caf, vec![vec![caf]]),
        ]);
        cases.push(Case { query, labels });
    }
    if let Some(unused) = used.iter().position(|u| !u) {
        return Err(invalid(format!(
            "{} labels no demo requirement",
            label_name(&labels.requirement[unused])
        )));
    }
    let name = match view {
        DemoView::AsImported => "demo",
        DemoView::TextOnly => "demo (text only)",
    };
    Ok(LabelledSet {
        name: name.to_string(),
        cases,
        options: EngineOptions::default(),
        unanswerable: Vec::new(),
    })
}

fn label_name(l: &LabelEntry) -> String {
    if l.id.is_empty() {
        format!("entry '{}'", l.text_starts)
    } else {
        format!("entry {}", l.id)
    }
}

// ------------------------------------------------------------------------------ the shipped sets

/// The Security Hub export, relative to the shared folder.
pub const SECURITYHUB_CSV: &str = "samples/real/aws-securityhub-controls-export-sample.csv";
/// The label files and the demo workbook, relative to the workspace root.
pub const SECURITYHUB_LABELS: &str = "data/eval/securityhub-services.toml";
pub const DEMO_WORKBOOK: &str = "data/samples/demo-requirements.xlsx";
pub const DEMO_LABELS: &str = "data/eval/demo-labels.toml";

/// The shared folder: `CROSSWALK_SHARED_DIR` when set, else `<workspace root>/../shared`.
pub fn shared_dir(workspace_root: &Path) -> PathBuf {
    match std::env::var_os("CROSSWALK_SHARED_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => workspace_root.join("..").join("shared"),
    }
}

/// Every labelled set the project ships: the Security Hub sample, then the demo workbook as
/// imported and as bare text.
pub fn shipped_sets(
    workspace_root: &Path,
    catalogue: &Catalogue,
) -> Result<Vec<LabelledSet>, EvalError> {
    let read =
        |path: PathBuf| std::fs::read(&path).map_err(|source| EvalError::Io { path, source });
    let text = |path: PathBuf| {
        let bytes = read(path.clone())?;
        String::from_utf8(bytes).map_err(|e| EvalError::Invalid {
            file: path.display().to_string(),
            message: format!("not UTF-8: {e}"),
        })
    };
    let csv_path = shared_dir(workspace_root).join(SECURITYHUB_CSV);
    let csv_text = text(csv_path.clone())?;
    let prefixes = text(workspace_root.join(SECURITYHUB_LABELS))?;
    let workbook = read(workspace_root.join(DEMO_WORKBOOK))?;
    let labels = text(workspace_root.join(DEMO_LABELS))?;
    let mut sets = vec![securityhub_set(
        &csv_path.display().to_string(),
        &csv_text,
        SECURITYHUB_LABELS,
        &prefixes,
        catalogue,
    )?];
    for view in [DemoView::AsImported, DemoView::TextOnly] {
        let queries = demo_queries(DEMO_WORKBOOK, &workbook, view)?;
        sets.push(demo_set(queries, DEMO_LABELS, &labels, catalogue, view)?);
    }
    Ok(sets)
}

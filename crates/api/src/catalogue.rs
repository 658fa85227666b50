//! The reference catalogue: the shipped one, or the copy inside an engagement file.

use crate::engagement::{open_read, open_write, shipped_catalogue};
use crate::error::{ApiError, Result};
use crate::import::ImportRefs;
use crosswalk_domain::{
    Attributes, Catalogue, CatalogueFramework, CatalogueItem, FrameworkKind, ImportedRequirement,
    QualifiedRef, Relationship, SheetImport, SheetReport,
};
use crosswalk_store::Actor;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// The catalogue an engagement carries, or the shipped one without `--db`.
fn load(db: Option<&Path>) -> Result<Catalogue> {
    match db {
        Some(db) => Ok(open_read(db)?.catalogue()?),
        None => Ok(shipped_catalogue().clone()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueItemSummary {
    #[serde(rename = "ref")]
    pub reference: String,
    /// As the source publishes it; empty when it publishes none (never invented).
    pub title: String,
    pub parent: Option<String>,
    /// False when the source names the id but publishes no title or details for it.
    pub details_published: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameworkSummary {
    pub id: String,
    pub name: String,
    pub kind: FrameworkKind,
    pub version: String,
    /// Items whose source publishes no title or details ("no published details").
    pub unpublished: usize,
    pub items: Vec<CatalogueItemSummary>,
}

/// `catalogue list --json`: `{"version", "frameworks": [{"id", "name", "kind", "items": [...]}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueListing {
    pub version: String,
    pub frameworks: Vec<FrameworkSummary>,
}

pub fn catalogue_list(db: Option<&Path>) -> Result<CatalogueListing> {
    let c = load(db)?;
    Ok(CatalogueListing {
        version: c.version,
        frameworks: c
            .frameworks
            .into_iter()
            .map(|f| FrameworkSummary {
                id: f.id,
                name: f.name,
                kind: f.kind,
                version: f.version,
                unpublished: f.items.iter().filter(|i| !i.details_published).count(),
                items: f
                    .items
                    .into_iter()
                    .map(|i| CatalogueItemSummary {
                        reference: i.reference,
                        title: i.title,
                        parent: i.parent,
                        details_published: i.details_published,
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// A shipped link seen from one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkView {
    /// "outgoing" when the shown item is the link's source, else "incoming".
    pub direction: &'static str,
    pub relationship: Relationship,
    #[serde(rename = "ref")]
    pub reference: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueItemDetail {
    #[serde(rename = "ref")]
    pub reference: String,
    pub framework: String,
    pub framework_name: String,
    pub kind: FrameworkKind,
    pub title: String,
    pub text: String,
    pub parent: Option<String>,
    pub details_published: bool,
    pub attributes: Attributes,
    pub provenance: String,
    pub links: Vec<LinkView>,
}

/// One catalogue item by `FRAMEWORK:REF`, or by bare `REF` when only one framework has it.
pub fn catalogue_show(db: Option<&Path>, text: &str) -> Result<CatalogueItemDetail> {
    let c = load(db)?;
    let text = text.trim();
    let wanted = QualifiedRef::parse(text).filter(|q| c.item(q).is_some());
    let mut hits: Vec<QualifiedRef> = match wanted {
        Some(q) => vec![q],
        None => c
            .frameworks
            .iter()
            .flat_map(|f| {
                f.items
                    .iter()
                    .filter(|i| i.reference.eq_ignore_ascii_case(text))
                    .map(|i| QualifiedRef::new(&f.id, &i.reference))
            })
            .collect(),
    };
    if hits.len() > 1 {
        return Err(ApiError::Ambiguous {
            text: text.into(),
            candidates: hits.iter().map(ToString::to_string).collect(),
        });
    }
    let Some(q) = hits.pop() else {
        return Err(ApiError::NotFound {
            what: "catalogue item",
            text: text.into(),
            hint: "; `crosswalk catalogue search TEXT` finds items by their words".into(),
        });
    };
    let Some((fw, item)) = c.item(&q) else {
        return Err(ApiError::NotFound {
            what: "catalogue item",
            text: text.into(),
            hint: String::new(),
        });
    };
    let links = c
        .links
        .iter()
        .filter_map(|l| {
            if l.from == q {
                Some(("outgoing", &l.to, l))
            } else if l.to == q {
                Some(("incoming", &l.from, l))
            } else {
                None
            }
        })
        .map(|(direction, other, l)| LinkView {
            direction,
            relationship: l.relationship,
            reference: other.to_string(),
            note: l.note.clone(),
        })
        .collect();
    Ok(CatalogueItemDetail {
        reference: q.to_string(),
        framework: fw.id.clone(),
        framework_name: fw.name.clone(),
        kind: fw.kind,
        title: item.title.clone(),
        text: item.text.clone(),
        parent: item.parent.clone(),
        details_published: item.details_published,
        attributes: item.attributes.clone(),
        provenance: fw.provenance.clone(),
        links,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    #[serde(rename = "ref")]
    pub reference: String,
    pub kind: FrameworkKind,
    pub title: String,
    /// False when the source names the id but publishes no title or details for it.
    pub details_published: bool,
    /// How many of the searched words the ref and title contain (they count double) and the text;
    /// a ref equal to a word adds 4.
    pub score: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchResult {
    pub query: String,
    pub items: Vec<SearchHit>,
}

/// Catalogue items containing every word of `text` (case-insensitive) in their ref, title,
/// text or attributes; best first (words in ref and title weigh more), then catalogue order.
///
/// With an engagement file, its catalogue copy is searched with SQLite FTS5 instead: every word
/// as a word prefix in the ref, title or text, best first by bm25.
pub fn catalogue_search(db: Option<&Path>, text: &str, limit: usize) -> Result<SearchResult> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Err(ApiError::Invalid("search for at least one word".into()));
    }
    if let Some(db) = db {
        let hits = open_read(db)?.search_catalogue(text, limit)?;
        return Ok(SearchResult {
            query: text.to_string(),
            items: hits
                .into_iter()
                .map(|h| {
                    let head = format!("{} {}", h.reference, h.title).to_lowercase();
                    let body = h.text.to_lowercase();
                    let score = words
                        .iter()
                        .map(|w| {
                            2 * u32::from(head.contains(w.as_str()))
                                + u32::from(body.contains(w.as_str()))
                        })
                        .sum();
                    SearchHit {
                        reference: format!("{}:{}", h.framework, h.reference),
                        kind: h.kind,
                        title: h.title,
                        details_published: h.details_published,
                        score,
                    }
                })
                .collect(),
        });
    }
    let c = load(db)?;
    let mut hits = Vec::new();
    for f in &c.frameworks {
        for i in &f.items {
            let head = format!("{} {}", i.reference, i.title).to_lowercase();
            let attrs: String = i
                .attributes
                .iter()
                .map(|(_, v)| v)
                .collect::<Vec<_>>()
                .join(" ");
            let body = format!("{} {}", i.text, attrs).to_lowercase();
            let mut score = 0;
            let all = words.iter().all(|w| {
                let in_head = head.contains(w.as_str());
                let in_body = body.contains(w.as_str());
                score += 2 * u32::from(in_head) + u32::from(in_body);
                in_head || in_body
            });
            // An item whose ref is one of the words (`kms` → service:KMS) is what was meant.
            if words.iter().any(|w| i.reference.eq_ignore_ascii_case(w)) {
                score += 4;
            }
            if all {
                hits.push(SearchHit {
                    reference: format!("{}:{}", f.id, i.reference),
                    kind: f.kind,
                    title: i.title.clone(),
                    details_published: i.details_published,
                    score,
                });
            }
        }
    }
    // A stable sort keeps catalogue order among equal scores.
    hits.sort_by_key(|h| std::cmp::Reverse(h.score));
    hits.truncate(limit);
    Ok(SearchResult {
        query: text.to_string(),
        items: hits,
    })
}

/// What adopting a shipped framework did: the requirement set it made (or re-imported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdoptReport {
    pub set: String,
    pub framework: String,
    pub framework_name: String,
    pub framework_version: String,
    pub catalogue_version: String,
    /// Items of the framework, now requirements of the set.
    pub requirements: usize,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub unchanged: usize,
    pub diff: ImportRefs,
}

/// The set a framework is adopted into when none is named: the framework id itself is reserved
/// for the shipped framework, so `fsbp` becomes `fsbp-assessment`.
pub fn default_adopt_set(framework: &str) -> String {
    format!("{framework}-assessment")
}

/// The framework's items as requirement rows, in catalogue order: ref, title, text and parent as
/// shipped, every attribute kept, plus the qualified catalogue ref. The section is the title of
/// the item's top ancestor (a WA question, a workplan task) or, for flat frameworks, the service,
/// family or area the item belongs to.
fn framework_as_sheet(catalogue: &Catalogue, fw: &CatalogueFramework) -> SheetImport {
    let by_ref: HashMap<&str, &CatalogueItem> =
        fw.items.iter().map(|i| (i.reference.as_str(), i)).collect();
    let top = |item: &CatalogueItem| -> Option<String> {
        let mut at = item;
        let mut seen = 0;
        while let Some(parent) = at.parent.as_deref().and_then(|p| by_ref.get(p)) {
            at = parent;
            seen += 1;
            if seen > fw.items.len() {
                break;
            }
        }
        if std::ptr::eq(at, item) {
            return ["service", "family", "area"]
                .iter()
                .find_map(|a| item.attributes.get(a))
                .filter(|v| !v.is_empty())
                .map(str::to_string);
        }
        Some(if at.title.is_empty() {
            at.reference.clone()
        } else {
            format!("{} {}", at.reference, at.title)
        })
    };
    let sheet_name = fw.id.clone();
    let requirements: Vec<ImportedRequirement> = fw
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let mut attributes = Attributes::default();
            attributes.push("catalogue_ref", format!("{}:{}", fw.id, item.reference));
            if !item.details_published {
                attributes.push("details", crosswalk_domain::NO_PUBLISHED_DETAILS);
            }
            for (k, v) in item.attributes.iter() {
                attributes.push(k, v);
            }
            ImportedRequirement {
                reference: item.reference.clone(),
                source_ref: None,
                generated_ref: false,
                title: item.title.clone(),
                text: item.text.clone(),
                section: top(item),
                parent: item.parent.clone(),
                sheet: sheet_name.clone(),
                row: i as u32 + 1,
                attributes,
                withdrawn: false,
            }
        })
        .collect();
    // A digest of the item digests stands in for the file hash: the same content, the same hash.
    let file = format!("catalogue:{}@{}", fw.id, fw.version);
    let digest = ImportedRequirement {
        reference: file.clone(),
        source_ref: None,
        generated_ref: false,
        title: catalogue.version.clone(),
        text: requirements
            .iter()
            .map(crosswalk_sheets::content_hash)
            .collect::<Vec<_>>()
            .join(" "),
        section: None,
        parent: None,
        sheet: String::new(),
        row: 0,
        attributes: Attributes::default(),
        withdrawn: false,
    };
    SheetImport {
        file_sha256: crosswalk_sheets::content_hash(&digest),
        file,
        sheets: vec![SheetReport {
            name: sheet_name,
            header_row: 0,
            columns: Vec::new(),
            rows: requirements.len() as u32,
            notes: vec![format!(
                "adopted from the shipped catalogue {}",
                catalogue.version
            )],
        }],
        requirements,
        warnings: Vec::new(),
        notes: Vec::new(),
        alternative_sheets: Vec::new(),
    }
}

/// Adds the shipped framework `framework` to the engagement `db` (created when missing) as the
/// requirement set `set` (default `FRAMEWORK-assessment`): one transaction, one audit event.
/// Adopting again is a re-import: the diff against the set, mappings and assessments kept.
pub fn catalogue_adopt(
    db: &Path,
    actor: &Actor,
    framework: &str,
    set: Option<&str>,
) -> Result<AdoptReport> {
    let framework = framework.trim();
    let shipped = shipped_catalogue();
    if shipped.framework(framework).is_none() {
        return Err(ApiError::NotFound {
            what: "shipped framework",
            text: framework.into(),
            hint: format!(
                "; the shipped frameworks are: {}",
                shipped
                    .frameworks
                    .iter()
                    .map(|f| f.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    let set = set
        .map(str::to_string)
        .unwrap_or_else(|| default_adopt_set(framework));
    let mut e = open_write(db, actor)?;
    let catalogue = e.catalogue()?;
    let Some(fw) = catalogue.framework(framework) else {
        return Err(ApiError::NotFound {
            what: "framework in this engagement's catalogue",
            text: framework.into(),
            hint: String::new(),
        });
    };
    let sheet = framework_as_sheet(&catalogue, fw);
    let diff = e.import_requirements(actor, &set, &sheet)?;
    e.close()?;
    Ok(AdoptReport {
        set,
        framework: fw.id.clone(),
        framework_name: fw.name.clone(),
        framework_version: fw.version.clone(),
        catalogue_version: catalogue.version.clone(),
        requirements: sheet.requirements.len(),
        added: diff.added.len(),
        changed: diff.changed.len(),
        removed: diff.removed.len(),
        unchanged: diff.unchanged,
        diff: ImportRefs {
            added: diff.added,
            changed: diff.changed,
            removed: diff.removed,
        },
    })
}

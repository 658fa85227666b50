//! Parsing the catalogue files and checking every rule before a `Catalogue` exists.

use crate::error::{line_of, CatalogueError, Lines};
use crosswalk_domain::{
    Attributes, Catalogue, CatalogueFramework, CatalogueItem, CatalogueLink, FrameworkKind,
    QualifiedRef, Relationship,
};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use toml::Spanned;

/// The manifest that names the catalogue version and its framework files.
pub const MANIFEST: &str = "catalogue.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    version: Spanned<String>,
    frameworks: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkFile {
    framework: Spanned<FrameworkHeader>,
    #[serde(default)]
    item: Vec<Spanned<ItemEntry>>,
    #[serde(default)]
    link: Vec<Spanned<LinkEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkHeader {
    id: String,
    name: String,
    kind: FrameworkKind,
    version: String,
    provenance: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemEntry {
    #[serde(rename = "ref")]
    reference: String,
    title: String,
    #[serde(default)]
    text: String,
    parent: Option<String>,
    #[serde(default = "published_by_default")]
    details_published: bool,
    /// Read with their spans so that they keep the order they are written in (a TOML table is
    /// handed over sorted by key).
    #[serde(default)]
    attributes: BTreeMap<String, Spanned<String>>,
}

/// The attributes in the order the file writes them.
fn in_file_order(attributes: BTreeMap<String, Spanned<String>>) -> Attributes {
    let mut pairs: Vec<(usize, String, String)> = attributes
        .into_iter()
        .map(|(k, v)| (v.span().start, k, v.into_inner()))
        .collect();
    pairs.sort_by_key(|(at, _, _)| *at);
    Attributes(pairs.into_iter().map(|(_, k, v)| (k, v)).collect())
}

fn published_by_default() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkEntry {
    from: String,
    to: String,
    relationship: Relationship,
    #[serde(default)]
    note: String,
}

/// `MAJOR.MINOR.PATCH`, digits only, no leading zeros (so versions compare as numbers).
pub fn is_version(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        })
}

/// The three numbers of a version that passed [`is_version`].
pub fn version_numbers(text: &str) -> Option<(u64, u64, u64)> {
    if !is_version(text) {
        return None;
    }
    let mut it = text.split('.').map(|p| p.parse::<u64>().ok());
    Some((it.next()??, it.next()??, it.next()??))
}

fn is_framework_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Builds the catalogue from the manifest text and a way to fetch each file it lists.
pub fn assemble(
    manifest_text: &str,
    mut fetch: impl FnMut(&str) -> Result<String, CatalogueError>,
) -> Result<Catalogue, CatalogueError> {
    let manifest: ManifestFile =
        toml::from_str(manifest_text).map_err(|e| CatalogueError::parse(MANIFEST, e))?;
    if !is_version(manifest.version.get_ref()) {
        return Err(CatalogueError::invalid(
            MANIFEST,
            "version",
            Some(line_of(manifest_text, manifest.version.span().start)),
            format!(
                "'{}' is not a version of the form MAJOR.MINOR.PATCH",
                manifest.version.get_ref()
            ),
        ));
    }

    let mut frameworks = Vec::new();
    let mut pending_links = Vec::new();
    let mut seen_files = HashSet::new();
    for file in &manifest.frameworks {
        let name = file.get_ref();
        let line = Some(line_of(manifest_text, file.span().start));
        if !is_plain_file_name(name) {
            return Err(CatalogueError::invalid(
                MANIFEST,
                format!("framework file '{name}'"),
                line,
                "must be a .toml file name in the same folder",
            ));
        }
        if !seen_files.insert(name.clone()) {
            return Err(CatalogueError::invalid(
                MANIFEST,
                format!("framework file '{name}'"),
                line,
                "listed twice",
            ));
        }
        let text = fetch(name)?;
        let (framework, links) = parse_framework(name, &text)?;
        if let Some(other) = frameworks
            .iter()
            .find(|(_, f): &&(String, CatalogueFramework)| f.id == framework.id)
        {
            return Err(CatalogueError::invalid(
                name,
                format!("framework '{}'", framework.id),
                None,
                format!("the same framework id is already defined in {}", other.0),
            ));
        }
        pending_links.push((name.clone(), text, links));
        frameworks.push((name.clone(), framework));
    }

    // Links are checked once every framework is known, because they may point forwards.
    let index: HashMap<&str, HashSet<&str>> = frameworks
        .iter()
        .map(|(_, f)| {
            (
                f.id.as_str(),
                f.items.iter().map(|i| i.reference.as_str()).collect(),
            )
        })
        .collect();
    let mut links = Vec::new();
    for (file, text, entries) in &pending_links {
        let own = file.trim_end_matches(".toml");
        let lines = Lines::new(text);
        let mut pairs = HashSet::new();
        for entry in entries {
            let line = Some(lines.line(entry.span().start));
            let l = entry.get_ref();
            let label = format!("link '{} -> {}'", l.from, l.to);
            let from = QualifiedRef::parse(&l.from).ok_or_else(|| {
                CatalogueError::invalid(file, &label, line, "'from' must be FRAMEWORK:REF")
            })?;
            let to = QualifiedRef::parse(&l.to).ok_or_else(|| {
                CatalogueError::invalid(file, &label, line, "'to' must be FRAMEWORK:REF")
            })?;
            if from.framework != own {
                return Err(CatalogueError::invalid(
                    file,
                    &label,
                    line,
                    format!("a link is kept in the file of its 'from' framework ('{own}')"),
                ));
            }
            for (end, r) in [("from", &from), ("to", &to)] {
                let known = index
                    .get(r.framework.as_str())
                    .is_some_and(|refs| refs.contains(r.reference.as_str()));
                if !known {
                    return Err(CatalogueError::invalid(
                        file,
                        &label,
                        line,
                        format!("'{end}' names {r}, which is not in the catalogue"),
                    ));
                }
            }
            if from == to {
                return Err(CatalogueError::invalid(
                    file,
                    &label,
                    line,
                    "links an item to itself",
                ));
            }
            if !pairs.insert((from.clone(), to.clone())) {
                return Err(CatalogueError::invalid(
                    file,
                    &label,
                    line,
                    "duplicate link between the same two items",
                ));
            }
            links.push(CatalogueLink {
                from,
                to,
                relationship: l.relationship,
                note: l.note.clone(),
            });
        }
    }

    Ok(Catalogue {
        version: manifest.version.into_inner(),
        frameworks: frameworks.into_iter().map(|(_, f)| f).collect(),
        links,
    })
}

fn is_plain_file_name(name: &str) -> bool {
    name.ends_with(".toml")
        && name.len() > ".toml".len()
        && !name.contains(['/', '\\'])
        && !name.starts_with('.')
}

type PendingLinks = Vec<Spanned<LinkEntry>>;

fn parse_framework(
    file: &str,
    text: &str,
) -> Result<(CatalogueFramework, PendingLinks), CatalogueError> {
    let parsed: FrameworkFile = toml::from_str(text).map_err(|e| CatalogueError::parse(file, e))?;
    let header_line = Some(line_of(text, parsed.framework.span().start));
    let header = parsed.framework.into_inner();
    let entry = format!("framework '{}'", header.id);
    if !is_framework_id(&header.id) {
        return Err(CatalogueError::invalid(
            file,
            entry,
            header_line,
            "the id must be lower-case letters, digits, '-' or '_'",
        ));
    }
    if file.trim_end_matches(".toml") != header.id {
        return Err(CatalogueError::invalid(
            file,
            entry,
            header_line,
            format!(
                "a framework lives in a file named after its id ({}.toml)",
                header.id
            ),
        ));
    }
    if header.kind == FrameworkKind::Requirements {
        return Err(CatalogueError::invalid(
            file,
            entry,
            header_line,
            "kind 'requirements' is for imported sets, not shipped frameworks",
        ));
    }
    if !is_version(&header.version) {
        return Err(CatalogueError::invalid(
            file,
            entry,
            header_line,
            format!(
                "version '{}' is not of the form MAJOR.MINOR.PATCH",
                header.version
            ),
        ));
    }
    if header.name.trim().is_empty() {
        return Err(CatalogueError::invalid(
            file,
            entry,
            header_line,
            "the name is empty",
        ));
    }

    let mut items = Vec::with_capacity(parsed.item.len());
    let mut lines = HashMap::new();
    let line_index = Lines::new(text);
    for spanned in parsed.item {
        let line = line_index.line(spanned.span().start);
        let item = spanned.into_inner();
        let label = format!("item '{}'", item.reference);
        if item.reference.is_empty() || item.reference.trim() != item.reference {
            return Err(CatalogueError::invalid(
                file,
                label,
                Some(line),
                "a ref must be non-empty and carry no surrounding spaces",
            ));
        }
        if item.details_published && item.title.trim().is_empty() {
            return Err(CatalogueError::invalid(
                file,
                label,
                Some(line),
                "the title is empty; set details_published = false when the source publishes none",
            ));
        }
        if let Some(first) = lines.insert(item.reference.clone(), line) {
            return Err(CatalogueError::invalid(
                file,
                label,
                Some(line),
                format!("duplicate ref, first defined at line {first}"),
            ));
        }
        items.push(CatalogueItem {
            reference: item.reference,
            title: item.title,
            text: item.text,
            parent: item.parent,
            details_published: item.details_published,
            attributes: in_file_order(item.attributes),
        });
    }
    check_parents(file, &items, &lines)?;

    Ok((
        CatalogueFramework {
            id: header.id,
            name: header.name,
            kind: header.kind,
            version: header.version,
            provenance: header.provenance,
            items,
        },
        parsed.link,
    ))
}

/// Every parent exists in the same framework and no item is its own ancestor.
fn check_parents(
    file: &str,
    items: &[CatalogueItem],
    lines: &HashMap<String, usize>,
) -> Result<(), CatalogueError> {
    let parents: HashMap<&str, &str> = items
        .iter()
        .filter_map(|i| i.parent.as_deref().map(|p| (i.reference.as_str(), p)))
        .collect();
    for item in items {
        let Some(parent) = item.parent.as_deref() else {
            continue;
        };
        let label = format!("item '{}'", item.reference);
        let line = lines.get(&item.reference).copied();
        if !lines.contains_key(parent) {
            return Err(CatalogueError::invalid(
                file,
                label,
                line,
                format!("parent '{parent}' is not an item of this framework"),
            ));
        }
        let mut seen = HashSet::from([item.reference.as_str()]);
        let mut current = parent;
        loop {
            if !seen.insert(current) {
                return Err(CatalogueError::invalid(
                    file,
                    label,
                    line,
                    "the parent chain loops back to this item",
                ));
            }
            match parents.get(current) {
                Some(next) => current = next,
                None => break,
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_three_plain_numbers() {
        assert!(is_version("1.0.0"));
        assert!(is_version("10.20.30"));
        assert!(!is_version("1.0"), "two parts are not enough");
        assert!(!is_version("1.0.0-beta"), "no pre-release suffix");
        assert!(
            !is_version("01.0.0"),
            "leading zeros would compare wrongly as text"
        );
        assert!(!is_version("v1.0.0"));
        assert_eq!(version_numbers("2.10.3"), Some((2, 10, 3)));
        assert_eq!(version_numbers("2.x.3"), None);
    }
}

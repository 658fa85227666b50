//! The shipped catalogue's copy inside an engagement file: installed on creation, upgraded when
//! a newer one ships, read back as a [`Catalogue`] so the engagement is complete on its own.

use crate::engagement::{Actor, View};
use crate::error::{Result, StoreError};
use crate::items::attributes_from_json;
use crosswalk_domain::{
    Attributes, Catalogue, CatalogueFramework, CatalogueItem, CatalogueLink, FrameworkKind,
    QualifiedRef,
};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::HashSet;

/// What installing a catalogue version did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CatalogueChange {
    pub version: String,
    pub frameworks: usize,
    pub items_added: usize,
    pub items_changed: usize,
    /// Items no longer shipped: kept (mappings may point at them) but marked removed.
    pub items_removed: usize,
    pub links: usize,
}

/// Compares dotted versions part by part, numerically where both parts are numbers.
pub(crate) fn compare_versions(a: &str, b: &str) -> Ordering {
    let mut left = a.split(['.', '-']);
    let mut right = b.split(['.', '-']);
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (Some(_), None) => return Ordering::Greater,
            (None, Some(_)) => return Ordering::Less,
            (Some(x), Some(y)) => {
                let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

pub(crate) fn is_newer(candidate: &str, stored: &str) -> bool {
    compare_versions(candidate, stored) == Ordering::Greater
}

/// Landing-zone controls that are always on (Control Tower's mandatory guidance) start enabled.
fn always_enabled(item: &CatalogueItem) -> bool {
    item.attributes.iter().any(|(k, v)| {
        k.to_ascii_lowercase().contains("guidance") && v.trim().eq_ignore_ascii_case("mandatory")
    })
}

fn attributes_json(attributes: &Attributes) -> Result<String> {
    Ok(serde_json::to_string(attributes)?)
}

/// Upserts every shipped framework, item and link; withdraws what is no longer shipped.
pub(crate) fn install(
    conn: &Connection,
    actor: &Actor,
    catalogue: &Catalogue,
) -> Result<CatalogueChange> {
    let now = actor.timestamp();
    let mut change = CatalogueChange {
        version: catalogue.version.clone(),
        ..Default::default()
    };
    for fw in &catalogue.frameworks {
        let existing: Option<(i64, bool)> = conn
            .query_row(
                "SELECT id, shipped FROM frameworks WHERE key = ?1",
                [&fw.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let framework_id = match existing {
            Some((_, false)) => {
                return Err(StoreError::Invalid(format!(
                    "the catalogue ships a framework '{}' but this engagement has a requirement \
                     set of that name; rename the set before upgrading",
                    fw.id
                )))
            }
            Some((id, true)) => {
                conn.execute(
                    "UPDATE frameworks SET name = ?2, kind = ?3, version = ?4, provenance = ?5
                     WHERE id = ?1",
                    params![id, fw.name, fw.kind.as_str(), fw.version, fw.provenance],
                )?;
                id
            }
            None => {
                conn.execute(
                    "INSERT INTO frameworks (key, name, kind, version, shipped, provenance, created_at)
                     VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)",
                    params![fw.id, fw.name, fw.kind.as_str(), fw.version, fw.provenance, now],
                )?;
                conn.last_insert_rowid()
            }
        };
        change.frameworks += 1;

        let mut seen = HashSet::new();
        for (position, item) in fw.items.iter().enumerate() {
            seen.insert(item.reference.as_str());
            let attributes = attributes_json(&item.attributes)?;
            // The id, and whether the stored copy already equals the shipped one.
            let old: Option<(i64, bool)> = conn
                .query_row(
                    "SELECT id, title = ?3 AND text = ?4 AND parent_ref IS ?5 AND attributes = ?6
                                AND details_published = ?7 AND removed = 0
                     FROM items WHERE framework_id = ?1 AND ref = ?2",
                    params![
                        framework_id,
                        item.reference,
                        item.title,
                        item.text,
                        item.parent,
                        attributes,
                        item.details_published
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let position = position as i64;
            let item_id = match old {
                None => {
                    conn.execute(
                        "INSERT INTO items (framework_id, ref, title, text, parent_ref, position,
                                            attributes, details_published)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![
                            framework_id,
                            item.reference,
                            item.title,
                            item.text,
                            item.parent,
                            position,
                            attributes,
                            item.details_published
                        ],
                    )?;
                    change.items_added += 1;
                    conn.last_insert_rowid()
                }
                Some((id, same)) => {
                    if !same {
                        change.items_changed += 1;
                    }
                    conn.execute(
                        "UPDATE items SET title = ?2, text = ?3, parent_ref = ?4, position = ?5,
                                          attributes = ?6, details_published = ?7, removed = 0
                         WHERE id = ?1",
                        params![
                            id,
                            item.title,
                            item.text,
                            item.parent,
                            position,
                            attributes,
                            item.details_published
                        ],
                    )?;
                    id
                }
            };
            if fw.kind == FrameworkKind::LzControls && always_enabled(item) {
                // Only fills a gap: a choice already made in the profile stands.
                conn.execute(
                    "INSERT OR IGNORE INTO landing_zone_profile (item_id, enabled, note, updated_at)
                     VALUES (?1, 1, 'mandatory: always enabled by the landing zone', ?2)",
                    params![item_id, now],
                )?;
            }
        }
        let mut stmt = conn.prepare(
            "SELECT id, ref FROM items WHERE framework_id = ?1 AND removed = 0 AND extra = 0",
        )?;
        let stale: Vec<i64> = stmt
            .query_map([framework_id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter(|(_, r)| !seen.contains(r.as_str()))
            .map(|(id, _)| id)
            .collect();
        for id in stale {
            conn.execute("UPDATE items SET removed = 1 WHERE id = ?1", [id])?;
            change.items_removed += 1;
        }
    }

    // Shipped links are the catalogue's own; user mappings never have origin 'shipped'.
    conn.execute("DELETE FROM mappings WHERE origin = 'shipped'", [])?;
    for link in &catalogue.links {
        let from = shipped_item_id(conn, &link.from)?;
        let to = shipped_item_id(conn, &link.to)?;
        let (Some(from), Some(to)) = (from, to) else {
            return Err(StoreError::Invalid(format!(
                "catalogue {} links {} to {}, but one of them is not in it",
                catalogue.version, link.from, link.to
            )));
        };
        if from == to {
            continue;
        }
        change.links += conn.execute(
            "INSERT OR IGNORE INTO mappings (source_item_id, target_item_id, relationship,
                 status, rationale, origin, author, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'accepted', ?4, 'shipped', 'catalogue', ?5, ?5)",
            params![from, to, link.relationship.as_str(), link.note, now],
        )?;
    }
    Ok(change)
}

fn shipped_item_id(conn: &Connection, r: &QualifiedRef) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT i.id FROM items i JOIN frameworks f ON f.id = i.framework_id
             WHERE f.key = ?1 AND i.ref = ?2 AND f.shipped = 1",
            params![r.framework, r.reference],
            |r| r.get(0),
        )
        .optional()?)
}

impl View {
    /// The catalogue copy this engagement carries (items no longer shipped left out).
    pub fn catalogue(&self) -> Result<Catalogue> {
        let version = self.info()?.catalogue_version;
        let mut fw_stmt = self.conn.prepare(
            "SELECT id, key, name, kind, version, provenance FROM frameworks
             WHERE shipped = 1 ORDER BY id",
        )?;
        let frameworks: Vec<(i64, String, String, String, String, String)> = fw_stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut item_stmt = self.conn.prepare(
            "SELECT ref, title, text, parent_ref, details_published, attributes FROM items
             WHERE framework_id = ?1 AND removed = 0 ORDER BY position",
        )?;
        let mut out = Vec::with_capacity(frameworks.len());
        for (id, key, name, kind, fw_version, provenance) in frameworks {
            let rows: Vec<(String, String, String, Option<String>, bool, String)> = item_stmt
                .query_map([id], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let items = rows
                .into_iter()
                .map(
                    |(reference, title, text, parent, details_published, attrs)| {
                        Ok(CatalogueItem {
                            reference,
                            title,
                            text,
                            parent,
                            details_published,
                            attributes: attributes_from_json(&attrs)?,
                        })
                    },
                )
                .collect::<Result<Vec<_>>>()?;
            out.push(CatalogueFramework {
                id: key,
                name,
                kind: kind
                    .parse()
                    .map_err(|e| StoreError::Invalid(format!("{e}")))?,
                version: fw_version,
                provenance,
                items,
            });
        }
        let mut link_stmt = self.conn.prepare(
            "SELECT fs.key, s.ref, ft.key, t.ref, m.relationship, m.rationale
             FROM mappings m
             JOIN items s ON s.id = m.source_item_id JOIN frameworks fs ON fs.id = s.framework_id
             JOIN items t ON t.id = m.target_item_id JOIN frameworks ft ON ft.id = t.framework_id
             WHERE m.origin = 'shipped' ORDER BY m.id",
        )?;
        let raw: Vec<(String, String, String, String, String, String)> = link_stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let links = raw
            .into_iter()
            .map(|(ff, fr, tf, tr, rel, note)| {
                Ok(CatalogueLink {
                    from: QualifiedRef::new(ff, fr),
                    to: QualifiedRef::new(tf, tr),
                    relationship: rel
                        .parse()
                        .map_err(|e| StoreError::Invalid(format!("{e}")))?,
                    note,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Catalogue {
            version,
            frameworks: out,
            links,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically_part_by_part() {
        assert!(
            is_newer("2025.10", "2025.9"),
            "10 is after 9, not before as text would sort"
        );
        assert!(is_newer("1.0.1", "1.0"), "an extra part is newer");
        assert!(!is_newer("1.0", "1.0"), "the same version is not newer");
        assert!(!is_newer("0.9", "1.0"));
    }
}

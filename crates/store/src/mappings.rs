//! Items by ref, and the mappings between them.

use crate::audit::AuditEvent;
use crate::engagement::{Actor, Engagement, View};
use crate::error::{Result, StoreError};
use crosswalk_domain::{
    FrameworkKind, MappingStatus, Origin, QualifiedRef, Relationship, Responsibility,
};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, OptionalExtension, Row};
use serde::Serialize;

/// An item as a mapping end: enough to name it and know what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRef {
    pub id: i64,
    pub framework: String,
    pub kind: FrameworkKind,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub text: String,
    pub shipped: bool,
    /// Gone from the latest source file or catalogue.
    pub removed: bool,
}

impl ItemRef {
    pub fn qualified(&self) -> QualifiedRef {
        QualifiedRef::new(&self.framework, &self.reference)
    }
}

const ITEM_COLUMNS: &str = "i.id, f.key, f.kind, i.ref, i.title, i.text, f.shipped, i.removed";

fn item_ref(r: &Row<'_>, at: usize) -> rusqlite::Result<ItemRef> {
    let kind: String = r.get(at + 2)?;
    Ok(ItemRef {
        id: r.get(at)?,
        framework: r.get(at + 1)?,
        kind: kind.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                at + 2,
                rusqlite::types::Type::Text,
                Box::new(e),
            )
        })?,
        reference: r.get(at + 3)?,
        title: r.get(at + 4)?,
        text: r.get(at + 5)?,
        shipped: r.get(at + 6)?,
        removed: r.get(at + 7)?,
    })
}

/// A mapping to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingInput {
    pub source: i64,
    pub target: i64,
    pub relationship: Relationship,
    pub responsibility: Option<Responsibility>,
    pub status: MappingStatus,
    pub rationale: String,
    pub origin: Origin,
}

/// A stored mapping with both ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingRow {
    pub id: i64,
    pub source: ItemRef,
    pub target: ItemRef,
    pub relationship: Relationship,
    pub responsibility: Option<Responsibility>,
    pub status: MappingStatus,
    pub rationale: String,
    pub origin: Origin,
    pub author: String,
    pub created_at: String,
    pub updated_at: String,
}

/// What recording one mapping did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingChange {
    Created,
    Updated,
    /// The same mapping was already stored; nothing was written.
    Unchanged,
}

fn term<T: std::str::FromStr>(text: String, at: usize) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(at, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(crate) fn mapping_row(r: &Row<'_>) -> rusqlite::Result<MappingRow> {
    Ok(MappingRow {
        id: r.get(0)?,
        relationship: term(r.get(1)?, 1)?,
        responsibility: match r.get::<_, Option<String>>(2)? {
            Some(t) => Some(term(t, 2)?),
            None => None,
        },
        status: term(r.get(3)?, 3)?,
        rationale: r.get(4)?,
        origin: term(r.get(5)?, 5)?,
        author: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
        source: item_ref(r, 9)?,
        target: item_ref(r, 17)?,
    })
}

pub(crate) fn mapping_json(m: &MappingRow) -> serde_json::Value {
    serde_json::json!({
        "source": m.source.qualified().to_string(),
        "target": m.target.qualified().to_string(),
        "relationship": m.relationship,
        "responsibility": m.responsibility,
        "status": m.status,
        "rationale": m.rationale,
        "origin": m.origin,
    })
}

pub(crate) const MAPPING_SELECT: &str =
    "SELECT m.id, m.relationship, m.responsibility, m.status, m.rationale,
        m.origin, m.author, m.created_at, m.updated_at,
        s.id, sf.key, sf.kind, s.ref, s.title, s.text, sf.shipped, s.removed,
        t.id, tf.key, tf.kind, t.ref, t.title, t.text, tf.shipped, t.removed
    FROM mappings m
    JOIN items s ON s.id = m.source_item_id JOIN frameworks sf ON sf.id = s.framework_id
    JOIN items t ON t.id = m.target_item_id JOIN frameworks tf ON tf.id = t.framework_id";

/// Which mappings to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappingFilter {
    /// Only mappings from requirements of this set.
    pub set: Option<String>,
    pub status: Option<MappingStatus>,
    /// Include the catalogue's own links.
    pub include_shipped: bool,
    /// Only mappings from this item (a requirement's own).
    pub source: Option<i64>,
    /// Only accepted or rejected mappings a person may have decided: recorded by hand,
    /// accepted from a suggestion or read from a matrix (never proposed, derived or shipped).
    pub decided: bool,
    /// Leave out accepted suggestions and matrix rows whose rationale starts with this text
    /// (a bulk acceptance not reviewed since).
    pub bulk_rationale: Option<String>,
}

impl View {
    /// Items whose ref is `reference`, in the framework or set `framework` when given. An exact
    /// match wins; otherwise the ref is compared without regard to case.
    pub fn find_items(&self, framework: Option<&str>, reference: &str) -> Result<Vec<ItemRef>> {
        for exact in [true, false] {
            let compare = if exact {
                "i.ref = ?1"
            } else {
                "i.ref = ?1 COLLATE NOCASE"
            };
            let mut sql = format!(
                "SELECT {ITEM_COLUMNS} FROM items i JOIN frameworks f ON f.id = i.framework_id
                 WHERE {compare}"
            );
            let mut args = vec![SqlValue::Text(reference.trim().to_string())];
            if let Some(fw) = framework {
                sql.push_str(" AND f.key = ?2 COLLATE NOCASE");
                args.push(SqlValue::Text(fw.trim().to_string()));
            }
            sql.push_str(" ORDER BY f.id, i.position");
            let mut stmt = self.conn.prepare(&sql)?;
            let found: Vec<ItemRef> = stmt
                .query_map(params_from_iter(args.iter()), |r| item_ref(r, 0))?
                .collect::<rusqlite::Result<_>>()?;
            if !found.is_empty() {
                return Ok(found);
            }
        }
        Ok(Vec::new())
    }

    pub fn item(&self, id: i64) -> Result<ItemRef> {
        item_by_id(&self.conn, id)
    }

    /// Mappings, ordered by requirement (source order) then target.
    pub fn mappings(&self, filter: &MappingFilter) -> Result<Vec<MappingRow>> {
        let mut sql = format!("{MAPPING_SELECT} WHERE 1");
        let mut args = Vec::new();
        if !filter.include_shipped {
            sql.push_str(" AND m.origin <> 'shipped'");
        }
        if let Some(set) = &filter.set {
            sql.push_str(" AND sf.key = ?");
            args.push(SqlValue::Text(set.clone()));
        }
        if let Some(status) = filter.status {
            sql.push_str(" AND m.status = ?");
            args.push(SqlValue::Text(status.as_str().into()));
        }
        if let Some(source) = filter.source {
            sql.push_str(" AND m.source_item_id = ?");
            args.push(SqlValue::Integer(source));
        }
        if filter.decided {
            sql.push_str(
                " AND m.status <> 'proposed' AND m.origin IN ('manual', 'suggested', 'imported')",
            );
        }
        if let Some(prefix) = &filter.bulk_rationale {
            sql.push_str(
                " AND NOT (m.origin IN ('suggested', 'imported')
                           AND substr(m.rationale, 1, length(?)) = ?)",
            );
            args.push(SqlValue::Text(prefix.clone()));
            args.push(SqlValue::Text(prefix.clone()));
        }
        sql.push_str(" ORDER BY sf.id, s.position, tf.id, t.position");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), mapping_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl View {
    /// The mappings [`View::mappings`] gives with the default filter, in the same order, for
    /// readers that already hold the requirements' texts: a source that is a current
    /// requirement comes with an empty title and text, and every target with an empty text
    /// (its title is kept). A removed requirement keeps its title and text.
    pub fn mappings_without_texts(&self) -> Result<Vec<MappingRow>> {
        // Sorted here rather than by SQLite: its sorter would carry every column (rationales
        // included) and spill to a temporary file on a large engagement.
        let mut stmt = self.conn.prepare(
            "SELECT m.id, m.relationship, m.responsibility, m.status, m.rationale,
                m.origin, m.author, m.created_at, m.updated_at,
                s.id, sf.key, sf.kind, s.ref,
                CASE WHEN s.removed = 0 AND sf.kind = 'requirements' THEN '' ELSE s.title END,
                CASE WHEN s.removed = 0 AND sf.kind = 'requirements' THEN '' ELSE s.text END,
                sf.shipped, s.removed,
                t.id, tf.key, tf.kind, t.ref, t.title, '', tf.shipped, t.removed,
                sf.id, s.position, tf.id, t.position
            FROM mappings m
            JOIN items s ON s.id = m.source_item_id JOIN frameworks sf ON sf.id = s.framework_id
            JOIN items t ON t.id = m.target_item_id JOIN frameworks tf ON tf.id = t.framework_id
            WHERE m.origin <> 'shipped'",
        )?;
        let rows = stmt.query_map([], |r| {
            let order: [i64; 4] = [r.get(25)?, r.get(26)?, r.get(27)?, r.get(28)?];
            Ok((order, mapping_row(r)?))
        })?;
        let mut all: Vec<([i64; 4], MappingRow)> = rows.collect::<rusqlite::Result<_>>()?;
        all.sort_by_key(|(order, _)| *order);
        Ok(all.into_iter().map(|(_, m)| m).collect())
    }
}

fn item_by_id(conn: &rusqlite::Connection, id: i64) -> Result<ItemRef> {
    conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS} FROM items i JOIN frameworks f ON f.id = i.framework_id
         WHERE i.id = ?1"
    ))?
    .query_row([id], |r| item_ref(r, 0))
    .optional()?
    .ok_or_else(|| StoreError::UnknownItem {
        reference: format!("#{id}"),
    })
}

/// Above this many mappings in one change (a bulk acceptance), the change runs with the larger
/// page cache an import uses: the mappings, their audit entries and the indexes they touch would
/// otherwise be spilled to the WAL and read back while the transaction runs.
const BULK_MAPPINGS: usize = 1_000;

/// Refuses a mapping from a shipped item, a shipped link made by hand, a mapping of an item
/// to itself and unknown items.
fn check_input(conn: &rusqlite::Connection, input: &MappingInput) -> Result<()> {
    let source = item_by_id(conn, input.source)?;
    if source.shipped {
        return Err(StoreError::Invalid(format!(
            "{} is a shipped catalogue item; map from a requirement instead",
            source.qualified()
        )));
    }
    if input.origin == Origin::Shipped {
        return Err(StoreError::Invalid(
            "only the catalogue makes shipped links".into(),
        ));
    }
    if input.source == input.target {
        return Err(StoreError::Invalid(format!(
            "{} cannot be mapped to itself",
            source.qualified()
        )));
    }
    item_by_id(conn, input.target)?;
    Ok(())
}

fn mapping_between(
    conn: &rusqlite::Connection,
    source: i64,
    target: i64,
) -> Result<Option<MappingRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "{MAPPING_SELECT} WHERE m.source_item_id = ?1 AND m.target_item_id = ?2"
        ))?
        .query_row(params![source, target], mapping_row)
        .optional()?)
}

impl Engagement {
    /// Records mappings in one transaction, one audit event per mapping that changed. A pair
    /// already mapped is updated (one mapping per pair); shipped catalogue items and links are
    /// read-only.
    pub fn put_mappings(
        &mut self,
        actor: &Actor,
        inputs: &[MappingInput],
    ) -> Result<Vec<MappingChange>> {
        if inputs.len() > BULK_MAPPINGS {
            return self.with_bulk_cache(|e| e.put_mappings_in_one(actor, inputs));
        }
        self.put_mappings_in_one(actor, inputs)
    }

    fn put_mappings_in_one(
        &mut self,
        actor: &Actor,
        inputs: &[MappingInput],
    ) -> Result<Vec<MappingChange>> {
        let now = actor.timestamp();
        // Everything is checked and written in one write transaction: the "before" state read
        // inside it means a writer racing this one is either fully before it or fully after
        // it, so the audit entry's before/after is what really changed; and thousands of
        // mappings (a bulk acceptance) take one lock instead of a read transaction per check.
        self.mutate(actor, |tx| {
            for input in inputs {
                check_input(tx, input)?;
            }
            let mut changes = Vec::with_capacity(inputs.len());
            let mut events = Vec::new();
            for input in inputs {
                let before = mapping_between(tx, input.source, input.target)?;
                let same = before.as_ref().is_some_and(|b| {
                    b.relationship == input.relationship
                        && b.responsibility == input.responsibility
                        && b.status == input.status
                        && b.rationale == input.rationale
                        && b.origin == input.origin
                });
                if same {
                    changes.push(MappingChange::Unchanged);
                    continue;
                }
                // Cached statements throughout: a bulk acceptance stores thousands of mappings
                // in this loop, and compiling each statement per mapping cost more than
                // running it.
                tx.prepare_cached(
                    "INSERT INTO mappings (source_item_id, target_item_id, relationship,
                         responsibility, status, rationale, origin, author, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
                     ON CONFLICT (source_item_id, target_item_id) DO UPDATE SET
                         relationship = excluded.relationship,
                         responsibility = excluded.responsibility, status = excluded.status,
                         rationale = excluded.rationale, origin = excluded.origin,
                         author = excluded.author, updated_at = excluded.updated_at",
                )?
                .execute(params![
                    input.source,
                    input.target,
                    input.relationship.as_str(),
                    input.responsibility.map(|r| r.as_str()),
                    input.status.as_str(),
                    input.rationale,
                    input.origin.as_str(),
                    actor.name,
                    now
                ])?;
                let after = mapping_between(tx, input.source, input.target)?.ok_or_else(|| {
                    StoreError::Invalid("a mapping just stored cannot be read back".into())
                })?;
                let subject = format!(
                    "mapping:{} -> {}",
                    after.source.qualified(),
                    after.target.qualified()
                );
                let (action, change) = match &before {
                    None => ("mapping.create", MappingChange::Created),
                    Some(_) => ("mapping.update", MappingChange::Updated),
                };
                let mut event = AuditEvent::new(action, subject).after(mapping_json(&after));
                if let Some(b) = &before {
                    event = event.before(mapping_json(b));
                }
                events.push(event);
                changes.push(change);
            }
            Ok((changes, events))
        })
    }
}

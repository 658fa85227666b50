//! Requirement sets: importing a sheet as an upsert with a diff, and the windowed query the
//! desktop grid and the CLI list use.

use crate::audit::AuditEvent;
use crate::engagement::{Actor, Engagement, View};
use crate::error::{Result, StoreError};
use crosswalk_domain::{Attributes, Coverage, ImportedRequirement, SheetImport};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

pub(crate) fn attributes_from_json(text: &str) -> Result<Attributes> {
    Ok(serde_json::from_str(text)?)
}

/// What an import did (or, for a dry run, would do) to a requirement set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportDiff {
    pub set: String,
    /// True when the set did not exist before.
    pub new_set: bool,
    /// Refs new to the set, or back after being removed, in source order.
    pub added: Vec<String>,
    /// Refs whose content (title, text, section, parent, attributes, source id, withdrawn
    /// flag) changed. A requirement that only moved to another row is unchanged.
    pub changed: Vec<String>,
    /// Refs no longer in the file: kept with their decisions, marked removed.
    pub removed: Vec<String>,
    pub unchanged: usize,
}

/// A requirement set as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetSummary {
    pub name: String,
    /// Requirements in the latest file (withdrawn ones included).
    pub requirements: usize,
    /// Requirements the source marks withdrawn.
    pub withdrawn: usize,
    /// Requirements gone from the latest file, kept for their decisions.
    pub removed: usize,
    pub file: Option<String>,
    pub file_sha256: Option<String>,
}

pub(crate) fn check_set_name(conn: &Connection, name: &str) -> Result<()> {
    let bad = |reason: &str| StoreError::InvalidSetName {
        name: name.into(),
        reason: reason.into(),
    };
    if name.trim().is_empty() {
        return Err(bad("it is empty"));
    }
    if name.trim() != name {
        return Err(bad("it starts or ends with a space"));
    }
    if name.contains(':') {
        return Err(bad("a colon separates the set from the ref in SET:REF"));
    }
    let shipped: bool = conn
        .query_row(
            "SELECT shipped FROM frameworks WHERE key = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    if shipped {
        return Err(StoreError::ReservedSetName { name: name.into() });
    }
    Ok(())
}

struct Stored {
    content: Content,
    removed: bool,
}

#[derive(PartialEq, Eq)]
struct Content {
    source_ref: Option<String>,
    generated_ref: bool,
    title: String,
    text: String,
    section: Option<String>,
    parent: Option<String>,
    attributes: String,
    withdrawn: bool,
}

impl Content {
    fn of(r: &ImportedRequirement) -> Result<Content> {
        Ok(Content {
            source_ref: r.source_ref.clone(),
            generated_ref: r.generated_ref,
            title: r.title.clone(),
            text: r.text.clone(),
            section: r.section.clone(),
            parent: r.parent.clone(),
            attributes: serde_json::to_string(&r.attributes)?,
            withdrawn: r.withdrawn,
        })
    }
}

fn set_id(conn: &Connection, name: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM frameworks WHERE key = ?1 AND kind = 'requirements' AND shipped = 0",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

fn stored_items(conn: &Connection, framework_id: i64) -> Result<HashMap<String, Stored>> {
    let mut stmt = conn.prepare(
        "SELECT ref, source_ref, generated_ref, title, text, section, parent_ref, attributes,
                withdrawn, removed
         FROM items WHERE framework_id = ?1 AND extra = 0",
    )?;
    let rows = stmt.query_map([framework_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Stored {
                content: Content {
                    source_ref: r.get(1)?,
                    generated_ref: r.get(2)?,
                    title: r.get(3)?,
                    text: r.get(4)?,
                    section: r.get(5)?,
                    parent: r.get(6)?,
                    attributes: r.get(7)?,
                    withdrawn: r.get(8)?,
                },
                removed: r.get(9)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The prefix of the provenance of a set adopted from the shipped catalogue.
const CATALOGUE_SOURCE: &str = "catalogue:";

/// Which source a provenance names: the shipped framework id (`catalogue:fsbp@1.0` → `fsbp`),
/// or `None` for a customer file.
fn adopted_framework(provenance: &str) -> Option<&str> {
    provenance
        .strip_prefix(CATALOGUE_SOURCE)
        .map(|rest| rest.split('@').next().unwrap_or(rest))
}

fn describe_source(provenance: &str) -> String {
    match adopted_framework(provenance) {
        Some(fw) => format!("adopted from the shipped framework '{fw}'"),
        None => format!("imported from the customer file {provenance}"),
    }
}

/// A set keeps one kind of source: a customer's sheet (re-imported from any revision of it) or
/// one shipped framework (re-adopted). Anything else would silently replace the set.
fn check_same_source(conn: &Connection, id: i64, set: &str, incoming: &str) -> Result<()> {
    let current: Option<String> = conn.query_row(
        "SELECT provenance FROM frameworks WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let Some(current) = current.filter(|c| !c.is_empty()) else {
        return Ok(());
    };
    let (was, now) = (adopted_framework(&current), adopted_framework(incoming));
    let same = match (was, now) {
        (None, None) => true,
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    if same {
        return Ok(());
    }
    Err(StoreError::SetSourceMismatch {
        set: set.into(),
        current: describe_source(&current),
        incoming: match now {
            Some(fw) => format!("adopting the shipped framework '{fw}'"),
            None => format!("importing {incoming}"),
        },
    })
}

/// Computes the diff without writing; both the dry run and the real import use it.
fn diff(conn: &Connection, set: &str, import: &SheetImport) -> Result<(ImportDiff, Vec<Content>)> {
    check_set_name(conn, set)?;
    let mut first_row: HashMap<&str, u32> = HashMap::new();
    for r in &import.requirements {
        if let Some(first) = first_row.insert(&r.reference, r.row) {
            return Err(StoreError::DuplicateRef {
                reference: r.reference.clone(),
                first,
                second: r.row,
            });
        }
    }
    let existing_id = set_id(conn, set)?;
    if existing_id.is_none() && import.requirements.is_empty() {
        return Err(StoreError::NothingToImport {
            set: set.into(),
            file: import.file.clone(),
        });
    }
    if let Some(id) = existing_id {
        check_same_source(conn, id, set, &import.file)?;
    }
    let stored = match existing_id {
        Some(id) => stored_items(conn, id)?,
        None => HashMap::new(),
    };
    let mut out = ImportDiff {
        set: set.into(),
        new_set: existing_id.is_none(),
        ..Default::default()
    };
    let mut contents = Vec::with_capacity(import.requirements.len());
    for r in &import.requirements {
        let content = Content::of(r)?;
        match stored.get(&r.reference) {
            None => out.added.push(r.reference.clone()),
            Some(s) if s.removed => out.added.push(r.reference.clone()),
            Some(s) if s.content != content => out.changed.push(r.reference.clone()),
            Some(_) => out.unchanged += 1,
        }
        contents.push(content);
    }
    let incoming: HashSet<&str> = import
        .requirements
        .iter()
        .map(|r| r.reference.as_str())
        .collect();
    let mut removed: Vec<String> = stored
        .iter()
        .filter(|(r, s)| !s.removed && !incoming.contains(r.as_str()))
        .map(|(r, _)| r.clone())
        .collect();
    removed.sort();
    let live = stored.values().filter(|s| !s.removed).count();
    if live > 0 && removed.len() == live {
        let reason = if import.requirements.is_empty() {
            "the file reads 0 requirements".to_string()
        } else {
            format!(
                "none of the {} requirements the file reads has one of the set's ids",
                import.requirements.len()
            )
        };
        return Err(StoreError::WouldRemoveAll {
            set: set.into(),
            file: import.file.clone(),
            count: live,
            reason,
        });
    }
    out.removed = removed;
    Ok((out, contents))
}

impl View {
    /// What importing `import` into `set` would do; writes nothing.
    pub fn plan_import(&self, set: &str, import: &SheetImport) -> Result<ImportDiff> {
        Ok(diff(&self.conn, set, import)?.0)
    }

    /// The requirement sets, in the order they were first imported.
    pub fn sets(&self) -> Result<Vec<SetSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT f.key,
                    (SELECT count(*) FROM items i WHERE i.framework_id = f.id AND i.removed = 0),
                    (SELECT count(*) FROM items i WHERE i.framework_id = f.id AND i.removed = 0 AND i.withdrawn = 1),
                    (SELECT count(*) FROM items i WHERE i.framework_id = f.id AND i.removed = 1),
                    (SELECT file_name FROM imports m WHERE m.framework_id = f.id ORDER BY m.id DESC LIMIT 1),
                    (SELECT file_sha256 FROM imports m WHERE m.framework_id = f.id ORDER BY m.id DESC LIMIT 1)
             FROM frameworks f WHERE f.kind = 'requirements' ORDER BY f.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SetSummary {
                name: r.get(0)?,
                requirements: r.get::<_, i64>(1)? as usize,
                withdrawn: r.get::<_, i64>(2)? as usize,
                removed: r.get::<_, i64>(3)? as usize,
                file: r.get(4)?,
                file_sha256: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Fails with [`StoreError::UnknownSet`] unless the set exists.
    pub fn require_set(&self, name: &str) -> Result<()> {
        match set_id(&self.conn, name)? {
            Some(_) => Ok(()),
            None => Err(StoreError::UnknownSet { name: name.into() }),
        }
    }
}

impl Engagement {
    /// Stores `import` into `set` in one transaction: new refs are added, changed ones updated
    /// in place (their mappings and assessments stay), refs missing from the file are marked
    /// removed, never deleted. One audit event records the file, its hash, the counts and
    /// the diff.
    pub fn import_requirements(
        &mut self,
        actor: &Actor,
        set: &str,
        import: &SheetImport,
    ) -> Result<ImportDiff> {
        self.import_requirements_with_profile(actor, set, import, None)
    }

    /// As [`Engagement::import_requirements`], and saves the column profile `(name, options)`
    /// in the same transaction (with its own audit event when it is new or differs from the
    /// saved one): a failed import saves no profile.
    pub fn import_requirements_with_profile(
        &mut self,
        actor: &Actor,
        set: &str,
        import: &SheetImport,
        profile: Option<(&str, &serde_json::Value)>,
    ) -> Result<ImportDiff> {
        let profile = profile.map(|(n, v)| (n.to_string(), v.clone()));
        let (diff, _) = self.import_streamed(actor, set, &import.file, |sink| {
            for r in &import.requirements {
                sink.push(r)?;
            }
            let rest = SheetImport {
                file: import.file.clone(),
                file_sha256: import.file_sha256.clone(),
                sheets: import.sheets.clone(),
                requirements: Vec::new(),
                warnings: Vec::new(),
                notes: Vec::new(),
                alternative_sheets: Vec::new(),
            };
            Ok::<_, StoreError>((rest, profile))
        })?;
        Ok(diff)
    }

    /// The streaming form of [`Engagement::import_requirements_with_profile`]: `feed` pushes
    /// the requirements into the sink as they are read (from another thread, for example)
    /// and returns, once reading is done, the rest of the sheet import (its `requirements` are
    /// ignored; its file hash and sheet reports are recorded; it is handed back with the diff)
    /// and the column profile `(name, options)` to save, if any.
    /// Everything happens in one transaction: when `feed` or the store fails, nothing stays.
    /// The full-text index is built in bulk after the rows are stored.
    pub fn import_streamed<E: From<StoreError>>(
        &mut self,
        actor: &Actor,
        set: &str,
        file: &str,
        feed: impl FnOnce(&mut ImportSink<'_>) -> std::result::Result<FedImport, E>,
    ) -> std::result::Result<(ImportDiff, SheetImport), E> {
        let now = actor.timestamp();
        // IMMEDIATE takes the write lock first, as every other change does.
        // A larger page cache while the import runs: the rows, their indexes and the full-text
        // index of a large sheet would otherwise be spilled to the WAL and written again.
        self.with_bulk_cache(|e| e.import_in_transaction(actor, set, file, &now, feed))
    }

    /// Runs `change` with the larger page cache of a bulk change, then sets the cache back.
    pub(crate) fn with_bulk_cache<T, E: From<StoreError>>(
        &mut self,
        change: impl FnOnce(&mut Self) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let cache: i64 = self
            .view_conn()
            .pragma_query_value(None, "cache_size", |r| r.get(0))
            .map_err(StoreError::from)?;
        self.view_conn()
            .pragma_update(None, "cache_size", IMPORT_CACHE_KIB)
            .map_err(StoreError::from)?;
        let result = change(self);
        self.view_conn()
            .pragma_update(None, "cache_size", cache)
            .map_err(StoreError::from)?;
        result
    }

    fn import_in_transaction<E: From<StoreError>>(
        &mut self,
        actor: &Actor,
        set: &str,
        file: &str,
        now: &str,
        feed: impl FnOnce(&mut ImportSink<'_>) -> std::result::Result<FedImport, E>,
    ) -> std::result::Result<(ImportDiff, SheetImport), E> {
        let now = now.to_string();
        let tx = self.write_transaction()?;
        let mut sink = ImportSink::begin(&tx, set, file, &now)?;
        let (summary, profile) = feed(&mut sink)?;
        let (diff, mut events) = sink.finish(&summary, actor)?;
        if let Some((name, options)) = &profile {
            let profile_before: Option<serde_json::Value> = match tx
                .query_row(
                    "SELECT options FROM import_profiles WHERE name = ?1",
                    [name],
                    |r| r.get::<_, String>(0),
                )
                .optional()
                .map_err(StoreError::from)?
            {
                Some(t) => {
                    Some(serde_json::from_str::<serde_json::Value>(&t).map_err(StoreError::from)?)
                }
                None => None,
            };
            if profile_before.as_ref() != Some(options) {
                crate::assessments::put_import_profile(&tx, name, options, &now)?;
                let mut saved = AuditEvent::new("import_profile.save", format!("profile:{name}"))
                    .after(options.clone());
                if let Some(b) = &profile_before {
                    saved = saved.before(b.clone());
                }
                events.push(saved);
            }
        }
        for event in &events {
            crate::audit::append(&tx, actor, event)?;
        }
        tx.commit().map_err(StoreError::from)?;
        Ok((diff, summary))
    }
}

/// FTS5's default buffer of pending terms, and the larger one a bulk index uses.
const FTS_HASH_BYTES: i64 = 1024 * 1024;
const IMPORT_FTS_HASH_BYTES: i64 = 32 * 1024 * 1024;

/// The page cache of an import, in KiB (as `PRAGMA cache_size` takes it, negated).
const IMPORT_CACHE_KIB: i64 = -65536;

/// What the feed of [`Engagement::import_streamed`] returns: the sheet import without its
/// requirements, and the column profile `(name, options)` to save with the import.
pub type FedImport = (SheetImport, Option<(String, serde_json::Value)>);

/// What the store keeps of a stored requirement while an import runs.
struct Existing {
    id: i64,
    content: Content,
    sheet: Option<String>,
    row: Option<u32>,
    position: i64,
    removed: bool,
    extra: bool,
}

fn existing_items(conn: &Connection, framework_id: i64) -> Result<HashMap<String, Existing>> {
    let mut stmt = conn.prepare(
        "SELECT ref, id, source_ref, generated_ref, title, text, section, parent_ref, attributes,
                withdrawn, removed, extra, sheet, row, position
         FROM items WHERE framework_id = ?1",
    )?;
    let rows = stmt.query_map([framework_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Existing {
                id: r.get(1)?,
                content: Content {
                    source_ref: r.get(2)?,
                    generated_ref: r.get(3)?,
                    title: r.get(4)?,
                    text: r.get(5)?,
                    section: r.get(6)?,
                    parent: r.get(7)?,
                    attributes: r.get(8)?,
                    withdrawn: r.get(9)?,
                },
                removed: r.get(10)?,
                extra: r.get(11)?,
                sheet: r.get(12)?,
                row: r.get(13)?,
                position: r.get(14)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Content {
    /// True when `r` (with its attributes as JSON) says the same as this stored content.
    fn same_as(&self, r: &ImportedRequirement, attributes: &str) -> bool {
        self.source_ref == r.source_ref
            && self.generated_ref == r.generated_ref
            && self.title == r.title
            && self.text == r.text
            && self.section == r.section
            && self.parent == r.parent
            && self.attributes == attributes
            && self.withdrawn == r.withdrawn
    }
}

/// A requirement made ready for [`ImportSink::push_row`] where it was read: its attributes
/// written as the JSON the store keeps, and their list freed there. A reader thread makes these
/// so the thread holding the transaction only binds and steps.
pub struct ImportRow {
    /// The requirement; its `attributes` are emptied (they are in the JSON).
    pub requirement: ImportedRequirement,
    attributes: String,
}

impl ImportRow {
    pub fn new(mut requirement: ImportedRequirement) -> Result<ImportRow> {
        let attributes = serde_json::to_string(&requirement.attributes)?;
        requirement.attributes = Attributes::default();
        Ok(ImportRow {
            requirement,
            attributes,
        })
    }
}

/// The terms an updated row had in the full-text index, removed before it is indexed again.
struct OldTerms {
    id: i64,
    reference: String,
    title: String,
    text: String,
    section: Option<String>,
}

/// Receives the requirements of a running import, one at a time, and stores each with
/// prepared statements inside the import's transaction. Made by
/// [`Engagement::import_streamed`].
pub struct ImportSink<'t> {
    tx: &'t Connection,
    set: String,
    file: String,
    now: String,
    framework_id: i64,
    new_set: bool,
    /// Every item id above this one was added by this import.
    max_id_before: i64,
    /// Stored items of the set not met yet in the file.
    existing: HashMap<String, Existing>,
    /// Stored items that were live (not removed, not extra) before the import.
    live_before: usize,
    first_row: HashMap<String, u32>,
    position: i64,
    diff: ImportDiff,
    old_terms: Vec<OldTerms>,
    reindex: Vec<i64>,
    insert: rusqlite::Statement<'t>,
    update: rusqlite::Statement<'t>,
    moved: rusqlite::Statement<'t>,
}

impl<'t> ImportSink<'t> {
    fn begin(tx: &'t Connection, set: &str, file: &str, now: &str) -> Result<ImportSink<'t>> {
        check_set_name(tx, set)?;
        let existing_id = set_id(tx, set)?;
        if let Some(id) = existing_id {
            check_same_source(tx, id, set, file)?;
        }
        let max_id_before: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) FROM items", [], |r| r.get(0))?;
        let framework_id = match existing_id {
            Some(id) => {
                tx.execute(
                    "UPDATE frameworks SET provenance = ?2 WHERE id = ?1",
                    params![id, file],
                )?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO frameworks (key, name, kind, version, shipped, provenance, created_at)
                     VALUES (?1, ?1, 'requirements', '', 0, ?2, ?3)",
                    params![set, file, now],
                )?;
                tx.last_insert_rowid()
            }
        };
        // The rows are indexed in bulk once stored (see migration 0012); set back in `finish`,
        // inside this transaction, so no one ever sees it set.
        tx.execute("UPDATE fts_control SET deferred = 1 WHERE id = 1", [])?;
        // Foreign keys checked at commit (the rows only point at this set and its framework):
        // an immediate check would need a statement journal per row. Reset by the commit.
        tx.pragma_update(None, "defer_foreign_keys", true)?;
        // FTS5 writes its pending terms out as a new segment whenever they pass `hashsize`
        // (1 MiB by default) and merges those segments as they pile up: a larger buffer for the
        // bulk index below means a few large segments instead of a merge every megabyte.
        // Stored in the index's config, so set back in `finish`, in this transaction.
        tx.execute(
            "INSERT INTO items_fts(items_fts, rank) VALUES ('hashsize', ?1)",
            [IMPORT_FTS_HASH_BYTES],
        )?;
        let existing = match existing_id {
            Some(id) => existing_items(tx, id)?,
            None => HashMap::new(),
        };
        let live_before = existing.values().filter(|e| !e.removed && !e.extra).count();
        // OR ROLLBACK: any failure ends the whole import anyway, so no row needs a statement
        // journal of its own to be undone alone (it cost a copy of every page a row touched).
        let insert = tx.prepare(
            "INSERT OR ROLLBACK INTO items (framework_id, ref, source_ref, generated_ref, title, text, section,
                                parent_ref, sheet, row, position, attributes, withdrawn, changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        let update = tx.prepare(
            "UPDATE OR ROLLBACK items SET source_ref = ?2, generated_ref = ?3, title = ?4, text = ?5,
                              section = ?6, parent_ref = ?7, sheet = ?8, row = ?9, position = ?10,
                              attributes = ?11, withdrawn = ?12, removed = 0, extra = 0,
                              changed_at = ?13
             WHERE id = ?1",
        )?;
        let moved = tx.prepare(
            "UPDATE OR ROLLBACK items SET sheet = ?2, row = ?3, position = ?4 WHERE id = ?1",
        )?;
        Ok(ImportSink {
            tx,
            set: set.to_string(),
            file: file.to_string(),
            now: now.to_string(),
            framework_id,
            new_set: existing_id.is_none(),
            max_id_before,
            existing,
            live_before,
            first_row: HashMap::new(),
            position: 0,
            diff: ImportDiff {
                set: set.into(),
                new_set: existing_id.is_none(),
                ..Default::default()
            },
            old_terms: Vec::new(),
            reindex: Vec::new(),
            insert,
            update,
            moved,
        })
    }

    /// Requirements pushed so far.
    pub fn rows(&self) -> usize {
        self.position as usize
    }

    /// Stores one requirement (in source order).
    pub fn push(&mut self, r: &ImportedRequirement) -> Result<()> {
        let attributes = serde_json::to_string(&r.attributes)?;
        self.store(r, &attributes)
    }

    /// Stores one requirement prepared by [`ImportRow::new`] (in source order): as
    /// [`ImportSink::push`], with the attributes already written as JSON.
    pub fn push_row(&mut self, row: &ImportRow) -> Result<()> {
        self.store(&row.requirement, &row.attributes)
    }

    fn store(&mut self, r: &ImportedRequirement, attributes: &str) -> Result<()> {
        if let Some(first) = self.first_row.insert(r.reference.clone(), r.row) {
            return Err(StoreError::DuplicateRef {
                reference: r.reference.clone(),
                first,
                second: r.row,
            });
        }
        let position = self.position;
        self.position += 1;
        match self.existing.remove(&r.reference) {
            None => {
                self.insert.execute(params![
                    self.framework_id,
                    r.reference,
                    r.source_ref,
                    r.generated_ref,
                    r.title,
                    r.text,
                    r.section,
                    r.parent,
                    r.sheet,
                    r.row,
                    position,
                    attributes,
                    r.withdrawn,
                    self.now,
                ])?;
                self.diff.added.push(r.reference.clone());
            }
            Some(e) => {
                let same = e.content.same_as(r, attributes);
                let back = e.removed || e.extra;
                if same && !back {
                    self.diff.unchanged += 1;
                    if e.sheet.as_deref() != Some(r.sheet.as_str())
                        || e.row != Some(r.row)
                        || e.position != position
                    {
                        self.moved
                            .execute(params![e.id, r.sheet, r.row, position])?;
                    }
                    return Ok(());
                }
                if back {
                    self.diff.added.push(r.reference.clone());
                } else {
                    self.diff.changed.push(r.reference.clone());
                }
                if e.content.title != r.title
                    || e.content.text != r.text
                    || e.content.section != r.section
                {
                    self.reindex.push(e.id);
                    self.old_terms.push(OldTerms {
                        id: e.id,
                        reference: r.reference.clone(),
                        title: e.content.title,
                        text: e.content.text,
                        section: e.content.section,
                    });
                }
                self.update.execute(params![
                    e.id,
                    r.source_ref,
                    r.generated_ref,
                    r.title,
                    r.text,
                    r.section,
                    r.parent,
                    r.sheet,
                    r.row,
                    position,
                    attributes,
                    r.withdrawn,
                    self.now,
                ])?;
            }
        }
        Ok(())
    }

    /// Marks what the file no longer has as removed, indexes the new and changed rows, and
    /// records the import; returns the diff and the audit event.
    fn finish(self, summary: &SheetImport, actor: &Actor) -> Result<(ImportDiff, Vec<AuditEvent>)> {
        let ImportSink {
            tx,
            set,
            file,
            now,
            framework_id,
            new_set,
            max_id_before,
            existing,
            live_before,
            position,
            mut diff,
            old_terms,
            reindex,
            insert,
            update,
            moved,
            ..
        } = self;
        drop((insert, update, moved));
        let rows = position as usize;
        if new_set && rows == 0 {
            return Err(StoreError::NothingToImport { set, file });
        }
        let mut removed: Vec<(String, i64)> = existing
            .into_iter()
            .filter(|(_, e)| !e.removed && !e.extra)
            .map(|(r, e)| (r, e.id))
            .collect();
        removed.sort();
        if live_before > 0 && removed.len() == live_before {
            let reason = if rows == 0 {
                "the file reads 0 requirements".to_string()
            } else {
                format!("none of the {rows} requirements the file reads has one of the set's ids")
            };
            return Err(StoreError::WouldRemoveAll {
                set,
                file,
                count: live_before,
                reason,
            });
        }
        {
            let mut withdraw =
                tx.prepare("UPDATE items SET removed = 1, changed_at = ?2 WHERE id = ?1")?;
            for (_, id) in &removed {
                withdraw.execute(params![id, now])?;
            }
        }
        diff.removed = removed.into_iter().map(|(r, _)| r).collect();

        // The full-text index: the old terms of reworded rows out, then every new or reworded
        // row in, in bulk.
        {
            let mut forget = tx.prepare(
                "INSERT INTO items_fts(items_fts, rowid, ref, title, text, section)
                 VALUES ('delete', ?1, ?2, ?3, ?4, ?5)",
            )?;
            for t in &old_terms {
                forget.execute(params![t.id, t.reference, t.title, t.text, t.section])?;
            }
        }
        tx.execute(
            "INSERT INTO items_fts(rowid, ref, title, text, section)
             SELECT id, ref, title, text, section FROM items
             WHERE id > ?2 AND +framework_id = ?1 ORDER BY id",
            params![framework_id, max_id_before],
        )?;
        {
            let mut index = tx.prepare(
                "INSERT INTO items_fts(rowid, ref, title, text, section)
                 SELECT id, ref, title, text, section FROM items WHERE id = ?1",
            )?;
            for id in &reindex {
                index.execute([id])?;
            }
        }
        tx.execute(
            "INSERT INTO items_fts(items_fts, rank) VALUES ('hashsize', ?1)",
            [FTS_HASH_BYTES],
        )?;
        tx.execute("UPDATE fts_control SET deferred = 0 WHERE id = 1", [])?;

        let sheets = serde_json::to_string(&summary.sheets)?;
        tx.execute(
            "INSERT INTO imports (framework_id, file_name, file_sha256, sheets, added, changed,
                                  removed, unchanged, imported_at, imported_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                framework_id,
                file,
                summary.file_sha256,
                sheets,
                diff.added.len() as i64,
                diff.changed.len() as i64,
                diff.removed.len() as i64,
                diff.unchanged as i64,
                now,
                actor.name
            ],
        )?;
        let sheet_names: Vec<&str> = summary.sheets.iter().map(|s| s.name.as_str()).collect();
        let event = AuditEvent::new("import", format!("set:{set}")).after(serde_json::json!({
            "file": file,
            "sha256": summary.file_sha256,
            "sheets": sheet_names,
            "requirements": rows,
            "added": diff.added.len(),
            "changed": diff.changed.len(),
            "removed": diff.removed.len(),
            "unchanged": diff.unchanged,
            "diff": {
                "added": diff.added,
                "changed": diff.changed,
                "removed": diff.removed,
            },
        }));
        Ok((diff, vec![event]))
    }
}

/// Columns the requirement list can be sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortColumn {
    /// Set, then the order of the source file.
    #[default]
    Source,
    Ref,
    Title,
    Text,
    Section,
    Coverage,
    Sheet,
    Row,
}

impl SortColumn {
    fn sql(self) -> &'static str {
        match self {
            SortColumn::Source => "f.id, i.position",
            SortColumn::Ref => "i.ref",
            SortColumn::Title => "i.title",
            SortColumn::Text => "i.text",
            SortColumn::Section => "i.section",
            SortColumn::Coverage => crate::listing::COVERAGE_OF_I,
            SortColumn::Sheet => "i.sheet",
            SortColumn::Row => "i.row",
        }
    }
}

/// A window of the requirements: filters, sort, offset and limit all run in SQL, so a grid of
/// 100,000 rows asks only for the rows it shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequirementQuery {
    pub set: Option<String>,
    pub section: Option<String>,
    pub coverage: Option<Coverage>,
    /// Words to find (full-text, prefix match on each word, all must occur).
    pub search: Option<String>,
    /// Include requirements gone from the latest file (withdrawn ones are always listed).
    pub include_removed: bool,
    pub sort: SortColumn,
    pub descending: bool,
    pub offset: u32,
    /// `None` for all rows.
    pub limit: Option<u32>,
}

/// One requirement with its derived coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementRow {
    pub id: i64,
    pub set: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub source_ref: Option<String>,
    pub generated_ref: bool,
    pub title: String,
    pub text: String,
    pub section: Option<String>,
    pub parent: Option<String>,
    pub sheet: Option<String>,
    pub row: Option<u32>,
    pub attributes: Attributes,
    /// The source marks it withdrawn.
    pub withdrawn: bool,
    /// Gone from the latest file; kept for its decisions.
    pub removed: bool,
    pub coverage: Coverage,
    pub coverage_overridden: bool,
    /// Goes up with every change to the requirement, its mappings or its assessment.
    pub revision: i64,
    /// When the requirement, its mappings or its assessment last changed (RFC 3339).
    pub changed_at: Option<String>,
}

/// A current requirement as a whole-engagement reader (the matrix export) needs it: no
/// coverage (the reader derives its own) and the attributes left as stored until asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementEntry {
    pub id: i64,
    pub set: String,
    pub reference: String,
    pub title: String,
    pub text: String,
    pub section: Option<String>,
    /// As [`RequirementRow::revision`].
    pub revision: i64,
    /// As [`RequirementRow::changed_at`].
    pub changed_at: Option<String>,
    attributes: String,
}

impl RequirementEntry {
    /// The requirement's other columns, read from their stored form.
    pub fn attributes(&self) -> Result<Attributes> {
        attributes_from_json(&self.attributes)
    }
}

/// One window of rows and how many rows match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementPage {
    pub total: u64,
    pub rows: Vec<RequirementRow>,
}

/// Each word becomes a quoted prefix term, so user text never reaches FTS5 as syntax.
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// A catalogue item found by [`View::search_catalogue`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogueHit {
    pub framework: String,
    pub kind: crosswalk_domain::FrameworkKind,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub text: String,
    /// False when the source names the id but publishes no title or details for it.
    pub details_published: bool,
}

impl View {
    /// Items of the engagement's catalogue copy containing every word of `text` (as a word
    /// prefix) in their ref, title, text or section, by SQLite FTS5; best first (bm25, with ref
    /// and title weighing more), then catalogue order.
    pub fn search_catalogue(&self, text: &str, limit: usize) -> Result<Vec<CatalogueHit>> {
        let Some(query) = fts_query(text) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare(
            "SELECT f.key, f.kind, i.ref, i.title, i.text, i.details_published
             FROM items_fts JOIN items i ON i.id = items_fts.rowid
             JOIN frameworks f ON f.id = i.framework_id
             WHERE items_fts MATCH ?1 AND f.shipped = 1 AND i.removed = 0
             ORDER BY bm25(items_fts, 10.0, 5.0, 1.0, 1.0), f.id, i.position
             LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![query, limit as i64], |r| {
            Ok(CatalogueHit {
                framework: r.get(0)?,
                kind: {
                    let k: String = r.get(1)?;
                    k.parse().map_err(|e: crosswalk_domain::UnknownTerm| {
                        rusqlite::Error::FromSqlConversionFailure(
                            1,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?
                },
                reference: r.get(2)?,
                title: r.get(3)?,
                text: r.get(4)?,
                details_published: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every current requirement of every set, in source order (the order of
    /// [`View::requirements`] with the default query), in one pass over the items: no coverage
    /// derived and no attributes parsed, for readers that go through the whole engagement.
    pub fn requirement_entries(&self) -> Result<Vec<RequirementEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.id, f.key, i.ref, i.title, i.text, i.section, i.revision, i.changed_at,
                    i.attributes
             FROM items i JOIN frameworks f ON f.id = i.framework_id
             WHERE f.kind = 'requirements' AND i.removed = 0
             ORDER BY f.id, i.position",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RequirementEntry {
                id: r.get(0)?,
                set: r.get(1)?,
                reference: r.get(2)?,
                title: r.get(3)?,
                text: r.get(4)?,
                section: r.get(5)?,
                revision: r.get(6)?,
                changed_at: r.get(7)?,
                attributes: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn requirements(&self, q: &RequirementQuery) -> Result<RequirementPage> {
        let mut filter = String::from("f.kind = 'requirements'");
        let mut args: Vec<SqlValue> = Vec::new();
        if let Some(set) = &q.set {
            self.require_set(set)?;
            filter.push_str(" AND f.key = ?");
            args.push(SqlValue::Text(set.clone()));
        }
        if let Some(section) = &q.section {
            filter.push_str(" AND i.section = ?");
            args.push(SqlValue::Text(section.clone()));
        }
        if let Some(coverage) = q.coverage {
            filter.push_str(&format!(" AND {} = ?", crate::listing::COVERAGE_OF_I));
            args.push(SqlValue::Text(coverage.as_str().into()));
        }
        if let Some(search) = &q.search {
            match fts_query(search) {
                Some(m) => {
                    filter.push_str(
                        " AND i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)",
                    );
                    args.push(SqlValue::Text(m));
                }
                None => filter.push_str(" AND 0"),
            }
        }
        if !q.include_removed {
            filter.push_str(" AND i.removed = 0");
        }
        // The window is chosen on the items alone (the source order walks the items_by_position
        // index); coverage is derived only for the window's rows, except when the window filters
        // or sorts by it, and then only for rows with an accepted mapping or an override (every
        // other row is a gap).
        let with_coverage = q.coverage.is_some() || q.sort == SortColumn::Coverage;
        let from = if with_coverage {
            format!(
                "{} SELECT {{}} FROM items i JOIN frameworks f ON f.id = i.framework_id",
                crate::listing::TOUCHED_CTE
            )
        } else {
            "SELECT {} FROM items i JOIN frameworks f ON f.id = i.framework_id".to_string()
        };
        let order = match q.sort {
            SortColumn::Coverage => crate::listing::COVERAGE_OF_I,
            other => other.sql(),
        };
        let total: i64 = self.conn.query_row(
            &format!("{} WHERE {filter}", from.replace("{}", "count(*)")),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        let direction = if q.descending { "DESC" } else { "ASC" };
        // The source order breaks ties so windows never overlap or skip rows.
        let sql = format!(
            "{} WHERE {filter}
             ORDER BY {order} {direction}, f.id, i.position
             LIMIT ? OFFSET ?",
            from.replace("{}", "i.id")
        );
        args.push(SqlValue::Integer(q.limit.map_or(-1, i64::from)));
        args.push(SqlValue::Integer(i64::from(q.offset)));
        let mut stmt = self.conn.prepare(&sql)?;
        let ids = stmt
            .query_map(params_from_iter(args.iter()), |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(RequirementPage {
            total: total as u64,
            rows: crate::listing::rows_by_id(&self.conn, &ids)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_never_reaches_fts_as_syntax() {
        assert_eq!(fts_query("MFA root").as_deref(), Some("\"MFA\"* \"root\"*"));
        assert_eq!(
            fts_query("a\" OR b").as_deref(),
            Some("\"a\"* \"OR\"* \"b\"*"),
            "OR is a word here"
        );
        assert_eq!(
            fts_query("  -- "),
            None,
            "no words means no match, not a syntax error"
        );
    }
}

//! The migration security workstream in the engagement file: the workplan checklist (one entry per
//! task and subtask of the shipped `msr` workplan), the readiness assessment per security domain
//! and dimension, and the backlog stories written from readiness gaps. Policy subtasks are traced
//! to the controls that enforce them through ordinary mappings from the subtask's catalogue item.
//!
//! Vocabularies (status, domain, dimension, priority) travel as their stored names; the schema's
//! CHECK constraints hold them, and the api parses user input before it gets here.

use crate::audit::AuditEvent;
use crate::engagement::{Actor, Engagement, View};
use crate::error::{Result, StoreError};
use crate::mappings::{ItemRef, MappingChange, MappingInput};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use serde_json::json;

/// One task or subtask of the workplan with its tracking state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkplanEntry {
    pub item_id: i64,
    /// `T3` for a task, `T3.S3` for a subtask (refs of the `msr` framework).
    #[serde(rename = "ref")]
    pub reference: String,
    /// The task of a subtask.
    pub parent: Option<String>,
    pub title: String,
    pub text: String,
    /// The migration security requirement the workplan tags the subtask with.
    pub msr_id: Option<String>,
    /// `not_started`, `in_progress`, `done` or `not_applicable`.
    pub status: String,
    /// Why it does not apply (required for `not_applicable`).
    pub reason: String,
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due: Option<String>,
    pub notes: String,
    /// The decision a policy subtask records.
    pub decision: String,
    /// Paths or URLs of what it produced, in the order they were added.
    pub artifacts: Vec<String>,
    /// The item is gone from the latest catalogue; kept because the engagement tracked it.
    pub removed: bool,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

impl WorkplanEntry {
    pub fn is_task(&self) -> bool {
        self.parent.is_none()
    }

    /// What the audit log records of an entry (the catalogue's own text is left out).
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "status": self.status,
            "reason": self.reason,
            "owner": self.owner,
            "due": self.due,
            "notes": self.notes,
            "decision": self.decision,
            "artifacts": self.artifacts,
        })
    }
}

/// A change to one workplan entry: `None` leaves a field as it is; `Some("")` clears a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkplanChange {
    pub status: Option<String>,
    pub reason: Option<String>,
    pub owner: Option<String>,
    /// `Some(None)` clears the due date.
    pub due: Option<Option<String>>,
    pub notes: Option<String>,
    pub decision: Option<String>,
    pub add_artifacts: Vec<String>,
    pub remove_artifacts: Vec<String>,
    /// Mappings from this entry's item to the controls and services that enforce its policy
    /// (accepted) or were ruled out (rejected). `source` must be the entry's item.
    pub mappings: Vec<MappingInput>,
}

/// What [`Engagement::update_workplan`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkplanUpdate {
    pub entry: WorkplanEntry,
    /// Whether the entry's own fields (not its mappings) changed.
    pub changed: bool,
    /// One per input mapping, in order.
    pub mappings: Vec<MappingChange>,
}

/// One cell of the readiness assessment: a domain seen through one dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadinessCell {
    /// `data_protection`, `iam`, `incident_response`, `infrastructure_protection`,
    /// `logging_monitoring`.
    pub domain: String,
    /// `policy`, `process`, `tools` or `people`.
    pub dimension: String,
    pub current_state: String,
    pub readiness_state: String,
    pub gap: String,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

impl ReadinessCell {
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "current_state": self.current_state,
            "readiness_state": self.readiness_state,
            "gap": self.gap,
        })
    }
}

/// A backlog story as written from a readiness gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredStory {
    pub id: i64,
    pub domain: String,
    pub dimension: Option<String>,
    pub title: String,
    pub description: String,
    pub acceptance_criteria: Vec<String>,
    /// `highest`, `high`, `medium`, `low` or `lowest` (Jira's names).
    pub priority: String,
    /// The controls and services the story puts in place, in the order given.
    pub controls: Vec<ItemRef>,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

impl StoredStory {
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "domain": self.domain,
            "dimension": self.dimension,
            "title": self.title,
            "description": self.description,
            "acceptance_criteria": self.acceptance_criteria,
            "priority": self.priority,
            "controls": self.controls.iter().map(|c| c.qualified().to_string()).collect::<Vec<_>>(),
        })
    }
}

/// A story to record. A story with the same domain and title is updated in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryInput {
    pub dimension: Option<String>,
    pub title: String,
    pub description: String,
    pub acceptance_criteria: Vec<String>,
    pub priority: String,
    /// Item ids of the controls and services.
    pub controls: Vec<i64>,
}

/// One change to a domain's readiness, made in one transaction: a dimension's states and gap,
/// a story to add or update, a story to remove.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadinessEdit {
    pub domain: String,
    /// Required when any of the three texts is given.
    pub dimension: Option<String>,
    pub current_state: Option<String>,
    pub readiness_state: Option<String>,
    pub gap: Option<String>,
    pub story: Option<StoryInput>,
    /// The title of a story of this domain to remove.
    pub remove_story: Option<String>,
}

/// What [`Engagement::edit_readiness`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadinessOutcome {
    /// The edited cell, when a dimension was given.
    pub cell: Option<ReadinessCell>,
    pub cell_changed: bool,
    /// The added or updated story.
    pub story: Option<StoredStory>,
    pub story_change: Option<MappingChange>,
    pub story_removed: bool,
}

const ENTRY_SELECT: &str = "SELECT w.item_id, i.ref, i.parent_ref, i.title, i.text,
        json_extract(i.attributes, '$.msr_id'), w.status, w.reason, w.owner, w.due, w.notes,
        w.decision, i.removed, w.updated_at, w.updated_by
    FROM workplan_entries w JOIN items i ON i.id = w.item_id";

fn entry_row(r: &Row<'_>) -> rusqlite::Result<WorkplanEntry> {
    Ok(WorkplanEntry {
        item_id: r.get(0)?,
        reference: r.get(1)?,
        parent: r.get(2)?,
        title: r.get(3)?,
        text: r.get(4)?,
        msr_id: r
            .get::<_, Option<String>>(5)?
            .filter(|m| !m.trim().is_empty()),
        status: r.get(6)?,
        reason: r.get(7)?,
        owner: r.get(8)?,
        due: r.get(9)?,
        notes: r.get(10)?,
        decision: r.get(11)?,
        artifacts: Vec::new(),
        removed: r.get(12)?,
        updated_at: r.get(13)?,
        updated_by: r.get(14)?,
    })
}

fn artifacts_of(conn: &Connection, item_id: i64) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT link FROM workplan_artifacts WHERE item_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([item_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn entry_by_id(conn: &Connection, item_id: i64) -> Result<Option<WorkplanEntry>> {
    let entry = conn
        .query_row(
            &format!("{ENTRY_SELECT} WHERE w.item_id = ?1"),
            [item_id],
            entry_row,
        )
        .optional()?;
    match entry {
        Some(mut e) => {
            e.artifacts = artifacts_of(conn, item_id)?;
            Ok(Some(e))
        }
        None => Ok(None),
    }
}

fn all_entries(conn: &Connection) -> Result<Vec<WorkplanEntry>> {
    // A removed item the engagement never touched is noise; one it tracked stays visible.
    let mut stmt = conn.prepare(&format!(
        "{ENTRY_SELECT} WHERE i.removed = 0 OR w.updated_at IS NOT NULL ORDER BY i.position"
    ))?;
    let mut entries: Vec<WorkplanEntry> = stmt
        .query_map([], entry_row)?
        .collect::<rusqlite::Result<_>>()?;
    for e in &mut entries {
        e.artifacts = artifacts_of(conn, e.item_id)?;
    }
    Ok(entries)
}

const CELL_SELECT: &str = "SELECT domain, dimension, current_state, readiness_state, gap,
        updated_at, updated_by FROM readiness";

fn cell_row(r: &Row<'_>) -> rusqlite::Result<ReadinessCell> {
    Ok(ReadinessCell {
        domain: r.get(0)?,
        dimension: r.get(1)?,
        current_state: r.get(2)?,
        readiness_state: r.get(3)?,
        gap: r.get(4)?,
        updated_at: r.get(5)?,
        updated_by: r.get(6)?,
    })
}

fn cell(conn: &Connection, domain: &str, dimension: &str) -> Result<ReadinessCell> {
    conn.query_row(
        &format!("{CELL_SELECT} WHERE domain = ?1 AND dimension = ?2"),
        params![domain, dimension],
        cell_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::Invalid(format!("no readiness cell {domain}/{dimension}")))
}

const STORY_SELECT: &str = "SELECT id, domain, dimension, title, description, acceptance_criteria,
        priority, created_at, created_by, updated_at, updated_by FROM stories";

fn story_row(r: &Row<'_>) -> rusqlite::Result<(StoredStory, String)> {
    Ok((
        StoredStory {
            id: r.get(0)?,
            domain: r.get(1)?,
            dimension: r.get(2)?,
            title: r.get(3)?,
            description: r.get(4)?,
            acceptance_criteria: Vec::new(),
            priority: r.get(6)?,
            controls: Vec::new(),
            created_at: r.get(7)?,
            created_by: r.get(8)?,
            updated_at: r.get(9)?,
            updated_by: r.get(10)?,
        },
        r.get(5)?,
    ))
}

fn story_controls(conn: &Connection, story_id: i64) -> Result<Vec<ItemRef>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, f.key, f.kind, i.ref, i.title, i.text, f.shipped, i.removed
         FROM story_controls c JOIN items i ON i.id = c.item_id
         JOIN frameworks f ON f.id = i.framework_id
         WHERE c.story_id = ?1 ORDER BY c.position",
    )?;
    let rows = stmt.query_map([story_id], |r| {
        let kind: String = r.get(2)?;
        Ok(ItemRef {
            id: r.get(0)?,
            framework: r.get(1)?,
            kind: kind.parse().map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    2,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
            reference: r.get(3)?,
            title: r.get(4)?,
            text: r.get(5)?,
            shipped: r.get(6)?,
            removed: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn complete_story(
    conn: &Connection,
    (mut story, criteria): (StoredStory, String),
) -> Result<StoredStory> {
    story.acceptance_criteria = serde_json::from_str(&criteria)?;
    story.controls = story_controls(conn, story.id)?;
    Ok(story)
}

fn stories_where(
    conn: &Connection,
    filter: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<StoredStory>> {
    let mut stmt = conn.prepare(&format!("{STORY_SELECT} {filter}"))?;
    let raw: Vec<(StoredStory, String)> = stmt
        .query_map(args, story_row)?
        .collect::<rusqlite::Result<_>>()?;
    raw.into_iter().map(|s| complete_story(conn, s)).collect()
}

fn story_by_title(conn: &Connection, domain: &str, title: &str) -> Result<Option<StoredStory>> {
    Ok(
        stories_where(conn, "WHERE domain = ?1 AND title = ?2", &[&domain, &title])?
            .into_iter()
            .next(),
    )
}

impl View {
    /// The workplan, tasks and subtasks in catalogue order (`T1`, `T1.S1`, `T2`, …).
    pub fn workplan(&self) -> Result<Vec<WorkplanEntry>> {
        all_entries(&self.conn)
    }

    /// The entry of the workplan item `item_id`, if it is one.
    pub fn workplan_entry(&self, item_id: i64) -> Result<Option<WorkplanEntry>> {
        entry_by_id(&self.conn, item_id)
    }

    /// The twenty readiness cells, by domain then dimension as stored.
    pub fn readiness(&self) -> Result<Vec<ReadinessCell>> {
        let mut stmt = self
            .conn
            .prepare(&format!("{CELL_SELECT} ORDER BY rowid"))?;
        let rows = stmt.query_map([], cell_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The readiness stories, oldest first.
    pub fn stories(&self) -> Result<Vec<StoredStory>> {
        stories_where(&self.conn, "ORDER BY id", &[])
    }
}

/// The stored text of a changed field, or the current one.
fn pick(new: &Option<String>, old: &str) -> String {
    new.as_deref().map(str::trim).unwrap_or(old).to_string()
}

impl Engagement {
    /// Changes one workplan entry and records the mappings of its policy, in one transaction
    /// with one audit event for the entry (when it changed) and one per changed mapping.
    /// `not_applicable` without a reason is refused and nothing is written.
    pub fn update_workplan(
        &mut self,
        actor: &Actor,
        item_id: i64,
        change: &WorkplanChange,
    ) -> Result<WorkplanUpdate> {
        let before = entry_by_id(&self.conn, item_id)?.ok_or_else(|| {
            StoreError::Invalid(format!(
                "item #{item_id} is not a task or subtask of the workplan"
            ))
        })?;
        if let Some(m) = change.mappings.iter().find(|m| m.source != item_id) {
            return Err(StoreError::Invalid(format!(
                "a policy mapping must start at {}, not at item #{}",
                before.reference, m.source
            )));
        }
        let status = pick(&change.status, &before.status);
        // A reason explains "not applicable"; leaving that status drops the stale reason.
        let reason = match (&change.reason, status.as_str()) {
            (Some(r), _) => r.trim().to_string(),
            (None, "not_applicable") => before.reason.clone(),
            (None, _) => String::new(),
        };
        if status == "not_applicable" && reason.is_empty() {
            return Err(StoreError::Invalid(format!(
                "{}: marking it not applicable needs a reason",
                before.reference
            )));
        }
        let due = match &change.due {
            Some(d) => d
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(String::from),
            None => before.due.clone(),
        };
        let owner = pick(&change.owner, &before.owner);
        let notes = pick(&change.notes, &before.notes);
        let decision = pick(&change.decision, &before.decision);
        let mut targets = Vec::with_capacity(change.mappings.len());
        let mut mapping_befores = Vec::with_capacity(change.mappings.len());
        for m in &change.mappings {
            targets.push(self.item(m.target)?);
            mapping_befores.push(self.mapping_state(m.source, m.target)?);
        }
        let source = self.item(item_id)?;
        let now = actor.timestamp();
        self.mutate(actor, |tx| {
            let mut events = Vec::new();
            for link in &change.add_artifacts {
                let link = link.trim();
                if link.is_empty() {
                    return Err(StoreError::Invalid(
                        "an artifact link cannot be empty".into(),
                    ));
                }
                tx.execute(
                    "INSERT OR IGNORE INTO workplan_artifacts (item_id, link, added_at, added_by)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![item_id, link, now, actor.name],
                )?;
            }
            for link in &change.remove_artifacts {
                let gone = tx.execute(
                    "DELETE FROM workplan_artifacts WHERE item_id = ?1 AND link = ?2",
                    params![item_id, link.trim()],
                )?;
                if gone == 0 {
                    return Err(StoreError::Invalid(format!(
                        "{} has no artifact '{}'",
                        before.reference,
                        link.trim()
                    )));
                }
            }
            let artifacts = artifacts_of(tx, item_id)?;
            let changed = status != before.status
                || reason != before.reason
                || owner != before.owner
                || due != before.due
                || notes != before.notes
                || decision != before.decision
                || artifacts != before.artifacts;
            if changed {
                tx.execute(
                    "UPDATE workplan_entries SET status = ?2, reason = ?3, owner = ?4, due = ?5,
                         notes = ?6, decision = ?7, updated_at = ?8, updated_by = ?9
                     WHERE item_id = ?1",
                    params![item_id, status, reason, owner, due, notes, decision, now, actor.name],
                )
                .map_err(|e| match e {
                    rusqlite::Error::SqliteFailure(f, _)
                        if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                    {
                        StoreError::Invalid(format!(
                            "{}: the due date must be a real date written YYYY-MM-DD",
                            before.reference
                        ))
                    }
                    other => StoreError::Sqlite(other),
                })?;
            }
            let after = entry_by_id(tx, item_id)?.ok_or_else(|| {
                StoreError::Invalid(format!("{} vanished while updating", before.reference))
            })?;
            if changed {
                events.push(
                    AuditEvent::new(
                        "workplan.update",
                        format!("workplan:msr:{}", after.reference),
                    )
                    .before(before.audit_json())
                    .after(after.audit_json()),
                );
            }
            let mut mapping_changes = Vec::with_capacity(change.mappings.len());
            for ((input, target), old) in change.mappings.iter().zip(&targets).zip(&mapping_befores)
            {
                let state = mapping_json(&source, target, input);
                if old.as_ref() == Some(&state) {
                    mapping_changes.push(MappingChange::Unchanged);
                    continue;
                }
                tx.execute(
                    "INSERT INTO mappings (source_item_id, target_item_id, relationship,
                         responsibility, status, rationale, origin, author, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
                     ON CONFLICT (source_item_id, target_item_id) DO UPDATE SET
                         relationship = excluded.relationship,
                         responsibility = excluded.responsibility, status = excluded.status,
                         rationale = excluded.rationale, origin = excluded.origin,
                         author = excluded.author, updated_at = excluded.updated_at",
                    params![
                        input.source,
                        input.target,
                        input.relationship.as_str(),
                        input.responsibility.map(|r| r.as_str()),
                        input.status.as_str(),
                        input.rationale,
                        input.origin.as_str(),
                        actor.name,
                        now
                    ],
                )?;
                let subject = format!("mapping:{} -> {}", source.qualified(), target.qualified());
                // A catalogue link on the same pair was only a suggestion: replacing it is the
                // engagement's first decision, and the event keeps the link as its "before".
                let (action, kind) = match old {
                    Some(b) if b["origin"] != "shipped" => {
                        ("mapping.update", MappingChange::Updated)
                    }
                    _ => ("mapping.create", MappingChange::Created),
                };
                let mut event = AuditEvent::new(action, subject).after(state);
                if let Some(b) = old {
                    event = event.before(b.clone());
                }
                events.push(event);
                mapping_changes.push(kind);
            }
            Ok((
                WorkplanUpdate {
                    entry: after,
                    changed,
                    mappings: mapping_changes,
                },
                events,
            ))
        })
    }

    /// Edits a domain's readiness (one dimension's states and gap, a story added, updated or
    /// removed) in one transaction with one audit event per thing that changed.
    pub fn edit_readiness(
        &mut self,
        actor: &Actor,
        edit: &ReadinessEdit,
    ) -> Result<ReadinessOutcome> {
        let texts_given =
            edit.current_state.is_some() || edit.readiness_state.is_some() || edit.gap.is_some();
        if texts_given && edit.dimension.is_none() {
            return Err(StoreError::Invalid(
                "the current state, readiness state and gap belong to one dimension; name it"
                    .into(),
            ));
        }
        // The story as its audit entry would show it, to tell an unchanged story from an edit.
        let story_state = match &edit.story {
            Some(s) => {
                if s.title.trim().is_empty() {
                    return Err(StoreError::Invalid("a story needs a title".into()));
                }
                let mut controls: Vec<String> = Vec::new();
                for id in &s.controls {
                    let c = self.item(*id)?.qualified().to_string();
                    if !controls.contains(&c) {
                        controls.push(c);
                    }
                }
                let criteria: Vec<String> = s
                    .acceptance_criteria
                    .iter()
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect();
                Some(json!({
                    "domain": edit.domain,
                    "dimension": s.dimension,
                    "title": s.title.trim(),
                    "description": s.description.trim(),
                    "acceptance_criteria": criteria,
                    "priority": s.priority,
                    "controls": controls,
                }))
            }
            None => None,
        };
        let now = actor.timestamp();
        let domain = edit.domain.as_str();
        self.mutate(actor, |tx| {
            let mut events = Vec::new();
            let mut outcome = ReadinessOutcome {
                cell: None,
                cell_changed: false,
                story: None,
                story_change: None,
                story_removed: false,
            };
            if let Some(dimension) = edit.dimension.as_deref() {
                let before = cell(tx, domain, dimension)?;
                let current = pick(&edit.current_state, &before.current_state);
                let readiness = pick(&edit.readiness_state, &before.readiness_state);
                let gap = pick(&edit.gap, &before.gap);
                if current != before.current_state
                    || readiness != before.readiness_state
                    || gap != before.gap
                {
                    tx.execute(
                        "UPDATE readiness SET current_state = ?3, readiness_state = ?4, gap = ?5,
                             updated_at = ?6, updated_by = ?7
                         WHERE domain = ?1 AND dimension = ?2",
                        params![domain, dimension, current, readiness, gap, now, actor.name],
                    )?;
                    let after = cell(tx, domain, dimension)?;
                    events.push(
                        AuditEvent::new(
                            "readiness.update",
                            format!("readiness:{domain}/{dimension}"),
                        )
                        .before(before.audit_json())
                        .after(after.audit_json()),
                    );
                    outcome.cell_changed = true;
                    outcome.cell = Some(after);
                } else {
                    outcome.cell = Some(before);
                }
            }
            if let Some(title) = &edit.remove_story {
                let old = story_by_title(tx, domain, title.trim())?.ok_or_else(|| {
                    StoreError::Invalid(format!("{domain} has no story titled '{}'", title.trim()))
                })?;
                tx.execute("DELETE FROM stories WHERE id = ?1", [old.id])?;
                events.push(
                    AuditEvent::new("story.delete", format!("story:{}", old.id))
                        .before(old.audit_json()),
                );
                outcome.story_removed = true;
            }
            if let (Some(s), Some(wanted)) = (&edit.story, &story_state) {
                let title = s.title.trim();
                let old = story_by_title(tx, domain, title)?;
                if let Some(o) = old.as_ref().filter(|o| &o.audit_json() == wanted) {
                    outcome.story_change = Some(MappingChange::Unchanged);
                    outcome.story = Some(o.clone());
                    return Ok((outcome, events));
                }
                let criteria_json = serde_json::to_string(&wanted["acceptance_criteria"])?;
                let description = s.description.trim();
                let id = match &old {
                    Some(o) => {
                        tx.execute(
                            "UPDATE stories SET dimension = ?2, description = ?3,
                                 acceptance_criteria = ?4, priority = ?5, updated_at = ?6,
                                 updated_by = ?7
                             WHERE id = ?1",
                            params![
                                o.id,
                                s.dimension,
                                description,
                                criteria_json,
                                s.priority,
                                now,
                                actor.name
                            ],
                        )?;
                        tx.execute("DELETE FROM story_controls WHERE story_id = ?1", [o.id])?;
                        o.id
                    }
                    None => {
                        tx.execute(
                            "INSERT INTO stories (domain, dimension, title, description,
                                 acceptance_criteria, priority, created_at, created_by,
                                 updated_at, updated_by)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?8)",
                            params![
                                domain,
                                s.dimension,
                                title,
                                description,
                                criteria_json,
                                s.priority,
                                now,
                                actor.name
                            ],
                        )?;
                        tx.last_insert_rowid()
                    }
                };
                for (position, control) in s.controls.iter().enumerate() {
                    tx.execute(
                        "INSERT OR IGNORE INTO story_controls (story_id, item_id, position)
                         VALUES (?1, ?2, ?3)",
                        params![id, control, position as i64],
                    )?;
                }
                let after = stories_where(tx, "WHERE id = ?1", &[&id])?
                    .into_iter()
                    .next()
                    .ok_or_else(|| StoreError::Invalid(format!("story '{title}' vanished")))?;
                let event = match &old {
                    None => AuditEvent::new("story.create", format!("story:{id}")),
                    Some(o) => AuditEvent::new("story.update", format!("story:{id}"))
                        .before(o.audit_json()),
                };
                events.push(event.after(after.audit_json()));
                outcome.story_change = Some(if old.is_some() {
                    MappingChange::Updated
                } else {
                    MappingChange::Created
                });
                outcome.story = Some(after);
            }
            Ok((outcome, events))
        })
    }
}

/// A mapping as the audit log records it (the same keys the store's own mapping events use).
fn mapping_json(source: &ItemRef, target: &ItemRef, m: &MappingInput) -> serde_json::Value {
    json!({
        "source": source.qualified().to_string(),
        "target": target.qualified().to_string(),
        "relationship": m.relationship,
        "responsibility": m.responsibility,
        "status": m.status,
        "rationale": m.rationale,
        "origin": m.origin,
    })
}

impl View {
    /// The recorded mapping between two items in the audit shape, if any.
    fn mapping_state(&self, source: i64, target: i64) -> Result<Option<serde_json::Value>> {
        let row: Option<(String, Option<String>, String, String, String)> = self
            .conn
            .query_row(
                "SELECT relationship, responsibility, status, rationale, origin FROM mappings
                 WHERE source_item_id = ?1 AND target_item_id = ?2",
                params![source, target],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((relationship, responsibility, status, rationale, origin)) = row else {
            return Ok(None);
        };
        let (s, t) = (self.item(source)?, self.item(target)?);
        Ok(Some(json!({
            "source": s.qualified().to_string(),
            "target": t.qualified().to_string(),
            "relationship": relationship,
            "responsibility": responsibility,
            "status": status,
            "rationale": rationale,
            "origin": origin,
        })))
    }
}

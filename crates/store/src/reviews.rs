//! Requirements whose text changed on re-import, and the decisions made on the old text that
//! wait for review. The triggers of migration 0011 record each change (old and new text) and
//! flag the requirement's accepted and rejected mappings inside the import's own transaction;
//! this module reads them, and clears a flag when someone confirms the decision (deciding again
//! with `map` clears it as well).

use crate::audit::AuditEvent;
use crate::engagement::{Actor, Engagement, View};
use crate::error::{Result, StoreError};
use crate::mappings::{mapping_json, mapping_row, MappingRow, MAPPING_SELECT};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// A requirement whose text an import changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextChange {
    pub set: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub old_text: String,
    pub new_text: String,
    /// The decided mappings this change flagged, as `FRAMEWORK:REF` of their targets.
    pub to_review: Vec<String>,
}

/// A decided mapping waiting for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingReview {
    pub mapping: MappingRow,
    /// The requirement's text when the decision was made.
    pub decided_text: String,
    /// Its text now.
    pub current_text: String,
}

fn review_select(condition: &str) -> String {
    // MAPPING_SELECT's columns first (mapping_row reads them by position), then the texts.
    let select = MAPPING_SELECT.replacen(
        "FROM mappings m",
        ", c.old_text
    FROM mappings m JOIN mapping_reviews r ON r.mapping_id = m.id
    JOIN text_changes c ON c.id = r.text_change_id",
        1,
    );
    format!("{select} WHERE {condition} ORDER BY sf.id, s.position, tf.id, t.position")
}

fn review_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MappingReview> {
    let mapping = mapping_row(r)?;
    Ok(MappingReview {
        decided_text: r.get(25)?,
        current_text: mapping.source.text.clone(),
        mapping,
    })
}

impl View {
    /// The requirements whose text the latest import into `set` changed, in source order,
    /// each with the decided mappings it flagged. Empty when the set has no import yet.
    pub fn latest_import_text_changes(&self, set: &str) -> Result<Vec<TextChange>> {
        let latest: Option<i64> = self
            .conn
            .query_row(
                "SELECT max(m.id) FROM imports m JOIN frameworks f ON f.id = m.framework_id
                 WHERE f.key = ?1 AND f.kind = 'requirements' AND f.shipped = 0",
                [set],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let Some(import_id) = latest else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare(
            "SELECT c.id, f.key, i.ref, c.old_text, c.new_text
             FROM text_changes c JOIN items i ON i.id = c.item_id
             JOIN frameworks f ON f.id = i.framework_id
             WHERE c.import_id = ?1 ORDER BY i.position, c.id",
        )?;
        let rows: Vec<(i64, TextChange)> = stmt
            .query_map([import_id], |r| {
                Ok((
                    r.get(0)?,
                    TextChange {
                        set: r.get(1)?,
                        reference: r.get(2)?,
                        old_text: r.get(3)?,
                        new_text: r.get(4)?,
                        to_review: Vec::new(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut flagged = self.conn.prepare(
            "SELECT tf.key || ':' || t.ref
             FROM mapping_reviews r JOIN mappings m ON m.id = r.mapping_id
             JOIN items s ON s.id = m.source_item_id
             JOIN items t ON t.id = m.target_item_id JOIN frameworks tf ON tf.id = t.framework_id
             JOIN text_changes c ON c.item_id = s.id
             WHERE c.id = ?1
             ORDER BY tf.id, t.position",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, mut change) in rows {
            change.to_review = flagged
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            out.push(change);
        }
        Ok(out)
    }

    /// Every decided mapping waiting for review, in `set` when given, in source order.
    pub fn mappings_to_review(&self, set: Option<&str>) -> Result<Vec<MappingReview>> {
        let mut stmt = self
            .conn
            .prepare(&review_select("(?1 IS NULL OR sf.key = ?1)"))?;
        let rows = stmt.query_map([set], review_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Engagement {
    /// Confirms the decisions on requirement `source` that wait for review: those to `targets`,
    /// or all of them when `targets` is empty. One audit entry per confirmed mapping, with the
    /// text it was decided on and the text it is confirmed for. Fails, writing nothing, when a
    /// named target has no mapping waiting for review.
    pub fn confirm_reviews(
        &mut self,
        actor: &Actor,
        source: i64,
        targets: &[i64],
    ) -> Result<Vec<MappingReview>> {
        self.mutate(actor, |tx| {
            let mut stmt = tx.prepare(&review_select("m.source_item_id = ?1"))?;
            let waiting: Vec<MappingReview> = stmt
                .query_map([source], review_row)?
                .collect::<rusqlite::Result<_>>()?;
            drop(stmt);
            for t in targets {
                if !waiting.iter().any(|w| w.mapping.target.id == *t) {
                    let target = tx.query_row(
                        "SELECT f.key || ':' || i.ref FROM items i
                         JOIN frameworks f ON f.id = i.framework_id WHERE i.id = ?1",
                        [t],
                        |r| r.get::<_, String>(0),
                    )?;
                    return Err(StoreError::Invalid(format!(
                        "no mapping to {target} waits for review on this requirement"
                    )));
                }
            }
            let chosen: Vec<MappingReview> = waiting
                .into_iter()
                .filter(|w| targets.is_empty() || targets.contains(&w.mapping.target.id))
                .collect();
            let mut events = Vec::with_capacity(chosen.len());
            for w in &chosen {
                tx.execute(
                    "DELETE FROM mapping_reviews WHERE mapping_id = ?1",
                    params![w.mapping.id],
                )?;
                let subject = format!(
                    "mapping:{} -> {}",
                    w.mapping.source.qualified(),
                    w.mapping.target.qualified()
                );
                let mut after = mapping_json(&w.mapping);
                after["confirmed_for_text"] = w.current_text.clone().into();
                events.push(
                    AuditEvent::new("mapping.review", subject)
                        .before(serde_json::json!({ "decided_on_text": w.decided_text }))
                        .after(after),
                );
            }
            Ok((chosen, events))
        })
    }
}

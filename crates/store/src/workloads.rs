//! Workloads listed and removed, and several landing-zone controls switched in one change with
//! the coverage moves it causes.

use crate::audit::AuditEvent;
use crate::engagement::{Actor, Engagement, View};
use crate::error::{Result, StoreError};
use crosswalk_domain::{Coverage, FrameworkKind};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use std::collections::BTreeMap;

/// A workload with what hangs on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkloadRow {
    pub name: String,
    pub description: String,
    pub created_at: String,
    /// Assessments (owner, notes, evidence, overrides) recorded for this workload alone.
    pub assessments: usize,
}

/// A requirement whose engagement-wide coverage a change moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageMove {
    /// `SET:REF`.
    pub requirement: String,
    pub before: Coverage,
    pub after: Coverage,
}

/// What switching several landing-zone controls did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ControlsChange {
    /// `FRAMEWORK:REF` of each control whose state changed (one audit entry each).
    pub changed: Vec<String>,
    /// `FRAMEWORK:REF` of each control that already was in the asked state (nothing written).
    pub unchanged: Vec<String>,
    pub coverage_moves: Vec<CoverageMove>,
}

impl View {
    /// Every workload in the order they were added, with its assessment count.
    pub fn workload_rows(&self) -> Result<Vec<WorkloadRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT w.name, w.description, w.created_at,
                    (SELECT count(*) FROM assessments a WHERE a.workload_id = w.id)
             FROM workloads w ORDER BY w.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(WorkloadRow {
                name: r.get(0)?,
                description: r.get(1)?,
                created_at: r.get(2)?,
                assessments: r.get::<_, i64>(3)? as usize,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The engagement-wide coverage of every current requirement, keyed by `SET:REF`.
fn coverage_now(tx: &Transaction<'_>) -> Result<BTreeMap<String, Coverage>> {
    let mut stmt = tx.prepare(
        "SELECT f.key, i.ref, c.coverage FROM requirement_coverage c
         JOIN items i ON i.id = c.item_id JOIN frameworks f ON f.id = i.framework_id
         WHERE i.removed = 0",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (set, reference, coverage) = row?;
        let coverage: Coverage = coverage
            .parse()
            .map_err(|e| StoreError::Invalid(format!("{e}")))?;
        out.insert(format!("{set}:{reference}"), coverage);
    }
    Ok(out)
}

impl Engagement {
    /// Removes the workload `name`. With assessments recorded for it the removal is refused
    /// unless `force`, which removes them with it (the audit entry keeps them). Returns how
    /// many assessments went with the workload.
    pub fn remove_workload(&mut self, actor: &Actor, name: &str, force: bool) -> Result<usize> {
        self.mutate(actor, |tx| {
            let found: Option<(i64, String)> = tx
                .query_row(
                    "SELECT id, description FROM workloads WHERE name = ?1",
                    [name],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((id, description)) = found else {
                return Err(StoreError::Invalid(format!("no workload named '{name}'")));
            };
            let mut stmt = tx.prepare(
                "SELECT f.key, i.ref, a.coverage, a.coverage_reason, a.owner, a.evidence, a.notes
                 FROM assessments a JOIN items i ON i.id = a.item_id
                 JOIN frameworks f ON f.id = i.framework_id
                 WHERE a.workload_id = ?1 ORDER BY a.item_id",
            )?;
            let kept: Vec<serde_json::Value> = stmt
                .query_map([id], |r| {
                    Ok(serde_json::json!({
                        "requirement": format!("{}:{}", r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                        "coverage": r.get::<_, Option<String>>(2)?,
                        "coverage_reason": r.get::<_, String>(3)?,
                        "owner": r.get::<_, String>(4)?,
                        "evidence": r.get::<_, String>(5)?,
                        "notes": r.get::<_, String>(6)?,
                    }))
                })?
                .collect::<rusqlite::Result<_>>()?;
            drop(stmt);
            if !kept.is_empty() && !force {
                return Err(StoreError::Invalid(format!(
                    "workload '{name}' has {} assessment{} of its own (owner, notes, evidence or \
                     overrides); nothing was removed. --force removes them with the workload",
                    kept.len(),
                    if kept.len() == 1 { "" } else { "s" }
                )));
            }
            tx.execute("DELETE FROM assessments WHERE workload_id = ?1", [id])?;
            tx.execute("DELETE FROM workloads WHERE id = ?1", [id])?;
            let event = AuditEvent::new("workload.remove", format!("workload:{name}")).before(
                serde_json::json!({
                    "name": name, "description": description, "assessments": kept,
                }),
            );
            Ok((kept.len(), vec![event]))
        })
    }

    /// Enables or disables several landing-zone controls (`(item id, enabled)`) in one
    /// transaction with one audit entry per control that changes; a control already in the
    /// asked state is left alone. Nothing is written when any item is not a landing-zone
    /// control. Also reports the requirements whose engagement-wide coverage moved.
    pub fn set_controls_enabled(
        &mut self,
        actor: &Actor,
        controls: &[(i64, bool)],
        note: &str,
    ) -> Result<ControlsChange> {
        let mut items = Vec::with_capacity(controls.len());
        for &(id, on) in controls {
            let item = self.item(id)?;
            if item.kind != FrameworkKind::LzControls {
                return Err(StoreError::Invalid(format!(
                    "{} is not a landing-zone control",
                    item.qualified()
                )));
            }
            items.push((item, on));
        }
        let now = actor.timestamp();
        self.mutate(actor, |tx| {
            let before = coverage_now(tx)?;
            let mut change = ControlsChange::default();
            let mut events = Vec::new();
            for (item, on) in &items {
                let name = item.qualified().to_string();
                let was: Option<(bool, String)> = tx
                    .query_row(
                        "SELECT enabled, note FROM landing_zone_profile WHERE item_id = ?1",
                        [item.id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if change.changed.contains(&name) || change.unchanged.contains(&name) {
                    continue;
                }
                // A control the profile does not mention counts as disabled.
                if was.as_ref().map(|w| w.0).unwrap_or(false) == *on {
                    change.unchanged.push(name);
                    continue;
                }
                tx.execute(
                    "INSERT INTO landing_zone_profile (item_id, enabled, note, updated_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (item_id) DO UPDATE SET
                         enabled = excluded.enabled, note = excluded.note,
                         updated_at = excluded.updated_at",
                    params![item.id, on, note, now],
                )?;
                let mut event = AuditEvent::new("profile.set", format!("control:{name}"))
                    .after(serde_json::json!({ "enabled": on, "note": note }));
                if let Some((e, n)) = was {
                    event = event.before(serde_json::json!({ "enabled": e, "note": n }));
                }
                events.push(event);
                change.changed.push(name);
            }
            let after = coverage_now(tx)?;
            change.coverage_moves = after
                .into_iter()
                .filter_map(|(requirement, now)| {
                    let was = *before.get(&requirement)?;
                    (was != now).then_some(CoverageMove {
                        requirement,
                        before: was,
                        after: now,
                    })
                })
                .collect();
            Ok((change, events))
        })
    }
}

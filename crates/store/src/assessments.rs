//! Workloads, the landing-zone profile, assessments and saved import profiles.

use crate::audit::AuditEvent;
use crate::engagement::{Actor, Engagement, View};
use crate::error::{Result, StoreError};
use crosswalk_domain::Coverage;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// The consultant's assessment of a requirement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// A manual coverage that replaces the derived one; needs `coverage_reason`.
    pub coverage: Option<Coverage>,
    pub coverage_reason: String,
    pub owner: String,
    pub evidence: String,
    pub notes: String,
    pub backlog_story: String,
}

/// An assessment as stored, with who changed it last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredAssessment {
    pub item_id: i64,
    pub workload: Option<String>,
    #[serde(flatten)]
    pub assessment: Assessment,
    pub updated_at: String,
    pub updated_by: String,
}

/// A landing-zone control in the engagement's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileEntry {
    pub framework: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub enabled: bool,
    pub note: String,
}

impl View {
    /// Every requirement's assessment for the engagement as a whole or one workload.
    pub fn assessments(&self, workload: Option<&str>) -> Result<Vec<StoredAssessment>> {
        self.read_assessments(workload, None)
    }

    /// One requirement's assessment for the engagement as a whole or one workload, when one
    /// was recorded.
    pub fn assessment_of(
        &self,
        item_id: i64,
        workload: Option<&str>,
    ) -> Result<Option<StoredAssessment>> {
        Ok(self.read_assessments(workload, Some(item_id))?.pop())
    }

    fn read_assessments(
        &self,
        workload: Option<&str>,
        item_id: Option<i64>,
    ) -> Result<Vec<StoredAssessment>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.item_id, w.name, a.coverage, a.coverage_reason, a.owner, a.evidence,
                    a.notes, a.backlog_story, a.updated_at, a.updated_by
             FROM assessments a LEFT JOIN workloads w ON w.id = a.workload_id
             WHERE ((?1 IS NULL AND a.workload_id IS NULL) OR w.name = ?1)
               AND (?2 IS NULL OR a.item_id = ?2)
             ORDER BY a.item_id",
        )?;
        let rows = stmt.query_map(rusqlite::params![workload, item_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                Assessment {
                    coverage: None,
                    coverage_reason: r.get(3)?,
                    owner: r.get(4)?,
                    evidence: r.get(5)?,
                    notes: r.get(6)?,
                    backlog_story: r.get(7)?,
                },
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (item_id, workload, coverage, mut assessment, updated_at, updated_by) = row?;
            assessment.coverage = match coverage {
                Some(c) => Some(c.parse().map_err(|e| StoreError::Invalid(format!("{e}")))?),
                None => None,
            };
            out.push(StoredAssessment {
                item_id,
                workload,
                assessment,
                updated_at,
                updated_by,
            });
        }
        Ok(out)
    }

    /// The landing-zone controls the profile mentions, enabled or not.
    pub fn landing_zone_profile(&self) -> Result<Vec<ProfileEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT f.key, i.ref, i.title, p.enabled, p.note
             FROM landing_zone_profile p JOIN items i ON i.id = p.item_id
             JOIN frameworks f ON f.id = i.framework_id ORDER BY f.id, i.position",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ProfileEntry {
                framework: r.get(0)?,
                reference: r.get(1)?,
                title: r.get(2)?,
                enabled: r.get(3)?,
                note: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn workloads(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM workloads ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every saved import profile as (name, options, last saved), by name.
    pub fn import_profiles(&self) -> Result<Vec<(String, serde_json::Value, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, options, updated_at FROM import_profiles ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (name, options, at) = row?;
            out.push((name, serde_json::from_str(&options)?, at));
        }
        Ok(out)
    }

    /// The options saved under `name`, as JSON.
    pub fn import_profile(&self, name: &str) -> Result<Option<serde_json::Value>> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT options FROM import_profiles WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match text {
            Some(t) => Some(serde_json::from_str(&t)?),
            None => None,
        })
    }
}

/// Inserts or replaces the import profile `name` inside a running transaction.
pub(crate) fn put_import_profile(
    tx: &rusqlite::Transaction<'_>,
    name: &str,
    options: &serde_json::Value,
    now: &str,
) -> Result<()> {
    if name.trim().is_empty() {
        return Err(StoreError::Invalid("an import profile needs a name".into()));
    }
    tx.execute(
        "INSERT INTO import_profiles (name, options, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT (name) DO UPDATE SET options = excluded.options, updated_at = excluded.updated_at",
        params![name, options.to_string(), now],
    )?;
    Ok(())
}

impl Engagement {
    pub fn add_workload(&mut self, actor: &Actor, name: &str, description: &str) -> Result<()> {
        let now = actor.timestamp();
        self.mutate(actor, |tx| {
            tx.execute(
                "INSERT INTO workloads (name, description, created_at) VALUES (?1, ?2, ?3)",
                params![name, description, now],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    StoreError::Invalid(format!("workload '{name}' already exists or has no name"))
                }
                other => other.into(),
            })?;
            let event = AuditEvent::new("workload.create", format!("workload:{name}"))
                .after(serde_json::json!({ "name": name, "description": description }));
            Ok(((), vec![event]))
        })
    }

    /// Enables or disables a landing-zone control in the engagement's profile.
    pub fn set_control_enabled(
        &mut self,
        actor: &Actor,
        item_id: i64,
        enabled: bool,
        note: &str,
    ) -> Result<()> {
        let item = self.item(item_id)?;
        if item.kind != crosswalk_domain::FrameworkKind::LzControls {
            return Err(StoreError::Invalid(format!(
                "{} is not a landing-zone control",
                item.qualified()
            )));
        }
        let now = actor.timestamp();
        self.mutate(actor, |tx| {
            let before: Option<(bool, String)> = tx
                .query_row(
                    "SELECT enabled, note FROM landing_zone_profile WHERE item_id = ?1",
                    [item_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            tx.execute(
                "INSERT INTO landing_zone_profile (item_id, enabled, note, updated_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (item_id) DO UPDATE SET
                     enabled = excluded.enabled, note = excluded.note, updated_at = excluded.updated_at",
                params![item_id, enabled, note, now],
            )?;
            let mut event = AuditEvent::new("profile.set", format!("control:{}", item.qualified()))
                .after(serde_json::json!({ "enabled": enabled, "note": note }));
            if let Some((e, n)) = before {
                event = event.before(serde_json::json!({ "enabled": e, "note": n }));
            }
            Ok(((), vec![event]))
        })
    }

    /// Replaces the assessment of one requirement (for the engagement, or one workload).
    pub fn set_assessment(
        &mut self,
        actor: &Actor,
        item_id: i64,
        workload: Option<&str>,
        assessment: &Assessment,
    ) -> Result<()> {
        let item = self.item(item_id)?;
        if item.kind != crosswalk_domain::FrameworkKind::Requirements {
            return Err(StoreError::Invalid(format!(
                "{} is not a requirement",
                item.qualified()
            )));
        }
        if assessment.coverage.is_some() && assessment.coverage_reason.trim().is_empty() {
            return Err(StoreError::Invalid(format!(
                "overriding the coverage of {} needs a reason",
                item.qualified()
            )));
        }
        let now = actor.timestamp();
        let before = self
            .assessments(workload)?
            .into_iter()
            .find(|a| a.item_id == item_id)
            .map(|a| a.assessment);
        self.mutate(actor, |tx| {
            let workload_id: Option<i64> = match workload {
                Some(name) => Some(
                    tx.query_row("SELECT id FROM workloads WHERE name = ?1", [name], |r| r.get(0))
                        .optional()?
                        .ok_or_else(|| StoreError::Invalid(format!("no workload named '{name}'")))?,
                ),
                None => None,
            };
            tx.execute(
                "DELETE FROM assessments WHERE item_id = ?1 AND ifnull(workload_id, 0) = ifnull(?2, 0)",
                params![item_id, workload_id],
            )?;
            tx.execute(
                "INSERT INTO assessments (item_id, workload_id, coverage, coverage_reason, owner,
                     evidence, notes, backlog_story, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    item_id,
                    workload_id,
                    assessment.coverage.map(|c| c.as_str()),
                    assessment.coverage_reason,
                    assessment.owner,
                    assessment.evidence,
                    assessment.notes,
                    assessment.backlog_story,
                    now,
                    actor.name
                ],
            )?;
            let subject = match workload {
                Some(w) => format!("assessment:{} @ {w}", item.qualified()),
                None => format!("assessment:{}", item.qualified()),
            };
            let mut event =
                AuditEvent::new("assessment.set", subject).after(serde_json::to_value(assessment)?);
            if let Some(b) = &before {
                event = event.before(serde_json::to_value(b)?);
            }
            Ok(((), vec![event]))
        })
    }

    /// Saves (or replaces) a named import profile.
    pub fn save_import_profile(
        &mut self,
        actor: &Actor,
        name: &str,
        options: &serde_json::Value,
    ) -> Result<()> {
        let now = actor.timestamp();
        let before = self.import_profile(name)?;
        self.mutate(actor, |tx| {
            put_import_profile(tx, name, options, &now)?;
            let mut event = AuditEvent::new("import_profile.save", format!("profile:{name}"))
                .after(options.clone());
            if let Some(b) = before {
                event = event.before(b);
            }
            Ok(((), vec![event]))
        })
    }
}

//! The append-only audit log. Each entry's hash covers its content and the previous entry's
//! hash, so changing or removing an entry (past the triggers, e.g. with another tool) shows.

use crate::engagement::{Actor, View};
use crate::error::{Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The hash the first entry chains to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a mutation says about itself; the store adds who, when and the hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub action: String,
    pub subject: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl AuditEvent {
    pub fn new(action: impl Into<String>, subject: impl Into<String>) -> AuditEvent {
        AuditEvent {
            action: action.into(),
            subject: subject.into(),
            before: None,
            after: None,
        }
    }

    pub fn before(mut self, value: Value) -> Self {
        self.before = Some(value);
        self
    }

    pub fn after(mut self, value: Value) -> Self {
        self.after = Some(value);
        self
    }
}

/// One stored entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub prev_hash: String,
    pub hash: String,
}

#[allow(clippy::too_many_arguments)]
fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    subject: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    // A JSON array is an unambiguous encoding: no field can bleed into the next.
    let canonical = serde_json::json!([prev_hash, seq, at, actor, action, subject, before, after]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

pub(crate) fn append(conn: &Connection, actor: &Actor, event: &AuditEvent) -> Result<i64> {
    // Cached statements: a bulk change (accepting thousands of suggestions) appends an entry
    // per mapping, and compiling these two statements each time cost more than running them.
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    let at = actor.timestamp();
    let before = event.before.as_ref().map(Value::to_string);
    let after = event.after.as_ref().map(Value::to_string);
    let hash = entry_hash(
        &prev_hash,
        seq,
        &at,
        &actor.name,
        &event.action,
        &event.subject,
        before.as_deref(),
        after.as_deref(),
    );
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor, action, subject, before, after, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        seq,
        at,
        actor.name,
        event.action,
        event.subject,
        before,
        after,
        prev_hash,
        hash
    ])?;
    Ok(seq)
}

struct RawEntry {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    subject: String,
    before: Option<String>,
    after: Option<String>,
    prev_hash: String,
    hash: String,
}

impl View {
    fn raw_audit(&self, since: i64) -> Result<Vec<RawEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, actor, action, subject, before, after, prev_hash, hash
             FROM audit_log WHERE seq > ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([since], |r| {
            Ok(RawEntry {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                subject: r.get(4)?,
                before: r.get(5)?,
                after: r.get(6)?,
                prev_hash: r.get(7)?,
                hash: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The audit entries after `since` (0 for all), oldest first.
    pub fn audit_log(&self, since: i64) -> Result<Vec<AuditEntry>> {
        // An altered entry may no longer hold JSON: it is shown as the text it holds.
        let parse = |s: Option<String>| -> Result<Option<Value>> {
            Ok(s.map(|s| serde_json::from_str(&s).unwrap_or(Value::String(s))))
        };
        self.raw_audit(since)?
            .into_iter()
            .map(|e| {
                Ok(AuditEntry {
                    seq: e.seq,
                    at: e.at,
                    actor: e.actor,
                    action: e.action,
                    subject: e.subject,
                    before: parse(e.before)?,
                    after: parse(e.after)?,
                    prev_hash: e.prev_hash,
                    hash: e.hash,
                })
            })
            .collect()
    }

    /// The sequence number of the newest entry (0 when the log is empty).
    pub fn last_audit_seq(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT ifnull(max(seq), 0) FROM audit_log", [], |r| {
                r.get(0)
            })?)
    }

    /// Recomputes the whole chain; returns the number of entries, or the first one that does
    /// not match.
    pub fn verify_audit_chain(&self) -> Result<usize> {
        match self.audit_chain_break()? {
            Some(seq) => Err(StoreError::AuditTampered { seq }),
            None => self.raw_audit(0).map(|e| e.len()),
        }
    }

    /// Recomputes the whole chain and returns the sequence number of the first entry that does
    /// not match it (its content, its place or its link to the one before changed), or `None`
    /// when the chain is intact. Entries removed from the end leave an intact chain: a hash
    /// chain kept in the same file cannot show that.
    pub fn audit_chain_break(&self) -> Result<Option<i64>> {
        let entries = self.raw_audit(0)?;
        let mut prev = GENESIS_HASH.to_string();
        for (expected_seq, e) in (1..).zip(&entries) {
            let hash = entry_hash(
                &prev,
                e.seq,
                &e.at,
                &e.actor,
                &e.action,
                &e.subject,
                e.before.as_deref(),
                e.after.as_deref(),
            );
            if e.seq != expected_seq || e.prev_hash != prev || e.hash != hash {
                return Ok(Some(e.seq));
            }
            prev = hash;
        }
        Ok(None)
    }
}

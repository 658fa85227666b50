//! Schema migrations: SQL files under `migrations/`, embedded at compile time and applied in one
//! transaction. `PRAGMA user_version` holds the newest applied version; `schema_migrations`
//! records each one with the hash of its SQL so an edited migration is noticed.

use crate::error::{Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use std::path::Path;

pub(crate) struct Migration {
    pub version: i64,
    pub slug: &'static str,
    pub sql: &'static str,
}

/// In order; the version is the file's number. Append only.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        slug: "engagement",
        sql: include_str!("../migrations/0001_engagement.sql"),
    },
    Migration {
        version: 2,
        slug: "export",
        sql: include_str!("../migrations/0002_export.sql"),
    },
    Migration {
        version: 10,
        slug: "workplan",
        sql: include_str!("../migrations/0010_workplan.sql"),
    },
    Migration {
        version: 11,
        slug: "text_changes",
        sql: include_str!("../migrations/0011_text_changes.sql"),
    },
    Migration {
        version: 12,
        slug: "bulk_index",
        sql: include_str!("../migrations/0012_bulk_index.sql"),
    },
];

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

fn sql_hash(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

pub(crate) fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Refuses files written by a newer Crosswalk before anything touches them.
pub(crate) fn check_not_newer(conn: &Connection, path: &Path) -> Result<i64> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(found)
}

/// Applies the missing migrations in one transaction; returns the versions applied. A file that
/// is up to date is only read, so opening it leaves its bytes as they were.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<Vec<i64>> {
    let current = check_not_newer(conn, path)?;
    for m in MIGRATIONS.iter().filter(|m| m.version <= current) {
        let stored: Option<String> = conn
            .query_row(
                "SELECT sha256 FROM schema_migrations WHERE version = ?1",
                [m.version],
                |r| r.get(0),
            )
            .optional()?;
        if stored.as_deref() != Some(sql_hash(m.sql).as_str()) {
            return Err(StoreError::MigrationChanged {
                path: path.to_path_buf(),
                version: m.version,
                slug: m.slug.to_string(),
            });
        }
    }
    let pending: Vec<&Migration> = MIGRATIONS.iter().filter(|m| m.version > current).collect();
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let tx = conn.transaction()?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             slug    TEXT NOT NULL,
             sha256  TEXT NOT NULL
         );",
    )?;
    let mut applied = Vec::new();
    for m in pending {
        tx.execute_batch(m.sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, slug, sha256) VALUES (?1, ?2, ?3)",
            params![m.version, m.slug, sql_hash(m.sql)],
        )?;
        applied.push(m.version);
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_versions_increase_and_match_their_file_names() {
        let mut last = 0;
        for m in MIGRATIONS {
            assert!(
                m.version > last,
                "migration {} must come after {last}",
                m.version
            );
            last = m.version;
        }
        assert_eq!(
            SCHEMA_VERSION, last,
            "the schema version is the newest migration"
        );
    }

    #[test]
    fn every_migration_file_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let embedded: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.slug))
            .collect();
        assert_eq!(
            files, embedded,
            "a migration file left out of MIGRATIONS would never run"
        );
    }
}

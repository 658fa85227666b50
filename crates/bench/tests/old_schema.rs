//! Engagement files written by older schema versions open and migrate without loss. The old
//! files are made here, not kept as binary blobs: for each released version V the migration SQL
//! files up to V are applied to an empty database (recorded as `migrate` records them), then the
//! tables that exist at V are filled with the rows of a real engagement made by this build
//! (import, accepted suggestions, audit log), column by column. Opening the file with this
//! build must apply the newer migrations and keep every one of those rows unchanged.

use crosswalk_store::{Engagement, SCHEMA_VERSION};
use rusqlite::types::Value;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn actor() -> crosswalk_api::Actor {
    crosswalk_api::Actor::new("tester", time::macros::datetime!(2025-06-01 09:00 UTC))
}

/// The migration files, as (version, slug, sql), in order.
fn migrations() -> Vec<(i64, String, String)> {
    let dir = crosswalk_bench::workspace_root().join("crates/store/migrations");
    let mut out: Vec<(i64, String, String)> = std::fs::read_dir(&dir)
        .expect("the store's migrations folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            let (num, slug) = stem.split_once('_').expect("NNNN_slug.sql");
            let sql = std::fs::read_to_string(&p).unwrap();
            (num.parse().expect("a number"), slug.to_string(), sql)
        })
        .collect();
    out.sort_by_key(|m| m.0);
    out
}

/// A file at schema `version`, as that release's `migrate` left it.
fn schema_at(path: &Path, version: i64) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(
        "CREATE TABLE schema_migrations (
             version INTEGER PRIMARY KEY,
             slug    TEXT NOT NULL,
             sha256  TEXT NOT NULL
         );",
    )?;
    for (v, slug, sql) in migrations().into_iter().filter(|m| m.0 <= version) {
        conn.execute_batch(&sql)?;
        conn.execute(
            "INSERT INTO schema_migrations (version, slug, sha256) VALUES (?1, ?2, ?3)",
            rusqlite::params![v, slug, hex::encode(Sha256::digest(sql.as_bytes()))],
        )?;
    }
    conn.pragma_update(None, "user_version", version)?;
    Ok(conn)
}

/// Plain tables of a schema (no virtual tables, their shadow tables or bookkeeping).
fn tables(conn: &Connection, schema: &str) -> rusqlite::Result<Vec<String>> {
    let virtuals: Vec<String> = conn
        .prepare(&format!(
            "SELECT name FROM {schema}.sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let all: Vec<String> = conn
        .prepare(&format!(
            "SELECT name FROM {schema}.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             AND name <> 'schema_migrations' ORDER BY rowid"
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(all
        .into_iter()
        .filter(|t| {
            !virtuals
                .iter()
                .any(|v| t == v || t.starts_with(&format!("{v}_")))
        })
        .collect())
}

fn columns(conn: &Connection, schema: &str, table: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare(&format!("PRAGMA {schema}.table_info(\"{table}\")"))?
        .query_map([], |r| r.get(1))?
        .collect()
}

/// Every row of `table` (the given columns), sorted, as comparable text.
fn rows(conn: &Connection, table: &str, cols: &[String]) -> rusqlite::Result<Vec<String>> {
    let list = cols
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out: Vec<String> = conn
        .prepare(&format!("SELECT {list} FROM \"{table}\""))?
        .query_map([], |r| {
            (0..cols.len())
                .map(|i| r.get::<_, Value>(i).map(|v| format!("{v:?}")))
                .collect::<rusqlite::Result<Vec<_>>>()
                .map(|v| v.join(" | "))
        })?
        .collect::<rusqlite::Result<_>>()?;
    out.sort();
    Ok(out)
}

/// A real engagement made by this build: workloads, a landing-zone preset, an import of a
/// generated sheet with merged sections, and accepted suggestions.
fn reference(dir: &Path) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let db = dir.join("reference.crosswalk");
    crosswalk_api::create_engagement(
        &db,
        &actor(),
        "Acme",
        &["Payments".to_string()],
        Some("migration-baseline"),
    )?;
    let sheet = dir.join("requirements.xlsx");
    let sections = crosswalk_bench::generate::requirements(40);
    std::fs::write(&sheet, crosswalk_bench::generate::xlsx(&sections)?)?;
    crosswalk_api::import(
        &db,
        &actor(),
        &crosswalk_api::ImportRequest {
            file: sheet,
            set: Some("customer".into()),
            ..Default::default()
        },
    )?;
    let report = crosswalk_api::suggest(
        &db,
        &actor(),
        &crosswalk_api::SuggestRequest {
            set: None,
            top: 3,
            accept_above: Some(0.5),
        },
    )?;
    assert!(report.accepted > 0, "the reference has accepted mappings");
    Ok(db)
}

#[test]
fn files_of_every_older_schema_version_migrate_keeping_every_row() -> TestResult {
    let dir = tempfile::tempdir()?;
    let reference = reference(dir.path())?;
    let older: Vec<i64> = migrations()
        .iter()
        .map(|m| m.0)
        .filter(|v| *v < SCHEMA_VERSION)
        .collect();
    assert!(
        !older.is_empty(),
        "there is an older schema to migrate from"
    );
    for version in older {
        let path = dir.path().join(format!("schema-{version}.crosswalk"));
        let mut kept = Vec::new();
        {
            let conn = schema_at(&path, version)?;
            conn.pragma_update(None, "foreign_keys", false)?;
            conn.execute("ATTACH DATABASE ?1 AS ref", [reference.to_str().unwrap()])?;
            for table in tables(&conn, "main")? {
                let ref_cols = columns(&conn, "ref", &table)?;
                let cols: Vec<String> = columns(&conn, "main", &table)?
                    .into_iter()
                    .filter(|c| ref_cols.contains(c))
                    .collect();
                let list = cols
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ");
                // OR REPLACE: rows the schema's own triggers made while earlier tables were
                // filled (the workplan seeded from the catalogue's items) give way to the
                // reference's rows.
                let n = conn.execute(
                    &format!(
                        "INSERT OR REPLACE INTO main.\"{table}\" ({list}) SELECT {list} FROM ref.\"{table}\" ORDER BY rowid"
                    ),
                    [],
                )?;
                kept.push((table, cols, n));
            }
            conn.execute("DETACH DATABASE ref", [])?;
            let fk: i64 =
                conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })?;
            assert_eq!(
                fk, 0,
                "the schema-{version} file is consistent before migrating"
            );
        }
        let before: Vec<(String, Vec<String>)> = {
            let conn = Connection::open(&path)?;
            kept.iter()
                .map(|(t, c, _)| rows(&conn, t, c).map(|r| (t.clone(), r)))
                .collect::<rusqlite::Result<_>>()?
        };
        assert!(
            kept.iter().any(|(t, _, n)| t == "items" && *n > 40),
            "schema {version}: the old file holds the requirements and the catalogue"
        );

        // This build opens it: the newer migrations run, in one transaction.
        Engagement::open(&path, &actor(), crosswalk_api::shipped_catalogue())?.close()?;

        let conn = Connection::open(&path)?;
        let now: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        assert_eq!(now, SCHEMA_VERSION, "schema {version} was migrated");
        let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        assert_eq!(integrity, "ok");
        for (table, old_rows) in &before {
            let cols = &kept.iter().find(|k| &k.0 == table).unwrap().1;
            let new_rows = rows(&conn, table, cols)?;
            let mut missing = old_rows.clone();
            for r in &new_rows {
                if let Ok(i) = missing.binary_search(r) {
                    missing.remove(i);
                }
            }
            assert!(
                missing.is_empty(),
                "schema {version}: {} row(s) of {table} lost or changed by the migration, e.g. {}",
                missing.len(),
                missing[0]
            );
        }
        drop(conn);
        // The application reads it whole: the audit chain verifies, the requirements list, and
        // the matrix exports (the export needs what migration 2 added).
        let summary = crosswalk_api::engagement_summary(&path)?;
        assert_eq!(summary.info.customer, "Acme");
        let list = crosswalk_api::list_requirements(
            &path,
            &crosswalk_api::RequirementQuery {
                set: Some("customer".into()),
                ..Default::default()
            },
        )?;
        assert_eq!(list.total, 40, "schema {version}");
        let out = dir.path().join(format!("matrix-{version}.xlsx"));
        let export = crosswalk_api::export(
            &path,
            &actor(),
            &crosswalk_api::ExportRequest {
                out: out.clone(),
                format: Some(crosswalk_api::ExportFormat::Xlsx),
            },
        )?;
        assert_eq!(export.rows, 40, "schema {version}");
        assert!(
            export.links > 0,
            "schema {version}: the accepted mappings are in the matrix"
        );
    }
    Ok(())
}

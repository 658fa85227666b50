//! Opening, creating and closing engagement files, and the one path every mutation takes.

use crate::audit::{self, AuditEvent};
use crate::catalogue;
use crate::error::{Result, StoreError};
use crate::migrations::{self, SCHEMA_VERSION};
use crosswalk_domain::Catalogue;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction};
use serde::Serialize;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Who makes a change, and when. Passed in by the host; the store never reads the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub at: OffsetDateTime,
}

impl Actor {
    pub fn new(name: impl Into<String>, at: OffsetDateTime) -> Actor {
        Actor {
            name: name.into(),
            at,
        }
    }

    /// The time as stored: RFC 3339 in UTC, to the second (what an auditor reads; sub-second
    /// digits would only add noise to the matrix and the log).
    pub fn timestamp(&self) -> String {
        let utc = self.at.to_offset(time::UtcOffset::UTC);
        utc.replace_nanosecond(0)
            .unwrap_or(utc)
            .format(&Rfc3339)
            .unwrap_or_else(|_| self.at.unix_timestamp().to_string())
    }
}

/// What the engagement file says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngagementInfo {
    pub customer: String,
    pub created_at: String,
    pub created_by: String,
    pub catalogue_version: String,
    pub schema_version: i64,
}

/// Read access to an engagement file. Both handle types deref to this, so every query is
/// available on both, and only [`Engagement`] can change anything.
pub struct View {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
}

/// A read-only handle: SQLite's `query_only` refuses every write, so not even a bug can write.
pub struct EngagementReader {
    view: View,
}

/// A read-write handle. Every mutating method runs one transaction that also appends its audit
/// event. Dropping or closing it check-points the WAL into the one file.
pub struct Engagement {
    view: View,
}

impl Deref for EngagementReader {
    type Target = View;
    fn deref(&self) -> &View {
        &self.view
    }
}

impl Deref for Engagement {
    type Target = View;
    fn deref(&self) -> &View {
        &self.view
    }
}

fn configure(conn: &Connection, writable: bool) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    if writable {
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Invalid(format!(
                "could not switch to WAL (got {mode})"
            )));
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    Ok(())
}

/// True when this process may write the file (opening it for writing changes nothing).
fn writable(path: &Path) -> bool {
    std::fs::OpenOptions::new().write(true).open(path).is_ok()
}

/// Turns "file is not a database" into a message that names the file.
fn not_sqlite(path: &Path, e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
            StoreError::NotAnEngagement {
                path: path.to_path_buf(),
                reason: "not an SQLite database".into(),
            }
        }
        other => StoreError::Sqlite(other),
    }
}

fn has_engagement_row(conn: &Connection) -> Result<bool> {
    let has_table: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'engagement')",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok(false);
    }
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM engagement)", [], |r| r.get(0))?)
}

/// The temporary name an engagement file is made under: hidden, beside the final file (so the
/// final step is a link within one directory), and unique to this process and moment.
fn creating_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "engagement".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    path.with_file_name(format!(".{name}.creating-{}-{nanos}", std::process::id()))
}

/// The sidecar suffixes SQLite may leave beside a database file.
const SIDECARS: [&str; 4] = ["", "-wal", "-shm", "-journal"];

/// The process id in the name of a temporary file [`creating_path`] made for `name` (the
/// engagement's file name), with or without an SQLite sidecar suffix: `.NAME.creating-PID-N`.
/// `None` for any other name, so nothing else beside the engagement is ever touched.
fn creating_pid(file_name: &str, name: &str) -> Option<u32> {
    let rest = file_name
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix(".creating-")?;
    let rest = SIDECARS[1..]
        .iter()
        .find_map(|s| rest.strip_suffix(s))
        .unwrap_or(rest);
    let (pid, nanos) = rest.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid) || !digits(nanos) {
        return None;
    }
    pid.parse().ok().filter(|p| *p > 0)
}

/// Whether process `pid` is certainly gone. Only where the answer is sure (Linux with /proc
/// mounted): anywhere else, or when in doubt, the process counts as alive and its file stays.
fn process_is_gone(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    let proc = Path::new("/proc");
    cfg!(target_os = "linux") && proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

/// Removes what a process killed while creating the engagement at `path` left beside it: the
/// temporary files of [`creating_path`] (and their SQLite sidecars) whose process is gone.
/// A file of a process still running (creating the same engagement right now) is left alone,
/// and so is anything whose name does not match exactly. Best effort: a file that cannot be
/// removed stays. Returns the files removed.
pub fn remove_stale_creations(path: &Path) -> Vec<PathBuf> {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Vec::new();
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = creating_pid(&file_name.to_string_lossy(), &name) else {
            continue;
        };
        // Only plain files: never follow or remove a link or a folder under such a name.
        let plain = std::fs::symlink_metadata(entry.path()).is_ok_and(|m| m.file_type().is_file());
        if plain && process_is_gone(pid) && std::fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed.sort();
    removed
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

fn remove_with_sidecars(path: &Path) {
    for suffix in SIDECARS {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

/// Gives the complete file at `temp` its final name, never replacing a file that appeared at
/// `path` meanwhile (another process creating the same engagement): a hard link fails when the
/// name is taken. Where the file system has no hard links, a rename after a last look.
fn publish(temp: &Path, path: &Path) -> Result<()> {
    match std::fs::hard_link(temp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(StoreError::AlreadyExists {
            path: path.to_path_buf(),
        }),
        Err(_) if !path.exists() => std::fs::rename(temp, path)
            .map_err(|e| StoreError::Invalid(format!("cannot create {}: {e}", path.display()))),
        Err(_) => Err(StoreError::AlreadyExists {
            path: path.to_path_buf(),
        }),
    }
}

/// A complete new engagement file that does not yet exist under its own name (see
/// [`Engagement::prepare_new`]). Dropped without being published, it is removed.
pub struct NewEngagement {
    temp: PathBuf,
    path: PathBuf,
}

impl NewEngagement {
    /// The path the file will have.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the file under its temporary name, so that a first change (an import) lands in it
    /// before it is published: the file then appears with that change or not at all. Close
    /// the handle before publishing.
    ///
    /// No other process knows the temporary name, so this handle writes without the WAL: its
    /// rollback journal is kept in memory and the pages go straight into the file, instead of
    /// into the WAL and then copied into the file again on close (a 100,000-row first import
    /// writes about 170 MB). A failed change still rolls back; a killed process leaves only
    /// the temporary file, which is never published and is removed later. The file is back in
    /// WAL mode as soon as [`NewEngagement::publish`] opens it under its own name.
    pub fn open(&self) -> Result<Engagement> {
        let conn = Connection::open_with_flags(
            &self.temp,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "foreign_keys", true)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "MEMORY", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("memory") {
            return Err(StoreError::Invalid(format!(
                "could not keep the new file's journal in memory (got {mode})"
            )));
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(Engagement {
            view: View {
                conn,
                path: self.path.clone(),
            },
        })
    }

    /// Gives the file its name and opens it for writing. Fails with
    /// [`StoreError::AlreadyExists`], leaving that file alone, when another process created a
    /// file at the path meanwhile.
    pub fn publish(self) -> Result<Engagement> {
        publish(&self.temp, &self.path)?;
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&conn, true)?;
        Ok(Engagement {
            view: View {
                conn,
                path: self.path.clone(),
            },
        })
        // `self` drops here: the temporary name goes, the published file stays.
    }
}

impl Drop for NewEngagement {
    fn drop(&mut self) {
        remove_with_sidecars(&self.temp);
    }
}

impl EngagementReader {
    /// Opens an existing engagement file read-only. A missing file is an error and is not created.
    pub fn open(path: &Path) -> Result<EngagementReader> {
        if !path.is_file() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        // A file in a folder this process cannot write (an archive on a read-only share) cannot
        // get the -shm file WAL reading needs: it is read as an immutable file instead.
        // A file this process cannot write is read as an immutable file as well: opening it
        // the usual way would leave -wal/-shm files beside it that no one can remove.
        if !writable(path) {
            return Self::open_conn(path, true);
        }
        match Self::open_conn(path, false) {
            Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)))
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen
                ) =>
            {
                Self::open_conn(path, true)
            }
            other => other,
        }
    }

    fn open_conn(path: &Path, immutable: bool) -> Result<EngagementReader> {
        let conn = if immutable {
            let text = path.to_string_lossy();
            let escaped = text
                .replace('%', "%25")
                .replace('?', "%3F")
                .replace('#', "%23");
            Connection::open_with_flags(
                format!("file:{escaped}?immutable=1"),
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_URI
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?
        } else {
            // Opened read-write but `query_only`: as the last connection to close, it can then fold
            // and remove the -wal/-shm files, which a SQLITE_OPEN_READ_ONLY connection would leave
            // behind. A file the user cannot write (an archived copy) opens truly read-only.
            match Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            ) {
                Ok(conn) => conn,
                Err(_) => Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?,
            }
        };
        conn.pragma_update(None, "query_only", true)?;
        configure(&conn, false)?;
        let found = migrations::check_not_newer(&conn, path).map_err(|e| match e {
            StoreError::Sqlite(s) => not_sqlite(path, s),
            other => other,
        })?;
        if found == 0 || !has_engagement_row(&conn)? {
            return Err(StoreError::NotAnEngagement {
                path: path.to_path_buf(),
                reason: "no Crosswalk schema in it".into(),
            });
        }
        if found < SCHEMA_VERSION {
            return Err(StoreError::OlderSchema {
                path: path.to_path_buf(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        Ok(EngagementReader {
            view: View {
                conn,
                path: path.to_path_buf(),
            },
        })
    }
}

impl Engagement {
    /// Creates a new engagement file holding a copy of `catalogue`. Fails if the file exists.
    ///
    /// The file is made under a temporary name beside `path` and appears under its own name
    /// only once complete, so a process killed while creating it leaves no half-made engagement
    /// behind (which every later open would refuse as "not an engagement file"). If anything
    /// fails, the temporary file is removed.
    pub fn create(
        path: &Path,
        actor: &Actor,
        customer: &str,
        catalogue: &Catalogue,
    ) -> Result<Engagement> {
        Self::prepare_new(path, actor, customer, catalogue)?.publish()
    }

    /// Makes a complete new engagement file for `path` under a temporary name, without making
    /// it visible: an import can prepare the file while it reads the sheet, and
    /// [`NewEngagement::publish`] it only once the sheet proved readable. Fails if `path` exists.
    /// Temporary files that a killed earlier attempt left beside `path` are removed first
    /// (see [`remove_stale_creations`]); so are they when [`Engagement::open`] opens the file.
    pub fn prepare_new(
        path: &Path,
        actor: &Actor,
        customer: &str,
        catalogue: &Catalogue,
    ) -> Result<NewEngagement> {
        if path.exists() {
            return Err(StoreError::AlreadyExists {
                path: path.to_path_buf(),
            });
        }
        remove_stale_creations(path);
        let pending = NewEngagement {
            temp: creating_path(path),
            path: path.to_path_buf(),
        };
        Self::create_inner(&pending.temp, path, actor, customer, catalogue)?.close()?;
        Ok(pending)
    }

    /// Makes the engagement at `file`; `named` is the path messages name.
    fn create_inner(
        file: &Path,
        named: &Path,
        actor: &Actor,
        customer: &str,
        catalogue: &Catalogue,
    ) -> Result<Engagement> {
        let mut conn = Connection::open_with_flags(
            file,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&conn, true)?;
        migrations::migrate(&mut conn, named)?;
        let mut engagement = Engagement {
            view: View {
                conn,
                path: named.to_path_buf(),
            },
        };
        engagement.mutate(actor, |tx| {
            tx.execute(
                "INSERT INTO engagement (id, customer, created_at, created_by, catalogue_version)
                 VALUES (1, ?1, ?2, ?3, ?4)",
                params![customer, actor.timestamp(), actor.name, catalogue.version],
            )?;
            let change = catalogue::install(tx, actor, catalogue)?;
            let event = AuditEvent::new("engagement.create", format!("engagement:{customer}"))
                .after(serde_json::json!({
                    "customer": customer,
                    "schema_version": SCHEMA_VERSION,
                    "catalogue": change,
                }));
            Ok(((), vec![event]))
        })?;
        Ok(engagement)
    }

    /// Opens an existing engagement file for writing: applies pending migrations and, when
    /// `catalogue` is newer than the copy in the file, upgrades that copy (mappings are kept).
    pub fn open(path: &Path, actor: &Actor, catalogue: &Catalogue) -> Result<Engagement> {
        if !path.is_file() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        if !writable(path) {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Look before changing anything: a newer or foreign file must stay exactly as it was.
        conn.busy_timeout(Duration::from_secs(5))?;
        let found = migrations::check_not_newer(&conn, path).map_err(|e| match e {
            StoreError::Sqlite(s) => not_sqlite(path, s),
            other => other,
        })?;
        if found == 0 || !has_engagement_row(&conn)? {
            return Err(StoreError::NotAnEngagement {
                path: path.to_path_buf(),
                reason: "no Crosswalk schema in it".into(),
            });
        }
        configure(&conn, true)?;
        let applied = migrations::migrate(&mut conn, path)?;
        let mut engagement = Engagement {
            view: View {
                conn,
                path: path.to_path_buf(),
            },
        };
        if !applied.is_empty() {
            engagement.mutate(actor, |_| {
                let event = AuditEvent::new("schema.migrate", "engagement").after(
                    serde_json::json!({ "from": found, "to": SCHEMA_VERSION, "applied": applied }),
                );
                Ok(((), vec![event]))
            })?;
        }
        engagement.upgrade_catalogue(actor, catalogue)?;
        // A first import killed before this file was published left its temporary files here.
        remove_stale_creations(path);
        Ok(engagement)
    }

    /// Opens the file, or creates it (for `customer`) when it does not exist.
    pub fn open_or_create(
        path: &Path,
        actor: &Actor,
        customer: &str,
        catalogue: &Catalogue,
    ) -> Result<Engagement> {
        if path.exists() {
            Self::open(path, actor, catalogue)
        } else {
            Self::create(path, actor, customer, catalogue)
        }
    }

    /// Replaces the shipped catalogue copy when `catalogue` is newer; user mappings, the
    /// landing-zone choices and assessments are kept. Returns whether it upgraded.
    pub fn upgrade_catalogue(&mut self, actor: &Actor, catalogue: &Catalogue) -> Result<bool> {
        let stored = self.info()?.catalogue_version;
        if !catalogue::is_newer(&catalogue.version, &stored) {
            return Ok(false);
        }
        self.mutate(actor, |tx| {
            let change = catalogue::install(tx, actor, catalogue)?;
            tx.execute(
                "UPDATE engagement SET catalogue_version = ?1",
                [&catalogue.version],
            )?;
            let event = AuditEvent::new("catalogue.upgrade", "catalogue")
                .before(serde_json::json!({ "version": stored }))
                .after(serde_json::to_value(&change)?);
            Ok(((), vec![event]))
        })?;
        Ok(true)
    }

    /// The one way to change the file: `change` runs inside a transaction and returns the audit
    /// events that describe it; they are appended in the same transaction, which then commits.
    /// A change that returns an error leaves the file as it was.
    pub(crate) fn view_conn(&self) -> &Connection {
        &self.view.conn
    }

    /// Opens a write transaction as [`Engagement::mutate`] does, for a change that drives
    /// its transaction itself (a streamed import); the caller appends its audit events.
    pub(crate) fn write_transaction(&mut self) -> Result<Transaction<'_>> {
        Ok(self
            .view
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
    }

    pub(crate) fn mutate<T>(
        &mut self,
        actor: &Actor,
        change: impl FnOnce(&Transaction<'_>) -> Result<(T, Vec<AuditEvent>)>,
    ) -> Result<T> {
        // IMMEDIATE takes the write lock first, so a second writer waits (busy timeout) instead
        // of failing with "database is locked" when its read snapshot turns stale.
        let tx = self
            .view
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (out, events) = change(&tx)?;
        for event in &events {
            audit::append(&tx, actor, event)?;
        }
        tx.commit()?;
        Ok(out)
    }

    /// Check-points the WAL into the main file and closes it, so the one file is complete.
    pub fn close(self) -> Result<()> {
        self.view.checkpoint()
        // The connection closes when `self` drops right after.
    }
}

impl Drop for Engagement {
    fn drop(&mut self) {
        // Best effort: an explicit `close` reports failures; a drop cannot.
        let _ = self.view.checkpoint();
    }
}

impl View {
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    pub fn info(&self) -> Result<EngagementInfo> {
        let info = self
            .conn
            .query_row(
                "SELECT customer, created_at, created_by, catalogue_version FROM engagement",
                [],
                |r| {
                    Ok(EngagementInfo {
                        customer: r.get(0)?,
                        created_at: r.get(1)?,
                        created_by: r.get(2)?,
                        catalogue_version: r.get(3)?,
                        schema_version: SCHEMA_VERSION,
                    })
                },
            )
            .optional()?;
        info.ok_or_else(|| StoreError::NotAnEngagement {
            path: self.path.clone(),
            reason: "the engagement record is missing".into(),
        })
    }
}

const EXPORT_SECRET: &str = "matrix-seal";

impl View {
    /// The key exported matrices are sealed with, once one exists.
    pub fn export_secret(&self) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM secrets WHERE name = ?1",
                [EXPORT_SECRET],
                |r| r.get(0),
            )
            .optional()?)
    }
}

impl Engagement {
    /// The key exported matrices are sealed with; stores `fresh` (random bytes the host made,
    /// at least 32) the first time. The audit event records that a key was made, never the key.
    pub fn ensure_export_secret(&mut self, actor: &Actor, fresh: &[u8]) -> Result<Vec<u8>> {
        if let Some(secret) = self.export_secret()? {
            return Ok(secret);
        }
        if fresh.len() < 32 {
            return Err(StoreError::Invalid(
                "an export secret needs at least 32 bytes".into(),
            ));
        }
        let now = actor.timestamp();
        self.mutate(actor, |tx| {
            tx.execute(
                "INSERT INTO secrets (name, value, created_at) VALUES (?1, ?2, ?3)",
                params![EXPORT_SECRET, fresh, now],
            )?;
            let event = AuditEvent::new("secret.create", format!("secret:{EXPORT_SECRET}"))
                .after(serde_json::json!({ "bytes": fresh.len() }));
            Ok((fresh.to_vec(), vec![event]))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_temporary_names_of_this_engagement_are_read() {
        let name = "acme.crosswalk";
        assert_eq!(
            creating_pid(".acme.crosswalk.creating-41-7", name),
            Some(41)
        );
        assert_eq!(
            creating_pid(".acme.crosswalk.creating-41-7-wal", name),
            Some(41)
        );
        assert_eq!(
            creating_pid(".acme.crosswalk.creating-41-7-shm", name),
            Some(41)
        );
        assert_eq!(
            creating_pid(".acme.crosswalk.creating-41-7-journal", name),
            Some(41)
        );
        for other in [
            "acme.crosswalk",
            "acme.crosswalk-wal",
            ".acme.crosswalk.creating-41",
            ".acme.crosswalk.creating-41-",
            ".acme.crosswalk.creating-0-7",
            ".acme.crosswalk.creating--7",
            ".acme.crosswalk.creating-41-7.bak",
            ".acme.crosswalk.creating-41-7-wal-shm",
            ".acme.crosswalk.creating-4x-7",
            ".beta.crosswalk.creating-41-7",
            ".acme.crosswalk.old.creating-41-7",
        ] {
            assert_eq!(creating_pid(other, name), None, "{other}");
        }
    }

    #[test]
    fn this_process_is_never_gone() {
        assert!(!process_is_gone(std::process::id()));
    }

    #[test]
    fn the_temporary_name_is_one_this_module_recognises() {
        let temp = creating_path(Path::new("/tmp/x/acme.crosswalk"));
        let name = temp.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            creating_pid(&name, "acme.crosswalk"),
            Some(std::process::id())
        );
    }
}

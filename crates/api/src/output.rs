//! Writing an export file safely: never over the engagement file, never over a folder or a
//! device, through a symbolic link to the file it names, and atomically (a temporary file in the
//! destination folder, flushed and synced, then renamed into place) so a failed write leaves any
//! previous file as it was.

use crate::error::{ApiError, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// How many links are followed before a chain is taken for a loop.
const MAX_LINKS: usize = 40;

/// The file `out` really names: symbolic links followed (also a link to a file not made yet),
/// its folder made absolute. The file itself need not exist; its folder must.
fn resolve(out: &Path) -> Result<PathBuf> {
    let invalid = |why: String| ApiError::Invalid(format!("{}: {why}", out.display()));
    let mut path = out.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&path).map_err(|source| ApiError::Write {
                    path: out.to_path_buf(),
                    source,
                })?;
                path = match path.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => {
                let name = path
                    .file_name()
                    .ok_or_else(|| invalid("names no file".to_string()))?
                    .to_os_string();
                let dir = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                let dir = std::fs::canonicalize(&dir).map_err(|source| ApiError::Write {
                    path: out.to_path_buf(),
                    source,
                })?;
                if !dir.is_dir() {
                    return Err(invalid(format!("{} is not a folder", dir.display())));
                }
                return Ok(dir.join(name));
            }
        }
    }
    Err(invalid(
        "too many symbolic links (a loop?); give the file itself".to_string(),
    ))
}

/// The engagement file and the files SQLite keeps beside it, as they really are.
fn engagement_files(db: &Path) -> Vec<PathBuf> {
    let Ok(real) = resolve(db) else {
        return Vec::new();
    };
    let mut out = vec![real.clone()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = real.as_os_str().to_os_string();
        name.push(suffix);
        out.push(PathBuf::from(name));
    }
    out
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// Checks that `out` may receive an export of the engagement `db` and returns the file to
/// write: the target of a symbolic link, never the engagement file (or its journal), never a
/// folder, a device or anything else that is not a regular file.
pub(crate) fn destination(out: &Path, db: &Path) -> Result<PathBuf> {
    let target = resolve(out)?;
    let existing = std::fs::metadata(&target).ok();
    let engagement = std::fs::metadata(db).ok();
    let is_engagement = engagement_files(db).contains(&target)
        || matches!((&existing, &engagement), (Some(a), Some(b)) if same_file(a, b));
    if is_engagement {
        let beside = if out == db {
            ""
        } else {
            " (or a file SQLite keeps beside it)"
        };
        return Err(ApiError::Invalid(format!(
            "{} is the engagement file {}{beside}; writing the export there would destroy the \
             engagement: choose another --out",
            out.display(),
            db.display(),
        )));
    }
    if let Some(m) = existing {
        let what = if m.is_dir() {
            Some("a folder")
        } else if !m.is_file() {
            Some("a device or special file, not a regular file")
        } else {
            None
        };
        if let Some(what) = what {
            let through_link =
                std::fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink());
            let shown = if through_link {
                format!(" (a link to {})", target.display())
            } else {
                String::new()
            };
            return Err(ApiError::Invalid(format!(
                "{}{shown} is {what}; give the path of a file to write",
                out.display()
            )));
        }
    }
    Ok(target)
}

/// Writes `bytes` to `target` (from [`destination`]) by way of a temporary file in the same
/// folder, flushed and synced before it is renamed over `target`. Errors name `out`, the path
/// the user gave; on error no temporary file is left behind and `target` is as it was.
pub(crate) fn write_atomically(out: &Path, target: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |source| ApiError::Write {
        path: out.to_path_buf(),
        source,
    };
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (tmp, mut file) = temporary_file(&dir).map_err(fail)?;
    let written = file
        .write_all(bytes)
        .and_then(|_| file.flush())
        .and_then(|_| file.sync_all());
    drop(file);
    if let Err(e) = written.and_then(|_| std::fs::rename(&tmp, target)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    // The rename itself is only durable once the folder is synced; not every system allows it.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A new file in `dir` whose name cannot clash with a concurrent export.
fn temporary_file(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    for attempt in 0..100u32 {
        let path = dir.join(format!(
            ".crosswalk-export-{}-{attempt}.tmp",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free temporary file name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_written_through_and_the_engagement_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("e.crosswalk");
        std::fs::write(&db, b"engagement").unwrap();
        let real = dir.path().join("real.xlsx");
        std::fs::write(&real, b"old").unwrap();
        #[cfg(unix)]
        {
            let link = dir.path().join("link.xlsx");
            std::os::unix::fs::symlink("real.xlsx", &link).unwrap();
            let target = destination(&link, &db).unwrap();
            assert_eq!(target, std::fs::canonicalize(&real).unwrap());
            write_atomically(&link, &target, b"new").unwrap();
            assert_eq!(std::fs::read(&real).unwrap(), b"new");
            assert!(std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink());
            let to_db = dir.path().join("db-link");
            std::os::unix::fs::symlink(&db, &to_db).unwrap();
            assert!(destination(&to_db, &db).is_err());
        }
        assert!(destination(&db, &db).is_err());
        let wal = dir.path().join("e.crosswalk-wal");
        assert!(destination(&wal, &db).is_err());
        assert!(destination(dir.path(), &db).is_err());
    }
}

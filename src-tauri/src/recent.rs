//! The recently opened engagements, kept by the shell in a small JSON file in the app's config
//! directory (not in the page's storage, which a webview data reset wipes). Each change rewrites
//! the file atomically: a temporary file in the same directory, flushed, then renamed over the
//! old one, so a crash leaves either the old list or the new one, never half of one.

use crate::error::{CmdResult, CommandError};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file's name inside the app's config directory.
pub const RECENT_FILE: &str = "recent-engagements.json";
/// How many engagements the list keeps.
pub const RECENT_MAX: usize = 8;

/// One engagement opened lately. The field names are the ones the start screen has always used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecentEngagement {
    pub path: String,
    pub customer: String,
    /// RFC 3339 time of the last opening.
    pub opened_at: String,
}

/// Puts `entry` first, drops an older entry for the same file, keeps at most [`RECENT_MAX`].
pub fn remember(list: &[RecentEngagement], entry: RecentEngagement) -> Vec<RecentEngagement> {
    let path = entry.path.clone();
    let mut out = vec![entry];
    out.extend(list.iter().filter(|e| e.path != path).cloned());
    out.truncate(RECENT_MAX);
    out
}

/// Reads the stored list; a missing or malformed file (or malformed entries) give what can be
/// read, never an error that would keep the start screen from showing.
pub fn parse(text: &str) -> Vec<RecentEngagement> {
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(text)
    else {
        return Vec::new();
    };
    items
        .into_iter()
        .filter_map(|v| serde_json::from_value::<RecentEngagement>(v).ok())
        .take(RECENT_MAX)
        .collect()
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The list's file, read and rewritten under one lock so two commands never interleave.
pub struct RecentStore {
    file: Mutex<Option<PathBuf>>,
}

impl RecentStore {
    pub fn new(file: Option<PathBuf>) -> Self {
        RecentStore {
            file: Mutex::new(file),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&Path) -> CmdResult<T>) -> CmdResult<T> {
        let guard = self
            .file
            .lock()
            .map_err(|_| CommandError::new("internal", "recent list unusable"))?;
        match guard.as_deref() {
            Some(p) => f(p),
            None => Err(CommandError::new(
                "error",
                "the app has no config directory to keep the recent engagements in",
            )),
        }
    }

    /// Where the list lives, once the app knows its config directory.
    pub fn set_file(&self, file: PathBuf) {
        if let Ok(mut f) = self.file.lock() {
            *f = Some(file);
        }
    }

    pub fn list(&self) -> CmdResult<Vec<RecentEngagement>> {
        self.with(|p| Ok(read(p)))
    }

    pub fn remember(&self, entry: RecentEngagement) -> CmdResult<Vec<RecentEngagement>> {
        self.with(|p| {
            let list = remember(&read(p), entry);
            save(p, &list)?;
            Ok(list)
        })
    }

    pub fn forget(&self, path: &str) -> CmdResult<Vec<RecentEngagement>> {
        self.with(|p| {
            let list: Vec<RecentEngagement> =
                read(p).into_iter().filter(|e| e.path != path).collect();
            save(p, &list)?;
            Ok(list)
        })
    }
}

fn read(path: &Path) -> Vec<RecentEngagement> {
    std::fs::read_to_string(path)
        .map(|t| parse(&t))
        .unwrap_or_default()
}

fn save(path: &Path, list: &[RecentEngagement]) -> CmdResult<()> {
    let json = serde_json::to_vec_pretty(list)
        .map_err(|e| CommandError::new("internal", format!("recent list: {e}")))?;
    write_atomically(path, &json).map_err(|e| {
        CommandError::new(
            "error",
            format!(
                "{}: cannot save the recent engagements: {e}",
                path.display()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, customer: &str) -> RecentEngagement {
        RecentEngagement {
            path: path.into(),
            customer: customer.into(),
            opened_at: "2026-03-01T10:00:00Z".into(),
        }
    }

    #[test]
    fn the_last_opened_comes_first_once_and_the_list_is_capped() {
        let mut list = Vec::new();
        for i in 0..10 {
            list = remember(&list, entry(&format!("/e/{i}.crosswalk"), &format!("C{i}")));
        }
        assert_eq!(list.len(), RECENT_MAX);
        assert_eq!(list[0].path, "/e/9.crosswalk");
        let list = remember(&list, entry("/e/5.crosswalk", "C5 again"));
        assert_eq!(list[0].customer, "C5 again");
        assert_eq!(
            list.iter().filter(|e| e.path == "/e/5.crosswalk").count(),
            1,
            "no duplicate for the same file"
        );
    }

    #[test]
    fn a_malformed_file_gives_what_can_be_read() {
        assert!(parse("").is_empty());
        assert!(parse("{\"path\":\"x\"}").is_empty());
        let list = parse(
            r#"[{"path":"/a","customer":"A","openedAt":"t"},{"path":3},{"customer":"no path"}]"#,
        );
        assert_eq!(
            list,
            vec![entry("/a", "A")]
                .into_iter()
                .map(|mut e| {
                    e.opened_at = "t".into();
                    e
                })
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_store_keeps_the_list_in_its_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir
            .path()
            .join("config/dev.crosswalk.desktop")
            .join(RECENT_FILE);
        let store = RecentStore::new(Some(file.clone()));
        assert!(
            store.list().expect("list").is_empty(),
            "no file yet: an empty list"
        );
        store
            .remember(entry("/e/a.crosswalk", "Alpha"))
            .expect("remember");
        store
            .remember(entry("/e/b.crosswalk", "Beta"))
            .expect("remember");
        // A second store on the same file (the app started again) reads the same list.
        let again = RecentStore::new(Some(file.clone()));
        let names: Vec<String> = again
            .list()
            .expect("list")
            .into_iter()
            .map(|e| e.customer)
            .collect();
        assert_eq!(names, ["Beta", "Alpha"]);
        again.forget("/e/b.crosswalk").expect("forget");
        assert_eq!(
            store.list().expect("list"),
            vec![entry("/e/a.crosswalk", "Alpha")]
        );
        let stored: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
        assert_eq!(
            stored[0]["openedAt"], "2026-03-01T10:00:00Z",
            "the UI's field names"
        );
        let left: Vec<String> = std::fs::read_dir(file.parent().expect("dir"))
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            left,
            [RECENT_FILE],
            "the temporary file was renamed into place"
        );
    }

    #[test]
    fn without_a_config_directory_the_error_says_so() {
        let store = RecentStore::new(None);
        assert!(store.list().is_err());
    }
}

//! Paths the user handed to the app: through a native dialog, by dropping a file on the window,
//! or (in end-to-end tests only) through the test hand-over. The window can only ask the core to
//! read or write a path that arrived one of these ways, so a script in the page cannot make the
//! app read or overwrite arbitrary files.

use crate::error::{CmdResult, CommandError};
use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The environment variable that turns the test hand-over on. Read once at start.
pub const TEST_HOOKS_ENV: &str = "CROSSWALK_TEST_HOOKS";

#[derive(Default)]
pub struct Paths {
    granted: Mutex<HashSet<PathBuf>>,
    /// Paths queued by the tests; `pick` takes from here instead of opening a dialog.
    handed_over: Mutex<VecDeque<PathBuf>>,
    test_hooks: bool,
}

impl Paths {
    pub fn new(test_hooks: bool) -> Self {
        Paths {
            test_hooks,
            ..Default::default()
        }
    }

    pub fn test_hooks(&self) -> bool {
        self.test_hooks
    }

    pub fn grant(&self, path: &Path) {
        if let Ok(mut g) = self.granted.lock() {
            g.insert(path.to_path_buf());
        }
    }

    /// The path, when the user handed it over; otherwise a `not_granted` error.
    pub fn require(&self, path: &str) -> CmdResult<PathBuf> {
        let p = PathBuf::from(path);
        let ok = self.granted.lock().map(|g| g.contains(&p)).unwrap_or(false);
        if ok {
            Ok(p)
        } else {
            Err(CommandError::new(
                "not_granted",
                format!("{path}: choose the file with the dialog or drop it on the window first"),
            ))
        }
    }

    /// Queues a path as if the next dialog returned it. Refused unless the app was started
    /// with the test hooks on.
    pub fn hand_over(&self, path: &str) -> CmdResult<()> {
        if !self.test_hooks {
            return Err(CommandError::new(
                "invalid",
                format!("the test hand-over is off; start the app with {TEST_HOOKS_ENV}=1"),
            ));
        }
        let mut q = self
            .handed_over
            .lock()
            .map_err(|_| CommandError::new("internal", "path queue unusable"))?;
        q.push_back(PathBuf::from(path));
        Ok(())
    }

    /// The next handed-over path, if the tests queued one.
    pub fn take_handed_over(&self) -> Option<PathBuf> {
        if !self.test_hooks {
            return None;
        }
        self.handed_over.lock().ok()?.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_the_user_did_not_hand_over_is_refused() {
        let p = Paths::new(false);
        let e = p.require("/etc/passwd").expect_err("never granted");
        assert_eq!(e.code, "not_granted");
        p.grant(Path::new("/tmp/a.xlsx"));
        assert_eq!(
            p.require("/tmp/a.xlsx").expect("granted"),
            PathBuf::from("/tmp/a.xlsx")
        );
    }

    #[test]
    fn the_test_hand_over_is_off_unless_the_app_was_started_for_tests() {
        let p = Paths::new(false);
        assert!(
            p.hand_over("/tmp/x.csv").is_err(),
            "a page script must not queue paths in normal use"
        );
        assert_eq!(p.take_handed_over(), None);
    }

    #[test]
    fn handed_over_paths_come_out_in_order() {
        let p = Paths::new(true);
        p.hand_over("/tmp/1.csv").expect("hooks on");
        p.hand_over("/tmp/2.csv").expect("hooks on");
        assert_eq!(p.take_handed_over(), Some(PathBuf::from("/tmp/1.csv")));
        assert_eq!(p.take_handed_over(), Some(PathBuf::from("/tmp/2.csv")));
        assert_eq!(p.take_handed_over(), None);
    }
}

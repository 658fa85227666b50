//! Shared by the black-box tests: the real binary, temp dirs, the real samples.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// `../shared` next to the workspace root, or `CROSSWALK_SHARED_DIR`.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("CROSSWALK_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

pub fn real_sample(name: &str) -> PathBuf {
    let path = shared_dir().join("samples/real").join(name);
    assert!(
        path.is_file(),
        "{} is missing; set CROSSWALK_SHARED_DIR",
        path.display()
    );
    path
}

/// The workspace root (for data/samples).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The real `crosswalk` binary, run as a known user.
pub fn crosswalk() -> Command {
    let mut cmd = Command::cargo_bin("crosswalk").expect("the crosswalk binary is built");
    cmd.env("USER", "tester");
    cmd
}

/// Runs `crosswalk --db DB ARGS... --json`, expects success, returns the JSON document.
pub fn json(db: &Path, args: &[&str]) -> Value {
    let out = crosswalk()
        .arg("--db")
        .arg(db)
        .args(args)
        .arg("--json")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "crosswalk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is one JSON document ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

pub fn file_hash(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).expect("readable")))
}

/// The requirements of `list --json`, by ref.
pub fn by_ref<'a>(list: &'a Value, reference: &str) -> &'a Value {
    list["requirements"]
        .as_array()
        .expect("requirements is an array")
        .iter()
        .find(|r| r["ref"] == reference)
        .unwrap_or_else(|| panic!("{reference} is listed"))
}

//! Benchmarks against the spreadsheet libraries Crosswalk stands on, the large requirement
//! sheet generator they use, the seeds and helpers of the fuzz targets, and the generator of
//! the schema fixtures the migration tests open. Not shipped to users.

pub mod fuzzing;
pub mod generate;
pub mod measure;
pub mod plain;
pub mod run;
pub mod seeds;

use std::path::PathBuf;

/// The workspace root, found from this crate's place in it (`crates/bench`).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or(manifest)
}

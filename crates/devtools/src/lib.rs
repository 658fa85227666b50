//! Generators for the demo sample and benchmark sheets; not shipped to users.
//!
//! Each generator turns a readable source committed in the repo into the file the product
//! consumes, so the generated file can be reviewed as text and regenerated at any time.

pub mod demo_sample;

use std::path::PathBuf;

/// The workspace root, found from this crate's place in it (`crates/devtools`).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or(manifest)
}

//! Shared helpers for the importer's integration tests.
#![allow(dead_code)]

use crosswalk_domain::{ImportedRequirement, SheetImport};
use crosswalk_sheets::{read_requirements, ImportOptions};
use std::path::PathBuf;

/// The real samples live outside the repository, in `<workspace root>/../shared/samples/real/`,
/// or under `$CROSSWALK_SHARED_DIR/samples/real/`.
pub fn sample_path(name: &str) -> PathBuf {
    let shared = match std::env::var_os("CROSSWALK_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    shared.join("samples/real").join(name)
}

pub fn import_sample(name: &str) -> SheetImport {
    import_sample_with(name, &ImportOptions::default())
}

pub fn import_sample_with(name: &str, options: &ImportOptions) -> SheetImport {
    let path = sample_path(name);
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("sample {} must be readable: {e}", path.display()));
    read_requirements(name, &bytes, options).unwrap_or_else(|e| panic!("{name} must import: {e}"))
}

pub fn find<'a>(import: &'a SheetImport, reference: &str) -> &'a ImportedRequirement {
    import
        .requirements
        .iter()
        .find(|r| r.reference == reference)
        .unwrap_or_else(|| panic!("{} must hold a requirement {reference}", import.file))
}

pub fn refs(import: &SheetImport) -> Vec<&str> {
    import
        .requirements
        .iter()
        .map(|r| r.reference.as_str())
        .collect()
}

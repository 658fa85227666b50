//! Every input that once crashed a fuzz target (`tests/fuzz-crashes/<target>/`) and the
//! committed corpus (`fuzz/corpus/<target>/`) run through the same code as the fuzz targets:
//! none may panic. Test builds check integer overflow, as the fuzz builds do.

use crosswalk_bench::fuzzing;
use std::path::{Path, PathBuf};

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file());
    files.sort();
    files
}

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let root = crosswalk_bench::workspace_root();
    let crashes = root.join("crates/bench/tests/fuzz-crashes").join(target);
    let corpus = root.join("fuzz/corpus").join(target);
    let mut failed = Vec::new();
    let mut n = 0;
    for path in inputs(&crashes).into_iter().chain(inputs(&corpus)) {
        let bytes = std::fs::read(&path).expect("readable input");
        n += 1;
        if std::panic::catch_unwind(|| run(&bytes)).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{target} panicked on: {failed:#?}");
    n
}

#[test]
fn the_csv_reader_survives_every_saved_input() {
    replay("sheets_csv", fuzzing::run_sheets_csv);
}

#[test]
fn the_workbook_reader_survives_every_saved_input() {
    let n = replay("sheets_workbook", fuzzing::run_sheets_workbook);
    assert!(n >= 2, "the crash fixtures are there");
}

#[test]
fn matrix_reimport_survives_every_saved_input() {
    replay("matrix_read", fuzzing::run_matrix);
}

#[test]
fn crash_fixtures_give_an_error_naming_the_file_and_the_bad_reference() {
    let root =
        crosswalk_bench::workspace_root().join("crates/bench/tests/fuzz-crashes/sheets_workbook");
    let bytes = std::fs::read(root.join("calamine-ref-overflow-letters")).expect("fixture");
    let (name, xlsx) = fuzzing::workbook_input(&bytes);
    let e = crosswalk_sheets::read_requirements(name, &xlsx, &Default::default())
        .expect_err("a reference past XFD is refused");
    let text = e.to_string();
    assert!(
        text.contains("fuzz.xlsx") && text.contains("mlformats.org/x"),
        "{text}"
    );
}

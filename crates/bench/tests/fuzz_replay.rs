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
    quiet();
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

/// Crash inputs mutated from a real sample are kept as their difference from it, so no copy of
/// the sample is committed: `xor-<sample>/<name>` holds the input's first byte, then each
/// following byte XOR the sample's byte at that position (bytes past the sample's end as they
/// are). The sample is read in place to rebuild the input.
fn from_samples(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut folders: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    for folder in folders {
        let Some(sample) = folder
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("xor-"))
            .map(str::to_string)
        else {
            continue;
        };
        let source = crosswalk_bench::seeds::shared_dir()
            .join("samples/real")
            .join(&sample);
        let base = std::fs::read(&source)
            .unwrap_or_else(|e| panic!("the real sample {}: {e}", source.display()));
        for path in inputs(&folder) {
            let diff = std::fs::read(&path).expect("fixture");
            let bytes: Vec<u8> = diff
                .iter()
                .enumerate()
                .map(|(i, b)| match i {
                    0 => *b,
                    _ => base.get(i - 1).map_or(*b, |s| b ^ s),
                })
                .collect();
            out.push((path, bytes));
        }
    }
    out
}

#[test]
fn the_workbook_reader_survives_the_inputs_kept_as_differences_from_samples() {
    quiet();
    let dir =
        crosswalk_bench::workspace_root().join("crates/bench/tests/fuzz-crashes/sheets_workbook");
    let inputs = from_samples(&dir);
    assert!(!inputs.is_empty());
    for (path, bytes) in inputs {
        let ok = std::panic::catch_unwind(|| fuzzing::run_sheets_workbook(&bytes)).is_ok();
        assert!(ok, "{} panicked", path.display());
    }
}

fn quiet() {
    // As in the fuzz targets: panics the reader contains are not reported on stderr.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(fuzzing::quiet_contained_panics);
}

#[test]
fn damaged_legacy_workbooks_that_made_calamine_panic_are_refused_as_damaged() {
    quiet();
    // Found by the sheets_workbook target: calamine 0.38 panics inside its .xls reader (slice
    // bounds in the CFB container, integer overflow in record parsing). The reader contains
    // the panic and names the file.
    let dir =
        crosswalk_bench::workspace_root().join("crates/bench/tests/fuzz-crashes/sheets_workbook");
    let mut fixtures: Vec<(PathBuf, Vec<u8>)> = inputs(&dir)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("calamine-xls-"))
        })
        .map(|p| {
            let bytes = std::fs::read(&p).expect("fixture");
            (p, bytes)
        })
        .collect();
    fixtures.extend(from_samples(&dir));
    assert!(!fixtures.is_empty(), "the .xls crash fixtures are there");
    for (path, bytes) in fixtures {
        let (name, xls) = fuzzing::workbook_input(&bytes);
        assert_eq!(name, "fuzz.xls", "{}", path.display());
        let e = crosswalk_sheets::read_requirements(name, &xls, &Default::default())
            .expect_err("a damaged workbook is refused");
        assert!(
            matches!(e, crosswalk_sheets::SheetError::Damaged { .. }),
            "{}: {e:?}",
            path.display()
        );
        let text = e.to_string();
        assert!(
            text.starts_with("fuzz.xls") && text.contains("cannot handle"),
            "{}: {text}",
            path.display()
        );
    }
}

/// Inputs the matrix_read target found that made calamine 0.38's reference parser overflow (a
/// cell reference with too many column letters, a `<dimension ref="l1:C5"/>` whose end lies
/// before its start): the matrix reader turns the panic into an "unreadable" error.
#[test]
fn matrix_crash_fixtures_are_refused_as_unreadable_files() {
    quiet();
    let dir = crosswalk_bench::workspace_root().join("crates/bench/tests/fuzz-crashes/matrix_read");
    let files = inputs(&dir);
    assert_eq!(files.len(), 2, "{files:?}");
    for path in files {
        let data = std::fs::read(&path).expect("readable input");
        let bytes = match data.split_first() {
            Some((first, rest)) if *first >= fuzzing::MATRIX_RAW => rest.to_vec(),
            _ => fuzzing::matrix_with_part(fuzzing::base_parts(), &data),
        };
        for e in [
            crosswalk_matrix::read_matrix(&bytes, fuzzing::SECRET).err(),
            crosswalk_matrix::verify(&bytes, fuzzing::SECRET).err(),
        ] {
            let e = e.unwrap_or_else(|| panic!("{} is refused", path.display()));
            assert!(
                matches!(e, crosswalk_matrix::MatrixError::Unreadable(_)),
                "{}: {e}",
                path.display()
            );
        }
    }
}

//! The CSV/TSV reader and shape detection on arbitrary bytes: any input gives requirements or
//! an error, never a panic.
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/bench/src/fuzzing.rs"]
mod fuzzing;

libfuzzer_sys::fuzz_target!(
    init: fuzzing::quiet_contained_panics(),
    |data: &[u8]| fuzzing::run_sheets_csv(data)
);

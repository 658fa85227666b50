//! Matrix re-import (`read_matrix`) and seal verification (`verify`). Structure-aware: most
//! inputs replace one part of a real sealed matrix so the seal still opens and mutations reach
//! the comparison of every cell with what was written; inputs starting with a byte ≥ 0x80 are
//! whole files.
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/bench/src/fuzzing.rs"]
mod fuzzing;

libfuzzer_sys::fuzz_target!(
    init: fuzzing::quiet_contained_panics(),
    |data: &[u8]| fuzzing::run_matrix(data)
);

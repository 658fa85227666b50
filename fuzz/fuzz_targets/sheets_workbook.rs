//! The whole reader path and shape detection. The first byte picks the file name (xlsx, xls,
//! ods, csv, xlsb, tsv) or the structure-aware form: a worksheet's XML and its shared strings
//! wrapped into a valid xlsx, so mutations reach calamine's XML parsing and the detection of
//! header rows, merged cells and column roles instead of failing at the zip checksum.
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/bench/src/fuzzing.rs"]
mod fuzzing;

libfuzzer_sys::fuzz_target!(
    init: fuzzing::quiet_contained_panics(),
    |data: &[u8]| fuzzing::run_sheets_workbook(data)
);

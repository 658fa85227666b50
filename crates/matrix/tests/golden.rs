//! Golden file: every visible cell of the fixture's workbook, with timestamps and the hash that
//! depends on them masked. Regenerate after an intended change with
//! `UPDATE_GOLDEN=1 cargo test -p crosswalk-matrix --test golden` and review the diff.

mod common;

use common::*;
use crosswalk_matrix::*;

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/fixture-cells.json"
);
const MASK: &str = "<masked>";

fn masked_cells(model: &MatrixModel) -> serde_json::Value {
    let export = write_xlsx(model, SECRET).expect("export");
    let mut out = serde_json::Map::new();
    for (name, mut grid) in sheets(&export.bytes) {
        if name == INTEGRITY_SHEET {
            continue;
        }
        let time_cols: Vec<usize> = grid
            .first()
            .map(|h| {
                h.iter()
                    .enumerate()
                    .filter(|(_, d)| {
                        ["Last changed", "Recorded at"].contains(&d.to_string().as_str())
                    })
                    .map(|(i, _)| i)
                    .collect()
            })
            .unwrap_or_default();
        for row in grid.iter_mut().skip(1) {
            for c in &time_cols {
                if let Some(cell) = row.get_mut(*c) {
                    *cell = calamine::Data::String(MASK.into());
                }
            }
            let key = row.last().map(|d| d.to_string()).unwrap_or_default();
            if name == ABOUT && ["generated_at", "content_hash"].contains(&key.as_str()) {
                row[1] = calamine::Data::String(MASK.into());
            }
        }
        let rows: Vec<Vec<String>> = grid
            .iter()
            .map(|r| r.iter().map(|d| d.to_string()).collect())
            .collect();
        out.insert(name, serde_json::json!(rows));
    }
    serde_json::Value::Object(out)
}

#[test]
fn the_fixture_workbook_matches_the_golden_cells_apart_from_timestamps() {
    let got = masked_cells(&model());
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let text = serde_json::to_string_pretty(&got).expect("json") + "\n";
        std::fs::write(GOLDEN, text).expect("golden written");
    }
    let want: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(GOLDEN).expect("golden file present"))
            .expect("golden is JSON");
    for (sheet, rows) in want.as_object().expect("object of sheets") {
        assert_eq!(
            got.get(sheet),
            Some(rows),
            "sheet {sheet} differs from the golden file"
        );
    }
    assert_eq!(
        got.as_object().map(|o| o.len()),
        want.as_object().map(|o| o.len()),
        "same sheets"
    );
}

#[test]
fn another_export_time_changes_only_masked_cells() {
    let mut later = model();
    later.generated_at = "2026-01-09T08:15:00Z".into();
    for r in &mut later.rows {
        r.last_changed = "2026-01-08T17:00:00Z".into();
    }
    assert_eq!(
        masked_cells(&later),
        masked_cells(&model()),
        "timestamps are all the golden comparison ignores"
    );
}

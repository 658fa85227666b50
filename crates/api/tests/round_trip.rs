//! Property: a random requirement sheet imported, exported as a traceability matrix (xlsx and
//! csv), and the matrix imported again into a fresh engagement gives the same requirements —
//! refs, titles, texts and sections — whatever the delimiter, quoting, line breaks, accents, id
//! spellings or missing ids of the sheet. The matrix sheet is found in its workbook without
//! being named, however few rows it has.

use crosswalk_api::{
    export, import, list_requirements, Actor, ExportRequest, ImportRequest, RequirementQuery,
};
use std::path::Path;
use time::macros::datetime;

fn actor() -> Actor {
    Actor::new("tester", datetime!(2026-03-01 10:00 UTC))
}

/// A small deterministic generator, so the property needs no extra crate and failures replay.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len() as u64) as usize]
    }

    fn words(&mut self, most: u64) -> String {
        const WORDS: [&str; 16] = [
            "encrypt",
            "logs",
            "rotate",
            "keys",
            "access",
            "review",
            "backups",
            "réseau",
            "données",
            "“audit”",
            "MFA,",
            "least; privilege",
            "\"quoted\"",
            "tab\there",
            "line\nbreak",
            "Zürich",
        ];
        let n = 1 + self.below(most);
        let mut out = self.pick(&WORDS[..7]).to_string();
        for _ in 1..n {
            out.push(' ');
            out.push_str(self.pick(&WORDS));
        }
        out
    }
}

/// (ref as written, title, text, section) rows of one random sheet.
type Row = (String, String, String, String);

fn random_rows(rng: &mut Lcg, round: u64) -> Vec<Row> {
    let sections = ["Identity", "Données", "Logging & monitoring", ""];
    (0..1 + rng.below(30))
        .map(|i| {
            let id = match rng.below(6) {
                0 => String::new(), // no id: one is generated from the row's content
                1 => format!("AC-0{} ({:02})", 1 + round % 9, i + 1),
                2 => format!(" REQ-{round}-{i}\u{a0}"),
                _ => format!("R{round}.{i}"),
            };
            (
                id,
                rng.words(4),
                format!("{} {round}-{i}", rng.words(25)),
                rng.pick(&sections).to_string(),
            )
        })
        .collect()
}

fn csv(rows: &[Row], delimiter: char) -> String {
    let quote = |v: &str| format!("\"{}\"", v.replace('"', "\"\""));
    let mut out = ["ID", "Title", "Description", "Category", "Owner"]
        .map(quote)
        .join(&delimiter.to_string());
    out.push_str("\r\n");
    for (id, title, text, section) in rows {
        let fields = [id.as_str(), title, text, section, "Security team"].map(quote);
        out.push_str(&fields.join(&delimiter.to_string()));
        out.push_str("\r\n");
    }
    out
}

/// (ref, title, text, section) of every requirement of the engagement, in ref order.
fn requirements(db: &Path) -> Vec<(String, String, String, Option<String>)> {
    let mut out: Vec<_> = list_requirements(db, &RequirementQuery::default())
        .expect("list")
        .requirements
        .into_iter()
        .map(|r| (r.reference, r.title, r.text, r.section))
        .collect();
    out.sort();
    out
}

fn import_into(db: &Path, file: &Path) -> crosswalk_api::ImportReport {
    let request = ImportRequest {
        file: file.to_path_buf(),
        set: Some("acme".into()),
        ..Default::default()
    };
    import(db, &actor(), &request).unwrap_or_else(|e| panic!("{} imports: {e}", file.display()))
}

#[test]
fn import_export_import_of_random_sheets_gives_the_same_requirements() {
    let mut rng = Lcg(2026);
    for round in 0..8u64 {
        let dir = tempfile::tempdir().expect("temp dir");
        let rows = random_rows(&mut rng, round);
        let delimiter = [',', ';', '\t'][(round % 3) as usize];
        let sheet = dir.path().join("customer.csv");
        std::fs::write(&sheet, csv(&rows, delimiter)).unwrap();

        let first = dir.path().join("first.crosswalk");
        import_into(&first, &sheet);
        let original = requirements(&first);
        assert_eq!(original.len(), rows.len(), "round {round}: every row");

        for format in ["xlsx", "csv"] {
            let out = dir.path().join(format!("matrix.{format}"));
            export(
                &first,
                &actor(),
                &ExportRequest {
                    out: out.clone(),
                    format: None,
                },
            )
            .unwrap_or_else(|e| panic!("round {round}: export {format}: {e}"));
            let again = dir.path().join(format!("again-{format}.crosswalk"));
            let report = import_into(&again, &out);
            if format == "xlsx" {
                assert_eq!(report.sheets.len(), 1);
                assert_eq!(report.sheets[0].name, "Matrix", "round {round}");
            }
            assert_eq!(
                requirements(&again),
                original,
                "round {round}: the {format} matrix gives the same requirements (delimiter {delimiter:?})"
            );
        }
    }
}

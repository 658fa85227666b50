//! The backlog as a CSV an issue tracker imports. The header uses the field names of Jira's CSV
//! importer (`Summary`, `Description`, `Acceptance Criteria`, `Labels`, `Priority`) so the
//! columns map by themselves; other trackers let the columns be mapped by hand.

use crate::model::Story;
use crate::ReadinessError;
use crosswalk_matrix::formula_safe;

/// The fixed columns, in order; `Labels` repeats (see [`write_backlog_csv`]).
pub const SUMMARY: &str = "Summary";
pub const DESCRIPTION: &str = "Description";
pub const ACCEPTANCE_CRITERIA: &str = "Acceptance Criteria";
pub const LABELS: &str = "Labels";
pub const PRIORITY: &str = "Priority";

/// Criteria as a bulleted list in the tracker's wiki markup (`* ` per line).
pub fn criteria_text(criteria: &[String]) -> String {
    criteria
        .iter()
        .map(|c| format!("* {}", c.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Jira refuses a summary longer than 255 characters; a longer title is cut with a marker (the
/// whole title is in the readiness report).
pub const SUMMARY_LIMIT: usize = 255;

fn summary(title: &str) -> String {
    let one_line = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= SUMMARY_LIMIT {
        one_line
    } else {
        let cut: String = one_line.chars().take(SUMMARY_LIMIT - 1).collect();
        format!("{cut}…")
    }
}

/// One row per story: Summary, Description, Acceptance Criteria, Labels…, Priority.
///
/// Jira reads several values of one field from several columns with the same name, so `Labels`
/// appears as often as the story with the most labels needs (at least once), and shorter rows
/// leave the extra ones empty. UTF-8 without a byte-order mark (a BOM would become part of the
/// first header name); fields a spreadsheet would run as a formula get a leading apostrophe.
///
/// Errors: `ReadinessError::Csv` only when the writer fails, which in memory it does not.
pub fn write_backlog_csv(stories: &[Story]) -> Result<Vec<u8>, ReadinessError> {
    let label_columns = stories
        .iter()
        .map(|s| s.labels.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut header = vec![SUMMARY, DESCRIPTION, ACCEPTANCE_CRITERIA];
    header.extend(std::iter::repeat_n(LABELS, label_columns));
    header.push(PRIORITY);
    out.write_record(&header)?;
    for s in stories {
        let mut row: Vec<String> = vec![
            formula_safe(&summary(&s.title)).into_owned(),
            formula_safe(&s.description).into_owned(),
            formula_safe(&criteria_text(&s.acceptance_criteria)).into_owned(),
        ];
        for i in 0..label_columns {
            row.push(s.labels.get(i).cloned().unwrap_or_default());
        }
        row.push(s.priority.label().to_string());
        out.write_record(&row)?;
    }
    out.into_inner()
        .map_err(|e| ReadinessError::Csv(e.to_string()))
}

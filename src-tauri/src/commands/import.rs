//! The import wizard: a dry run for the preview, then the import as a cancellable job.

use super::{actor, blocking, AppState};
use crate::error::{CmdResult, CommandError};
use crate::jobs::{Feed, Progress};
use crosswalk_api::{ImportControl, ImportPhase, ImportProgress, ImportReport, ImportRequest};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::State;

/// The wizard's choices: sheet, header row, saved profile, and the column roles the user chose
/// in the wizard (`[header or column letter, role]`; the importer detects the other columns'
/// roles around them).
#[derive(Debug, Clone, Deserialize)]
pub struct ImportChoices {
    pub set: Option<String>,
    #[serde(default)]
    pub sheets: Vec<String>,
    pub header_row: Option<u32>,
    pub profile: Option<String>,
    #[serde(default)]
    pub columns: Vec<(String, String)>,
}

impl ImportChoices {
    fn request(&self, file: PathBuf, dry_run: bool) -> CmdResult<ImportRequest> {
        let columns = self
            .columns
            .iter()
            .map(|(header, role)| {
                crosswalk_api::parse_column_choice(&format!("{role}={header}"))
                    .map_err(|m| CommandError::new("invalid", m))
            })
            .collect::<CmdResult<Vec<_>>>()?;
        Ok(ImportRequest {
            file,
            set: self.set.clone().filter(|s| !s.trim().is_empty()),
            sheets: self.sheets.clone(),
            all_sheets: false,
            header_row: self.header_row,
            profile: self.profile.clone().filter(|s| !s.trim().is_empty()),
            dry_run,
            columns,
        })
    }
}

#[derive(Debug, Serialize)]
pub struct ImportPreview {
    pub report: ImportReport,
    /// The sheets the importer read plus the same-shape ones it left out, to choose from.
    pub sheet_names: Vec<String>,
}

/// A dry run against the open engagement: what would be added, changed and removed.
#[tauri::command]
pub async fn preview_import(
    state: State<'_, AppState>,
    path: String,
    choices: ImportChoices,
) -> CmdResult<ImportPreview> {
    let db = state.current()?;
    let file = state.paths.require(&path)?;
    blocking(move || {
        let report = crosswalk_api::import(&db, &actor(), &choices.request(file, true)?)?;
        let mut sheet_names: Vec<String> = report.sheets.iter().map(|s| s.name.clone()).collect();
        for s in &report.alternative_sheets {
            if !sheet_names.contains(s) {
                sheet_names.push(s.clone());
            }
        }
        Ok(ImportPreview {
            report,
            sheet_names,
        })
    })
    .await
}

/// How many steps an import reports: reading, storing, indexing (then done).
pub const IMPORT_STEPS: u32 = 3;

/// The window's words for a progress report of the core's import. `expected` is the number of
/// requirements the wizard's dry run read, the total of the storing step when known.
pub fn import_progress(p: ImportProgress, expected: Option<u64>) -> Progress {
    let rows = p.rows as u64;
    let (stage, key, step, unit) = match p.phase {
        ImportPhase::Reading => ("Reading the sheet", "reading", 0, ""),
        ImportPhase::Storing => ("Storing requirements", "storing", 1, "rows"),
        ImportPhase::Indexing => ("Indexing for search and committing", "indexing", 2, "rows"),
        ImportPhase::Done => ("Done", "done", IMPORT_STEPS, ""),
    };
    let total = match p.phase {
        ImportPhase::Storing => expected.filter(|&n| n >= rows).unwrap_or(0),
        ImportPhase::Indexing => rows,
        _ => 0,
    };
    Progress {
        stage: stage.to_string(),
        key: key.to_string(),
        step,
        steps: IMPORT_STEPS,
        done: if unit.is_empty() { 0 } else { rows },
        total,
        unit: unit.to_string(),
    }
}

/// Imports as a job: the core streams the sheet into one transaction, reporting the rows
/// stored; a cancel before every row is stored rolls it back, so nothing is stored.
#[tauri::command]
pub async fn import_sheet(
    state: State<'_, AppState>,
    job: String,
    path: String,
    choices: ImportChoices,
    expected_rows: Option<u64>,
    on_progress: Channel<Progress>,
) -> CmdResult<ImportReport> {
    let db = state.current()?;
    let file = state.paths.require(&path)?;
    let request = choices.request(file, false)?;
    let guard = state.jobs.start(&job)?;
    let feed = Feed::new(
        move |p| drop(on_progress.send(p)),
        guard.flag(),
        guard.hold(),
    );
    let result = blocking(move || {
        let progress = |p: ImportProgress| feed.report(import_progress(p, expected_rows));
        let report = crosswalk_api::import_with(
            &db,
            &actor(),
            &request,
            &ImportControl {
                progress: Some(&progress),
                cancel: Some(feed.cancel_flag()),
            },
        )?;
        feed.finish(IMPORT_STEPS);
        Ok(report)
    })
    .await;
    drop(guard);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices(columns: &[(&str, &str)]) -> ImportChoices {
        ImportChoices {
            set: Some(" ".into()),
            sheets: vec![],
            header_row: None,
            profile: None,
            columns: columns
                .iter()
                .map(|(h, r)| (h.to_string(), r.to_string()))
                .collect(),
        }
    }

    #[test]
    fn the_wizards_roles_become_the_requests_columns() {
        let r = choices(&[("Remediation", "text"), ("B", "section")])
            .request(PathBuf::from("/tmp/s.csv"), true)
            .unwrap();
        assert_eq!(
            r.columns,
            [
                crosswalk_api::parse_column_choice("text=Remediation").unwrap(),
                crosswalk_api::parse_column_choice("section=B").unwrap(),
            ]
        );
        assert_eq!(r.set, None, "a blank set name means the default");
        assert!(r.dry_run);
        // A header holding '=' stays whole.
        let r = choices(&[("a=b", "title")])
            .request(PathBuf::from("/tmp/s.csv"), false)
            .unwrap();
        assert_eq!(r.columns[0].0, "a=b");
    }

    #[test]
    fn an_unknown_role_is_refused_with_the_roles_there_are() {
        let e = choices(&[("Remediation", "body")])
            .request(PathBuf::from("/tmp/s.csv"), true)
            .unwrap_err();
        assert_eq!(e.code, "invalid");
        assert!(
            e.message.contains("'body' is not a column role"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains(crosswalk_api::COLUMN_ROLES),
            "{}",
            e.message
        );
    }

    #[test]
    fn import_phases_become_numbered_steps_with_the_dry_runs_count_as_total() {
        let storing = import_progress(
            ImportProgress {
                phase: ImportPhase::Storing,
                rows: 1000,
            },
            Some(4000),
        );
        assert_eq!(
            (
                storing.key.as_str(),
                storing.step,
                storing.done,
                storing.total
            ),
            ("storing", 1, 1000, 4000)
        );
        // A sheet that grew since the dry run: the count goes on without a total.
        let grown = import_progress(
            ImportProgress {
                phase: ImportPhase::Storing,
                rows: 5000,
            },
            Some(4000),
        );
        assert_eq!((grown.done, grown.total), (5000, 0));
        let done = import_progress(
            ImportProgress {
                phase: ImportPhase::Done,
                rows: 4000,
            },
            None,
        );
        assert_eq!((done.key.as_str(), done.step, done.steps), ("done", 3, 3));
    }
}

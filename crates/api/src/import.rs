//! Importing a requirement sheet: read the file, let `crosswalk-sheets` make sense of it, store
//! it as one upsert with a diff (or only report the diff on a dry run).

use crate::engagement::{open_read, open_write};
use crate::error::{ApiError, Result};
use crosswalk_domain::{ColumnRole, ImportWarning, SheetReport};
use crosswalk_sheets::ImportOptions;
use crosswalk_store::{Actor, ImportDiff};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What to import and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRequest {
    pub file: PathBuf,
    /// The requirement set; default: the file name without extension.
    pub set: Option<String>,
    pub sheets: Vec<String>,
    pub all_sheets: bool,
    /// 1-based, as in Excel.
    pub header_row: Option<u32>,
    /// A saved import profile: its choices are used where the request makes none, and the
    /// request's explicit choices are saved under this name after a successful import.
    pub profile: Option<String>,
    pub dry_run: bool,
}

/// The explicit choices a profile keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct ProfileOptions {
    #[serde(default)]
    sheets: Vec<String>,
    #[serde(default)]
    all_sheets: bool,
    header_row: Option<u32>,
    #[serde(default)]
    roles: Vec<(String, ColumnRole)>,
}

impl ProfileOptions {
    fn is_empty(&self) -> bool {
        self == &ProfileOptions::default()
    }
}

/// The refs an import added, changed and removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportRefs {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

/// What an import did, in the shape of `crosswalk import --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub set: String,
    pub file: String,
    pub sheets: Vec<SheetReport>,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub unchanged: usize,
    pub warnings: Vec<ImportWarning>,
    /// Requirements read from the file (withdrawn ones included).
    pub requirements: usize,
    /// Of those, marked withdrawn by the source.
    pub withdrawn: usize,
    pub file_sha256: String,
    /// How the importer chose its sheets, and the same-shape sheets it left out.
    pub notes: Vec<String>,
    pub alternative_sheets: Vec<String>,
    pub dry_run: bool,
    pub diff: ImportRefs,
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| ApiError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn default_set(path: &Path) -> String {
    path.file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "requirements".into())
}

/// Imports `request.file` into the engagement `db` (created when missing, unless a dry run).
/// The file is read and checked completely before the engagement is opened, so bad input
/// never creates or touches the engagement file.
pub fn import(db: &Path, actor: &Actor, request: &ImportRequest) -> Result<ImportReport> {
    let bytes = read_file(&request.file)?;
    let name = file_name(&request.file);
    let set = request
        .set
        .clone()
        .unwrap_or_else(|| default_set(&request.file));
    let explicit = ProfileOptions {
        sheets: request.sheets.clone(),
        all_sheets: request.all_sheets,
        header_row: request.header_row,
        roles: Vec::new(),
    };
    let saved = match (&request.profile, db.exists()) {
        (Some(profile), true) => match open_read(db)?.import_profile(profile)? {
            Some(json) => Some(serde_json::from_value::<ProfileOptions>(json).map_err(|e| {
                ApiError::Invalid(format!("import profile '{profile}' is unreadable: {e}"))
            })?),
            None => None,
        },
        _ => None,
    };
    if let (Some(profile), None) = (&request.profile, &saved) {
        if explicit.is_empty() {
            return Err(ApiError::UnknownProfile {
                name: profile.clone(),
            });
        }
    }
    let base = saved.clone().unwrap_or_default();
    let options = ImportOptions {
        sheets: if explicit.sheets.is_empty() {
            base.sheets
        } else {
            explicit.sheets.clone()
        },
        all_sheets: explicit.all_sheets || base.all_sheets,
        header_row: explicit.header_row.or(base.header_row),
        roles: base.roles,
    };
    let sheet = crosswalk_sheets::read_requirements(&name, &bytes, &options)?;

    let diff = if request.dry_run {
        if db.exists() {
            open_read(db)?.plan_import(&set, &sheet)?
        } else {
            ImportDiff {
                set: set.clone(),
                new_set: true,
                added: sheet
                    .requirements
                    .iter()
                    .map(|r| r.reference.clone())
                    .collect(),
                ..Default::default()
            }
        }
    } else {
        let mut e = open_write(db, actor)?;
        let diff = e.import_requirements(actor, &set, &sheet)?;
        if let Some(profile) = &request.profile {
            let chosen = ProfileOptions {
                sheets: options.sheets.clone(),
                all_sheets: options.all_sheets,
                header_row: options.header_row,
                roles: options.roles.clone(),
            };
            if saved.as_ref() != Some(&chosen) {
                let json = serde_json::to_value(&chosen)
                    .map_err(|e| ApiError::Invalid(format!("cannot save the profile: {e}")))?;
                e.save_import_profile(actor, profile, &json)?;
            }
        }
        e.close()?;
        diff
    };
    Ok(ImportReport {
        set,
        file: name,
        sheets: sheet.sheets,
        added: diff.added.len(),
        changed: diff.changed.len(),
        removed: diff.removed.len(),
        unchanged: diff.unchanged,
        warnings: sheet.warnings,
        requirements: sheet.requirements.len(),
        withdrawn: sheet.requirements.iter().filter(|r| r.withdrawn).count(),
        file_sha256: sheet.file_sha256,
        notes: sheet.notes,
        alternative_sheets: sheet.alternative_sheets,
        dry_run: request.dry_run,
        diff: ImportRefs {
            added: diff.added,
            changed: diff.changed,
            removed: diff.removed,
        },
    })
}

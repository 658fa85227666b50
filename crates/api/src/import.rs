//! Importing a requirement sheet: read the file, let `crosswalk-sheets` make sense of it, store
//! it as one upsert with a diff (or only report the diff on a dry run).

use crate::engagement::{open_read, open_write, shipped_catalogue};
use crate::error::{ApiError, Result};
use crosswalk_domain::{ColumnRole, ImportWarning, SheetImport, SheetReport};
use crosswalk_sheets::ImportOptions;
use crosswalk_store::{Actor, Engagement, ImportDiff, StoreError};
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

/// What a saved column profile keeps: the explicit choices, the headers of the sheets they were
/// saved with (the signature that lets a later import of the same template reuse them without
/// being told), and the sets imported with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct ProfileOptions {
    #[serde(default)]
    sheets: Vec<String>,
    #[serde(default)]
    all_sheets: bool,
    header_row: Option<u32>,
    #[serde(default)]
    roles: Vec<(String, ColumnRole)>,
    /// The column headers of each imported sheet, in order.
    #[serde(default)]
    signature: Vec<Vec<String>>,
    #[serde(default)]
    sets: Vec<String>,
}

impl ProfileOptions {
    /// True when the profile makes no choice of its own.
    fn chooses_nothing(&self) -> bool {
        self.sheets.is_empty()
            && !self.all_sheets
            && self.header_row.is_none()
            && self.roles.is_empty()
    }

    fn options(&self) -> ImportOptions {
        ImportOptions {
            sheets: self.sheets.clone(),
            all_sheets: self.all_sheets,
            header_row: self.header_row,
            roles: self.roles.clone(),
        }
    }
}

/// The header signature of an import: the column headers of each sheet it read.
fn signature(sheet: &SheetImport) -> Vec<Vec<String>> {
    sheet
        .sheets
        .iter()
        .map(|s| s.columns.iter().map(|c| c.header.clone()).collect())
        .collect()
}

/// A saved column profile as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnProfile {
    pub name: String,
    pub sheets: Vec<String>,
    pub all_sheets: bool,
    pub header_row: Option<u32>,
    /// Column headers per sheet it was saved with; a file whose headers read the same gets the
    /// profile applied without `--profile`.
    pub signature: Vec<Vec<String>>,
    /// The requirement sets imported with it.
    pub sets: Vec<String>,
    pub updated_at: String,
}

/// `crosswalk --db F import --list-profiles`: the saved column profiles, by name.
pub fn column_profiles(db: &Path) -> Result<Vec<ColumnProfile>> {
    let e = open_read(db)?;
    let mut out = Vec::new();
    for (name, json, updated_at) in e.import_profiles()? {
        let p = parse_profile(&name, json)?;
        out.push(ColumnProfile {
            name,
            sheets: p.sheets,
            all_sheets: p.all_sheets,
            header_row: p.header_row,
            signature: p.signature,
            sets: p.sets,
            updated_at,
        });
    }
    Ok(out)
}

fn parse_profile(name: &str, json: serde_json::Value) -> Result<ProfileOptions> {
    serde_json::from_value::<ProfileOptions>(json)
        .map_err(|e| ApiError::Invalid(format!("import profile '{name}' is unreadable: {e}")))
}

/// The refs an import added, changed and removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportRefs {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

/// One of the first requirements read, as a preview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewRow {
    #[serde(rename = "ref")]
    pub reference: String,
    pub sheet: String,
    /// 1-based, as in the source.
    pub row: u32,
    pub title: String,
    pub text: String,
    pub section: Option<String>,
    pub parent: Option<String>,
}

/// How many requirements a report previews.
pub const PREVIEW_ROWS: usize = 5;

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
    /// The saved column profile whose choices were used (named with `--profile`, or applied
    /// because the file's headers match the ones it was saved with).
    pub profile: Option<String>,
    /// True when `profile` was applied without being named.
    pub profile_matched: bool,
    /// The first requirements read, as they will be stored.
    pub preview: Vec<PreviewRow>,
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

/// What reading the sheet chose and found.
struct Read {
    options: ImportOptions,
    sheet: SheetImport,
    /// The saved profile named with `--profile`, when it exists.
    saved: Option<ProfileOptions>,
    /// The saved profile applied because the file's headers match it.
    matched: Option<String>,
    notes_before: Vec<String>,
}

/// Reads and checks the whole sheet, applying a saved column profile where one is named or
/// matches the file's headers. Reads the engagement's profiles when the file exists; writes
/// nothing.
fn read_sheet(
    db: &Path,
    request: &ImportRequest,
    name: &str,
    bytes: &[u8],
    set: &str,
) -> Result<Read> {
    let explicit = ProfileOptions {
        sheets: request.sheets.clone(),
        all_sheets: request.all_sheets,
        header_row: request.header_row,
        ..Default::default()
    };
    let saved_profiles: Vec<(String, ProfileOptions)> = if db.exists() {
        open_read(db)?
            .import_profiles()?
            .into_iter()
            .map(|(n, json, _)| parse_profile(&n, json).map(|p| (n, p)))
            .collect::<Result<_>>()?
    } else {
        Vec::new()
    };
    let saved = request.profile.as_ref().and_then(|wanted| {
        saved_profiles
            .iter()
            .find(|(n, _)| n == wanted)
            .map(|(_, p)| p.clone())
    });
    if let (Some(profile), None) = (&request.profile, &saved) {
        if explicit.chooses_nothing() {
            return Err(ApiError::UnknownProfile {
                name: profile.clone(),
            });
        }
    }

    let mut matched: Option<String> = None;
    let mut notes_before: Vec<String> = Vec::new();
    let (options, sheet) = if request.profile.is_none() && explicit.chooses_nothing() {
        // No choice made: a saved profile whose headers match this file is applied, those used
        // for this set first.
        let mut candidates: Vec<&(String, ProfileOptions)> = saved_profiles
            .iter()
            .filter(|(_, p)| !p.chooses_nothing() && !p.signature.is_empty())
            .collect();
        candidates.sort_by_key(|(_, p)| !p.sets.iter().any(|s| s == set));
        let mut found = None;
        for (profile_name, p) in candidates {
            let options = p.options();
            if let Ok(sheet) = crosswalk_sheets::read_requirements(name, bytes, &options) {
                if signature(&sheet) == p.signature {
                    notes_before.push(format!(
                        "applied the saved column profile '{profile_name}': the file's headers match the ones it was saved with"
                    ));
                    matched = Some(profile_name.clone());
                    found = Some((options, sheet));
                    break;
                }
            }
        }
        match found {
            Some(f) => f,
            None => {
                let options = ImportOptions::default();
                let sheet = crosswalk_sheets::read_requirements(name, bytes, &options)?;
                (options, sheet)
            }
        }
    } else {
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
        let sheet = crosswalk_sheets::read_requirements(name, bytes, &options)?;
        (options, sheet)
    };
    Ok(Read {
        options,
        sheet,
        saved,
        matched,
        notes_before,
    })
}

/// The customer name a new engagement file gets: its file name without extension (as every
/// other command names it).
fn customer_of(db: &Path) -> String {
    db.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "engagement".to_string())
}

/// Imports `request.file` into the engagement `db` (created when missing, unless a dry run).
/// The file is read and checked completely before the engagement is opened, so bad input
/// never creates or touches the engagement file.
///
/// When the engagement file does not exist yet, it is made under a temporary name on a second
/// thread while this one reads the sheet (installing the catalogue copy takes about as long as
/// reading a large sheet), and appears under its name only once the sheet proved readable.
pub fn import(db: &Path, actor: &Actor, request: &ImportRequest) -> Result<ImportReport> {
    let bytes = read_file(&request.file)?;
    let name = file_name(&request.file);
    let set = request
        .set
        .clone()
        .unwrap_or_else(|| default_set(&request.file));
    let new_file = !request.dry_run && !db.exists();
    let (read, pending) = std::thread::scope(|scope| {
        let pending = new_file.then(|| {
            scope
                .spawn(|| Engagement::prepare_new(db, actor, &customer_of(db), shipped_catalogue()))
        });
        let read = read_sheet(db, request, &name, &bytes, &set);
        (read, pending.map(|h| h.join()))
    });
    let pending = match pending {
        Some(Ok(made)) => Some(made),
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        None => None,
    };
    // A sheet that cannot be read drops the prepared file unseen.
    let Read {
        options,
        sheet,
        saved,
        matched,
        notes_before,
    } = read?;
    // Nothing read into a new engagement file: refused here, so the prepared file is dropped
    // unseen (into an existing file the store refuses it).
    if pending.is_some() && sheet.requirements.is_empty() {
        return Err(crosswalk_store::StoreError::NothingToImport { set, file: name }.into());
    }

    // With --profile, the choices used are saved under that name, in the import's transaction.
    let to_save = match &request.profile {
        Some(profile) => {
            let mut sets = saved.as_ref().map(|p| p.sets.clone()).unwrap_or_default();
            if !sets.contains(&set) {
                sets.push(set.clone());
            }
            let chosen = ProfileOptions {
                sheets: options.sheets.clone(),
                all_sheets: options.all_sheets,
                header_row: options.header_row,
                roles: options.roles.clone(),
                signature: signature(&sheet),
                sets,
            };
            let json = serde_json::to_value(&chosen)
                .map_err(|e| ApiError::Invalid(format!("cannot save the profile: {e}")))?;
            Some((profile.clone(), json))
        }
        None => None,
    };

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
        let profile = to_save.as_ref().map(|(n, json)| (n.as_str(), json));
        let store = |mut e: Engagement| -> Result<ImportDiff> {
            let diff = e.import_requirements_with_profile(actor, &set, &sheet, profile)?;
            e.close()?;
            Ok(diff)
        };
        match pending {
            // A first import fills the new file before it gets its name: killed at any point,
            // it leaves no file or the whole import.
            Some(made) => {
                let made = made?;
                let diff = store(made.open()?)?;
                match made.publish() {
                    Ok(e) => {
                        e.close()?;
                        diff
                    }
                    // Another process made the file meanwhile: import into that one.
                    Err(StoreError::AlreadyExists { .. }) => store(open_write(db, actor)?)?,
                    Err(other) => return Err(other.into()),
                }
            }
            None => store(open_write(db, actor)?)?,
        }
    };
    let preview = sheet
        .requirements
        .iter()
        .take(PREVIEW_ROWS)
        .map(|r| PreviewRow {
            reference: r.reference.clone(),
            sheet: r.sheet.clone(),
            row: r.row,
            title: r.title.clone(),
            text: r.text.clone(),
            section: r.section.clone(),
            parent: r.parent.clone(),
        })
        .collect();
    let mut notes = notes_before;
    notes.extend(sheet.notes);
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
        notes,
        alternative_sheets: sheet.alternative_sheets,
        dry_run: request.dry_run,
        diff: ImportRefs {
            added: diff.added,
            changed: diff.changed,
            removed: diff.removed,
        },
        profile: matched.clone().or_else(|| request.profile.clone()),
        profile_matched: matched.is_some(),
        preview,
    })
}

//! Importing a requirement sheet: read the file, let `crosswalk-sheets` make sense of it, store
//! it as one upsert with a diff (or only report the diff on a dry run).

use crate::engagement::{open_read, open_write, shipped_catalogue};
use crate::error::{ApiError, Result};
use crosswalk_domain::{ColumnRole, ImportWarning, ImportedRequirement, SheetImport, SheetReport};
use crosswalk_sheets::ImportOptions;
use crosswalk_store::{Actor, Engagement, ImportDiff, ImportRow, StoreError};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// Column roles chosen by the user, overriding detection: (column header or letter, role),
    /// in the order given. Several `id` columns are read as hierarchy levels, left to right. A
    /// column no sheet has is an error naming the file, the sheet and the column. Saved with
    /// `profile` like the other choices.
    pub columns: Vec<(String, ColumnRole)>,
}

/// The column roles a user can name, as `ROLE=HEADER` takes them.
pub const COLUMN_ROLES: &str = "id (or ref), title, text, section, parent, attribute";

/// Reads one column choice written `ROLE=HEADER` (`text=Control description`, `id=B`): the
/// header (or column letter) may hold `=` and spaces; the role is one of [`COLUMN_ROLES`].
pub fn parse_column_choice(choice: &str) -> std::result::Result<(String, ColumnRole), String> {
    let Some((role, header)) = choice.split_once('=') else {
        return Err(format!(
            "'{choice}' is not ROLE=HEADER (for example text=Description); roles: {COLUMN_ROLES}"
        ));
    };
    let role = match role.trim().to_ascii_lowercase().as_str() {
        "id" | "ref" => ColumnRole::Id,
        "title" => ColumnRole::Title,
        "text" => ColumnRole::Text,
        "section" => ColumnRole::Section,
        "parent" => ColumnRole::Parent,
        "attribute" => ColumnRole::Attribute,
        other => {
            return Err(format!(
                "'{other}' is not a column role; roles: {COLUMN_ROLES}"
            ))
        }
    };
    if header.trim().is_empty() {
        return Err(format!(
            "'{choice}' names no column: give its header or letter after '='"
        ));
    }
    Ok((header.trim().to_string(), role))
}

/// What an import is doing, as reported to [`ImportControl::progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportPhase {
    /// Reading the file and finding its header and columns; nothing stored yet.
    Reading,
    /// Storing requirements as they are read (`rows` so far).
    Storing,
    /// Every row stored; building the full-text index and committing. No longer cancellable.
    Indexing,
    /// Committed.
    Done,
}

/// One progress report of a running import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportProgress {
    pub phase: ImportPhase,
    /// Requirements stored so far (all of them from `Indexing` on).
    pub rows: usize,
}

/// How a host follows and stops a running import (both optional). `progress` is called on the
/// thread that called [`import_with`], every [`PROGRESS_EVERY`] rows and at each phase.
/// Setting `cancel` makes the import stop at the next row and roll back: nothing is stored
/// and the result is [`ApiError::Cancelled`] ("import cancelled; nothing was written"). Once
/// every row is stored (phase `Indexing`) the import finishes regardless.
#[derive(Default, Clone, Copy)]
pub struct ImportControl<'a> {
    pub progress: Option<&'a dyn Fn(ImportProgress)>,
    pub cancel: Option<&'a AtomicBool>,
}

/// How often (in stored rows) [`ImportControl::progress`] hears about an import.
pub const PROGRESS_EVERY: usize = 1000;

impl ImportControl<'_> {
    fn report(&self, phase: ImportPhase, rows: usize) {
        if let Some(p) = self.progress {
            p(ImportProgress { phase, rows });
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// How many requirements the reader hands on at once: one wake-up of the store per batch
/// instead of per row.
const BATCH_ROWS: usize = 256;

/// How many batches the reader may run ahead of the store (4,096 rows).
const CHANNEL_BATCHES: usize = 16;

/// What the reader hands the store: a batch of prepared rows, or the error preparing one
/// (the attributes could not be written as JSON), which ends the import.
type Batch = std::result::Result<Vec<ImportRow>, StoreError>;

/// Collects the requirements the reader builds into batches of prepared rows and sends them
/// on; `false` once the store stopped listening.
struct Batcher {
    tx: std::sync::mpsc::SyncSender<Batch>,
    batch: Vec<ImportRow>,
}

impl Batcher {
    fn push(&mut self, r: ImportedRequirement) -> bool {
        match ImportRow::new(r) {
            Ok(row) => self.batch.push(row),
            Err(e) => {
                let _ = self.tx.send(Err(e));
                return false;
            }
        }
        if self.batch.len() < BATCH_ROWS {
            return true;
        }
        self.flush()
    }

    fn flush(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_ROWS));
        self.tx.send(Ok(full)).is_ok()
    }
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

/// What choosing the import options found: the options, and the whole sheet when choosing
/// needed to read it (a saved profile matched by its headers).
struct Chosen {
    options: ImportOptions,
    sheet: Option<SheetImport>,
    /// The saved profile named with `--profile`, when it exists.
    saved: Option<ProfileOptions>,
    /// The saved profile applied because the file's headers match it.
    matched: Option<String>,
    notes_before: Vec<String>,
}

/// Chooses the options of the import: the request's explicit choices, a saved column profile
/// where one is named, or one whose headers match the file's. Reads the engagement's profiles
/// when the file exists; writes nothing.
fn choose(
    db: &Path,
    request: &ImportRequest,
    name: &str,
    bytes: &[u8],
    set: &str,
) -> Result<Chosen> {
    let explicit = ProfileOptions {
        sheets: request.sheets.clone(),
        all_sheets: request.all_sheets,
        header_row: request.header_row,
        roles: request.columns.clone(),
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

    let mut notes_before: Vec<String> = Vec::new();
    if request.profile.is_none() && explicit.chooses_nothing() {
        // No choice made: a saved profile whose headers match this file is applied, those used
        // for this set first.
        let mut candidates: Vec<&(String, ProfileOptions)> = saved_profiles
            .iter()
            .filter(|(_, p)| !p.chooses_nothing() && !p.signature.is_empty())
            .collect();
        candidates.sort_by_key(|(_, p)| !p.sets.iter().any(|s| s == set));
        for (profile_name, p) in candidates {
            let options = p.options();
            if let Ok(sheet) = crosswalk_sheets::read_requirements(name, bytes, &options) {
                if signature(&sheet) == p.signature {
                    notes_before.push(format!(
                        "applied the saved column profile '{profile_name}': the file's headers match the ones it was saved with"
                    ));
                    return Ok(Chosen {
                        options,
                        sheet: Some(sheet),
                        saved,
                        matched: Some(profile_name.clone()),
                        notes_before,
                    });
                }
            }
        }
        return Ok(Chosen {
            options: ImportOptions::default(),
            sheet: None,
            saved,
            matched: None,
            notes_before,
        });
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
        roles: if explicit.roles.is_empty() {
            base.roles
        } else {
            explicit.roles.clone()
        },
    };
    Ok(Chosen {
        options,
        sheet: None,
        saved,
        matched: None,
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

impl PreviewRow {
    fn of(r: &ImportedRequirement) -> PreviewRow {
        PreviewRow {
            reference: r.reference.clone(),
            sheet: r.sheet.clone(),
            row: r.row,
            title: r.title.clone(),
            text: r.text.clone(),
            section: r.section.clone(),
            parent: r.parent.clone(),
        }
    }
}

/// The column profile `(name, options)` an import with `--profile` saves: the choices used,
/// the headers read, and the sets imported with it.
fn profile_to_save(
    request: &ImportRequest,
    set: &str,
    options: &ImportOptions,
    saved: Option<&ProfileOptions>,
    sheet: &SheetImport,
) -> Result<Option<(String, serde_json::Value)>> {
    let Some(profile) = &request.profile else {
        return Ok(None);
    };
    let mut sets = saved.map(|p| p.sets.clone()).unwrap_or_default();
    if !sets.iter().any(|s| s == set) {
        sets.push(set.to_string());
    }
    let chosen = ProfileOptions {
        sheets: options.sheets.clone(),
        all_sheets: options.all_sheets,
        header_row: options.header_row,
        roles: options.roles.clone(),
        signature: signature(sheet),
        sets,
    };
    let json = serde_json::to_value(&chosen)
        .map_err(|e| ApiError::Invalid(format!("cannot save the profile: {e}")))?;
    Ok(Some((profile.clone(), json)))
}

/// What the report of an import is made of.
struct Outcome {
    set: String,
    name: String,
    sheet: SheetImport,
    diff: ImportDiff,
    requirements: usize,
    withdrawn: usize,
    preview: Vec<PreviewRow>,
    notes_before: Vec<String>,
    matched: Option<String>,
}

fn report(request: &ImportRequest, o: Outcome) -> ImportReport {
    let mut notes = o.notes_before;
    notes.extend(o.sheet.notes);
    ImportReport {
        set: o.set,
        file: o.name,
        sheets: o.sheet.sheets,
        added: o.diff.added.len(),
        changed: o.diff.changed.len(),
        removed: o.diff.removed.len(),
        unchanged: o.diff.unchanged,
        warnings: o.sheet.warnings,
        requirements: o.requirements,
        withdrawn: o.withdrawn,
        file_sha256: o.sheet.file_sha256,
        notes,
        alternative_sheets: o.sheet.alternative_sheets,
        dry_run: request.dry_run,
        diff: ImportRefs {
            added: o.diff.added,
            changed: o.diff.changed,
            removed: o.diff.removed,
        },
        profile: o.matched.clone().or_else(|| request.profile.clone()),
        profile_matched: o.matched.is_some(),
        preview: o.preview,
    }
}

/// Imports `request.file` into the engagement `db` (created when missing, unless a dry run).
/// As [`import_with`] with no progress reports and no way to cancel.
pub fn import(db: &Path, actor: &Actor, request: &ImportRequest) -> Result<ImportReport> {
    import_with(db, actor, request, &ImportControl::default())
}

/// A dry run: the whole sheet is read, and the diff against the set planned; nothing written.
fn dry_run(
    db: &Path,
    request: &ImportRequest,
    name: String,
    bytes: &[u8],
    set: String,
) -> Result<ImportReport> {
    let Chosen {
        options,
        sheet,
        matched,
        notes_before,
        ..
    } = choose(db, request, &name, bytes, &set)?;
    let sheet = match sheet {
        Some(s) => s,
        None => crosswalk_sheets::read_requirements(&name, bytes, &options)?,
    };
    let diff = if db.exists() {
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
    };
    let mut sheet = sheet;
    let requirements = std::mem::take(&mut sheet.requirements);
    Ok(report(
        request,
        Outcome {
            set,
            name,
            diff,
            withdrawn: requirements.iter().filter(|r| r.withdrawn).count(),
            preview: requirements
                .iter()
                .take(PREVIEW_ROWS)
                .map(PreviewRow::of)
                .collect(),
            requirements: requirements.len(),
            sheet,
            notes_before,
            matched,
        },
    ))
}

/// Waits for the reader thread; its panic goes on in this thread.
fn join_reader(
    h: std::thread::ScopedJoinHandle<
        '_,
        std::result::Result<SheetImport, crosswalk_sheets::SheetError>,
    >,
) -> Result<SheetImport> {
    match h.join() {
        Ok(read) => Ok(read?),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Imports `request.file` into the engagement `db` (created when missing, unless a dry run),
/// in one transaction: a failed or cancelled import stores nothing.
///
/// The sheet is read on a second thread, which hands the requirements to this one through a
/// bounded channel in batches of 256 as soon as they are built (with their
/// attributes already written as JSON there), so storing overlaps reading; the full-text index is
/// built in bulk once every row is stored. The engagement is opened only once the first
/// requirement was read, so a file that cannot be read (no header, not a spreadsheet…) never
/// creates, opens or migrates the engagement file; an error found later (a repeated id) rolls
/// the import back.
///
/// When the engagement file does not exist yet, it is made under a temporary name on a third
/// thread meanwhile (installing the catalogue copy takes about as long as reading a large
/// sheet), and appears under its name only once the import committed.
pub fn import_with(
    db: &Path,
    actor: &Actor,
    request: &ImportRequest,
    control: &ImportControl<'_>,
) -> Result<ImportReport> {
    let bytes = read_file(&request.file)?;
    let name = file_name(&request.file);
    let set = request
        .set
        .clone()
        .unwrap_or_else(|| default_set(&request.file));
    if request.dry_run {
        return dry_run(db, request, name, &bytes, set);
    }
    control.report(ImportPhase::Reading, 0);
    let new_file = !db.exists();
    let outcome = std::thread::scope(|scope| -> Result<Option<Outcome>> {
        let pending = new_file.then(|| {
            scope
                .spawn(|| Engagement::prepare_new(db, actor, &customer_of(db), shipped_catalogue()))
        });
        let Chosen {
            options,
            sheet,
            saved,
            matched,
            notes_before,
        } = choose(db, request, &name, &bytes, &set)?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(CHANNEL_BATCHES);
        let reader = {
            let (name, bytes, options) = (&name, &bytes, options.clone());
            scope.spawn(move || {
                let mut out = Batcher {
                    tx,
                    batch: Vec::with_capacity(BATCH_ROWS),
                };
                let read = match sheet {
                    Some(mut whole) => {
                        for r in std::mem::take(&mut whole.requirements) {
                            if !out.push(r) {
                                break;
                            }
                        }
                        Ok(whole)
                    }
                    None => crosswalk_sheets::read_requirements_streamed(
                        name,
                        bytes,
                        &options,
                        &mut |r| out.push(r),
                    ),
                };
                if read.is_ok() {
                    out.flush();
                }
                read
            })
        };
        // The engagement is touched only once the sheet proved readable.
        let first = match rx.recv() {
            Ok(batch) => Some(batch?),
            Err(_) => None,
        };
        let mut reader = Some(reader);
        let early = match first {
            Some(_) => None,
            None => Some(join_reader(reader.take().expect("the reader is running"))?),
        };
        if control.cancelled() {
            return Err(ApiError::Cancelled { what: "import" });
        }
        let made = match pending {
            Some(h) => match h.join() {
                Ok(made) => Some(made?),
                Err(panic) => std::panic::resume_unwind(panic),
            },
            None => None,
        };
        let mut e = match &made {
            Some(m) => m.open()?,
            None => open_write(db, actor)?,
        };
        let mut preview = Vec::new();
        let mut withdrawn = 0;
        let mut stored = 0;
        control.report(ImportPhase::Storing, 0);
        let (diff, sheet) = e.import_streamed(actor, &set, &name, |sink| -> Result<_> {
            for batch in first.map(Ok).into_iter().chain(rx) {
                for row in &batch? {
                    if control.cancelled() {
                        return Err(ApiError::Cancelled { what: "import" });
                    }
                    let r = &row.requirement;
                    if preview.len() < PREVIEW_ROWS {
                        preview.push(PreviewRow::of(r));
                    }
                    withdrawn += usize::from(r.withdrawn);
                    sink.push_row(row)?;
                    if sink.rows() % PROGRESS_EVERY == 0 {
                        control.report(ImportPhase::Storing, sink.rows());
                    }
                }
            }
            let sheet = match early {
                Some(s) => s,
                None => join_reader(reader.take().expect("the reader is running"))?,
            };
            if control.cancelled() {
                return Err(ApiError::Cancelled { what: "import" });
            }
            stored = sink.rows();
            control.report(ImportPhase::Indexing, stored);
            let profile = profile_to_save(request, &set, &options, saved.as_ref(), &sheet)?;
            Ok((sheet, profile))
        })?;
        e.close()?;
        if let Some(made) = made {
            // A first import filled the new file before it gets its name: killed at any point,
            // it leaves no file or the whole import.
            match made.publish() {
                Ok(e) => e.close()?,
                // Another process made the file meanwhile: import into that one.
                Err(StoreError::AlreadyExists { .. }) => return Ok(None),
                Err(other) => return Err(other.into()),
            }
        }
        Ok(Some(Outcome {
            set: set.clone(),
            name: name.clone(),
            sheet,
            diff,
            requirements: stored,
            withdrawn,
            preview,
            notes_before,
            matched,
        }))
    })?;
    match outcome {
        Some(o) => {
            control.report(ImportPhase::Done, o.requirements);
            Ok(report(request, o))
        }
        // The engagement file appeared while this import prepared its own: import again, into
        // that one.
        None => import_with(db, actor, request, control),
    }
}

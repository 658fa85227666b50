//! Shape detection in one sheet: which row is the header (below any title rows, joined over
//! merged multi-row headers), and which role each column plays, from its header name (English
//! and French) and from its content. Every choice carries its reason for the preview.

use crate::error::{Location, Result, SheetError};
use crate::grid::{column_letter, RawSheet};
use crate::ids;
use crosswalk_domain::ColumnRole;
use std::borrow::Cow;
use std::collections::HashSet;
use unicode_normalization::UnicodeNormalization;

/// Title and instruction rows rarely run longer than this above a header.
const HEADER_SEARCH_ROWS: usize = 30;
const SAMPLE_ROWS_BELOW: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    pub index: u32,
    pub header: String,
    pub role: ColumnRole,
    pub reason: String,
    /// For hierarchy columns (several id columns, one level each): 0 for the top level.
    pub level: Option<usize>,
    /// A parent column that holds depths (1, 2, 3…) rather than parent refs.
    pub depth: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// 0-based first and last header rows.
    pub header_top: u32,
    pub header_bottom: u32,
    pub header_reason: String,
    pub columns: Vec<Column>,
}

impl Layout {
    pub fn column(&self, role: ColumnRole) -> Option<&Column> {
        self.columns.iter().find(|c| c.role == role)
    }

    pub fn levels(&self) -> Vec<&Column> {
        let mut v: Vec<&Column> = self.columns.iter().filter(|c| c.level.is_some()).collect();
        v.sort_by_key(|c| c.level);
        v
    }

    pub fn headers(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.header.clone()).collect()
    }
}

/// Finds the header row: the first rows are scored by how much they look like a row of
/// column labels (short, distinct, non-numeric text spanning the columns the rows below use,
/// with known header words as a bonus), and the best wins, the earliest on a tie.
pub(crate) fn find_header(
    file: &str,
    sheet: &RawSheet,
    forced: Option<u32>,
) -> Result<(u32, String)> {
    if let Some(one_based) = forced {
        let last = sheet.rows.last().map(|r| r.index + 1).unwrap_or(0);
        if one_based == 0 || one_based > last {
            return Err(SheetError::HeaderRowOutOfRange {
                file: file.to_string(),
                at: Location::sheet(&sheet.name),
                header_row: one_based,
                last_row: last,
            });
        }
        return Ok((
            one_based - 1,
            format!("header row {one_based} was given explicitly"),
        ));
    }
    let sheet_width = sheet.width();
    let mut best: Option<(f64, usize)> = None;
    for (i, row) in sheet.rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        let below = &sheet.rows[i + 1..sheet.rows.len().min(i + 1 + SAMPLE_ROWS_BELOW)];
        if below.is_empty() {
            break;
        }
        let filled = row.filled();
        // One label merged over several columns reads as a header only when it is exactly a
        // header name (`ID` over A1:C1); otherwise it is a title.
        let merged_header_name = filled == 1
            && sheet.merges.iter().any(|m| {
                m.top == row.index && m.right > m.left && {
                    let n = norm_header(row.get(m.left));
                    ALL_ROLES.iter().any(|r| header_score(&n, *r) == 3)
                }
            });
        if filled < 2 && sheet_width > 1 && !merged_header_name {
            continue;
        }
        let values: Vec<&str> = row
            .cells
            .iter()
            .map(String::as_str)
            .filter(|c| !c.is_empty())
            .collect();
        // A cell holding a digit and shaped like most values below it in its column (`R-1`
        // above `R-2`, `R-3`) is data: the row is a requirement, not the labels above them.
        let labels = row
            .cells
            .iter()
            .enumerate()
            .filter(|(col, v)| {
                !v.is_empty() && is_label(v) && !shaped_like_column(v, below, *col as u32)
            })
            .count();
        // Repeated or blank header names are common in customer sheets; they make a header
        // row less likely, not unlikely.
        let distinct: HashSet<&str> = values.iter().copied().collect();
        let label_frac = labels as f64 / filled as f64;
        if label_frac < 0.6 {
            continue;
        }
        let below_width = below.iter().map(|r| r.cells.len()).max().unwrap_or(0);
        // A label merged over several columns (a group title) covers each of them.
        let spanned: u32 = sheet
            .merges
            .iter()
            .filter(|m| m.top == row.index && !row.get(m.left).is_empty())
            .map(|m| m.right.saturating_sub(m.left))
            .sum();
        let covered = filled + spanned as usize;
        let coverage = covered as f64 / below_width.max(row.cells.len()).max(covered).max(1) as f64;
        let known = values.iter().filter(|v| known_header(v)).count().min(3) as f64;
        let distinct_frac = (distinct.len() as f64 / filled as f64).sqrt();
        let coverage = coverage.sqrt();
        let score = label_frac * distinct_frac * coverage + 0.1 * known;
        if best.is_none_or(|(b, _)| score > b + 1e-9) {
            best = Some((score, i));
        }
    }
    match best {
        Some((score, i)) if score >= 0.35 => {
            let row = &sheet.rows[i];
            let skipped = i;
            let why = if skipped == 0 {
                format!(
                    "header row {}: the first row with content reads as column labels",
                    row.index + 1
                )
            } else {
                format!(
                    "header row {}: it reads as column labels; the {} row(s) above it look like titles or instructions",
                    row.index + 1,
                    skipped
                )
            };
            Ok((row.index, why))
        }
        _ => Err(SheetError::NoHeader {
            file: file.to_string(),
            at: Location::sheet(&sheet.name),
            detail: if sheet.rows.len() < 2 {
                "it has fewer than two rows with content".into()
            } else {
                format!(
                    "none of its first {} rows reads as column labels: short, distinct text over the columns below",
                    sheet.rows.len().min(HEADER_SEARCH_ROWS)
                )
            },
        }),
    }
}

/// The shape of a value: letters become `a`, digits `9`, runs collapsed (`R-12` → `a-9`).
fn shape(v: &str) -> String {
    let mut out = String::new();
    for c in v.trim().chars() {
        let k = if c.is_alphabetic() {
            'a'
        } else if c.is_ascii_digit() {
            '9'
        } else {
            c
        };
        if !out.ends_with(k) || !(k == 'a' || k == '9') {
            out.push(k);
        }
    }
    out
}

/// True when `v` holds a digit and has the shape of most of the values below it in `col`.
fn shaped_like_column(v: &str, below: &[crate::grid::RawRow], col: u32) -> bool {
    if !v.chars().any(|c| c.is_ascii_digit()) || v.chars().count() > 40 {
        return false;
    }
    let own = shape(v);
    let values: Vec<&str> = below
        .iter()
        .map(|r| r.get(col))
        .filter(|c| !c.is_empty())
        .collect();
    let same = values.iter().filter(|c| shape(c) == own).count();
    !values.is_empty() && same * 2 > values.len()
}

fn is_label(v: &str) -> bool {
    v.chars().count() <= 150 && v.lines().count() <= 4 && v.parse::<f64>().is_err()
}

const ALL_ROLES: [Role; 6] = [
    Role::Id,
    Role::Title,
    Role::Text,
    Role::Section,
    Role::Parent,
    Role::Depth,
];

fn known_header(v: &str) -> bool {
    let n = norm_header(v);
    ALL_ROLES.iter().any(|r| header_score(&n, *r) >= 2)
}

/// The rows a header spans: the found row, widened to the rows its cells are merged over.
pub(crate) fn header_span(sheet: &RawSheet, row: u32) -> (u32, u32) {
    let (mut top, mut bottom) = (row, row);
    for m in &sheet.merges {
        if m.top <= row && row <= m.bottom && m.bottom > m.top && m.bottom - m.top <= 3 {
            top = top.min(m.top);
            bottom = bottom.max(m.bottom);
        }
    }
    (top, bottom)
}

/// One name per column: the header rows' distinct values joined with " / ", blank headers
/// named after their column letter, repeated names told apart by their letter.
pub(crate) fn header_names(sheet: &RawSheet, top: u32, bottom: u32) -> Vec<String> {
    let width = sheet.width();
    let mut names: Vec<String> = Vec::with_capacity(width as usize);
    for col in 0..width {
        let mut parts: Vec<String> = Vec::new();
        for r in top..=bottom {
            if let Some(row) = sheet.row(r) {
                let v = row
                    .get(col)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                if !v.is_empty() && !parts.contains(&v) {
                    parts.push(v);
                }
            }
        }
        let name = if parts.is_empty() {
            format!("Column {}", column_letter(col))
        } else {
            parts.join(" / ")
        };
        names.push(name);
    }
    let mut seen: HashSet<String> = HashSet::new();
    for (col, name) in names.iter_mut().enumerate() {
        if !seen.insert(name.to_lowercase()) {
            *name = format!("{name} ({})", column_letter(col as u32));
            seen.insert(name.to_lowercase());
        }
    }
    names
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Id,
    Title,
    Text,
    Section,
    Parent,
    Depth,
}

/// Header words per role, compared after lower-casing, removing accents and punctuation and
/// splitting camelCase (`genericId` → `generic id`).
fn words(role: Role) -> (&'static [&'static str], &'static [&'static str]) {
    match role {
        Role::Id => (
            &[
                "id",
                "ref",
                "ref id",
                "reference",
                "identifier",
                "control id",
                "control identifier",
                "requirement id",
                "req id",
                "question id",
                "control ref",
                "control reference",
                "requirement reference",
                "item id",
                "rule id",
                "identifiant",
                "reference exigence",
                "numero",
                "no",
                "n",
                "num",
                "number",
                "code",
                "key",
                "cle",
            ],
            &[
                "id",
                "identifier",
                "ref",
                "reference",
                "identifiant",
                "numero",
            ],
        ),
        Role::Title => (
            &[
                "title",
                "name",
                "control name",
                "requirement name",
                "short name",
                "titre",
                "intitule",
                "nom",
                "libelle",
                "heading",
                "subject",
                "summary",
                "control title",
                "rule title",
            ],
            &["title", "name", "titre", "intitule", "nom", "libelle"],
        ),
        Role::Text => (
            &[
                "description",
                "text",
                "requirement",
                "requirements",
                "control text",
                "requirement text",
                "question",
                "control description",
                "statement",
                "exigence",
                "exigences",
                "contenu",
                "texte",
                "detail",
                "details",
                "specification",
                "control specification",
                "control statement",
                "mesure",
                "requirement description",
            ],
            &[
                "description",
                "text",
                "requirement",
                "question",
                "statement",
                "exigence",
                "contenu",
                "texte",
                "specification",
                "wording",
            ],
        ),
        Role::Section => (
            &[
                "section",
                "category",
                "categorie",
                "family",
                "famille",
                "domain",
                "domaine",
                "chapter",
                "chapitre",
                "theme",
                "thematique",
                "area",
                "topic",
                "control family",
                "function",
                "fonction",
                "sous domaine",
            ],
            &[
                "section",
                "category",
                "categorie",
                "family",
                "famille",
                "domain",
                "domaine",
                "chapter",
                "chapitre",
                "theme",
                "thematique",
            ],
        ),
        Role::Parent => (
            &[
                "parent",
                "parent id",
                "parent ref",
                "parent reference",
                "reference parent",
                "parent requirement",
            ],
            &["parent"],
        ),
        Role::Depth => (
            &[
                "depth",
                "level",
                "niveau",
                "profondeur",
                "hierarchy level",
                "indent",
            ],
            &["depth", "niveau", "profondeur"],
        ),
    }
}

/// 3: the header is one of the role's names; 2: its last word is; 1: one of its words is.
fn header_score(norm: &str, role: Role) -> u8 {
    let (exact, tokens) = words(role);
    if exact.contains(&norm) {
        return 3;
    }
    let ws: Vec<&str> = norm.split(' ').collect();
    match ws.last() {
        Some(last) if tokens.contains(last) => 2,
        _ if ws.iter().any(|w| tokens.contains(w)) => 1,
        _ => 0,
    }
}

pub(crate) fn norm_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_lower = false;
    for c in s
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
    {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower {
                out.push(' ');
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            out.extend(c.to_lowercase());
        } else {
            prev_lower = false;
            out.push(' ');
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Stats {
    filled: usize,
    distinct: usize,
    avg_len: f64,
    id_like: usize,
    with_digit: usize,
    integers: usize,
    embedded: usize,
}

/// Data rows from which the columns' statistics are worth a second thread.
const PARALLEL_STATS_ROWS: usize = 2000;

/// The statistics of columns `0..columns`, computed on two threads for a long sheet (each
/// column on its own; the result is the same in any order).
fn all_stats(sheet: &RawSheet, bottom: u32, columns: u32) -> Vec<Stats> {
    let long = sheet.rows.len() > PARALLEL_STATS_ROWS && columns > 1;
    if !long {
        return (0..columns).map(|c| stats(sheet, bottom, c)).collect();
    }
    let half = columns / 2;
    std::thread::scope(|scope| {
        let second = scope.spawn(|| {
            (half..columns)
                .map(|c| stats(sheet, bottom, c))
                .collect::<Vec<_>>()
        });
        let mut out: Vec<Stats> = (0..half).map(|c| stats(sheet, bottom, c)).collect();
        match second.join() {
            Ok(rest) => out.extend(rest),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        out
    })
}

fn stats(sheet: &RawSheet, bottom: u32, col: u32) -> Stats {
    // Every value of the column goes through this set (tens of megabytes of text in a long
    // sheet): foldhash, randomly seeded per process, hashes it several times faster than the
    // default SipHash. Only the count of distinct values is used.
    let mut seen = HashSet::with_hasher(foldhash::fast::RandomState::default());
    let (mut filled, mut len, mut id_like, mut with_digit, mut integers, mut embedded) =
        (0, 0, 0, 0, 0, 0);
    // A value merged over several rows is one value: the rows it was copied to do not count.
    // The rows below the top of a vertical merge in this column, marked once.
    let rows_end = sheet
        .rows
        .iter()
        .map(|r| r.index as usize + 1)
        .max()
        .unwrap_or(0);
    let mut copied: Vec<bool> = Vec::new();
    for m in sheet
        .merges
        .iter()
        .filter(|m| m.left <= col && col <= m.right && m.bottom > m.top)
    {
        let end = (m.bottom as usize + 1).min(rows_end);
        if end <= m.top as usize + 1 {
            continue;
        }
        if copied.len() < end {
            copied.resize(end, false);
        }
        copied[m.top as usize + 1..end].fill(true);
    }
    for r in sheet.rows.iter().filter(|r| r.index > bottom) {
        let v = r.get(col);
        if v.is_empty() || copied.get(r.index as usize).copied().unwrap_or(false) {
            continue;
        }
        filled += 1;
        // Characters, not bytes; most values are ASCII, where the two agree.
        len += if v.is_ascii() {
            v.len()
        } else {
            v.chars().count()
        };
        // Only short values can be ids, so only they need the id spelling folded.
        seen.insert(if v.len() <= 64 {
            Cow::Owned(ids::normalise(v))
        } else {
            Cow::Borrowed(v)
        });
        id_like += usize::from(ids::looks_like_id(v) && !v.contains('\n'));
        with_digit += usize::from(v.bytes().any(|b| b.is_ascii_digit()));
        integers += usize::from(v.parse::<u32>().is_ok());
        embedded += usize::from(ids::embedded(v).is_some());
    }
    Stats {
        filled,
        distinct: seen.len(),
        avg_len: if filled == 0 {
            0.0
        } else {
            len as f64 / filled as f64
        },
        id_like,
        with_digit,
        integers,
        embedded,
    }
}

/// Gives each column a role: explicit choices first, then a hierarchy written one level per
/// column, then the header names (checked against the content: an id column must hold unique
/// values), then content alone for the id and the text. Every other column is an attribute.
pub(crate) fn roles(
    file: &str,
    sheet: &RawSheet,
    top: u32,
    bottom: u32,
    header_reason: String,
    explicit: &[(String, ColumnRole)],
) -> Result<Layout> {
    let names = header_names(sheet, top, bottom);
    let data_rows = sheet.rows.iter().filter(|r| r.index > bottom).count();
    let mut columns: Vec<Column> = names
        .iter()
        .enumerate()
        .map(|(i, h)| Column {
            index: i as u32,
            header: h.clone(),
            role: ColumnRole::Attribute,
            reason: String::new(),
            level: None,
            depth: false,
        })
        .collect();
    let st = all_stats(sheet, bottom, names.len() as u32);
    let mut fixed = vec![false; columns.len()];

    for (wanted, role) in explicit {
        let pos = columns
            .iter()
            .position(|c| c.header.trim().eq_ignore_ascii_case(wanted.trim()))
            .or_else(|| {
                columns
                    .iter()
                    .position(|c| column_letter(c.index).eq_ignore_ascii_case(wanted.trim()))
            });
        let Some(pos) = pos else {
            return Err(SheetError::UnknownColumn {
                file: file.to_string(),
                at: Location::sheet(&sheet.name).row(bottom + 1),
                wanted: wanted.clone(),
                available: names
                    .iter()
                    .map(|n| format!("'{n}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        columns[pos].role = *role;
        columns[pos].reason = "chosen explicitly".into();
        fixed[pos] = true;
    }
    let explicit_ids: Vec<usize> = (0..columns.len())
        .filter(|i| fixed[*i] && columns[*i].role == ColumnRole::Id)
        .collect();
    if explicit_ids.len() > 1 {
        for (level, i) in explicit_ids.iter().enumerate() {
            columns[*i].level = Some(level);
            columns[*i].reason = format!("chosen explicitly; hierarchy level {}", level + 1);
        }
    }
    let taken = |columns: &[Column], role: ColumnRole| columns.iter().any(|c| c.role == role);
    let free = |fixed: &[bool], columns: &[Column], i: usize| {
        !fixed[i] && columns[i].role == ColumnRole::Attribute
    };

    if !taken(&columns, ColumnRole::Id) {
        if let Some((start, end)) = staircase(sheet, bottom, &columns, &fixed, &st) {
            for (level, i) in (start..=end).enumerate() {
                columns[i].role = ColumnRole::Id;
                columns[i].level = Some(level);
                columns[i].reason = format!(
                    "hierarchy level {} of {}: each row fills one of these columns, and the cell starts with the id ('ID: text' or 'Name (ID): text')",
                    level + 1,
                    end - start + 1
                );
            }
        }
    }

    let normed: Vec<String> = columns.iter().map(|c| norm_header(&c.header)).collect();
    let pick = |role: Role,
                columns: &[Column],
                fixed: &[bool],
                ok: &dyn Fn(usize) -> bool|
     -> Option<(usize, u8)> {
        let mut best: Option<(usize, u8)> = None;
        for (i, name) in normed.iter().enumerate() {
            if !free(fixed, columns, i) || !ok(i) {
                continue;
            }
            let s = header_score(name, role);
            if s > 0 && best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
        }
        best
    };
    let strength = |s: u8| match s {
        3 => "is a usual name for",
        2 => "ends with a usual word for",
        _ => "contains a usual word for",
    };

    if !taken(&columns, ColumnRole::Id) {
        // A unique column wins over a better-named one; a column whose header ends with an id
        // word may repeat values (the duplicates are then reported), one that only mentions
        // such a word must be unique.
        let mut best: Option<(bool, u8, usize)> = None;
        for (i, name) in normed.iter().enumerate() {
            let s = &st[i];
            let score = header_score(name, Role::Id);
            if !free(&fixed, &columns, i)
                || score == 0
                || s.filled == 0
                || s.filled * 2 < data_rows
                || s.avg_len > 40.0
            {
                continue;
            }
            let unique = s.distinct as f64 >= 0.95 * s.filled as f64;
            let codes = s.id_like * 10 >= s.filled * 9;
            if !(unique || (score >= 2 && codes)) {
                continue;
            }
            if best.is_none_or(|(u, b, _)| (unique, score) > (u, b)) {
                best = Some((unique, score, i));
            }
        }
        if let Some((unique, s, i)) = best {
            columns[i].role = ColumnRole::Id;
            columns[i].reason = if unique {
                format!(
                    "the header {} an id, and its values are unique",
                    strength(s)
                )
            } else {
                format!("the header {} an id (some values repeat)", strength(s))
            };
        } else if let Some(i) = (0..columns.len()).find(|i| {
            let s = &st[*i];
            free(&fixed, &columns, *i)
                && s.filled * 10 >= data_rows * 9
                && s.distinct == s.filled
                && s.id_like * 10 >= s.filled * 9
                && s.with_digit * 2 >= s.filled
                && s.avg_len <= 24.0
                && s.filled > 0
        }) {
            columns[i].role = ColumnRole::Id;
            columns[i].reason =
                "no header names an id, but its values are short, unique codes".into();
        }
    }
    for (role, col_role) in [
        (Role::Text, ColumnRole::Text),
        (Role::Title, ColumnRole::Title),
        (Role::Section, ColumnRole::Section),
    ] {
        if taken(&columns, col_role) {
            continue;
        }
        if let Some((i, s)) = pick(role, &columns, &fixed, &|_| true) {
            columns[i].role = col_role;
            columns[i].reason = format!("the header {} the {}", strength(s), role_word(col_role));
        }
    }
    let hierarchy = columns.iter().any(|c| c.level.is_some());
    if !taken(&columns, ColumnRole::Text) && !hierarchy {
        let long = (0..columns.len())
            .filter(|i| free(&fixed, &columns, *i) && st[*i].avg_len >= 40.0)
            .max_by(|a, b| st[*a].avg_len.total_cmp(&st[*b].avg_len).then(b.cmp(a)));
        if let Some(i) = long {
            columns[i].role = ColumnRole::Text;
            columns[i].reason = format!(
                "no header names the text, and this column holds the longest values (about {} characters)",
                st[i].avg_len.round()
            );
        }
    }
    if !taken(&columns, ColumnRole::Parent) {
        let depthlike = |i: usize| st[i].filled > 0 && st[i].integers * 10 >= st[i].filled * 9;
        if let Some((i, _)) = pick(Role::Depth, &columns, &fixed, &depthlike) {
            columns[i].role = ColumnRole::Parent;
            columns[i].depth = true;
            columns[i].reason =
                "the header names a depth and its values are small whole numbers: each row's parent is the row above it one level up".into();
        } else if let Some((i, s)) = pick(Role::Parent, &columns, &fixed, &|_| true) {
            columns[i].role = ColumnRole::Parent;
            columns[i].reason = format!("the header {} the parent's id", strength(s));
        }
    } else if let Some(c) = columns
        .iter_mut()
        .find(|c| c.role == ColumnRole::Parent && c.reason == "chosen explicitly")
    {
        let i = c.index as usize;
        if st[i].filled > 0 && st[i].integers == st[i].filled {
            c.depth = true;
            c.reason = "chosen explicitly; its values are whole numbers, read as depths".into();
        }
    }
    for c in columns
        .iter_mut()
        .filter(|c| c.role == ColumnRole::Attribute && c.reason.is_empty())
    {
        c.reason = "no role: kept as an attribute".into();
    }
    Ok(Layout {
        header_top: top,
        header_bottom: bottom,
        header_reason,
        columns,
    })
}

fn role_word(r: ColumnRole) -> &'static str {
    match r {
        ColumnRole::Id => "id",
        ColumnRole::Title => "title",
        ColumnRole::Text => "text",
        ColumnRole::Section => "section",
        ColumnRole::Parent => "parent",
        ColumnRole::Attribute => "attribute",
    }
}

/// A hierarchy written one level per column (function / category / subcategory): adjacent
/// columns of which each row fills at most one, whose cells mostly start with an id.
fn staircase(
    sheet: &RawSheet,
    bottom: u32,
    columns: &[Column],
    fixed: &[bool],
    st: &[Stats],
) -> Option<(usize, usize)> {
    let width = columns.len().min(30);
    let rows: Vec<_> = sheet.rows.iter().filter(|r| r.index > bottom).collect();
    if rows.is_empty() {
        return None;
    }
    let mut best: Option<(usize, usize)> = None;
    for start in 0..width {
        for end in start + 1..width {
            // Only columns whose cells mostly start with an id can be levels.
            let level_like =
                |i: usize| !fixed[i] && st[i].filled > 0 && st[i].embedded * 2 >= st[i].filled;
            if !level_like(start) || !level_like(end) {
                break;
            }
            let (mut touched, mut single) = (0usize, 0usize);
            for r in &rows {
                let n = (start..=end)
                    .filter(|i| !r.get(*i as u32).is_empty())
                    .count();
                touched += usize::from(n > 0);
                single += usize::from(n == 1);
            }
            let cells: usize = (start..=end).map(|i| st[i].filled).sum();
            let embedded: usize = (start..=end).map(|i| st[i].embedded).sum();
            let ok = touched * 10 >= rows.len() * 8
                && single * 100 >= touched * 95
                && embedded * 10 >= cells * 6;
            if ok && best.is_none_or(|(s, e)| end - start > e - s) {
                best = Some((start, end));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_compared_without_case_accents_or_camel_case() {
        assert_eq!(norm_header("Référence ISO (1)"), "reference iso 1");
        assert_eq!(norm_header("genericId"), "generic id");
        assert_eq!(norm_header("ref_id"), "ref id");
        assert_eq!(norm_header("Thématique"), "thematique");
    }

    #[test]
    fn an_exact_id_header_beats_one_that_only_ends_with_id() {
        assert!(header_score("id", Role::Id) > header_score("sort id", Role::Id));
        assert_eq!(header_score("reference iso 1", Role::Id), 1);
        assert_eq!(header_score("contenu", Role::Text), 3);
    }
}

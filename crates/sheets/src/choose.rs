//! Choosing the sheets to import when the caller names none: the sheets that read as a
//! requirement list are grouped by shape; a group whose sheets share ids holds alternatives
//! (one baseline per sheet) and only one of them is imported, while a group with disjoint ids
//! holds parts of one list (one control family per sheet) and is imported whole.

use crate::detect::{norm_header, Layout};
use crate::grid::RawSheet;
use crate::ids;
use crosswalk_domain::{ColumnRole, MATRIX_INTEGRITY_SHEET, MATRIX_SHEET};
use std::collections::HashSet;

/// What a sheet looks like once its header and roles are known.
pub(crate) struct Candidate<'a> {
    pub position: usize,
    pub sheet: &'a RawSheet,
    pub layout: &'a Layout,
    pub rows: usize,
    ids: HashSet<String>,
    signature: Vec<String>,
}

impl<'a> Candidate<'a> {
    pub fn new(position: usize, sheet: &'a RawSheet, layout: &'a Layout) -> Self {
        let bottom = layout.header_bottom;
        let data: Vec<_> = sheet.rows.iter().filter(|r| r.index > bottom).collect();
        let mut ids = HashSet::new();
        let levels = layout.levels();
        if !levels.is_empty() {
            for r in &data {
                for c in &levels {
                    if let Some(e) = ids::embedded(r.get(c.index)) {
                        ids.insert(ids::normalise(&e.id));
                    }
                }
            }
        } else if let Some(c) = layout.column(ColumnRole::Id) {
            for r in &data {
                let v = r.get(c.index);
                if !v.is_empty() {
                    ids.insert(ids::normalise(v));
                }
            }
        }
        Candidate {
            position,
            sheet,
            layout,
            rows: data.len(),
            ids,
            signature: layout
                .columns
                .iter()
                .map(|c| norm_header(&c.header))
                .collect(),
        }
    }

    /// A requirement list has an id or a text column, and rows under its header.
    pub fn plausible(&self) -> bool {
        let has = |r| self.layout.column(r).is_some();
        self.rows > 0 && (has(ColumnRole::Id) || has(ColumnRole::Text))
    }

    /// A column of requirement text: what sets a requirement list apart from a summary or a
    /// lookup table that only has keys and names (a coverage table, a list of owners).
    /// Requirements written as a hierarchy of level columns (function / category /
    /// subcategory, each cell an id and its words) carry their text in those columns.
    fn has_text(&self) -> bool {
        self.layout.column(ColumnRole::Text).is_some() || !self.layout.levels().is_empty()
    }

    fn same_shape(&self, other: &Candidate<'_>) -> bool {
        if self.signature.len() != other.signature.len() || self.signature.is_empty() {
            return false;
        }
        let same = self
            .signature
            .iter()
            .zip(&other.signature)
            .filter(|(a, b)| a == b)
            .count();
        let roles_match = self
            .layout
            .columns
            .iter()
            .zip(&other.layout.columns)
            .all(|(a, b)| {
                a.role == b.role
                    || a.role == ColumnRole::Attribute
                    || b.role == ColumnRole::Attribute
            });
        roles_match && same * 10 >= self.signature.len() * 7
    }

    fn overlaps(&self, other: &Candidate<'_>) -> bool {
        let smaller = self.ids.len().min(other.ids.len());
        if smaller == 0 {
            return false;
        }
        let common = self.ids.intersection(&other.ids).count();
        common * 10 >= smaller
    }
}

pub(crate) struct Plan {
    /// Positions of the sheets to import, in workbook order.
    pub sheets: Vec<usize>,
    pub sheet_as_section: bool,
    pub notes: Vec<String>,
    pub alternatives: Vec<String>,
}

struct Group {
    members: Vec<usize>,
    alternatives: bool,
}

impl Group {
    fn rows(&self, c: &[Candidate<'_>]) -> usize {
        let rows = self.members.iter().map(|m| c[*m].rows);
        if self.alternatives {
            rows.max().unwrap_or(0)
        } else {
            rows.sum()
        }
    }
}

/// Picks among plausible candidates: groups whose rows reach a quarter of the largest group's
/// are in the running, and the first of those in workbook order wins — a workbook's author puts
/// the main list first and appendices (catalogues, lookups) after it. When some sheets have a
/// requirement text column, only those are in the running: a summary sheet of keys and counts
/// (such as the coverage sheet of an exported matrix) is not the list, however long it is.
pub(crate) fn plan(candidates: &[Candidate<'_>], skipped: &[(String, String)]) -> Option<Plan> {
    let plausible: Vec<usize> = (0..candidates.len())
        .filter(|i| candidates[*i].plausible())
        .collect();
    let with_text: Vec<usize> = plausible
        .iter()
        .copied()
        .filter(|i| candidates[*i].has_text())
        .collect();
    let (plausible, textless): (Vec<usize>, Vec<usize>) = if with_text.is_empty() {
        (plausible, Vec::new())
    } else {
        let rest = plausible
            .iter()
            .copied()
            .filter(|i| !candidates[*i].has_text())
            .collect();
        (with_text, rest)
    };
    let mut groups: Vec<Group> = Vec::new();
    for i in plausible {
        match groups
            .iter_mut()
            .find(|g| candidates[g.members[0]].same_shape(&candidates[i]))
        {
            Some(g) => {
                if g.members
                    .iter()
                    .any(|m| candidates[*m].overlaps(&candidates[i]))
                {
                    g.alternatives = true;
                }
                g.members.push(i);
            }
            None => groups.push(Group {
                members: vec![i],
                alternatives: false,
            }),
        }
    }
    let largest = groups.iter().map(|g| g.rows(candidates)).max()?;
    // A traceability matrix exported by Crosswalk lists its requirements on its matrix sheet;
    // its coverage, catalogue and about sheets may be longer when the engagement is small.
    let matrix = candidates
        .iter()
        .any(|c| c.sheet.name == MATRIX_INTEGRITY_SHEET)
        .then_some(())
        .or_else(|| {
            skipped
                .iter()
                .any(|(s, _)| s == MATRIX_INTEGRITY_SHEET)
                .then_some(())
        })
        .is_some()
        .then(|| {
            groups.iter().position(|g| {
                g.members.len() == 1 && candidates[g.members[0]].sheet.name == MATRIX_SHEET
            })
        })
        .flatten();
    let chosen_index = match matrix {
        Some(i) => i,
        None => groups
            .iter()
            .position(|g| g.rows(candidates) * 4 >= largest)?,
    };
    let chosen = &groups[chosen_index];
    let name = |i: usize| format!("'{}'", candidates[i].sheet.name);
    let names = |v: &[usize]| v.iter().map(|i| name(*i)).collect::<Vec<_>>().join(", ");

    let mut notes = Vec::new();
    let mut alternatives = Vec::new();
    let sheets: Vec<usize>;
    let mut sheet_as_section = false;
    if matrix.is_some() {
        let c = chosen.members[0];
        sheets = vec![c];
        notes.push(format!(
            "imported sheet {} ({} rows): the workbook is a traceability matrix exported by Crosswalk, whose requirements are on that sheet",
            name(c),
            candidates[c].rows
        ));
    } else if chosen.members.len() == 1 {
        let c = chosen.members[0];
        sheets = vec![c];
        notes.push(format!(
            "imported sheet {} ({} rows): the first sheet that reads as a requirement list and is not much smaller than the largest",
            name(c),
            candidates[c].rows
        ));
    } else if chosen.alternatives {
        let best = *chosen
            .members
            .iter()
            .max_by(|a, b| {
                candidates[**a]
                    .rows
                    .cmp(&candidates[**b].rows)
                    .then(b.cmp(a))
            })
            .unwrap_or(&chosen.members[0]);
        sheets = vec![best];
        let others: Vec<usize> = chosen
            .members
            .iter()
            .copied()
            .filter(|m| *m != best)
            .collect();
        alternatives = others
            .iter()
            .map(|o| candidates[*o].sheet.name.clone())
            .collect();
        notes.push(format!(
            "imported sheet {} ({} rows) only: sheets {} share one header and their ids overlap, so they are alternatives (such as baselines), not parts of one list; the one with the most rows was taken. Import another with --sheet: {}",
            name(best),
            candidates[best].rows,
            names(&chosen.members),
            names(&others)
        ));
    } else {
        sheets = chosen.members.clone();
        sheet_as_section = true;
        notes.push(format!(
            "imported sheets {} as one set: they share one header and their ids do not overlap, so each holds a part of the list; the sheet name is the section of rows that have none",
            names(&chosen.members)
        ));
    }
    for (gi, g) in groups.iter().enumerate() {
        if gi == chosen_index {
            continue;
        }
        let why = if g.rows(candidates) * 4 < largest {
            "much smaller than the largest list"
        } else {
            "comes after the chosen sheet in the workbook"
        };
        for m in &g.members {
            notes.push(format!(
                "not imported: sheet {} ({} rows, another shape): {why}",
                name(*m),
                candidates[*m].rows
            ));
        }
    }
    for i in textless {
        notes.push(format!(
            "not imported: sheet {} ({} rows): it has no requirement text column, unlike the chosen sheet",
            name(i),
            candidates[i].rows
        ));
    }
    for c in candidates.iter().filter(|c| !c.plausible()) {
        notes.push(format!(
            "not imported: sheet '{}': it has no id or text column under its header",
            c.sheet.name
        ));
    }
    for (sheet, why) in skipped {
        notes.push(format!("not imported: sheet '{sheet}': {why}"));
    }
    // Group members index `candidates`; a sheet without a header has no candidate, so the
    // caller needs each candidate's position in the workbook.
    let mut sheets: Vec<usize> = sheets.iter().map(|c| candidates[*c].position).collect();
    sheets.sort_unstable();
    Some(Plan {
        sheets,
        sheet_as_section,
        notes,
        alternatives,
    })
}

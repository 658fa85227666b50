//! Turning the data rows of one sheet into requirements, once its layout is known: ids read or
//! generated, hierarchy (levels, depths or parent refs) turned into parent links, withdrawn
//! requirements marked, heading and footer rows told apart from requirements.

use crate::detect::{Column, Layout};
use crate::grid::{column_letter, Merge, RawRow, RawSheet};
use crate::ids;
use crosswalk_domain::{Attributes, ColumnRole, ImportWarning, ImportedRequirement};
use std::collections::HashMap;

pub(crate) struct Built {
    /// Requirements handed to `emit`.
    pub rows: u32,
    pub notes: Vec<String>,
    pub warnings: Vec<ImportWarning>,
    /// `emit` asked to stop: the rows after it were not built.
    pub stopped: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Data,
    /// One short cell that is not an id: a heading, or an end marker after the last row.
    Heading,
    /// One long cell that is not an id: a requirement without id, or a notice at the end.
    Notice,
    RepeatedHeader,
}

/// `sheet_as_section`: the sheet is one part of a set spread over several sheets, so its name
/// is the section of rows that have none of their own. Each requirement is handed to `emit` as
/// soon as it is complete (one row behind, since the next row may continue it); `emit` returns
/// false to stop.
pub(crate) fn build(
    sheet: &RawSheet,
    layout: &Layout,
    sheet_as_section: bool,
    emit: &mut dyn FnMut(ImportedRequirement) -> bool,
) -> Built {
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    let rows: Vec<&RawRow> = sheet
        .rows
        .iter()
        .filter(|r| r.index > layout.header_bottom)
        .collect();
    let levels = layout.levels();
    let id_col = if levels.is_empty() {
        layout.column(ColumnRole::Id)
    } else {
        None
    };
    let text_col = layout.column(ColumnRole::Text);
    let title_col = layout.column(ColumnRole::Title);
    let section_col = layout.column(ColumnRole::Section);
    let parent_col = layout.column(ColumnRole::Parent);
    let attrs: Vec<&Column> = layout
        .columns
        .iter()
        .filter(|c| c.role == ColumnRole::Attribute || (c.role == ColumnRole::Parent && c.depth))
        .collect();
    let headers = layout.headers();

    // When the ids hold digits, a lone word without one ("Logging") is a heading, not an id.
    let digit_ids = id_col.is_some_and(|c| {
        let values: Vec<&str> = rows
            .iter()
            .filter(|r| r.filled() > 1)
            .map(|r| r.get(c.index))
            .filter(|v| !v.is_empty())
            .collect();
        let with_digit = values
            .iter()
            .filter(|v| v.chars().any(|ch| ch.is_ascii_digit()))
            .count();
        with_digit * 10 >= values.len() * 9
    });
    let kinds: Vec<Kind> = rows
        .iter()
        .map(|r| classify(r, &headers, !levels.is_empty(), digit_ids))
        .collect();
    let last_data = kinds.iter().rposition(|k| *k == Kind::Data);

    if levels.is_empty() && id_col.is_none() && text_col.is_none() && title_col.is_none() {
        warnings.push(ImportWarning {
            sheet: Some(sheet.name.clone()),
            row: Some(layout.header_bottom + 1),
            column: None,
            message: "no column reads as an id, a title or a requirement text, so every column is kept as an attribute and the ids are generated; check --header-row, or that this is a requirement sheet".into(),
        });
    }
    // The vertical merges of the id column, by each row they cover below their top (looked up
    // once per row; a scan of every merge per row grew with rows × merges).
    let mut id_merges: HashMap<u32, Merge> = HashMap::new();
    if let Some(c) = id_col {
        let rows_end = sheet.rows.iter().map(|r| r.index).max().unwrap_or(0);
        for m in &sheet.merges {
            if m.left <= c.index && c.index <= m.right {
                for r in m.top + 1..=m.bottom.min(rows_end) {
                    // The first merge listed wins, as the scan did.
                    id_merges.entry(r).or_insert(*m);
                }
            }
        }
    }
    // The last requirement built, held back while the next rows may continue it.
    let mut pending: Option<ImportedRequirement> = None;
    let mut emitted: u32 = 0;
    let mut imported_rows: std::collections::HashSet<u32> = std::collections::HashSet::new();
    let mut generated_seen: HashMap<String, u32> = HashMap::new();
    let mut heading: Option<String> = None;
    // (level or depth, ref, title) of the open ancestors.
    let mut stack: Vec<(u32, String, String)> = Vec::new();

    for (pos, (row, kind)) in rows.iter().zip(&kinds).enumerate() {
        let excel_row = row.index + 1;
        match kind {
            Kind::RepeatedHeader => {
                notes.push(format!(
                    "row {excel_row} repeats the header and was skipped"
                ));
                continue;
            }
            Kind::Heading | Kind::Notice if last_data.is_none_or(|l| pos > l) => {
                notes.push(format!(
                    "row {excel_row} ('{}') was skipped: a single cell after the last requirement (an end marker or a notice)",
                    excerpt(first_value(row))
                ));
                continue;
            }
            Kind::Heading => {
                let v = first_value(row).to_string();
                notes.push(format!(
                    "row {excel_row} ('{}') is a heading: it is the section of the rows below it",
                    excerpt(&v)
                ));
                heading = Some(v);
                continue;
            }
            Kind::Data | Kind::Notice => {}
        }

        let mut title = title_col
            .map(|c| row.get(c.index).to_string())
            .unwrap_or_default();
        let mut text = text_col
            .map(|c| row.get(c.index).to_string())
            .unwrap_or_default();
        let mut raw_id = String::new();
        let mut level: Option<u32> = None;
        if !levels.is_empty() {
            if let Some((l, col)) = levels
                .iter()
                .enumerate()
                .find(|(_, c)| !row.get(c.index).is_empty())
            {
                let cell = row.get(col.index);
                level = Some(l as u32);
                match ids::embedded(cell) {
                    Some(e) => {
                        raw_id = e.id;
                        if title.is_empty() {
                            title = e.title;
                        }
                        if text.is_empty() {
                            text = e.text;
                        }
                    }
                    None if text.is_empty() => text = cell.to_string(),
                    None if title.is_empty() => title = cell.to_string(),
                    None => {}
                }
            }
        } else if let Some(c) = id_col {
            raw_id = row.get(c.index).to_string();
        }

        let mut attributes = Attributes::default();
        for c in &attrs {
            let v = row.get(c.index);
            if !v.is_empty() {
                attributes.push(c.header.clone(), v);
            }
        }
        let mut section = section_col
            .map(|c| row.get(c.index).to_string())
            .filter(|s| !s.is_empty());

        let generated = raw_id.is_empty();
        let reference = if generated {
            let mut parts: Vec<&str> = vec![&title, &text];
            parts.extend(attributes.iter().flat_map(|(h, v)| [h, v]));
            let base = ids::generated(&parts);
            let n = generated_seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if id_col.is_some() || !levels.is_empty() {
                warnings.push(ImportWarning {
                    sheet: Some(sheet.name.clone()),
                    row: Some(excel_row),
                    column: id_col.map(|c| c.header.clone()),
                    message: "the row has no id; one was generated from its content".into(),
                });
            }
            if *n > 1 {
                format!("{base}-{n}")
            } else {
                base
            }
        } else {
            ids::normalise(&raw_id)
        };

        let mut parent = None;
        if let Some(l) = level {
            stack.retain(|(sl, _, _)| *sl < l);
            parent = stack.last().map(|(_, r, _)| r.clone());
            if section.is_none() {
                section = stack
                    .first()
                    .map(|(_, _, t)| t.clone())
                    .filter(|t| !t.is_empty());
            }
            let own_title = if title.is_empty() {
                reference.clone()
            } else {
                title.clone()
            };
            stack.push((l, reference.clone(), own_title));
            if l == 0 && section.is_none() && !title.is_empty() {
                section = Some(title.clone());
            }
        } else if let Some(c) = parent_col {
            let v = row.get(c.index);
            if c.depth {
                match v.parse::<u32>() {
                    Ok(d) => {
                        stack.retain(|(sd, _, _)| *sd < d);
                        parent = stack.last().map(|(_, r, _)| r.clone());
                        stack.push((d, reference.clone(), title.clone()));
                    }
                    Err(_) if !v.is_empty() => warnings.push(ImportWarning {
                        sheet: Some(sheet.name.clone()),
                        row: Some(excel_row),
                        column: Some(c.header.clone()),
                        message: format!(
                            "'{v}' is not a depth (a whole number); the row has no parent"
                        ),
                    }),
                    Err(_) => {}
                }
            } else if !v.is_empty() {
                parent = Some(ids::normalise(v));
            }
        }
        if section.is_none() {
            section = heading
                .clone()
                .or_else(|| sheet_as_section.then(|| sheet.name.clone()));
        }

        // An id cell merged over several rows (a common layout: one requirement written over
        // several lines) makes those rows one requirement: its text continues on each row.
        if let Some(m) = id_merges.get(&row.index).copied() {
            if let Some(prev) = pending
                .as_mut()
                .filter(|p| p.row == m.top + 1 && p.reference == reference)
            {
                for (into, more) in [(&mut prev.text, &text), (&mut prev.title, &title)] {
                    if !more.is_empty() && !into.split('\n').any(|line| line == more.as_str()) {
                        if !into.is_empty() {
                            into.push('\n');
                        }
                        into.push_str(more);
                    }
                }
                let mut joined = Attributes::default();
                for (h, old) in prev.attributes.iter() {
                    match attributes.get(h) {
                        Some(v) if !old.split('\n').any(|line| line == v) => {
                            joined.push(h, format!("{old}\n{v}"))
                        }
                        _ => joined.push(h, old),
                    }
                }
                for (h, v) in attributes.iter() {
                    if prev.attributes.get(h).is_none() {
                        joined.push(h, v);
                    }
                }
                prev.attributes = joined;
                if row.index == m.top + 1 {
                    notes.push(format!(
                        "rows {}-{} are one requirement ({}): the id cell {} is merged over them, so their text was joined",
                        m.top + 1,
                        m.bottom + 1,
                        prev.reference,
                        range_name(m)
                    ));
                }
                continue;
            }
        }

        let withdrawn = is_withdrawn(&title) || is_withdrawn(&text);
        let source_ref = (!generated && raw_id != reference).then(|| raw_id.clone());
        imported_rows.insert(excel_row);
        let done = pending.replace(ImportedRequirement {
            reference,
            source_ref,
            generated_ref: generated,
            title,
            text,
            section,
            parent,
            sheet: sheet.name.clone(),
            row: excel_row,
            attributes,
            withdrawn,
        });
        if let Some(done) = done {
            emitted += 1;
            if !emit(done) {
                return Built {
                    rows: emitted,
                    notes,
                    warnings,
                    stopped: true,
                };
            }
        }
    }
    if let Some(done) = pending.take() {
        emitted += 1;
        if !emit(done) {
            return Built {
                rows: emitted,
                notes,
                warnings,
                stopped: true,
            };
        }
    }

    for e in &sheet.error_cells {
        if e.row <= layout.header_bottom || !imported_rows.contains(&(e.row + 1)) {
            continue;
        }
        warnings.push(ImportWarning {
            sheet: Some(sheet.name.clone()),
            row: Some(e.row + 1),
            column: layout.columns.get(e.col as usize).map(|c| c.header.clone()),
            message: format!(
                "the cell holds the error value {}; it is kept as text",
                e.text
            ),
        });
    }
    Built {
        rows: emitted,
        notes,
        warnings,
        stopped: false,
    }
}

/// `A2:A4`.
fn range_name(m: Merge) -> String {
    format!(
        "{}{}:{}{}",
        column_letter(m.left),
        m.top + 1,
        column_letter(m.right),
        m.bottom + 1
    )
}

fn classify(row: &RawRow, headers: &[String], hierarchy: bool, digit_ids: bool) -> Kind {
    let filled: Vec<(usize, &str)> = row
        .cells
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_empty())
        .map(|(i, c)| (i, c.as_str()))
        .collect();
    let same_as_header = filled
        .iter()
        .filter(|(i, v)| headers.get(*i).is_some_and(|h| h == v))
        .count();
    if filled.len() >= 2 && same_as_header * 10 >= filled.len() * 8 {
        return Kind::RepeatedHeader;
    }
    if let [(_, v)] = filled.as_slice() {
        let digits_ok = !digit_ids || v.chars().any(|c| c.is_ascii_digit());
        let is_id =
            (ids::looks_like_id(v) && digits_ok) || (hierarchy && ids::embedded(v).is_some());
        if !is_id {
            let short = v.chars().count() <= 80 && !v.contains('\n');
            return if short { Kind::Heading } else { Kind::Notice };
        }
    }
    Kind::Data
}

fn first_value(row: &RawRow) -> &str {
    row.cells
        .iter()
        .find(|c| !c.is_empty())
        .map(String::as_str)
        .unwrap_or("")
}

fn excerpt(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(60).collect::<String>())
    } else {
        one_line
    }
}

/// Standards keep withdrawn items in place, saying so at the start of the text:
/// `[Withdrawn: Incorporated into RC.CO-04]`, `Withdrawn`, `[Retiré…]`.
pub(crate) fn is_withdrawn(s: &str) -> bool {
    let t = s
        .trim_start_matches(|c: char| c == '[' || c == '(' || c.is_whitespace())
        .to_lowercase();
    t.starts_with("withdrawn") || t.starts_with("retiré")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withdrawn_is_read_from_the_start_of_the_text() {
        assert!(is_withdrawn("[Withdrawn: Incorporated into RC.CO-04]"));
        assert!(is_withdrawn("Withdrawn"));
        assert!(!is_withdrawn("Access that was withdrawn is logged"));
    }
}

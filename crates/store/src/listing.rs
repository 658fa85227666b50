//! Reading requirement rows for the grid without deriving coverage for rows nobody sees: a
//! window is chosen on the items table alone (coverage only when the window filters or sorts by
//! it), then coverage and attributes are read for that window's ids only.

use crate::engagement::View;
use crate::error::{Result, StoreError};
use crate::items::{attributes_from_json, RequirementRow};
use crosswalk_domain::{Attributes, Coverage};
use rusqlite::{params, Connection};
use std::collections::HashMap;

/// The requirements whose coverage can be anything but a gap: those with an accepted mapping or
/// an engagement-wide override. Prefixes a query that uses [`COVERAGE_OF_I`].
pub(crate) const TOUCHED_CTE: &str = "WITH touched(id) AS MATERIALIZED (
    SELECT source_item_id FROM mappings WHERE status = 'accepted'
    UNION SELECT item_id FROM assessments WHERE workload_id IS NULL AND coverage IS NOT NULL)";

/// The engagement-wide coverage of the requirement `i`, as the `requirement_coverage` view
/// derives it, read from the view only for the rows in `touched`: any other row has no accepted
/// mapping and no override, which the view always calls a gap.
pub(crate) const COVERAGE_OF_I: &str = "(CASE WHEN i.id IN (SELECT id FROM touched)
    THEN (SELECT c.coverage FROM requirement_coverage c WHERE c.item_id = i.id)
    ELSE 'gap' END)";

/// The rows with these item ids (requirements only), in the order of `ids`, each with its
/// engagement-wide coverage. Ids that name no requirement are left out.
pub(crate) fn rows_by_id(conn: &Connection, ids: &[i64]) -> Result<Vec<RequirementRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // One parameter holding every id as JSON: no limit on the number of SQL variables, and the
    // coverage view is evaluated for these rows only (it is joined on the item id).
    let list = serde_json::to_string(ids)?;
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, f.key, i.ref, i.source_ref, i.generated_ref, i.title, i.text, i.section,
                i.parent_ref, i.sheet, i.row, i.attributes, i.withdrawn, c.coverage, c.overridden,
                i.removed, i.revision, i.changed_at
         FROM json_each(?1) j
         JOIN items i ON i.id = j.value
         JOIN frameworks f ON f.id = i.framework_id AND f.kind = 'requirements'
         JOIN requirement_coverage c ON c.item_id = i.id",
    )?;
    let raw = stmt.query_map(params![list], |r| {
        Ok((
            RequirementRow {
                id: r.get(0)?,
                set: r.get(1)?,
                reference: r.get(2)?,
                source_ref: r.get(3)?,
                generated_ref: r.get(4)?,
                title: r.get(5)?,
                text: r.get(6)?,
                section: r.get(7)?,
                parent: r.get(8)?,
                sheet: r.get(9)?,
                row: r.get(10)?,
                attributes: Attributes::default(),
                withdrawn: r.get(12)?,
                removed: r.get(15)?,
                revision: r.get(16)?,
                changed_at: r.get(17)?,
                coverage: Coverage::Gap,
                coverage_overridden: r.get(14)?,
            },
            r.get::<_, String>(11)?,
            r.get::<_, String>(13)?,
        ))
    })?;
    let mut by_id: HashMap<i64, RequirementRow> = HashMap::with_capacity(ids.len());
    for item in raw {
        let (mut row, attrs, coverage) = item?;
        row.attributes = attributes_from_json(&attrs)?;
        row.coverage = coverage
            .parse()
            .map_err(|e| StoreError::Invalid(format!("{e}")))?;
        by_id.insert(row.id, row);
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

impl View {
    /// The requirements with these item ids, in that order, with their coverage.
    pub fn requirements_by_id(&self, ids: &[i64]) -> Result<Vec<RequirementRow>> {
        rows_by_id(&self.conn, ids)
    }

    /// The distinct sections of one set (or of every set) among current requirements, sorted.
    pub fn requirement_sections(&self, set: Option<&str>) -> Result<Vec<String>> {
        if let Some(s) = set {
            self.require_set(s)?;
        }
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT i.section FROM items i
             JOIN frameworks f ON f.id = i.framework_id AND f.kind = 'requirements'
             WHERE i.removed = 0 AND i.section IS NOT NULL AND (?1 IS NULL OR f.key = ?1)
             ORDER BY i.section",
        )?;
        let rows = stmt.query_map(params![set], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

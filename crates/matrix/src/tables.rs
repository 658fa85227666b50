//! The sheets of a matrix as plain tables (headers, rows of cells) built from the model. The xlsx
//! writer lays them out, the CSV writer prints the Matrix table, and the integrity snapshot stores
//! exactly the text each cell received, so verification compares like with like.

use crate::model::{MatrixModel, MatrixRow};
use crate::ExportWarning;
use crosswalk_domain::{Coverage, QualifiedRef};
use std::collections::BTreeMap;

/// Excel refuses a cell with more characters than this.
pub const EXCEL_CELL_LIMIT: usize = 32_767;

pub const MATRIX: &str = crosswalk_domain::MATRIX_SHEET;
pub const COVERAGE: &str = "Coverage";
pub const GAPS: &str = "Gaps";
pub const LINKS: &str = "Links";
pub const CATALOGUE: &str = "Catalogue";
pub const ABOUT: &str = "About";

/// Header of the hidden key column every table ends with.
pub const KEY: &str = "Key";
/// Header of the Matrix column holding each row's version at export.
pub const EXPORTED_VERSION: &str = "Exported version";
/// Header of the Matrix column naming the row's workload (empty: the requirement as a whole).
pub const WORKLOAD: &str = "Workload";
/// The About row whose value is the keyed content hash; it cannot be part of what it hashes.
pub const CONTENT_HASH_KEY: &str = "content_hash";

/// The columns of the Matrix sheet a customer may edit; everything else is read-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditableField {
    CoverageOverride,
    OverrideReason,
    Owner,
    Evidence,
    Notes,
}

impl EditableField {
    pub const ALL: [EditableField; 5] = [
        EditableField::CoverageOverride,
        EditableField::OverrideReason,
        EditableField::Owner,
        EditableField::Evidence,
        EditableField::Notes,
    ];

    /// The header of the field's column in the Matrix sheet.
    pub fn header(self) -> &'static str {
        match self {
            EditableField::CoverageOverride => "Coverage override",
            EditableField::OverrideReason => "Override reason",
            EditableField::Owner => "Owner",
            EditableField::Evidence => "Evidence",
            EditableField::Notes => "Notes",
        }
    }

    pub fn from_header(header: &str) -> Option<EditableField> {
        EditableField::ALL
            .into_iter()
            .find(|f| f.header() == header)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Role {
    ReadOnly,
    Edit(EditableField),
}

#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub header: &'static str,
    pub width: f64,
    pub role: Role,
    pub hidden: bool,
    /// Long text that should wrap.
    pub wrap: bool,
}

impl Column {
    fn new(header: &'static str, width: f64) -> Column {
        Column {
            header,
            width,
            role: Role::ReadOnly,
            hidden: false,
            wrap: false,
        }
    }
    fn wrap(mut self) -> Column {
        self.wrap = true;
        self
    }
    fn edit(mut self, field: EditableField) -> Column {
        self.role = Role::Edit(field);
        self
    }
    fn hidden(header: &'static str) -> Column {
        Column {
            header,
            width: 12.0,
            role: Role::ReadOnly,
            hidden: true,
            wrap: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(String),
    Number(f64),
    /// Catalogue refs, one per line; the cell links to the first one's Catalogue row.
    Refs {
        text: String,
        first: Option<QualifiedRef>,
    },
    Coverage(Coverage),
}

impl Cell {
    /// The text a spreadsheet reader gives back for this cell.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Refs { text: s, .. } => s.clone(),
            Cell::Number(n) => format!("{n}"),
            Cell::Coverage(c) => c.as_str().to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

impl Table {
    pub fn column(&self, header: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.header == header)
    }
}

/// Keeps cell text within a limit, warning where it cut.
pub(crate) struct Fitter<'a> {
    limit: Option<usize>,
    warnings: &'a mut Vec<ExportWarning>,
}

impl Fitter<'_> {
    fn fit(&mut self, sheet: &str, row: u32, column: &str, text: String) -> String {
        let Some(limit) = self.limit else {
            return text;
        };
        // A text of no more bytes than the limit has no more characters either.
        if text.len() <= limit {
            return text;
        }
        let chars = text.chars().count();
        if chars <= limit {
            return text;
        }
        let marker = format!(
            " … [truncated by Crosswalk: {chars} characters, Excel holds {limit}; the full text is in the engagement file and the JSON export]"
        );
        let keep = limit.saturating_sub(marker.chars().count());
        let mut out: String = text.chars().take(keep).collect();
        out.push_str(&marker);
        self.warnings.push(ExportWarning {
            sheet: sheet.to_string(),
            row,
            column: column.to_string(),
            message: format!(
                "text of {chars} characters truncated to Excel's {limit}-character cell limit"
            ),
        });
        out
    }
}

fn refs_cell(
    refs: &[QualifiedRef],
    label: &dyn Fn(&QualifiedRef) -> String,
) -> (String, Option<QualifiedRef>) {
    let text = refs.iter().map(label).collect::<Vec<_>>().join("\n");
    (text, refs.first().cloned())
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

/// The Matrix columns, in sheet order.
pub(crate) fn matrix_columns() -> Vec<Column> {
    vec![
        Column::new("Set", 14.0),
        Column::new("Req ID", 14.0),
        Column::new(WORKLOAD, 14.0),
        Column::new("Title", 28.0).wrap(),
        Column::new("Requirement", 60.0).wrap(),
        Column::new("Section", 18.0).wrap(),
        Column::new("Domain", 18.0).wrap(),
        Column::new("CAF capability", 22.0).wrap(),
        Column::new("CAF epic", 22.0).wrap(),
        Column::new("AWS services", 20.0).wrap(),
        Column::new("Inherited LZ controls", 30.0).wrap(),
        Column::new("Workload controls", 30.0).wrap(),
        Column::new("Framework controls", 22.0).wrap(),
        Column::new("Responsibility", 14.0),
        Column::new("Control origination (FedRAMP)", 26.0).wrap(),
        Column::new("Coverage", 14.0),
        Column::new("Coverage basis", 20.0).wrap(),
        Column::new("Coverage override", 18.0).edit(EditableField::CoverageOverride),
        Column::new("Override reason", 30.0)
            .wrap()
            .edit(EditableField::OverrideReason),
        Column::new("Rationale", 36.0).wrap(),
        Column::new("Owner", 18.0).edit(EditableField::Owner),
        Column::new("Evidence", 30.0)
            .wrap()
            .edit(EditableField::Evidence),
        Column::new("Notes", 36.0).wrap().edit(EditableField::Notes),
        Column::new("Last changed", 20.0),
        Column::hidden(KEY),
        Column::hidden(EXPORTED_VERSION),
    ]
}

fn matrix_row(
    r: &MatrixRow,
    caf_label: &dyn Fn(&QualifiedRef) -> String,
) -> Vec<(&'static str, Cell)> {
    let plain = |q: &QualifiedRef| q.to_string();
    let refs = |v: &[QualifiedRef], label: &dyn Fn(&QualifiedRef) -> String| {
        let (text, first) = refs_cell(v, label);
        Cell::Refs { text, first }
    };
    let basis = match &r.coverage_override {
        Some(_) => format!("override (rules give {})", r.derived_coverage),
        None => "coverage rules".to_string(),
    };
    let t = |s: &str| Cell::Text(s.to_string());
    vec![
        ("Set", t(&r.set)),
        ("Req ID", t(&r.reference)),
        (WORKLOAD, t(&opt(&r.workload))),
        ("Title", t(&r.title)),
        ("Requirement", t(&r.text)),
        ("Section", t(&opt(&r.section))),
        ("Domain", t(&opt(&r.domain))),
        ("CAF capability", refs(&r.caf_capabilities, caf_label)),
        ("CAF epic", refs(&r.caf_epics, caf_label)),
        ("AWS services", refs(&r.services, &plain)),
        ("Inherited LZ controls", refs(&r.inherited_controls, &plain)),
        ("Workload controls", refs(&r.workload_controls, &plain)),
        ("Framework controls", refs(&r.framework_controls, &plain)),
        (
            "Responsibility",
            t(r.responsibility.map_or("", |x| x.as_str())),
        ),
        (
            "Control origination (FedRAMP)",
            t(r.responsibility.map_or("", |x| x.fedramp_origination())),
        ),
        ("Coverage", Cell::Coverage(r.coverage)),
        ("Coverage basis", Cell::Text(basis)),
        (
            "Coverage override",
            t(r.coverage_override
                .as_ref()
                .map_or("", |o| o.coverage().as_str())),
        ),
        (
            "Override reason",
            t(r.coverage_override.as_ref().map_or("", |o| o.reason())),
        ),
        ("Rationale", t(&r.rationale)),
        ("Owner", t(&r.owner)),
        ("Evidence", t(&r.evidence)),
        ("Notes", t(&r.notes)),
        ("Last changed", t(&r.last_changed)),
        (KEY, t(&r.key)),
        (EXPORTED_VERSION, Cell::Number(r.version as f64)),
    ]
}

/// Applies the text limit to every text cell of a row; `row` is the 1-based sheet row.
fn fitted(sheet: &str, row: u32, cells: Vec<(&str, Cell)>, fitter: &mut Fitter) -> Row {
    let cells = cells
        .into_iter()
        .map(|(header, cell)| match cell {
            Cell::Text(s) => Cell::Text(fitter.fit(sheet, row, header, s)),
            Cell::Refs { text, first } => Cell::Refs {
                text: fitter.fit(sheet, row, header, text),
                first,
            },
            other => other,
        })
        .collect();
    Row { cells }
}

/// Every visible sheet of the matrix, in workbook order. `limit` is the cell text limit
/// (`None`: no limit, for formats without one).
pub(crate) fn build(
    model: &MatrixModel,
    limit: Option<usize>,
    warnings: &mut Vec<ExportWarning>,
) -> Vec<Table> {
    let mut fitter = Fitter { limit, warnings };
    let titles: BTreeMap<&QualifiedRef, &str> = model
        .catalogue
        .iter()
        .map(|e| (&e.reference, e.title.as_str()))
        .collect();
    let caf_label = |q: &QualifiedRef| match titles.get(q) {
        Some(t) if !t.is_empty() => format!("{} ({})", t, q.reference),
        _ => q.to_string(),
    };

    let matrix = Table {
        name: MATRIX,
        columns: matrix_columns(),
        rows: model
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| fitted(MATRIX, i as u32 + 2, matrix_row(r, &caf_label), &mut fitter))
            .collect(),
    };

    let mut coverage_rows = Vec::new();
    for (grouping, groups) in [
        ("CAF capability", &model.coverage_by_capability),
        ("Workplan domain", &model.coverage_by_domain),
    ] {
        for g in groups {
            let c = &g.counts;
            let row = coverage_rows.len() as u32 + 2;
            let cells = vec![
                ("Grouping", Cell::Text(grouping.into())),
                ("Name", Cell::Text(g.name.clone())),
                ("Inherited", Cell::Number(c.inherited.into())),
                ("Partial", Cell::Number(c.partial.into())),
                ("Workload", Cell::Number(c.workload.into())),
                ("Gap", Cell::Number(c.gap.into())),
                ("Not applicable", Cell::Number(c.not_applicable.into())),
                ("Total", Cell::Number(c.total().into())),
                (KEY, Cell::Text(format!("{grouping}: {}", g.name))),
            ];
            coverage_rows.push(fitted(COVERAGE, row, cells, &mut fitter));
        }
    }
    let coverage = Table {
        name: COVERAGE,
        columns: vec![
            Column::new("Grouping", 18.0),
            Column::new("Name", 34.0).wrap(),
            Column::new("Inherited", 11.0),
            Column::new("Partial", 11.0),
            Column::new("Workload", 11.0),
            Column::new("Gap", 11.0),
            Column::new("Not applicable", 14.0),
            Column::new("Total", 11.0),
            Column::hidden(KEY),
        ],
        rows: coverage_rows,
    };

    let req_text: BTreeMap<&str, &MatrixRow> =
        model.rows.iter().map(|r| (r.key.as_str(), r)).collect();
    let gaps = Table {
        name: GAPS,
        columns: vec![
            Column::new("Set", 14.0),
            Column::new("Req ID", 14.0),
            Column::new("Workload", 14.0),
            Column::new("Requirement", 50.0).wrap(),
            Column::new("Story", 40.0).wrap(),
            Column::new("Implement", 30.0).wrap(),
            Column::new("Acceptance criteria", 60.0).wrap(),
            Column::hidden(KEY),
        ],
        rows: model
            .gaps
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let (implement, first) = refs_cell(&g.implement, &|q: &QualifiedRef| q.to_string());
                let requirement = req_text
                    .get(g.row_key.as_str())
                    .map_or(String::new(), |r| r.text.clone());
                let criteria = g
                    .acceptance_criteria
                    .iter()
                    .map(|c| format!("• {c}"))
                    .collect::<Vec<_>>()
                    .join("\n");
                let cells = vec![
                    ("Set", Cell::Text(g.set.clone())),
                    ("Req ID", Cell::Text(g.requirement.clone())),
                    ("Workload", Cell::Text(opt(&g.workload))),
                    ("Requirement", Cell::Text(requirement)),
                    ("Story", Cell::Text(g.title.clone())),
                    (
                        "Implement",
                        Cell::Refs {
                            text: implement,
                            first,
                        },
                    ),
                    ("Acceptance criteria", Cell::Text(criteria)),
                    (KEY, Cell::Text(g.row_key.clone())),
                ];
                fitted(GAPS, i as u32 + 2, cells, &mut fitter)
            })
            .collect(),
    };

    let links = Table {
        name: LINKS,
        columns: vec![
            Column::new("Set", 14.0),
            Column::new("Req ID", 14.0),
            Column::new("Workload", 14.0),
            Column::new("Target", 30.0),
            Column::new("Target kind", 16.0),
            Column::new("Target title", 36.0).wrap(),
            Column::new("Relationship", 16.0),
            Column::new("Responsibility", 14.0),
            Column::new("Status", 12.0),
            Column::new("Origin", 12.0),
            Column::new("Rationale", 40.0).wrap(),
            Column::new("Author", 16.0),
            Column::new("Recorded at", 20.0),
            Column::hidden("Row key"),
            Column::hidden(KEY),
        ],
        rows: model
            .links
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let cells = vec![
                    ("Set", Cell::Text(l.set.clone())),
                    ("Req ID", Cell::Text(l.requirement.clone())),
                    ("Workload", Cell::Text(opt(&l.workload))),
                    (
                        "Target",
                        Cell::Refs {
                            text: l.target.to_string(),
                            first: Some(l.target.clone()),
                        },
                    ),
                    ("Target kind", Cell::Text(l.target_kind.as_str().into())),
                    ("Target title", Cell::Text(l.target_title.clone())),
                    ("Relationship", Cell::Text(l.relationship.as_str().into())),
                    (
                        "Responsibility",
                        Cell::Text(l.responsibility.map_or("", |x| x.as_str()).into()),
                    ),
                    ("Status", Cell::Text(l.status.as_str().into())),
                    ("Origin", Cell::Text(l.origin.as_str().into())),
                    ("Rationale", Cell::Text(l.rationale.clone())),
                    ("Author", Cell::Text(l.author.clone())),
                    ("Recorded at", Cell::Text(l.at.clone())),
                    ("Row key", Cell::Text(l.row_key.clone())),
                    (KEY, Cell::Text(l.key.clone())),
                ];
                fitted(LINKS, i as u32 + 2, cells, &mut fitter)
            })
            .collect(),
    };

    let catalogue = Table {
        name: CATALOGUE,
        columns: vec![
            Column::new("Ref", 34.0),
            Column::new("Kind", 16.0),
            Column::new("Framework", 24.0).wrap(),
            Column::new("Title", 36.0).wrap(),
            Column::new("Description", 60.0).wrap(),
            Column::new("Provenance", 40.0).wrap(),
            Column::new("Enabled in landing zone", 14.0),
            Column::hidden(KEY),
        ],
        rows: model
            .catalogue
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let enabled = match e.enabled {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "",
                };
                let cells = vec![
                    ("Ref", Cell::Text(e.reference.to_string())),
                    ("Kind", Cell::Text(e.kind.as_str().into())),
                    ("Framework", Cell::Text(e.framework.clone())),
                    ("Title", Cell::Text(e.title.clone())),
                    ("Description", Cell::Text(e.description.clone())),
                    ("Provenance", Cell::Text(e.provenance.clone())),
                    ("Enabled in landing zone", Cell::Text(enabled.into())),
                    (KEY, Cell::Text(e.reference.to_string())),
                ];
                fitted(CATALOGUE, i as u32 + 2, cells, &mut fitter)
            })
            .collect(),
    };

    let enabled = model
        .landing_zone
        .enabled_controls
        .iter()
        .map(|q| q.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let about_items: Vec<(&str, &str, String)> = vec![
        ("engagement", "Engagement", model.engagement.name.clone()),
        ("customer", "Customer", model.engagement.customer.clone()),
        ("description", "Description", model.engagement.description.clone()),
        ("workloads", "Workloads", model.workloads.join("\n")),
        ("landing_zone", "Landing-zone profile", model.landing_zone.name.clone()),
        ("enabled_controls", "Enabled landing-zone controls", enabled),
        ("catalogue_version", "Catalogue version", model.catalogue_version.clone()),
        ("generated_at", "Generated at", model.generated_at.clone()),
        ("generated_by", "Generated by", model.generated_by.clone()),
        ("app_version", "Crosswalk version", model.app_version.clone()),
        ("requirement_rows", "Matrix rows", model.rows.len().to_string()),
        ("links", "Accepted mappings", model.links.len().to_string()),
        (
            "editing",
            "Editing this workbook",
            "Only the Matrix columns Coverage override, Override reason, Owner, Evidence and Notes are meant to be edited; \
             `crosswalk import-matrix` merges them back. Sorting, filtering, hiding and adding columns are harmless. \
             Any other change is reported by `crosswalk verify`."
                .to_string(),
        ),
        (
            CONTENT_HASH_KEY,
            "Content hash (HMAC-SHA256)",
            String::new(), // filled by the writer once the snapshot is sealed
        ),
    ];
    let about = Table {
        name: ABOUT,
        columns: vec![
            Column::new("Item", 30.0),
            Column::new("Value", 90.0).wrap(),
            Column::hidden(KEY),
        ],
        rows: about_items
            .into_iter()
            .enumerate()
            .map(|(i, (key, label, value))| {
                let cells = vec![
                    ("Item", Cell::Text(label.into())),
                    ("Value", Cell::Text(value)),
                    (KEY, Cell::Text(key.into())),
                ];
                fitted(ABOUT, i as u32 + 2, cells, &mut fitter)
            })
            .collect(),
    };

    vec![matrix, coverage, gaps, links, catalogue, about]
}

//! The readiness report workbook: the workplan status, one sheet per security domain (its four
//! dimensions and its stories), the story backlog, and an about sheet.

use crate::backlog_csv::criteria_text;
use crate::model::{ControlRef, DomainReadiness, ReadinessReport, Story, WorkplanRow};
use crate::vocabulary::{SecurityDomain, WorkplanStatus};
use crate::ReadinessError;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};

/// Sheet names; domain sheets are named by [`domain_sheet`].
pub const WORKPLAN_SHEET: &str = "Workplan";
pub const BACKLOG_SHEET: &str = "Backlog";
pub const ABOUT_SHEET: &str = "About";

/// The workplan sheet's columns.
pub const WORKPLAN_COLUMNS: [&str; 16] = [
    "Ref",
    "Task",
    "Title",
    "MSR id",
    "Policy",
    "Status",
    "Progress",
    "Reason (not applicable)",
    "Owner",
    "Due",
    "Notes",
    "Decision",
    "Enforced by",
    "Artifacts",
    "Updated at",
    "Updated by",
];

/// The backlog sheet's columns.
pub const BACKLOG_COLUMNS: [&str; 9] = [
    "Key",
    "Summary",
    "Priority",
    "Domains",
    "Description",
    "Acceptance criteria",
    "Controls and services",
    "Sources",
    "Labels",
];

/// A domain sheet: the dimension table's header is on this row (0-based), its four rows below.
pub const DIMENSION_HEADER_ROW: u32 = 3;
pub const DIMENSION_COLUMNS: [&str; 4] = [
    "Dimension",
    "Current state",
    "Readiness state",
    "Gap analysis",
];
/// A domain sheet: the stories table's header row (0-based), its stories below.
pub const STORY_HEADER_ROW: u32 = 10;
pub const DOMAIN_STORY_COLUMNS: [&str; 6] = [
    "Key",
    "Summary",
    "Priority",
    "Controls and services",
    "Acceptance criteria",
    "Sources",
];

/// Excel keeps at most this many characters in a cell.
const CELL_LIMIT: usize = 32_767;

/// The sheet of a domain: its label (Excel allows `&` in sheet names).
pub fn domain_sheet(domain: SecurityDomain) -> &'static str {
    domain.label()
}

fn status_colour(s: WorkplanStatus) -> &'static str {
    match s {
        WorkplanStatus::NotStarted => "#F2F2F2",
        WorkplanStatus::InProgress => "#FFEB9C",
        WorkplanStatus::Done => "#C6EFCE",
        WorkplanStatus::NotApplicable => "#D9D9D9",
    }
}

struct Formats {
    title: Format,
    header: Format,
    body: Format,
    task: Format,
    note: Format,
}

impl Formats {
    fn new() -> Formats {
        let body = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin)
            .set_border_color("#BFBFBF");
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_font_color("#FFFFFF")
                .set_background_color("#1F3864")
                .set_border(FormatBorder::Thin),
            task: body.clone().set_bold().set_background_color("#DDEBF7"),
            note: Format::new().set_italic().set_font_color("#595959"),
            body,
        }
    }

    fn status(&self, s: WorkplanStatus, task: bool) -> Format {
        let base = if task { &self.task } else { &self.body };
        base.clone()
            .set_bold()
            .set_background_color(status_colour(s))
    }
}

/// Text for one cell: never longer than Excel keeps.
fn cell_text(text: &str) -> String {
    if text.chars().count() <= CELL_LIMIT {
        text.to_string()
    } else {
        let cut: String = text.chars().take(CELL_LIMIT - 1).collect();
        format!("{cut}…")
    }
}

/// Every cell is a string cell: text starting with `=` stays text, never a formula.
fn put(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    format: &Format,
) -> Result<(), ReadinessError> {
    sheet.write_string_with_format(row, col, cell_text(text), format)?;
    Ok(())
}

fn header(
    sheet: &mut Worksheet,
    row: u32,
    names: &[&str],
    formats: &Formats,
) -> Result<(), ReadinessError> {
    for (c, name) in names.iter().enumerate() {
        put(sheet, row, c as u16, name, &formats.header)?;
    }
    Ok(())
}

fn controls_text(controls: &[ControlRef]) -> String {
    controls
        .iter()
        .map(ControlRef::display)
        .collect::<Vec<_>>()
        .join("\n")
}

fn sources_text(story: &Story) -> String {
    story
        .sources
        .iter()
        .map(|s| s.key())
        .collect::<Vec<_>>()
        .join("\n")
}

fn widths(sheet: &mut Worksheet, widths: &[f64]) -> Result<(), ReadinessError> {
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    Ok(())
}

/// The workbook's creation time is the report time the api passed in, never the clock: the same
/// report always gives the same file.
fn creation_time(generated_at: &str) -> ExcelDateTime {
    let head: String = generated_at.chars().take(19).collect();
    ExcelDateTime::parse_from_str(&head)
        .or_else(|_| ExcelDateTime::from_ymd(2000, 1, 1))
        .unwrap_or_else(|_| unreachable!("2000-01-01 is a valid Excel date"))
}

fn workplan_sheet(
    sheet: &mut Worksheet,
    rows: &[WorkplanRow],
    formats: &Formats,
) -> Result<(), ReadinessError> {
    sheet.set_name(WORKPLAN_SHEET)?;
    header(sheet, 0, &WORKPLAN_COLUMNS, formats)?;
    for (i, w) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let is_task = w.task.is_none();
        let f = if is_task {
            &formats.task
        } else {
            &formats.body
        };
        let enforced: Vec<String> = w.enforced_by.iter().map(ControlRef::display).collect();
        let cells: [String; 16] = [
            w.reference.clone(),
            w.task.clone().unwrap_or_default(),
            w.title.clone(),
            w.msr_id.clone().unwrap_or_default(),
            if w.policy {
                "yes".into()
            } else {
                String::new()
            },
            w.status.label().to_string(),
            w.progress.map(|p| p.summary()).unwrap_or_default(),
            w.reason.clone(),
            w.owner.clone(),
            w.due.clone().unwrap_or_default(),
            w.notes.clone(),
            w.decision.clone(),
            enforced.join("\n"),
            w.artifacts.join("\n"),
            w.updated_at.clone().unwrap_or_default(),
            w.updated_by.clone().unwrap_or_default(),
        ];
        for (c, text) in cells.iter().enumerate() {
            if c == 5 {
                put(sheet, r, c as u16, text, &formats.status(w.status, is_task))?;
            } else {
                put(sheet, r, c as u16, text, f)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 1)?;
    sheet.autofilter(0, 0, rows.len() as u32, WORKPLAN_COLUMNS.len() as u16 - 1)?;
    widths(
        sheet,
        &[
            8.0, 6.0, 48.0, 11.0, 7.0, 14.0, 10.0, 28.0, 16.0, 11.0, 36.0, 40.0, 40.0, 36.0, 20.0,
            12.0,
        ],
    )
}

fn domain_sheet_write(
    sheet: &mut Worksheet,
    d: &DomainReadiness,
    stories: &[&Story],
    formats: &Formats,
) -> Result<(), ReadinessError> {
    sheet.set_name(domain_sheet(d.domain))?;
    put(
        sheet,
        0,
        0,
        &format!("{} — readiness", d.domain.label()),
        &formats.title,
    )?;
    put(
        sheet,
        1,
        0,
        &format!(
            "Workplan task {} ({}): {}, {}. Requirement gaps in the matrix classified under this domain: {}.",
            d.task,
            d.task_title,
            d.progress.summary(),
            d.progress.status().label().to_lowercase(),
            d.requirement_gaps
        ),
        &formats.note,
    )?;
    header(sheet, DIMENSION_HEADER_ROW, &DIMENSION_COLUMNS, formats)?;
    for (i, cell) in d.dimensions.iter().enumerate() {
        let r = DIMENSION_HEADER_ROW + 1 + i as u32;
        put(sheet, r, 0, cell.dimension.label(), &formats.task)?;
        put(sheet, r, 1, &cell.current_state, &formats.body)?;
        put(sheet, r, 2, &cell.readiness_state, &formats.body)?;
        put(sheet, r, 3, &cell.gap, &formats.body)?;
    }
    put(
        sheet,
        STORY_HEADER_ROW - 1,
        0,
        &format!("Stories ({})", stories.len()),
        &formats.title,
    )?;
    header(sheet, STORY_HEADER_ROW, &DOMAIN_STORY_COLUMNS, formats)?;
    for (i, s) in stories.iter().enumerate() {
        let r = STORY_HEADER_ROW + 1 + i as u32;
        let cells = [
            s.key.clone(),
            s.title.clone(),
            s.priority.label().to_string(),
            controls_text(&s.controls),
            criteria_text(&s.acceptance_criteria),
            sources_text(s),
        ];
        for (c, text) in cells.iter().enumerate() {
            put(sheet, r, c as u16, text, &formats.body)?;
        }
    }
    widths(sheet, &[16.0, 48.0, 48.0, 48.0, 48.0, 28.0])
}

fn backlog_sheet(
    sheet: &mut Worksheet,
    stories: &[Story],
    formats: &Formats,
) -> Result<(), ReadinessError> {
    sheet.set_name(BACKLOG_SHEET)?;
    header(sheet, 0, &BACKLOG_COLUMNS, formats)?;
    for (i, s) in stories.iter().enumerate() {
        let r = i as u32 + 1;
        let domains: Vec<&str> = s.domains.iter().map(|d| d.label()).collect();
        let cells = [
            s.key.clone(),
            s.title.clone(),
            s.priority.label().to_string(),
            domains.join("\n"),
            s.description.clone(),
            criteria_text(&s.acceptance_criteria),
            controls_text(&s.controls),
            sources_text(s),
            s.labels.join(" "),
        ];
        for (c, text) in cells.iter().enumerate() {
            put(sheet, r, c as u16, text, &formats.body)?;
        }
    }
    sheet.set_freeze_panes(1, 2)?;
    sheet.autofilter(0, 0, stories.len() as u32, BACKLOG_COLUMNS.len() as u16 - 1)?;
    widths(
        sheet,
        &[18.0, 44.0, 10.0, 20.0, 60.0, 50.0, 44.0, 26.0, 30.0],
    )
}

fn about_sheet(
    sheet: &mut Worksheet,
    report: &ReadinessReport,
    formats: &Formats,
) -> Result<(), ReadinessError> {
    sheet.set_name(ABOUT_SHEET)?;
    let rows: [(&str, String); 8] = [
        ("Engagement", report.engagement.clone()),
        ("Generated at", report.generated_at.clone()),
        ("Generated by", report.generated_by.clone()),
        ("Catalogue version", report.catalogue_version.clone()),
        ("Crosswalk version", report.app_version.clone()),
        (
            WORKPLAN_SHEET,
            "Every task and subtask of the migration security workplan: status (a task's follows its subtasks), owner, due date, notes, the decision of policy subtasks and the controls that enforce it, artifacts.".into(),
        ),
        (
            "Domain sheets",
            "Per security domain: the current state, the readiness state and the gap, for policy, process, tools and people; then the domain's stories.".into(),
        ),
        (
            BACKLOG_SHEET,
            "Every story, most urgent first: readiness stories and requirement gaps of the traceability matrix, one story per shared control or service.".into(),
        ),
    ];
    for (i, (k, v)) in rows.iter().enumerate() {
        put(sheet, i as u32, 0, k, &formats.task)?;
        put(sheet, i as u32, 1, v, &formats.body)?;
    }
    widths(sheet, &[20.0, 100.0])
}

/// Writes the readiness report as an xlsx workbook: `Workplan`, one sheet per domain in
/// workplan order, `Backlog`, `About`.
///
/// Errors: `ReadinessError::Xlsx` when rust_xlsxwriter refuses the workbook (it checks sheet
/// names and cell ranges); over-long texts are shortened to Excel's cell limit with a marker.
pub fn write_readiness_xlsx(report: &ReadinessReport) -> Result<Vec<u8>, ReadinessError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("Security readiness — {}", report.engagement))
            .set_author(&report.generated_by)
            .set_comment("Exported by Crosswalk.")
            .set_creation_datetime(&creation_time(&report.generated_at)),
    );
    workplan_sheet(workbook.add_worksheet(), &report.workplan, &formats)?;
    for d in &report.domains {
        let mine: Vec<&Story> = report
            .stories
            .iter()
            .filter(|s| s.domains.contains(&d.domain))
            .collect();
        domain_sheet_write(workbook.add_worksheet(), d, &mine, &formats)?;
    }
    backlog_sheet(workbook.add_worksheet(), &report.stories, &formats)?;
    about_sheet(workbook.add_worksheet(), report, &formats)?;
    Ok(workbook.save_to_buffer()?)
}

//! Large requirement sheets shaped like the ones customers send: a title and an instructions
//! row above the header, twelve columns, a section column merged down over its rows, long
//! requirement and guidance texts, sparse comments. Deterministic: the same row count always
//! gives the same cells, so runs on different days measure the same work.

use anyhow::{Context, Result};
use rust_xlsxwriter::{Format, FormatAlign, Workbook};
use std::path::{Path, PathBuf};

/// The twelve columns, in sheet order. The first is merged down over each section's rows.
pub const HEADERS: [&str; 12] = [
    "Domain",
    "Req ID",
    "Title",
    "Requirement",
    "Guidance",
    "Priority",
    "Applicability",
    "Owner",
    "Source reference",
    "Status",
    "Evidence expected",
    "Comments",
];

/// The 1-based Excel row of the header (a title and an instructions row sit above it).
pub const HEADER_ROW: u32 = 3;

/// Bumped whenever the generated content changes, so cached files are regenerated.
pub const GENERATOR_VERSION: u32 = 1;

/// One generated requirement, in [`HEADERS`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub cells: [String; 12],
}

impl Row {
    pub fn id(&self) -> &str {
        &self.cells[1]
    }
}

/// A run of rows sharing one section (the merged cell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub rows: Vec<Row>,
}

/// SplitMix64: small, fast and good enough to vary text; no dependency needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const DOMAINS: [(&str, &str); 10] = [
    ("Identity and access management", "IAM"),
    ("Data protection", "DP"),
    ("Logging and monitoring", "LOG"),
    ("Network security", "NET"),
    ("Incident response", "IR"),
    ("Vulnerability management", "VM"),
    ("Governance and compliance", "GOV"),
    ("Resilience and backup", "RES"),
    ("Application security", "APP"),
    ("Asset and configuration management", "CFG"),
];

const SUBJECTS: [&str; 12] = [
    "The provider",
    "Each workload account",
    "The platform team",
    "Every production system",
    "The cloud environment",
    "Administrators",
    "The service owner",
    "All storage services",
    "The security operations team",
    "Every application tier",
    "Privileged users",
    "The landing zone",
];

const ACTIONS: [&str; 16] = [
    "must encrypt data at rest with customer-managed keys",
    "must enforce multi-factor authentication for every interactive login",
    "shall retain audit logs centrally for at least 365 days",
    "must restrict inbound network traffic to documented ports and sources",
    "shall review access rights at least quarterly and revoke unused permissions",
    "must rotate credentials and access keys automatically",
    "shall detect and alert on anomalous API activity within fifteen minutes",
    "must back up critical data daily and test restoration every quarter",
    "shall scan container images and hosts for known vulnerabilities before deployment",
    "must segregate production and non-production environments",
    "shall record configuration changes and keep their history",
    "must protect data in transit with TLS 1.2 or later",
    "shall classify information assets and label them by sensitivity",
    "must deny public access to object storage unless an exception is approved",
    "shall run incident response exercises twice a year",
    "must keep an inventory of every account, network and resource",
];

const QUALIFIERS: [&str; 14] = [
    "in line with the corporate security policy",
    "and evidence of this must be available to auditors on request",
    "including for break-glass and service accounts",
    "across every region in which customer data is processed",
    "with exceptions approved by the information security officer",
    "using centrally managed tooling rather than manual procedures",
    "and the results must be reported to the risk committee",
    "so that a compromise of one account cannot spread to others",
    "unless a documented compensating control is in place",
    "for all environments that hold personal data",
    "according to the retention schedule agreed with legal",
    "and deviations must be remediated within thirty days",
    "with keys held in a hardware-backed key management service",
    "as described in the shared responsibility model",
];

const GUIDANCE: [&str; 10] = [
    "Consider using organisation-wide preventive guardrails so that member accounts cannot disable the control.",
    "Automated detective controls are preferred; manual reviews are accepted where automation is not possible.",
    "Evidence may take the form of configuration exports, screenshots of console settings or reports from a compliance tool.",
    "Where the control is inherited from the platform, reference the platform attestation rather than repeating it.",
    "The control applies to managed services as well as to virtual machines and containers.",
    "Service-linked roles and roles used by automation are in scope, as are human identities.",
    "Findings must be tracked in the risk register until they are closed.",
    "Alerts should be routed to the on-call rota of the team that owns the workload.",
    "Key rotation periods shorter than one year are encouraged for highly sensitive data.",
    "Test the control after every significant change to the architecture.",
];

const PRIORITY: [&str; 4] = ["Critical", "High", "Medium", "Low"];
const APPLICABILITY: [&str; 4] = ["All workloads", "Production only", "Internet-facing", "PII"];
const OWNERS: [&str; 6] = [
    "CISO office",
    "Platform team",
    "Application owner",
    "Network team",
    "SecOps",
    "Data governance",
];
const SOURCES: [&str; 6] = [
    "ISO 27001 A.",
    "NIST SP 800-53 ",
    "CIS AWS ",
    "Internal policy SEC-",
    "PCI DSS ",
    "SOC 2 CC",
];
const STATUS: [&str; 4] = ["New", "Under review", "Agreed", "Draft"];
const EVIDENCE: [&str; 6] = [
    "Configuration export",
    "Policy document",
    "Screenshot of the console setting",
    "Report from the compliance tool",
    "Access review record",
    "Test report",
];
const COMMENTS: [&str; 6] = [
    "Clarify with the customer whether this also covers the disaster recovery site.",
    "Carried over from the 2023 questionnaire.",
    "Same as the previous requirement but for the data warehouse.",
    "Customer asked for monthly reporting on this item.",
    "Depends on the outcome of the network design workshop.",
    "Legal to confirm the retention period.",
];

fn sentence(rng: &mut Rng) -> String {
    let mut s = format!("{} {}", rng.pick(&SUBJECTS), rng.pick(&ACTIONS));
    if rng.chance(70) {
        s.push(' ');
        s.push_str(rng.pick(&QUALIFIERS));
    }
    s.push('.');
    s
}

fn paragraph(rng: &mut Rng, sentences: usize) -> String {
    (0..sentences)
        .map(|_| sentence(rng))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `rows` requirements in sections of 5 to 40 rows. Every 250th requirement has a very long
/// text (about 3,000 characters), as pasted policy clauses do.
pub fn requirements(rows: usize) -> Vec<Section> {
    let mut rng = Rng(0x00C0_FFEE ^ rows as u64);
    let mut sections: Vec<Section> = Vec::new();
    let mut made = 0;
    let mut per_domain = [0usize; DOMAINS.len()];
    while made < rows {
        let d = sections.len() % DOMAINS.len();
        let (domain, code) = DOMAINS[d];
        let size = (5 + rng.below(36)).min(rows - made);
        let name = format!("{domain} — part {}", sections.len() / DOMAINS.len() + 1);
        let mut section = Section {
            name: name.clone(),
            rows: Vec::with_capacity(size),
        };
        for _ in 0..size {
            per_domain[d] += 1;
            made += 1;
            let long = made % 250 == 0;
            let sentences = if long { 22 } else { 1 + rng.below(5) };
            let text = paragraph(&mut rng, sentences);
            let title: String = text
                .split_whitespace()
                .skip(2)
                .take(6)
                .collect::<Vec<_>>()
                .join(" ");
            section.rows.push(Row {
                cells: [
                    name.clone(),
                    format!("{code}-{:05}", per_domain[d]),
                    title,
                    text,
                    (0..1 + rng.below(3))
                        .map(|_| rng.pick(&GUIDANCE))
                        .collect::<Vec<_>>()
                        .join(" "),
                    rng.pick(&PRIORITY).to_string(),
                    rng.pick(&APPLICABILITY).to_string(),
                    rng.pick(&OWNERS).to_string(),
                    format!(
                        "{}{}.{}",
                        rng.pick(&SOURCES),
                        1 + rng.below(18),
                        rng.below(30)
                    ),
                    rng.pick(&STATUS).to_string(),
                    rng.pick(&EVIDENCE).to_string(),
                    if rng.chance(35) {
                        rng.pick(&COMMENTS).to_string()
                    } else {
                        String::new()
                    },
                ],
            });
        }
        sections.push(section);
    }
    sections
}

/// The workbook: title row, instructions row, header, then each section with its first column
/// merged over its rows (the value sits in the top cell only, as Excel stores merges).
pub fn xlsx(sections: &[Section]) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#DDEBF7");
    let merged = Format::new()
        .set_bold()
        .set_align(FormatAlign::Top)
        .set_text_wrap();
    let ws = wb.add_worksheet();
    ws.set_name("Requirements")?;
    ws.merge_range(
        0,
        0,
        0,
        (HEADERS.len() - 1) as u16,
        "Cloud security requirements — supplier assessment",
        &Format::new().set_bold().set_font_size(14),
    )?;
    ws.write_string(
        1,
        0,
        "Answer every requirement in the Status and Comments columns. Do not change the Req ID.",
    )?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW - 1, c as u16, *h, &header)?;
    }
    let mut row = HEADER_ROW;
    for s in sections {
        let first = row;
        for r in &s.rows {
            for (c, v) in r.cells.iter().enumerate().skip(1) {
                if !v.is_empty() {
                    ws.write_string(row, c as u16, v)?;
                }
            }
            row += 1;
        }
        if s.rows.len() > 1 {
            ws.merge_range(first, 0, row - 1, 0, &s.name, &merged)?;
        } else {
            ws.write_string_with_format(first, 0, &s.name, &merged)?;
        }
    }
    ws.set_freeze_panes(HEADER_ROW, 2)?;
    Ok(wb.save_to_buffer()?)
}

/// The same requirements as comma-separated UTF-8 with a header line; the section is repeated
/// on every row, as a CSV export of a merged column is usually cleaned up to be.
pub fn csv(sections: &[Section]) -> Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(HEADERS)?;
    for s in sections {
        for r in &s.rows {
            w.write_record(&r.cells)?;
        }
    }
    w.into_inner().context("flushing the CSV")
}

/// The two files for `rows` requirements in `dir`, made once and reused while the generator
/// version is unchanged.
pub fn ensure_files(dir: &Path, rows: usize) -> Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let base = format!("requirements-{rows}-g{GENERATOR_VERSION}");
    let xlsx_path = dir.join(format!("{base}.xlsx"));
    let csv_path = dir.join(format!("{base}.csv"));
    if !xlsx_path.is_file() || !csv_path.is_file() {
        let sections = requirements(rows);
        write_atomically(&xlsx_path, &xlsx(&sections)?)?;
        write_atomically(&csv_path, &csv(&sections)?)?;
    }
    Ok((xlsx_path, csv_path))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))
}

//! Suggestions for 1,000 and 10,000 generated requirements against the shipped catalogue, with
//! and without a history of decisions. Time per requirement = the reported time / n.
//!
//!     cargo bench -p crosswalk-suggest --bench suggest

use crosswalk_suggest::{Decision, Engine, History, QualifiedRef, Query};
use std::sync::OnceLock;

fn main() {
    divan::main();
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(crosswalk_catalogue::shipped()))
}

/// A small deterministic generator, so every run ranks the same requirements.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.next() % list.len()]
    }
}

const SUBJECTS: &[&str] = &[
    "All production data",
    "Customer records",
    "Administrator accounts",
    "Web applications",
    "Object storage buckets",
    "Database backups",
    "Audit logs",
    "Network traffic",
    "Encryption keys",
    "Container images",
    "Privileged users",
    "Public endpoints",
    "Servers",
    "API calls",
    "Secrets",
];
const VERBS: &[&str] = &[
    "must be encrypted at rest with",
    "shall be protected by",
    "must be logged to",
    "are monitored through",
    "must be reviewed quarterly using",
    "shall be restricted by",
    "must be rotated by",
    "are scanned by",
    "must be backed up with",
    "shall be isolated by",
];
const OBJECTS: &[&str] = &[
    "customer managed keys",
    "multi-factor authentication",
    "a central log archive",
    "a web application firewall",
    "least privilege roles",
    "network segmentation and security groups",
    "automated vulnerability scanning",
    "DDoS protection",
    "a secrets vault",
    "immutable backups in a separate account",
    "threat detection",
    "TLS 1.2 or higher",
    "an intrusion detection system",
    "the corporate identity provider",
];
const TAILS: &[&str] = &[
    "",
    " in every account and region.",
    " as required by NIST 800-53 AC-2.",
    " (see CIS 1.4).",
    " and alerts go to the SOC within one hour.",
    " according to the information security policy.",
    " with evidence retained for auditors.",
    " unless an exception is approved by the CISO.",
];

fn requirements(n: usize) -> Vec<Query> {
    let mut rng = Lcg(42);
    (0..n)
        .map(|i| {
            let text = format!(
                "{} {} {}{} {} {}.",
                rng.pick(SUBJECTS),
                rng.pick(VERBS),
                rng.pick(OBJECTS),
                rng.pick(TAILS),
                rng.pick(SUBJECTS),
                rng.pick(VERBS).replace("must", "should").to_lowercase() + " " + rng.pick(OBJECTS),
            );
            Query::new(format!("GEN-{i:05}"), "", text)
        })
        .collect()
}

fn history(queries: &[Query], n: usize) -> History {
    let targets = [
        "KMS",
        "IAM",
        "CLOUDTRAIL",
        "WAF",
        "SHIELD",
        "GUARDDUTY",
        "BACKUP",
        "SECRETSMANAGER",
    ];
    let decisions: Vec<Decision> = queries
        .iter()
        .take(n)
        .enumerate()
        .map(|(i, q)| Decision {
            requirement: q.clone(),
            target: QualifiedRef::new("service", targets[i % targets.len()]),
            accepted: i % 5 != 0,
        })
        .collect();
    engine().history(&decisions)
}

#[divan::bench(args = [1_000, 10_000], sample_count = 3, sample_size = 1)]
fn suggest_top5(bencher: divan::Bencher, n: usize) {
    let queries = requirements(n);
    let engine = engine();
    let empty = History::default();
    bencher.bench(|| {
        let mut total = 0;
        for q in &queries {
            total += engine.suggest_with(divan::black_box(q), 5, &empty).len();
        }
        total
    });
}

#[divan::bench(args = [1_000, 10_000], sample_count = 3, sample_size = 1)]
fn suggest_top5_with_500_decisions(bencher: divan::Bencher, n: usize) {
    let queries = requirements(n);
    let engine = engine();
    let history = history(&requirements(20_000)[10_000..], 500);
    bencher.bench(|| {
        let mut total = 0;
        for q in &queries {
            total += engine.suggest_with(divan::black_box(q), 5, &history).len();
        }
        total
    });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn build_engine() -> Engine {
    Engine::new(crosswalk_catalogue::shipped())
}

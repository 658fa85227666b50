//! Ranked suggestions per requirement, and accepting the confident ones in bulk.

use crate::engagement::{open_read, open_write};
use crate::error::{ApiError, Result};
use crate::map::default_responsibility;
use crosswalk_domain::{MappingStatus, Origin, Relationship, TargetKind};
use crosswalk_store::{
    Actor, MappingFilter, MappingInput, MappingRow, RequirementQuery, RequirementRow, View,
};
use crosswalk_suggest::{Decision, Engine, Evidence, Query};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// `suggest [--set NAME] [--top K] [--accept-above S]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestRequest {
    pub set: Option<String>,
    /// Suggestions of each kind per requirement.
    pub top: usize,
    /// Accept every suggestion scoring at least this much (recorded with origin `suggested`).
    pub accept_above: Option<f64>,
}

/// One suggestion in the shape of `crosswalk suggest --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestionItem {
    pub kind: TargetKind,
    /// Qualified, ready for `crosswalk map`: `service:KMS`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Empty when the source publishes no title for the target (never invented).
    pub title: String,
    /// False when the source names the target's id but publishes no title or details for it.
    pub details_published: bool,
    pub score: f64,
    pub reason: String,
    /// True when the mapping is accepted for this requirement: earlier, or by this call.
    pub accepted: bool,
    /// True when this call accepted it (`--accept-above`).
    pub accepted_now: bool,
    /// True when the consultant rejected this target for this requirement (it is ranked low).
    pub rejected: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementSuggestions {
    #[serde(rename = "ref")]
    pub reference: String,
    pub set: String,
    pub suggestions: Vec<SuggestionItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestReport {
    pub requirements: Vec<RequirementSuggestions>,
    /// How many suggestions were accepted by this call.
    pub accepted: usize,
    /// What the consultant should know about these suggestions (text that reads as another
    /// language than the English of the vocabulary).
    pub warnings: Vec<String>,
}

impl SuggestReport {
    /// What this call accepted (`--accept-above`), in report order: (requirement, suggestion).
    pub fn accepted_now(&self) -> impl Iterator<Item = (&RequirementSuggestions, &SuggestionItem)> {
        self.requirements.iter().flat_map(|r| {
            r.suggestions
                .iter()
                .filter(|s| s.accepted_now)
                .map(move |s| (r, s))
        })
    }
}

/// What a suggestion run is doing, as reported to [`SuggestControl::progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestStage {
    /// Ranking the catalogue for each current requirement (`done` of `total` requirements).
    Ranking,
    /// Storing the suggestions at or above the threshold (`total` of them) in one transaction.
    /// No longer cancellable once reported.
    Accepting,
    /// Finished (and committed, when accepting).
    Done,
}

/// One progress report of a running suggestion run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SuggestProgress {
    pub stage: SuggestStage,
    pub done: usize,
    pub total: usize,
}

/// How a host follows and stops a suggestion run (both optional). `progress` is called on the
/// calling thread: once per requirement ranked, then at the accepting step and at the end.
/// Setting `cancel` while requirements are ranked stops the run before anything is accepted:
/// the result is [`ApiError::Cancelled`] ("suggest cancelled; nothing was written").
#[derive(Default, Clone, Copy)]
pub struct SuggestControl<'a> {
    pub progress: Option<&'a dyn Fn(SuggestProgress)>,
    pub cancel: Option<&'a AtomicBool>,
}

impl SuggestControl<'_> {
    fn report(&self, stage: SuggestStage, done: usize, total: usize) {
        if let Some(p) = self.progress {
            p(SuggestProgress { stage, done, total });
        }
    }

    fn check(&self) -> Result<()> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            Err(ApiError::Cancelled { what: "suggest" })
        } else {
            Ok(())
        }
    }
}

/// How the rationale of a suggestion accepted in bulk (`--accept-above`) begins. The matrix
/// shows it to the auditor, and the engine reads it to know that no person made the decision.
pub const AUTOMATIC_RATIONALE: &str = "Accepted automatically";

/// The rationale recorded for a suggestion accepted in bulk: a sentence saying it was accepted
/// above the threshold without review, and what the score rests on.
pub(crate) fn automatic_rationale(score: f64, threshold: f64, evidence: &Evidence) -> String {
    format!(
        "{AUTOMATIC_RATIONALE} (score {score:.2} \u{2265} {threshold:.2}), not yet reviewed: {}.",
        evidence.sentence()
    )
}

/// The reasons the engine writes ("matches “x”; capability of service:KMS"), which earlier
/// versions recorded as the rationale of a bulk acceptance.
fn is_matcher_text(rationale: &str) -> bool {
    let first = rationale.split("; ").next().unwrap_or("");
    [
        "like ",
        "names \u{201c}",
        "cites ",
        "matches \u{201c}",
        "capability of ",
        "nothing in the text points",
    ]
    .iter()
    .any(|p| first.starts_with(p))
}

/// Whether a person made this decision: a mapping recorded by `map`, by an accept or reject in
/// the desktop, or read from a matrix someone edited. A suggestion accepted in bulk is not one
/// until someone reviews it (which rewrites its rationale or origin), nor is a derived mapping;
/// the engine learns only from a person's decisions, so bulk acceptances never feed themselves.
pub(crate) fn decided_by_a_person(m: &MappingRow) -> bool {
    match m.status {
        MappingStatus::Proposed => false,
        _ => match m.origin {
            Origin::Manual => true,
            Origin::Shipped | Origin::Derived => false,
            // A matrix read back keeps a bulk acceptance's rationale: still not reviewed.
            Origin::Suggested | Origin::Imported => {
                !(m.rationale.starts_with(AUTOMATIC_RATIONALE) || is_matcher_text(&m.rationale))
            }
        },
    }
}

/// Relationship recorded for an accepted suggestion: a ranked text match shows the two overlap,
/// not that the target does everything the requirement asks, so it never claims full coverage
/// on its own; the consultant upgrades it with `map --relationship`.
pub const SUGGESTED_RELATIONSHIP: Relationship = Relationship::IntersectsWith;

/// What the engine needs from an engagement: the requirements as queries and the decisions a
/// person made so far (accepted and rejected mappings), so it learns from them.
pub(crate) struct EngineInputs {
    pub rows: Vec<RequirementRow>,
    pub queries: HashMap<i64, Query>,
    pub decisions: Vec<Decision>,
}

pub(crate) fn engine_inputs(
    view: &View,
    set: Option<String>,
    mappings: &[MappingRow],
) -> Result<EngineInputs> {
    let rows = view
        .requirements(&RequirementQuery {
            set,
            ..Default::default()
        })?
        .rows;
    // Refs are qualified by their set, so two sets' `R-1` are two requirements and a reason
    // reads "like acme:R-12 which you mapped to KMS". A column of references to other standards
    // is read with the text, so the references written there are followed.
    let queries: HashMap<i64, Query> = rows
        .iter()
        .map(|r| {
            let q = Query {
                reference: format!("{}:{}", r.set, r.reference),
                title: r.title.clone(),
                text: r.text.clone(),
                section: r.section.clone(),
            }
            .with_attributes(r.attributes.iter());
            (r.id, q)
        })
        .collect();
    let decisions = mappings
        .iter()
        .filter(|m| decided_by_a_person(m))
        .map(|m| Decision {
            requirement: queries.get(&m.source.id).cloned().unwrap_or_else(|| Query {
                reference: m.source.qualified().to_string(),
                title: m.source.title.clone(),
                text: m.source.text.clone(),
                section: None,
            }),
            target: m.target.qualified(),
            accepted: m.status == MappingStatus::Accepted,
        })
        .collect();
    Ok(EngineInputs {
        rows,
        queries,
        decisions,
    })
}

struct Ranked {
    report: SuggestReport,
    /// (requirement item id, target qualified ref, rationale) for each accepted candidate.
    to_accept: Vec<(i64, String, String)>,
}

/// How many of the requirements read as another language than English, and the first of them.
fn language_warning(requirements: &[&RequirementRow]) -> Option<String> {
    let foreign: Vec<&&RequirementRow> = requirements
        .iter()
        .filter(|r| crosswalk_suggest::looks_non_english(&format!("{}\n{}", r.title, r.text)))
        .collect();
    let first = foreign.first()?;
    Some(format!(
        "{} of {} requirements read as another language than English (first {}:{}); \
         suggestions use an English vocabulary, so expect few and weak matches for them",
        foreign.len(),
        requirements.len(),
        first.set,
        first.reference
    ))
}

fn rank(view: &View, request: &SuggestRequest, control: &SuggestControl) -> Result<Ranked> {
    if let Some(s) = request.accept_above {
        if !(0.0..=1.0).contains(&s) {
            return Err(ApiError::Invalid(format!(
                "--accept-above {s}: scores run from 0 to 1"
            )));
        }
    }
    let catalogue = view.catalogue()?;
    let engine = Engine::new(&catalogue);
    let mappings = view.mappings(&MappingFilter::default())?;
    let inputs = engine_inputs(view, request.set.clone(), &mappings)?;
    let (requirements, queries, decisions) = (inputs.rows, inputs.queries, inputs.decisions);
    // A decided pair (accepted or rejected) is never accepted again behind the consultant's back,
    // and is shown as decided.
    let decided: HashMap<(i64, String), MappingStatus> = mappings
        .iter()
        .map(|m| ((m.source.id, m.target.qualified().to_string()), m.status))
        .collect();
    let history = engine.history(&decisions);

    let current: Vec<&RequirementRow> = requirements.iter().filter(|r| !r.withdrawn).collect();
    let mut report = SuggestReport {
        requirements: Vec::new(),
        accepted: 0,
        warnings: language_warning(&current).into_iter().collect(),
    };
    let mut to_accept = Vec::new();
    let total = current.len();
    for (done, r) in current.into_iter().enumerate() {
        control.check()?;
        control.report(SuggestStage::Ranking, done, total);
        let query = &queries[&r.id];
        let mut items = Vec::new();
        for s in engine.suggest_with(query, request.top, &history) {
            let reference = s.target.to_string();
            let status = decided.get(&(r.id, reference.clone())).copied();
            let threshold = request.accept_above.filter(|min| s.score >= *min);
            let accept = threshold.is_some() && status.is_none();
            if let (true, Some(min)) = (accept, threshold) {
                let rationale = automatic_rationale(s.score, min, &s.evidence);
                to_accept.push((r.id, reference.clone(), rationale));
            }
            items.push(SuggestionItem {
                kind: s.kind,
                reference,
                title: s.title,
                details_published: s.details_published,
                score: s.score,
                reason: s.reason,
                accepted: accept || status == Some(MappingStatus::Accepted),
                accepted_now: accept,
                rejected: status == Some(MappingStatus::Rejected),
            });
        }
        report.requirements.push(RequirementSuggestions {
            reference: r.reference.clone(),
            set: r.set.clone(),
            suggestions: items,
        });
    }
    control.check()?;
    control.report(SuggestStage::Ranking, total, total);
    report.accepted = to_accept.len();
    Ok(Ranked { report, to_accept })
}

/// Records accepted suggestions in one transaction, one audit event each, origin `suggested`;
/// each pick is (requirement item id, target qualified ref, rationale).
pub(crate) fn accept(
    e: &mut crosswalk_store::Engagement,
    actor: &Actor,
    picks: &[(i64, String, String)],
) -> Result<usize> {
    let mut inputs = Vec::with_capacity(picks.len());
    for (source, target, reason) in picks {
        let Some((framework, reference)) = target.split_once(':') else {
            continue;
        };
        let found = e.find_items(Some(framework), reference)?;
        let Some(item) = found.into_iter().next() else {
            return Err(ApiError::NotFound {
                what: "catalogue item",
                text: target.clone(),
                hint: String::new(),
            });
        };
        inputs.push(MappingInput {
            source: *source,
            target: item.id,
            relationship: SUGGESTED_RELATIONSHIP,
            responsibility: default_responsibility(item.kind),
            status: MappingStatus::Accepted,
            rationale: reason.clone(),
            origin: Origin::Suggested,
        });
    }
    Ok(e.put_mappings(actor, &inputs)?.len())
}

/// Ranks suggestions for every current requirement (of one set, or all). With `accept_above`,
/// accepts those at or above that score in one transaction; without it, only reads.
pub fn suggest(db: &Path, actor: &Actor, request: &SuggestRequest) -> Result<SuggestReport> {
    suggest_controlled(db, actor, request, &SuggestControl::default())
}

/// As [`suggest`], reporting progress (requirements ranked of all, then accepting, then done)
/// and stopping with [`ApiError::Cancelled`] before anything is accepted once `control.cancel`
/// is set.
pub fn suggest_controlled(
    db: &Path,
    actor: &Actor,
    request: &SuggestRequest,
    control: &SuggestControl,
) -> Result<SuggestReport> {
    if request.accept_above.is_none() {
        let view = open_read(db)?;
        let report = rank(&view, request, control)?.report;
        control.report(SuggestStage::Done, 0, 0);
        return Ok(report);
    }
    if !db.exists() {
        // Accepting writes, but there is nothing to suggest for in a file that does not exist.
        return Err(crosswalk_store::StoreError::Missing {
            path: db.to_path_buf(),
        }
        .into());
    }
    let mut e = open_write(db, actor)?;
    let ranked = rank(&e, request, control)?;
    // The last point a cancel takes effect: the acceptances are stored in one transaction.
    control.check()?;
    let picks = ranked.to_accept.len();
    control.report(SuggestStage::Accepting, 0, picks);
    accept(&mut e, actor, &ranked.to_accept)?;
    e.close()?;
    control.report(SuggestStage::Done, picks, picks);
    Ok(ranked.report)
}

//! The engine: builds the per-kind indexes once, then ranks requirements against them.

use crate::index::{weight_in, Background, DocTerms, Field, KindIndex};
use crate::learn::{History, TermVector};
use crate::refs::{self, Cited};
use crate::text::{words, Word};
use crate::vocabulary::Vocabulary;
use crate::{Decision, Evidence, Query, Suggestion};
use crosswalk_domain::{Catalogue, FrameworkKind, QualifiedRef, TargetKind};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Which catalogue items may be suggested. Everything is a candidate by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineOptions {
    /// Framework ids left out entirely, with their items' links (e.g. `fsbp` when the
    /// evaluation set is the FSBP standard itself).
    pub excluded_frameworks: Vec<String>,
    /// Single items left out, with their links.
    pub excluded_items: Vec<QualifiedRef>,
}

/// The kinds in the order suggestions are returned.
pub(crate) const KINDS: [TargetKind; 4] = [
    TargetKind::Service,
    TargetKind::LzControl,
    TargetKind::Caf,
    TargetKind::FrameworkControl,
];

fn slot(kind: TargetKind) -> usize {
    match kind {
        TargetKind::Service => 0,
        TargetKind::LzControl => 1,
        TargetKind::Caf => 2,
        TargetKind::FrameworkControl => 3,
    }
}

/// Query fields' weights: a title is a summary, a section only context.
const QUERY_TITLE: f32 = 1.5;
const QUERY_TEXT: f32 = 1.0;
const QUERY_SECTION: f32 = 0.5;
/// A vocabulary concept found in a text counts this much more than a plain word.
const CONCEPT_BOOST: f32 = 1.5;
/// Text evidence alone never claims more than this confidence.
const TEXT_CEILING: f64 = 0.8;
/// How fast text coverage turns into confidence.
const TEXT_GAIN: f64 = 4.0;
/// Confidence that a requirement naming a service ("stored in Amazon S3") is about it.
const NAMED: f64 = 0.5;
/// Confidence of an explicit reference by the number of links between it and the target.
const EXPLICIT_BY_DEPTH: [f64; 3] = [0.95, 0.85, 0.6];
/// How many of each kind's best items vote for their CAF capabilities.
const CAF_VOTERS: usize = 5;
/// Weight of the votes from services and controls against the CAF text match.
const CAF_VOTE_WEIGHT: f64 = 0.6;

#[derive(Debug, Clone)]
struct Item {
    target: QualifiedRef,
    kind: TargetKind,
    title: String,
    details_published: bool,
    /// Position in its kind's index.
    local: u32,
    /// Linked items (either direction), ordered by ref.
    neighbours: Vec<usize>,
}

/// An item named by a reference key: directly, or because a link or attribute names it.
#[derive(Debug, Clone)]
struct RefHit {
    item: usize,
    /// The key is the item's own ref, not one that a link or an attribute of it names.
    own: bool,
}

/// One weighted term of a query, with the words it came from. The term and the words are
/// borrowed from the requirement's [`Reading`] or the engine's concept terms.
#[derive(Debug, Clone)]
struct QueryTerm<'a> {
    text: &'a str,
    id: Option<u32>,
    weight: f32,
    surface: Cow<'a, str>,
}

/// A requirement's fields, each split into words once, shared by every part of one ranking.
struct Reading<'q> {
    query: &'q Query,
    title: Vec<Word>,
    text: Vec<Word>,
    section: Vec<Word>,
    /// Whether the title, text and section (read together) cite any reference.
    cites: bool,
}

impl<'q> Reading<'q> {
    /// The reading, and the references the title, text and section cite (read together).
    fn new(query: &'q Query) -> (Reading<'q>, Vec<Cited>) {
        let section = query.section.as_deref().unwrap_or("");
        let mut all =
            String::with_capacity(query.title.len() + query.text.len() + section.len() + 3);
        for part in [query.title.as_str(), query.text.as_str(), section] {
            all.push_str(part);
            all.push('\n');
        }
        let cited = refs::cited(&all);
        let reading = Reading {
            query,
            title: words(&query.title),
            text: words(&query.text),
            section: words(section),
            cites: !cited.is_empty(),
        };
        (reading, cited)
    }
}

/// Ranks catalogue items for requirements. Build once; cheap to query from many threads.
#[derive(Debug)]
pub struct Engine {
    vocabulary: Vocabulary,
    /// Each vocabulary concept's term ([`Vocabulary::concept_term`]), by concept.
    concept_terms: Vec<String>,
    terms: HashMap<String, u32>,
    /// Idf over every item, by term id: weighs terms when comparing two requirements.
    global_idf: Vec<f32>,
    unknown_idf: f32,
    items: Vec<Item>,
    by_ref: HashMap<QualifiedRef, usize>,
    kinds: [KindIndex; 4],
    cited: HashMap<String, Vec<RefHit>>,
    /// Service names as a requirement may write them, by first stem, longest first.
    names: HashMap<String, Vec<Name>>,
}

/// One way of writing a service's name.
#[derive(Debug, Clone)]
struct Name {
    stems: Vec<String>,
    /// An ordinary word ("Backup", "Config", "Shield") names the service only right after
    /// "AWS" or "Amazon"; a brand-shaped one ("GuardDuty", "EC2", "KMS") names it anywhere.
    needs_vendor: bool,
    item: usize,
}

/// Evidence for one candidate beyond its text score.
#[derive(Debug, Default, Clone)]
struct Extra {
    named: f64,
    named_as: Option<String>,
    explicit: f64,
    explicit_path: Option<RefPath>,
    learned: f64,
    /// The similar requirement a person mapped to this target, and the target's ref.
    learned_from: Option<(String, String)>,
    rejected: f64,
    rejected_by: Option<String>,
    vote: f64,
    voters: Vec<usize>,
}

#[derive(Debug, Clone)]
struct Ranked {
    item: usize,
    score: f64,
    coverage: f64,
    extra: Extra,
}

impl Engine {
    /// An engine over every item of the catalogue, with the shipped vocabulary.
    pub fn new(catalogue: &Catalogue) -> Engine {
        Engine::with_options(catalogue, &EngineOptions::default())
    }

    pub fn with_options(catalogue: &Catalogue, options: &EngineOptions) -> Engine {
        // The shipped vocabulary is embedded at compile time and parsed by this crate's tests,
        // so it cannot fail here unless the build itself is broken.
        let vocabulary = Vocabulary::shipped().expect("the shipped vocabulary is checked by tests");
        Engine::with_vocabulary(catalogue, options, vocabulary)
    }

    pub fn with_vocabulary(
        catalogue: &Catalogue,
        options: &EngineOptions,
        vocabulary: Vocabulary,
    ) -> Engine {
        let excluded_items: HashSet<&QualifiedRef> = options.excluded_items.iter().collect();
        let mut items: Vec<Item> = Vec::new();
        let mut by_ref: HashMap<QualifiedRef, usize> = HashMap::new();
        let mut known: HashSet<QualifiedRef> = HashSet::new();
        let mut sources = Vec::new();
        for fw in &catalogue.frameworks {
            let skip_framework = options.excluded_frameworks.contains(&fw.id)
                || fw.kind == FrameworkKind::Requirements;
            for item in &fw.items {
                let target = QualifiedRef::new(&fw.id, &item.reference);
                known.insert(target.clone());
                if skip_framework
                    || excluded_items.contains(&target)
                    || by_ref.contains_key(&target)
                {
                    continue;
                }
                by_ref.insert(target.clone(), items.len());
                items.push(Item {
                    target,
                    kind: fw.kind.target_kind(),
                    title: item.title.clone(),
                    details_published: item.details_published,
                    local: 0,
                    neighbours: Vec::new(),
                });
                sources.push((fw, item));
            }
        }

        // Links between two candidates become neighbours; a link to something outside the
        // catalogue (a NIST control that is not an item) makes that ref name the candidate.
        let mut cited: HashMap<String, Vec<RefHit>> = HashMap::new();
        let mut add_hit = |key: String, item: usize, own: bool| {
            let list = cited.entry(key).or_default();
            match list.iter_mut().find(|h| h.item == item) {
                Some(h) => h.own |= own,
                None => list.push(RefHit { item, own }),
            }
        };
        for link in &catalogue.links {
            match (by_ref.get(&link.from), by_ref.get(&link.to)) {
                (Some(&a), Some(&b)) if a != b => {
                    items[a].neighbours.push(b);
                    items[b].neighbours.push(a);
                }
                (Some(&a), None) if !known.contains(&link.to) => {
                    add_hit(external_key(&link.to), a, false);
                }
                (None, Some(&b)) if !known.contains(&link.from) => {
                    add_hit(external_key(&link.from), b, false);
                }
                _ => {}
            }
        }
        let order: Vec<QualifiedRef> = items.iter().map(|i| i.target.clone()).collect();
        for item in &mut items {
            item.neighbours.sort_by(|a, b| order[*a].cmp(&order[*b]));
            item.neighbours.dedup();
        }
        for (index, (_, source)) in sources.iter().enumerate() {
            add_hit(refs::key(None, &source.reference), index, true);
            for (header, value) in source.attributes.iter() {
                for key in attribute_reference_keys(header, value) {
                    add_hit(key, index, false);
                }
            }
        }
        for hits in cited.values_mut() {
            hits.sort_by(|a, b| order[a.item].cmp(&order[b.item]));
        }

        // Documents.
        let mut terms: HashMap<String, u32> = HashMap::new();
        let mut intern = |t: String| -> u32 {
            let next = terms.len() as u32;
            *terms.entry(t).or_insert(next)
        };
        let parent_titles: HashMap<(&str, &str), &str> = catalogue
            .frameworks
            .iter()
            .flat_map(|fw| {
                fw.items
                    .iter()
                    .map(move |i| ((fw.id.as_str(), i.reference.as_str()), i.title.as_str()))
            })
            .collect();
        // The vocabulary says which concepts are a CAF capability's or a service's job: those
        // items carry the concept terms, so "key rotation" reaches Data protection and KMS even
        // where their own short texts do not use the words.
        let mut caf_hints: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut service_hints: HashMap<&str, Vec<usize>> = HashMap::new();
        for (c, concept) in vocabulary.concepts().iter().enumerate() {
            for caf in &concept.caf {
                caf_hints.entry(caf.as_str()).or_default().push(c);
            }
            for service in &concept.services {
                service_hints.entry(service.as_str()).or_default().push(c);
            }
        }
        let mut docs: [Vec<DocTerms>; 4] = Default::default();
        let mut members: [Vec<usize>; 4] = Default::default();
        for (index, (fw, source)) in sources.iter().enumerate() {
            let mut doc = DocTerms::default();
            let mut add = |field: Field, text: &str| {
                for (t, count) in doc_terms(&vocabulary, text) {
                    doc.add(field, intern(t), count);
                }
            };
            add(Field::Ref, &source.reference);
            add(Field::Title, &source.title);
            add(Field::Text, &source.text);
            // A list of references to other standards ("NIST 800-53 r5: AC-2, SC-13") is
            // followed as references; read as words it would make every requirement that cites
            // any NIST control match every item that lists one ("nist", "800", "ac").
            for (header, value) in source.attributes.iter() {
                if !value.starts_with("http") && !about_references(header, true) {
                    add(Field::Attributes, value);
                }
            }
            let mut context = String::new();
            if let Some(parent) = &source.parent {
                if let Some(t) = parent_titles.get(&(fw.id.as_str(), parent.as_str())) {
                    context.push_str(t);
                    context.push('\n');
                }
            }
            for &n in &items[index].neighbours {
                context.push_str(&items[n].title);
                context.push('\n');
            }
            add(Field::Context, &context);
            let hints = match fw.kind {
                FrameworkKind::Caf => Some(&caf_hints),
                FrameworkKind::Services => Some(&service_hints),
                _ => None,
            };
            if let Some(hints) = hints {
                let mut own: Vec<usize> = hints
                    .get(source.reference.as_str())
                    .cloned()
                    .unwrap_or_default();
                if let Some(parent) = &source.parent {
                    own.extend(hints.get(parent.as_str()).cloned().unwrap_or_default());
                }
                own.sort_unstable();
                own.dedup();
                for c in own {
                    doc.add(Field::Hint, intern(vocabulary.concept_term(c)), 1.0);
                }
            }
            let s = slot(items[index].kind);
            items[index].local = docs[s].len() as u32;
            docs[s].push(doc);
            members[s].push(index);
        }
        let background = Background::new(docs.iter().flatten());
        let [d0, d1, d2, d3] = docs;
        let [m0, m1, m2, m3] = members;
        let kinds = [
            KindIndex::build(m0, &d0),
            KindIndex::build(m1, &d1),
            KindIndex::build(m2, &d2),
            KindIndex::build(m3, &d3),
        ];

        let names = service_names(&items, &sources);

        // Idf over all items, for comparing requirements with each other.
        let global_idf = (0..terms.len() as u32).map(|t| background.idf(t)).collect();
        let unknown_idf = background.idf(u32::MAX);

        let concept_terms = (0..vocabulary.concepts().len())
            .map(|c| vocabulary.concept_term(c))
            .collect();
        Engine {
            vocabulary,
            concept_terms,
            terms,
            global_idf,
            unknown_idf,
            items,
            by_ref,
            kinds,
            cited,
            names,
        }
    }

    /// How many items of each kind can be suggested, in [`TargetKind`] order
    /// (service, lz_control, caf, framework_control).
    pub fn candidates(&self, kind: TargetKind) -> usize {
        self.kinds[slot(kind)].len()
    }

    /// Whether an item can be suggested (it is in the catalogue and not left out by the options).
    pub fn is_candidate(&self, target: &QualifiedRef) -> bool {
        self.by_ref.contains_key(target)
    }

    /// Prepares an engagement's decisions once, for many calls of [`Engine::suggest_with`].
    pub fn history(&self, decisions: &[Decision]) -> History {
        History::build(decisions, |q| {
            self.term_vector(&self.analyse(&Reading::new(q).0))
        })
    }

    /// The `top` best suggestions of each kind for one requirement, grouped by kind (service,
    /// lz_control, caf, framework_control), best first within a kind. Every requirement gets at
    /// least one CAF capability.
    pub fn suggest(
        &self,
        requirement: &Query,
        top: usize,
        history: &[Decision],
    ) -> Vec<Suggestion> {
        let history = self.history(history);
        self.suggest_with(requirement, top, &history)
    }

    /// As [`Engine::suggest`], with decisions prepared once by [`Engine::history`].
    pub fn suggest_with(
        &self,
        requirement: &Query,
        top: usize,
        history: &History,
    ) -> Vec<Suggestion> {
        self.suggest_kinds(requirement, top, history, &KINDS)
    }

    /// As [`Engine::suggest_with`], for the kinds in `kinds` only: the same suggestions of those
    /// kinds, in the same order, without ranking the others (a CAF capability needs the services,
    /// controls and framework controls ranked, as it takes their votes).
    pub fn suggest_kinds(
        &self,
        requirement: &Query,
        top: usize,
        history: &History,
        kinds: &[TargetKind],
    ) -> Vec<Suggestion> {
        if top == 0 || kinds.is_empty() {
            return Vec::new();
        }
        let caf_wanted = kinds.contains(&TargetKind::Caf);
        let ranks = |kind: TargetKind| caf_wanted || kinds.contains(&kind);
        let (reading, cited) = Reading::new(requirement);
        let query = self.analyse(&reading);
        let explicit = self.explicit(&requirement.reference, cited);
        let neighbours = if history.is_empty() {
            Vec::new()
        } else {
            history.nearest(&self.term_vector(&query), &requirement.reference)
        };
        let mut extras: [BTreeMap<u32, Extra>; 4] = Default::default();
        for (item, surface) in self.named(&reading) {
            let it = &self.items[item];
            let e = extras[slot(it.kind)].entry(it.local).or_default();
            e.named = NAMED;
            e.named_as.get_or_insert(surface);
        }
        for (item, conf, path) in explicit {
            let it = &self.items[item];
            let e = extras[slot(it.kind)].entry(it.local).or_default();
            if conf > e.explicit {
                e.explicit = conf;
                e.explicit_path = Some(path);
            }
        }
        for (neighbour, sim) in &neighbours {
            for (target, accepted) in &neighbour.decisions {
                let Some(&item) = self.by_ref.get(target) else {
                    continue;
                };
                let it = &self.items[item];
                let e = extras[slot(it.kind)].entry(it.local).or_default();
                let sim = f64::from(*sim);
                if *accepted && 0.95 * sim > e.learned {
                    e.learned = 0.95 * sim;
                    e.learned_from = Some((neighbour.reference.clone(), target.reference.clone()));
                } else if !*accepted && sim > e.rejected {
                    e.rejected = sim;
                    e.rejected_by = Some(format!(
                        "you rejected it for {}, a similar requirement",
                        neighbour.reference
                    ));
                }
            }
        }

        // The requirement's own decisions are not a neighbour's: what was accepted on it is
        // already mapped (the caller marks it), and what was rejected on it goes down without
        // the requirement being named to itself.
        if let Some(own) = history.own(&requirement.reference) {
            for (target, accepted) in &own.decisions {
                let Some(&item) = self.by_ref.get(target) else {
                    continue;
                };
                if !*accepted {
                    let it = &self.items[item];
                    let e = extras[slot(it.kind)].entry(it.local).or_default();
                    e.rejected = 1.0;
                    e.rejected_by = Some("you rejected it for this requirement".to_string());
                }
            }
        }

        let keep = top.max(CAF_VOTERS);
        let mut ranked: [Vec<Ranked>; 4] = Default::default();
        for kind in [
            TargetKind::Service,
            TargetKind::LzControl,
            TargetKind::FrameworkControl,
        ] {
            if !ranks(kind) {
                continue;
            }
            let s = slot(kind);
            ranked[s] = self.rank(s, &query, std::mem::take(&mut extras[s]), keep);
        }
        // CAF capabilities: the text match, plus votes from the best items of the other kinds.
        let mut caf_extra = std::mem::take(&mut extras[slot(TargetKind::Caf)]);
        let mut total_vote = 0.0;
        for kind in [
            TargetKind::Service,
            TargetKind::LzControl,
            TargetKind::FrameworkControl,
        ] {
            if !caf_wanted {
                break;
            }
            for r in ranked[slot(kind)].iter().take(CAF_VOTERS) {
                let cafs: Vec<usize> = self.items[r.item]
                    .neighbours
                    .iter()
                    .copied()
                    .filter(|&n| self.items[n].kind == TargetKind::Caf)
                    .collect();
                if cafs.is_empty() {
                    continue;
                }
                let share = r.score / (cafs.len() as f64).sqrt();
                total_vote += r.score;
                for c in cafs {
                    let e = caf_extra.entry(self.items[c].local).or_default();
                    e.vote += share;
                    e.voters.push(r.item);
                }
            }
        }
        if total_vote > 0.0 {
            for e in caf_extra.values_mut() {
                e.vote = CAF_VOTE_WEIGHT * (e.vote / total_vote).min(1.0);
            }
        }
        let caf = slot(TargetKind::Caf);
        if caf_wanted {
            ranked[caf] = self.rank(caf, &query, caf_extra, keep);
        }

        let mut out = Vec::new();
        for kind in KINDS {
            if !kinds.contains(&kind) {
                continue;
            }
            let s = slot(kind);
            let list = &ranked[s];
            if list.is_empty() && kind == TargetKind::Caf {
                if let Some(fallback) = self.fallback_caf() {
                    out.push(fallback);
                }
                continue;
            }
            // Each query term's postings in this kind, looked up once for all its suggestions.
            let index = &self.kinds[s];
            let postings: Vec<&[(u32, f32)]> = query
                .iter()
                .map(|t| t.id.map_or(&[][..], |id| index.postings(id)))
                .collect();
            for r in list.iter().take(top) {
                out.push(self.suggestion(r, &query, &postings));
            }
        }
        out
    }

    /// Governance is where a requirement with no technical signal (a policy statement, an
    /// empty row) belongs; the score says that nothing pointed there.
    fn fallback_caf(&self) -> Option<Suggestion> {
        let index = &self.kinds[slot(TargetKind::Caf)];
        let pick = index
            .items
            .iter()
            .copied()
            .find(|&i| {
                self.items[i]
                    .title
                    .to_ascii_lowercase()
                    .contains("governance")
            })
            .or_else(|| {
                index
                    .items
                    .iter()
                    .copied()
                    .min_by(|a, b| self.items[*a].target.cmp(&self.items[*b].target))
            })?;
        let it = &self.items[pick];
        Some(Suggestion {
            target: it.target.clone(),
            kind: TargetKind::Caf,
            title: it.title.clone(),
            details_published: it.details_published,
            score: 0.0,
            reason: "nothing in the text points to a capability; governance by default".into(),
            evidence: Evidence {
                fallback: true,
                ..Evidence::default()
            },
        })
    }

    fn rank(
        &self,
        s: usize,
        query: &[QueryTerm<'_>],
        extras: BTreeMap<u32, Extra>,
        keep: usize,
    ) -> Vec<Ranked> {
        let index = &self.kinds[s];
        if index.len() == 0 {
            return Vec::new();
        }
        let mut raw = vec![0f32; index.len()];
        let mut ceiling = 0f32;
        for term in query {
            let Some(id) = term.id else { continue };
            let postings = index.postings(id);
            if postings.is_empty() {
                continue;
            }
            ceiling += term.weight * index.ceiling(id);
            for &(doc, w) in postings {
                raw[doc as usize] += term.weight * w;
            }
        }
        // Score every candidate cheaply first; only the kept ones carry their evidence along.
        let mut scored: Vec<(f64, f64, u32)> = Vec::new();
        for (doc, &r) in raw.iter().enumerate() {
            let extra = extras.get(&(doc as u32));
            if r <= 0.0 && extra.is_none() {
                continue;
            }
            let coverage = if ceiling > 0.0 {
                f64::from(r / ceiling)
            } else {
                0.0
            };
            let text = TEXT_CEILING * (1.0 - (-TEXT_GAIN * coverage).exp());
            let score = match extra {
                None => text,
                Some(e) => {
                    let combined = 1.0
                        - (1.0 - text)
                            * (1.0 - e.named)
                            * (1.0 - e.explicit)
                            * (1.0 - e.learned)
                            * (1.0 - e.vote);
                    combined * (1.0 - 0.9 * e.rejected)
                }
            };
            scored.push((score.clamp(0.0, 1.0), coverage, doc as u32));
        }
        let cmp = |a: &(f64, f64, u32), b: &(f64, f64, u32)| {
            b.0.total_cmp(&a.0).then_with(|| {
                let (ia, ib) = (index.items[a.2 as usize], index.items[b.2 as usize]);
                self.items[ia].target.cmp(&self.items[ib].target)
            })
        };
        if scored.len() > keep {
            scored.select_nth_unstable_by(keep - 1, cmp);
            scored.truncate(keep);
        }
        scored.sort_by(cmp);
        let mut extras = extras;
        scored
            .into_iter()
            .map(|(score, coverage, doc)| Ranked {
                item: index.items[doc as usize],
                score,
                coverage,
                extra: extras.remove(&doc).unwrap_or_default(),
            })
            .collect()
    }

    /// `postings` holds each query term's postings in the item's kind, in query order.
    fn suggestion(
        &self,
        r: &Ranked,
        query: &[QueryTerm],
        postings: &[&[(u32, f32)]],
    ) -> Suggestion {
        let it = &self.items[r.item];
        let mut evidence = Evidence::default();
        let mut parts: Vec<(f64, String)> = Vec::new();
        if let Some((requirement, target)) = &r.extra.learned_from {
            parts.push((
                r.extra.learned,
                format!("like {requirement} which you mapped to {target}"),
            ));
            evidence.like = Some((requirement.clone(), target.clone()));
        }
        if let Some(name) = &r.extra.named_as {
            parts.push((r.extra.named, format!("names \u{201c}{name}\u{201d}")));
            evidence.names = Some(name.clone());
        }
        if let Some(path) = &r.extra.explicit_path {
            parts.push((r.extra.explicit, format!("cites {}", self.describe(path))));
            evidence.cites = Some((
                path.written.to_string(),
                path.nodes
                    .iter()
                    .map(|&n| self.items[n].target.to_string())
                    .collect(),
            ));
        }
        if r.coverage > 0.0 {
            let matched = matched_terms(it.local, query, postings);
            if !matched.is_empty() {
                let quoted: Vec<String> = matched
                    .iter()
                    .map(|m| format!("\u{201c}{m}\u{201d}"))
                    .collect();
                parts.push((r.coverage, format!("matches {}", quoted.join(", "))));
                evidence.words = matched;
            }
        }
        if !r.extra.voters.is_empty() {
            let mut voters: Vec<&QualifiedRef> = r
                .extra
                .voters
                .iter()
                .map(|&v| &self.items[v].target)
                .collect();
            voters.truncate(3);
            let names: Vec<String> = voters.iter().map(|v| v.to_string()).collect();
            parts.push((r.extra.vote, format!("capability of {}", names.join(", "))));
            evidence.capability_of = names;
        }
        parts.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut reason: Vec<String> = parts.into_iter().map(|(_, p)| p).collect();
        if let Some(by) = &r.extra.rejected_by {
            reason.push(by.clone());
        }
        Suggestion {
            target: it.target.clone(),
            kind: it.kind,
            title: it.title.clone(),
            details_published: it.details_published,
            score: (r.score * 1000.0).round() / 1000.0,
            reason: reason.join("; "),
            evidence,
        }
    }

    /// The weighted terms of a requirement: stems and concept terms, first occurrence first.
    fn analyse<'a>(&'a self, r: &'a Reading) -> Vec<QueryTerm<'a>> {
        let q = r.query;
        let mut out: Vec<QueryTerm> = Vec::new();
        let mut position: HashMap<&str, usize> = HashMap::new();
        let mut add = |text: &'a str, weight: f32, surface: Cow<'a, str>| match position.get(text) {
            Some(&i) => out[i].weight += weight,
            None => {
                position.insert(text, out.len());
                out.push(QueryTerm {
                    id: self.terms.get(text).copied(),
                    text,
                    weight,
                    surface,
                });
            }
        };
        // A title that repeats the text is no title (see `requirement_title`).
        let title: &[Word] = if requirement_title(q).is_empty() {
            &[]
        } else {
            &r.title
        };
        let section = q
            .section
            .as_ref()
            .map(|s| (s.as_str(), &r.section[..], QUERY_SECTION));
        let fields = [
            Some((requirement_title(q), title, QUERY_TITLE)),
            Some((q.text.as_str(), &r.text[..], QUERY_TEXT)),
            section,
        ];
        for (text, ws, weight) in fields.into_iter().flatten() {
            // A field cites a reference only if the three read together do (its words and the
            // ones before them are among theirs), so most requirements skip the second look.
            let spelling = if !r.cites {
                HashSet::new()
            } else {
                reference_spelling(text)
            };
            for w in ws.iter().filter(|w| !w.stop && !spelling.contains(&w.raw)) {
                add(&w.stem, weight, Cow::Borrowed(&w.raw));
            }
            for (concept, (start, end)) in self.vocabulary.find_spans(ws) {
                let surface: Vec<&str> = ws[start..end].iter().map(|w| w.raw.as_str()).collect();
                add(
                    &self.concept_terms[concept],
                    weight * CONCEPT_BOOST,
                    Cow::Owned(surface.join(" ")),
                );
            }
        }
        // Repeating a word says less than adding another: damp counts logarithmically.
        for t in &mut out {
            if t.weight > 1.0 {
                t.weight = 1.0 + t.weight.ln();
            }
        }
        out
    }

    fn term_vector(&self, query: &[QueryTerm]) -> TermVector {
        query
            .iter()
            .map(|t| {
                let idf =
                    t.id.and_then(|id| self.global_idf.get(id as usize).copied())
                        .unwrap_or(self.unknown_idf);
                (t.text.to_string(), t.weight * idf)
            })
            .collect()
    }

    /// The services a requirement names, with the words it used, in order of appearance.
    fn named(&self, r: &Reading) -> Vec<(usize, String)> {
        let mut out: Vec<(usize, String)> = Vec::new();
        for ws in [&r.title, &r.text, &r.section] {
            for i in 0..ws.len() {
                let Some(candidates) = self.names.get(&ws[i].stem) else {
                    continue;
                };
                for name in candidates {
                    let end = i + name.stems.len();
                    let fits = end <= ws.len()
                        && ws[i..end]
                            .iter()
                            .zip(&name.stems)
                            .all(|(w, s)| w.stem == *s)
                        && (!name.needs_vendor
                            || (i > 0 && matches!(ws[i - 1].stem.as_str(), "aws" | "amazon")));
                    if fits && !out.iter().any(|(item, _)| *item == name.item) {
                        let surface: Vec<&str> =
                            ws[i..end].iter().map(|w| w.raw.as_str()).collect();
                        out.push((name.item, surface.join(" ")));
                    }
                }
            }
        }
        out
    }

    /// Items reached from the references a requirement cites: (item, confidence, path).
    /// `cited` is what the requirement's title, text and section cite ([`Reading::new`]).
    fn explicit(&self, reference: &str, cited: Vec<Cited>) -> Vec<(usize, f64, RefPath)> {
        let mut found: Vec<(Cited, f64)> = cited.into_iter().map(|c| (c, 1.0)).collect();
        // A sheet of NIST or CIS controls carries the reference as the requirement's own id.
        for c in refs::cited(reference) {
            if !found.iter().any(|(f, _)| f.key == c.key) {
                found.push((c, 0.9));
            }
        }
        // Evidence per item, combined over citations: (confidence, best single, its path).
        let mut evidence: BTreeMap<usize, (f64, f64, RefPath)> = BTreeMap::new();
        for (c, factor) in found {
            let hits: Vec<usize> = if let Some(q) = &c.qualified {
                self.by_ref.get(q).copied().into_iter().collect()
            } else {
                let direct = self.cited.get(&c.key);
                let hits = match (direct, &c.base) {
                    (Some(h), _) => Some(h),
                    (None, Some(base)) => self.cited.get(base),
                    (None, None) => None,
                };
                // When the reference names an item itself (`AC-2` is nist:AC-2), that item is
                // where the path starts; the controls whose attributes cite it are reached
                // through their links to it, one step further.
                hits.map(|h| {
                    let own = h.iter().any(|h| h.own);
                    h.iter().filter(|h| h.own || !own).map(|h| h.item).collect()
                })
                .unwrap_or_default()
            };
            // Everything this one citation reaches: item → (paths, the shortest, first path).
            let mut reach: BTreeMap<usize, (u32, Vec<usize>)> = BTreeMap::new();
            let mut visit = |nodes: &[usize]| {
                let Some(&item) = nodes.last() else { return };
                let e = reach.entry(item).or_insert_with(|| (0, nodes.to_vec()));
                e.0 += 1;
                if (nodes.len(), nodes) < (e.1.len(), e.1.as_slice()) {
                    e.1 = nodes.to_vec();
                }
            };
            for hit in hits {
                visit(&[hit]);
                for &n in &self.items[hit].neighbours {
                    // A capability linked to the cited control is that control's, not
                    // necessarily the requirement's: capabilities come from the text and from
                    // the votes of the best items (which include the cited control) instead.
                    if self.items[n].kind == TargetKind::Caf {
                        continue;
                    }
                    visit(&[hit, n]);
                    // Services and CAF capabilities are hubs: going through one would reach
                    // everything about that service, not what the reference asks.
                    if matches!(self.items[n].kind, TargetKind::Service | TargetKind::Caf) {
                        continue;
                    }
                    // Coming back to the cited framework (AC-2 → an FSBP check → AC-6) reaches
                    // a sibling of what was cited, not something that satisfies it.
                    let home = &self.items[hit].target.framework;
                    for &m in &self.items[n].neighbours {
                        if m != hit
                            && self.items[m].kind != TargetKind::Caf
                            && &self.items[m].target.framework != home
                        {
                            visit(&[hit, n, m]);
                        }
                    }
                }
            }
            // A reference that fans out to twenty services says little about any one of them:
            // discount by the number of items of the same kind it reaches at most as far away
            // (what it names itself is not diluted by what lies behind it), and favour the
            // items it reaches along more paths.
            let mut per_kind = [([0usize; 3], 0u32); 4];
            for (&item, (paths, nodes)) in &reach {
                let k = &mut per_kind[slot(self.items[item].kind)];
                k.0[nodes.len() - 1] += 1;
                k.1 = k.1.max(*paths);
            }
            let written: std::rc::Rc<str> = c.written.into();
            for (item, (paths, nodes)) in reach {
                let (by_depth, most) = per_kind[slot(self.items[item].kind)];
                let n: usize = by_depth[..nodes.len()].iter().sum();
                let specificity = 1.0 / (n as f64).sqrt();
                let support = 0.5 + 0.5 * f64::from(paths) / f64::from(most.max(1));
                let conf = factor * EXPLICIT_BY_DEPTH[nodes.len() - 1] * specificity * support;
                let path = RefPath {
                    written: written.clone(),
                    nodes,
                };
                let e = evidence.entry(item).or_insert((0.0, 0.0, path.clone()));
                if conf > e.1 {
                    e.1 = conf;
                    e.2 = path;
                }
                e.0 = 1.0 - (1.0 - e.0) * (1.0 - conf);
            }
        }
        evidence
            .into_iter()
            .map(|(item, (conf, _, path))| (item, conf, path))
            .collect()
    }

    /// "AC-2 → nist:AC-2 → fsbp:IAM.6 → service:IAM".
    fn describe(&self, path: &RefPath) -> String {
        let mut out = path.written.to_string();
        for &n in &path.nodes {
            out.push_str(" \u{2192} ");
            out.push_str(&self.items[n].target.to_string());
        }
        out
    }
}

/// The query words that weigh most in one item's score, as the requirement wrote them.
/// `postings` holds each query term's postings in the item's kind, in query order.
fn matched_terms(doc: u32, query: &[QueryTerm], postings: &[&[(u32, f32)]]) -> Vec<String> {
    let mut hits: Vec<(f32, &str)> = query
        .iter()
        .zip(postings)
        .filter_map(|(t, list)| {
            t.id?;
            let w = weight_in(list, doc) * t.weight;
            (w > 0.0).then_some((w, t.surface.as_ref()))
        })
        .collect();
    hits.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut out: Vec<String> = Vec::new();
    for (_, surface) in hits {
        if !out.iter().any(|o| o == surface) {
            out.push(surface.to_string());
        }
        if out.len() == 4 {
            break;
        }
    }
    out
}

/// How a cited reference reaches an item: the reference as written, then the items on the way.
#[derive(Debug, Clone)]
struct RefPath {
    written: std::rc::Rc<str>,
    nodes: Vec<usize>,
}

/// The words that only spell the references a text cites ("NIST 800-53 AC-2", "CIS 1.4",
/// "SEC03-BP01"): their numbers, a control family's letters, the scheme's name. The references
/// are followed as references; read as words they would match every item that spells any
/// reference the same way. Words with a meaning of their own ("IAM" in "IAM.6") stay.
fn reference_spelling(text: &str) -> HashSet<String> {
    const SCHEMES: [&str; 9] = ["nist", "sp", "800", "53", "cis", "rev", "r5", "r4", "csf"];
    let cited = refs::cited(text);
    let mut out = HashSet::new();
    if cited.is_empty() {
        return out;
    }
    out.extend(SCHEMES.iter().map(|s| s.to_string()));
    for c in &cited {
        for (i, w) in words(&c.written).into_iter().enumerate() {
            if w.raw.bytes().any(|b| b.is_ascii_digit()) || (i == 0 && w.raw.len() <= 2) {
                out.insert(w.raw);
            }
        }
    }
    out
}

/// What the query's title is: the title, or nothing when the sheet repeats the text there.
fn requirement_title(q: &Query) -> &str {
    if q.title.trim() == q.text.trim() {
        ""
    } else {
        q.title.as_str()
    }
}

/// A link end outside the catalogue, as a lookup key (`cis` frameworks keep their scheme).
fn external_key(r: &QualifiedRef) -> String {
    if r.framework.to_ascii_lowercase().contains("cis") {
        refs::key(Some("CIS"), &r.reference)
    } else {
        refs::key(None, &r.reference)
    }
}

/// Whether a column's header says it lists references to other standards. A catalogue's
/// "requirement" column is one; in a customer's sheet a column named so is the requirement
/// itself or its bookkeeping ("Requirement owner"), so `requirement_counts` is false there.
pub(crate) fn about_references(header: &str, requirement_counts: bool) -> bool {
    let h = header.to_ascii_lowercase();
    [
        "nist",
        "cis",
        "pci",
        "iso",
        "related",
        "mapping",
        "800-53",
        "reference",
    ]
    .iter()
    .any(|w| h.contains(w))
        || (requirement_counts && h.contains("requirement"))
}

/// References another standard listed in an item's attribute ("NIST 800-53: AC-2, SC-13").
fn attribute_reference_keys(header: &str, value: &str) -> Vec<String> {
    if !about_references(header, true) {
        return Vec::new();
    }
    let cis = header.to_ascii_lowercase().contains("cis");
    let mut out = Vec::new();
    for piece in value.split([',', ';', '\n']) {
        let piece = piece.trim();
        if piece.is_empty() || piece.starts_with("http") {
            continue;
        }
        let last = piece.rsplit(['/', ' ']).next().unwrap_or(piece);
        let dotted = last.split('.').count() >= 2
            && last
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if dotted && (cis || piece.to_ascii_lowercase().contains("cis")) {
            out.push(refs::key(Some("CIS"), last));
            continue;
        }
        for c in refs::cited(piece) {
            out.push(c.key);
        }
        if refs::cited(piece).is_empty()
            && !piece.contains(' ')
            && piece.bytes().any(|b| b.is_ascii_digit())
        {
            out.push(refs::key(None, piece));
        }
    }
    out
}

/// A document field's terms with their counts, in first-seen order.
fn doc_terms(vocabulary: &Vocabulary, text: &str) -> Vec<(String, f32)> {
    let ws = words(text);
    let mut out: Vec<(String, f32)> = Vec::new();
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut add = |t: String, c: f32| match position.get(&t) {
        Some(&i) => out[i].1 += c,
        None => {
            position.insert(t.clone(), out.len());
            out.push((t, c));
        }
    };
    for w in ws.iter().filter(|w| !w.stop) {
        add(w.stem.clone(), 1.0);
    }
    for (concept, _) in vocabulary.find_spans(&ws) {
        add(vocabulary.concept_term(concept), 1.0);
    }
    out
}

/// Whether a word of a service title is shaped like a brand rather than an English word:
/// it has a digit, is all capitals, or has a capital inside (`EC2`, `KMS`, `GuardDuty`).
fn is_brand(word: &str) -> bool {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphanumeric()).collect();
    letters.len() >= 2
        && (letters.iter().any(|c| c.is_ascii_digit())
            || letters
                .iter()
                .all(|c| c.is_uppercase() || c.is_ascii_digit())
            || letters.iter().skip(1).any(|c| c.is_uppercase()))
}

/// `OpenSearch`, `GuardDuty`: letters only, with a capital after the first letter and a small one.
fn is_camel_case(word: &str) -> bool {
    word.chars().all(|c| c.is_alphabetic())
        && word.chars().skip(1).any(|c| c.is_uppercase())
        && word.chars().any(|c| c.is_lowercase())
}

/// The ways each service's title can be written in a requirement: the title without "AWS" or
/// "Amazon", its parenthesised short form, and its brand-shaped words alone ("OpenSearch").
/// A name that is one service's full title is not also given to another service.
fn service_names(
    items: &[Item],
    sources: &[(
        &crosswalk_domain::CatalogueFramework,
        &crosswalk_domain::CatalogueItem,
    )],
) -> HashMap<String, Vec<Name>> {
    let mut found: Vec<(Vec<String>, bool, usize, bool)> = Vec::new();
    for (index, (_, source)) in sources.iter().enumerate() {
        if items[index].kind != TargetKind::Service {
            continue;
        }
        let title = source.title.as_str();
        let (main, short) = match (title.find('('), title.rfind(')')) {
            (Some(open), Some(close)) if close > open => (&title[..open], &title[open + 1..close]),
            _ => (title, ""),
        };
        let main = main.trim();
        let main = main
            .strip_prefix("AWS ")
            .or_else(|| main.strip_prefix("Amazon "))
            .unwrap_or(main)
            .trim();
        let mut add = |text: &str, full: bool| {
            let stems: Vec<String> = words(text).into_iter().map(|w| w.stem).collect();
            if stems.is_empty() {
                return;
            }
            let single = text.split_whitespace().count() == 1;
            let needs_vendor = single && !is_brand(text);
            found.push((stems, needs_vendor, index, full));
        };
        add(main, true);
        if !short.trim().is_empty() {
            add(short.trim(), true);
        }
        // "OpenSearch" alone names "OpenSearch Service"; an all-capitals part ("API" of "API
        // Gateway") or a number ("53" of "Route 53") is too common to name anything alone.
        if main.split_whitespace().count() > 1 {
            for w in main.split_whitespace().filter(|w| is_camel_case(w)) {
                add(w, false);
            }
        }
    }
    let mut names: HashMap<String, Vec<Name>> = HashMap::new();
    for (stems, needs_vendor, item, full) in &found {
        let owned_fully = found
            .iter()
            .any(|(s, _, other, f)| *f && s == stems && other != item);
        if !full && owned_fully {
            continue;
        }
        let list = names.entry(stems[0].clone()).or_default();
        if !list.iter().any(|n| n.stems == *stems && n.item == *item) {
            list.push(Name {
                stems: stems.clone(),
                needs_vendor: *needs_vendor,
                item: *item,
            });
        }
    }
    for list in names.values_mut() {
        list.sort_by(|a, b| b.stems.len().cmp(&a.stems.len()).then(a.item.cmp(&b.item)));
    }
    names
}

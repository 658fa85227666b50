//! Learning from the consultant's decisions: the requirements already mapped, indexed so that a
//! new requirement finds its nearest mapped neighbours quickly.
//!
//! The nearest neighbours are found exactly (the same ones, in the same order, as comparing the
//! requirement with every decided one), but without looking at most of them: the index keeps,
//! per term, the largest share that term takes of any decided requirement's vector, so once the
//! best few are known, the terms still to be read cannot lift a requirement that has none of the
//! terms read so far above them, and reading stops. Engagements with tens of thousands of
//! decisions stay fast where a scan would compare every gap with every decision.

use crate::{Decision, QualifiedRef};
use std::collections::{HashMap, HashSet};

/// How similar (cosine over idf-weighted terms) a mapped requirement must be to count.
pub(crate) const MIN_SIMILARITY: f32 = 0.3;
/// How many nearest neighbours may vote.
pub(crate) const MAX_NEIGHBOURS: usize = 5;

/// Bounds are computed in a different order than the similarities they bound; this slack keeps
/// rounding from ever pruning a requirement that would have made the list.
const BOUND_SLACK: f32 = 1e-4;

/// One requirement the consultant decided on, with the last decision per target.
#[derive(Debug, Clone)]
pub(crate) struct Neighbour {
    pub reference: String,
    pub decisions: Vec<(QualifiedRef, bool)>,
    norm: f32,
    /// Its term vector: (term id, weight), by term id.
    terms: Vec<(u32, f32)>,
}

impl Neighbour {
    fn weight(&self, term: u32) -> Option<f32> {
        self.terms
            .binary_search_by_key(&term, |(t, _)| *t)
            .ok()
            .map(|i| self.terms[i].1)
    }
}

/// The decided requirements that use one term.
#[derive(Debug, Clone, Default)]
struct Posting {
    /// Neighbour ids, in neighbour order.
    neighbours: Vec<u32>,
    /// The largest weight ÷ norm of the term in any of them: no requirement's cosine with a
    /// query gains more than the query's normalised weight times this from the term.
    max_share: f32,
}

/// The decisions of an engagement, prepared once for many queries.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub(crate) neighbours: Vec<Neighbour>,
    /// Term → its id in `postings`.
    term_ids: HashMap<String, u32>,
    postings: Vec<Posting>,
    /// Requirement ref → its neighbour id.
    by_ref: HashMap<String, u32>,
}

/// One requirement's place in the decisions, its latest text, and its decisions per target.
type Decided<'a> = (usize, &'a crate::Query, Vec<(QualifiedRef, bool)>);

/// A query's term vector: term → weight.
pub(crate) type TermVector = Vec<(String, f32)>;

/// The best neighbours found so far, most similar first (ties by ref), at most `MAX_NEIGHBOURS`.
struct Best<'a> {
    list: Vec<(&'a Neighbour, f32)>,
}

impl<'a> Best<'a> {
    fn offer(&mut self, nb: &'a Neighbour, sim: f32) {
        let at = self.list.partition_point(|(other, s)| {
            s.total_cmp(&sim)
                .reverse()
                .then_with(|| other.reference.cmp(&nb.reference))
                .is_lt()
        });
        if at < MAX_NEIGHBOURS {
            self.list.insert(at, (nb, sim));
            self.list.truncate(MAX_NEIGHBOURS);
        }
    }

    /// The similarity a newcomer must at least reach to make the list.
    fn floor(&self) -> f32 {
        if self.list.len() < MAX_NEIGHBOURS {
            MIN_SIMILARITY
        } else {
            self.list[MAX_NEIGHBOURS - 1].1.max(MIN_SIMILARITY)
        }
    }
}

impl History {
    /// `vectorise` turns a requirement into its weighted terms (the engine's analysis).
    pub(crate) fn build(
        decisions: &[Decision],
        vectorise: impl Fn(&crate::Query) -> TermVector,
    ) -> History {
        let mut order: Vec<String> = Vec::new();
        let mut by_ref: HashMap<String, Decided> = HashMap::new();
        for d in decisions {
            let key = d.requirement.reference.clone();
            let entry = by_ref.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                (order.len() - 1, &d.requirement, Vec::new())
            });
            // The later decision about the same requirement's text and target wins.
            entry.1 = &d.requirement;
            entry.2.retain(|(t, _)| *t != d.target);
            entry.2.push((d.target.clone(), d.accepted));
        }
        let mut history = History::default();
        for reference in order {
            let Some((_, query, decisions)) = by_ref.remove(&reference) else {
                continue;
            };
            let vector = vectorise(query);
            let norm = vector.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            if norm == 0.0 {
                continue;
            }
            let id = history.neighbours.len() as u32;
            let mut terms: Vec<(u32, f32)> = Vec::with_capacity(vector.len());
            for (term, w) in vector {
                let next = history.term_ids.len() as u32;
                let t = *history.term_ids.entry(term).or_insert(next);
                if t as usize == history.postings.len() {
                    history.postings.push(Posting::default());
                }
                let p = &mut history.postings[t as usize];
                p.neighbours.push(id);
                p.max_share = p.max_share.max(w / norm);
                terms.push((t, w));
            }
            terms.sort_by_key(|(t, _)| *t);
            history.by_ref.insert(reference.clone(), id);
            history.neighbours.push(Neighbour {
                reference,
                decisions,
                norm,
                terms,
            });
        }
        history
    }

    pub fn is_empty(&self) -> bool {
        self.neighbours.is_empty()
    }

    /// How many decided requirements the history holds.
    pub fn len(&self) -> usize {
        self.neighbours.len()
    }

    /// The decisions made on the requirement with this ref itself.
    pub(crate) fn own(&self, reference: &str) -> Option<&Neighbour> {
        self.by_ref
            .get(reference)
            .map(|&id| &self.neighbours[id as usize])
    }

    /// The cosine of `nb` with the query, computed exactly as a scan over the postings would
    /// (the query's terms in order, each adding its product), so ties and the threshold fall the
    /// same way.
    fn similarity(nb: &Neighbour, query: &[(Option<u32>, f32)], qnorm: f32) -> f32 {
        let mut dot = 0f32;
        for &(id, qw) in query {
            if let Some(w) = id.and_then(|t| nb.weight(t)) {
                dot += qw * w;
            }
        }
        (dot / (qnorm * nb.norm)).min(1.0)
    }

    /// The nearest decided requirements other than `itself` (a ref), most similar first (ties by
    /// ref), above the threshold.
    pub(crate) fn nearest(&self, query: &TermVector, itself: &str) -> Vec<(&Neighbour, f32)> {
        if self.neighbours.is_empty() {
            return Vec::new();
        }
        let qnorm = query.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if qnorm == 0.0 {
            return Vec::new();
        }
        let resolved: Vec<(Option<u32>, f32)> = query
            .iter()
            .map(|(t, w)| (self.term_ids.get(t).copied(), *w))
            .collect();
        // The query's terms the history knows, with the most any one of them can add to a
        // cosine, largest first.
        let mut order: Vec<(u32, f32, f32)> = Vec::new();
        for &(id, qw) in &resolved {
            let Some(t) = id else { continue };
            if order.iter().any(|(o, _, _)| *o == t) {
                continue;
            }
            let share = qw / qnorm;
            let bound = share * self.postings[t as usize].max_share;
            order.push((t, bound, share * share));
        }
        order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        // What a requirement first met at term i can reach at most: the sum of the remaining
        // terms' bounds, and (Cauchy–Schwarz, its vector being of length 1) the length of the
        // query's remaining part.
        let mut reach = vec![0f32; order.len()];
        let (mut sum, mut mass) = (0f32, 0f32);
        for i in (0..order.len()).rev() {
            sum += order[i].1;
            mass += order[i].2;
            reach[i] = sum.min(mass.sqrt());
        }

        let mut best = Best { list: Vec::new() };
        let mut seen: HashSet<u32> = HashSet::new();
        for (i, &(t, _, _)) in order.iter().enumerate() {
            if reach[i] * (1.0 + BOUND_SLACK) + BOUND_SLACK < best.floor() {
                break;
            }
            for &n in &self.postings[t as usize].neighbours {
                if !seen.insert(n) {
                    continue;
                }
                let nb = &self.neighbours[n as usize];
                let sim = Self::similarity(nb, &resolved, qnorm);
                if sim >= MIN_SIMILARITY && nb.reference != itself {
                    best.offer(nb, sim);
                }
            }
        }
        best.list
    }

    /// The same list as [`History::nearest`], by comparing the query with every decided
    /// requirement (the reference the index is checked against).
    #[cfg(test)]
    pub(crate) fn nearest_by_scan(
        &self,
        query: &TermVector,
        itself: &str,
    ) -> Vec<(&Neighbour, f32)> {
        let qnorm = query.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if qnorm == 0.0 {
            return Vec::new();
        }
        let resolved: Vec<(Option<u32>, f32)> = query
            .iter()
            .map(|(t, w)| (self.term_ids.get(t).copied(), *w))
            .collect();
        let mut hits: Vec<(&Neighbour, f32)> = self
            .neighbours
            .iter()
            .filter(|nb| {
                resolved
                    .iter()
                    .any(|(id, _)| id.is_some_and(|t| nb.weight(t).is_some()))
            })
            .map(|nb| (nb, Self::similarity(nb, &resolved, qnorm)))
            .filter(|(nb, sim)| *sim >= MIN_SIMILARITY && nb.reference != itself)
            .collect();
        hits.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| a.0.reference.cmp(&b.0.reference))
        });
        hits.truncate(MAX_NEIGHBOURS);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Query;

    /// SplitMix64, for deterministic generated decisions.
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
            (self.next() % n as u64) as usize
        }
    }

    /// A vector over a small vocabulary, so requirements share many terms, repeat one another
    /// exactly now and then (ties), and a few terms are common to nearly all.
    fn vector_of(q: &Query) -> TermVector {
        q.text
            .split_whitespace()
            .map(|w| {
                let (term, weight) = w.split_once('=').expect("term=weight");
                (term.to_string(), weight.parse::<f32>().expect("weight"))
            })
            .collect()
    }

    fn text(rng: &mut Rng, vocabulary: usize) -> String {
        let n = 1 + rng.below(12);
        let mut terms: Vec<usize> = (0..n).map(|_| rng.below(vocabulary)).collect();
        terms.sort_unstable();
        terms.dedup();
        terms
            .iter()
            .map(|t| {
                // Common terms (low numbers) weigh little, as a low idf does.
                let weight = 0.2 + (*t as f32 / vocabulary as f32) * 3.0 + rng.below(4) as f32;
                format!("t{t}={weight}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn generated(count: usize, vocabulary: usize, seed: u64) -> (Vec<Decision>, Vec<Query>) {
        let mut rng = Rng(seed);
        let mut texts: Vec<String> = Vec::new();
        let mut decisions = Vec::new();
        for i in 0..count {
            // One in five repeats an earlier text exactly: equal similarities, ordered by ref.
            let t = if !texts.is_empty() && rng.below(5) == 0 {
                texts[rng.below(texts.len())].clone()
            } else {
                text(&mut rng, vocabulary)
            };
            texts.push(t.clone());
            decisions.push(Decision {
                requirement: Query::new(format!("acme:R-{i:05}"), "", t),
                target: QualifiedRef::new("service", format!("S{}", rng.below(30))),
                accepted: rng.below(4) != 0,
            });
        }
        let mut queries: Vec<Query> = (0..200)
            .map(|i| Query::new(format!("acme:Q-{i}"), "", text(&mut rng, vocabulary)))
            .collect();
        // Queries that are decided requirements themselves (they never count as their own
        // neighbour) and exact copies of decided texts.
        for i in (0..count).step_by(count / 50) {
            queries.push(decisions[i].requirement.clone());
            queries.push(Query::new(
                format!("acme:C-{i}"),
                "",
                decisions[i].requirement.text.clone(),
            ));
        }
        (decisions, queries)
    }

    fn refs(list: &[(&Neighbour, f32)]) -> Vec<(String, f32)> {
        list.iter()
            .map(|(n, s)| (n.reference.clone(), *s))
            .collect()
    }

    #[test]
    fn the_index_finds_exactly_the_neighbours_a_full_scan_finds() {
        for (count, vocabulary, seed) in [(400, 30, 1), (3000, 60, 2), (3000, 400, 3), (50, 8, 4)] {
            let (decisions, queries) = generated(count, vocabulary, seed);
            let history = History::build(&decisions, vector_of);
            let mut found = 0;
            for q in &queries {
                let v = vector_of(q);
                let indexed = history.nearest(&v, &q.reference);
                let scanned = history.nearest_by_scan(&v, &q.reference);
                assert_eq!(
                    refs(&indexed),
                    refs(&scanned),
                    "query {} over {count} decisions",
                    q.reference
                );
                found += indexed.len();
            }
            assert!(found > queries.len(), "the queries do find neighbours");
        }
    }

    #[test]
    fn a_requirement_is_never_its_own_neighbour_and_ties_go_by_ref() {
        let decisions: Vec<Decision> = ["R-3", "R-1", "R-2", "R-9"]
            .iter()
            .map(|r| Decision {
                requirement: Query::new(*r, "", "a=1 b=2"),
                target: QualifiedRef::new("service", "KMS"),
                accepted: true,
            })
            .collect();
        let history = History::build(&decisions, vector_of);
        let found = history.nearest(&vector_of(&Query::new("R-2", "", "a=1 b=2")), "R-2");
        let names: Vec<&str> = found.iter().map(|(n, _)| n.reference.as_str()).collect();
        assert_eq!(names, ["R-1", "R-3", "R-9"]);
        assert!(found.iter().all(|(_, s)| (*s - 1.0).abs() < 1e-6));
        assert_eq!(
            history.own("R-9").map(|n| n.reference.as_str()),
            Some("R-9")
        );
        assert!(history.own("R-4").is_none());
    }
}

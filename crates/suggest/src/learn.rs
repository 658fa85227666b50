//! Learning from the consultant's decisions: the requirements already mapped, indexed so that a
//! new requirement finds its nearest mapped neighbours quickly.

use crate::{Decision, QualifiedRef};
use std::collections::HashMap;

/// How similar (cosine over idf-weighted terms) a mapped requirement must be to count.
pub(crate) const MIN_SIMILARITY: f32 = 0.3;
/// How many nearest neighbours may vote.
pub(crate) const MAX_NEIGHBOURS: usize = 5;

/// One requirement the consultant decided on, with the last decision per target.
#[derive(Debug, Clone)]
pub(crate) struct Neighbour {
    pub reference: String,
    pub decisions: Vec<(QualifiedRef, bool)>,
    norm: f32,
}

/// The decisions of an engagement, prepared once for many queries.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub(crate) neighbours: Vec<Neighbour>,
    /// Term → (neighbour, weight), in neighbour order.
    postings: HashMap<String, Vec<(u32, f32)>>,
}

/// One requirement's place in the decisions, its latest text, and its decisions per target.
type Decided<'a> = (usize, &'a crate::Query, Vec<(QualifiedRef, bool)>);

/// A query's term vector: term → weight.
pub(crate) type TermVector = Vec<(String, f32)>;

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
        let mut neighbours = Vec::with_capacity(order.len());
        let mut postings: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
        for reference in order {
            let Some((_, query, decisions)) = by_ref.remove(&reference) else {
                continue;
            };
            let vector = vectorise(query);
            let norm = vector.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            if norm == 0.0 {
                continue;
            }
            let id = neighbours.len() as u32;
            for (term, w) in vector {
                postings.entry(term).or_default().push((id, w));
            }
            neighbours.push(Neighbour {
                reference,
                decisions,
                norm,
            });
        }
        History {
            neighbours,
            postings,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.neighbours.is_empty()
    }

    /// The decisions made on the requirement with this ref itself.
    pub(crate) fn own(&self, reference: &str) -> Option<&Neighbour> {
        self.neighbours.iter().find(|n| n.reference == reference)
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
        let mut dots: HashMap<u32, f32> = HashMap::new();
        for (term, qw) in query {
            for &(n, w) in self.postings.get(term).map(Vec::as_slice).unwrap_or(&[]) {
                *dots.entry(n).or_default() += qw * w;
            }
        }
        let mut hits: Vec<(&Neighbour, f32)> = dots
            .into_iter()
            .map(|(n, dot)| {
                let nb = &self.neighbours[n as usize];
                (nb, (dot / (qnorm * nb.norm)).min(1.0))
            })
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

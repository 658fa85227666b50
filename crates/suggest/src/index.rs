//! BM25F over the catalogue items of one target kind, precomputed once per engine.
//!
//! Each item is a document made of weighted fields (ref, title, text, attributes, the titles of
//! the items it is linked to, concept terms). The saturated, idf-weighted term weight of every
//! (term, item) pair is computed at build time, so a query only walks the postings of its own
//! terms and adds into one score per item.

use std::collections::HashMap;

/// BM25's term-frequency saturation.
const K1: f32 = 1.2;

/// Where a document's words came from, with its weight and length normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Ref,
    Title,
    Text,
    Attributes,
    /// Titles of linked items and of the parent: what the catalogue says this item is about.
    Context,
    /// Concept terms from the vocabulary's hints (CAF capabilities).
    Hint,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Ref,
        Field::Title,
        Field::Text,
        Field::Attributes,
        Field::Context,
        Field::Hint,
    ];

    fn weight(self) -> f32 {
        match self {
            Field::Ref => 3.0,
            Field::Title => 3.0,
            Field::Text => 1.0,
            Field::Attributes => 1.0,
            Field::Context => 0.6,
            Field::Hint => 2.0,
        }
    }

    /// How much a long field is discounted (BM25's b).
    fn length_discount(self) -> f32 {
        match self {
            Field::Ref | Field::Hint => 0.0,
            Field::Title => 0.3,
            Field::Text | Field::Attributes | Field::Context => 0.75,
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// One document being built: term counts per field.
#[derive(Debug, Default, Clone)]
pub(crate) struct DocTerms {
    counts: [Vec<(u32, f32)>; 6],
}

impl DocTerms {
    pub fn add(&mut self, field: Field, term: u32, count: f32) {
        self.counts[field.slot()].push((term, count));
    }

    fn len(&self, field: Field) -> f32 {
        self.counts[field.slot()].iter().map(|(_, c)| c).sum()
    }

    fn distinct_terms(&self) -> Vec<u32> {
        let mut terms: Vec<u32> = self.counts.iter().flatten().map(|&(t, _)| t).collect();
        terms.sort_unstable();
        terms.dedup();
        terms
    }
}

/// How many documents hold each term over the whole catalogue: weighs terms when comparing two
/// requirements with each other (a kind's own index uses its own document counts).
#[derive(Debug, Default)]
pub(crate) struct Background {
    df: HashMap<u32, u32>,
    n: f32,
}

impl Background {
    pub fn new<'a>(docs: impl IntoIterator<Item = &'a DocTerms>) -> Background {
        let mut df: HashMap<u32, u32> = HashMap::new();
        let mut n = 0;
        for doc in docs {
            n += 1;
            for t in doc.distinct_terms() {
                *df.entry(t).or_default() += 1;
            }
        }
        Background { df, n: n as f32 }
    }

    pub fn idf(&self, term: u32) -> f32 {
        idf(self.n, self.df.get(&term).copied().unwrap_or(0) as f32)
    }
}

fn idf(n: f32, df: f32) -> f32 {
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// The postings of one target kind.
#[derive(Debug, Default)]
pub(crate) struct KindIndex {
    /// Global item ids, in local document order.
    pub items: Vec<usize>,
    /// Term id → (local doc, idf × saturated frequency), sorted by doc.
    postings: HashMap<u32, Vec<(u32, f32)>>,
    /// Term id → idf among this kind's documents.
    idf: HashMap<u32, f32>,
}

impl KindIndex {
    pub fn build(items: Vec<usize>, docs: &[DocTerms]) -> KindIndex {
        let n = docs.len().max(1) as f32;
        let mut avg = [0f32; 6];
        for field in Field::ALL {
            let total: f32 = docs.iter().map(|d| d.len(field)).sum();
            avg[field.slot()] = (total / n).max(1.0);
        }
        // Field-weighted, length-normalised frequency per (doc, term), then document frequency.
        let mut per_doc: Vec<Vec<(u32, f32)>> = Vec::with_capacity(docs.len());
        let mut df: HashMap<u32, u32> = HashMap::new();
        for doc in docs {
            let mut acc: HashMap<u32, f32> = HashMap::new();
            for field in Field::ALL {
                let b = field.length_discount();
                let norm = 1.0 - b + b * doc.len(field) / avg[field.slot()];
                for &(term, count) in &doc.counts[field.slot()] {
                    *acc.entry(term).or_default() += field.weight() * count / norm;
                }
            }
            let mut terms: Vec<(u32, f32)> = acc.into_iter().collect();
            terms.sort_by_key(|&(t, _)| t);
            for &(t, _) in &terms {
                *df.entry(t).or_default() += 1;
            }
            per_doc.push(terms);
        }
        let idf: HashMap<u32, f32> = df.iter().map(|(&t, &d)| (t, idf(n, d as f32))).collect();
        let mut postings: HashMap<u32, Vec<(u32, f32)>> = HashMap::new();
        for (doc, terms) in per_doc.into_iter().enumerate() {
            for (t, tf) in terms {
                let sat = tf * (K1 + 1.0) / (K1 + tf);
                postings
                    .entry(t)
                    .or_default()
                    .push((doc as u32, idf[&t] * sat));
            }
        }
        KindIndex {
            items,
            postings,
            idf,
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn idf(&self, term: u32) -> Option<f32> {
        self.idf.get(&term).copied()
    }

    pub fn postings(&self, term: u32) -> &[(u32, f32)] {
        self.postings.get(&term).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The weight of one term in one document, 0 when absent.
    #[cfg(test)]
    pub fn weight(&self, term: u32, doc: u32) -> f32 {
        weight_in(self.postings(term), doc)
    }

    /// The most one query term can add to a document's score, per unit of query weight.
    pub fn ceiling(&self, term: u32) -> f32 {
        self.idf(term).unwrap_or(0.0) * (K1 + 1.0)
    }
}

/// The weight of one document in a term's postings (from [`KindIndex::postings`]), 0 when absent.
pub fn weight_in(postings: &[(u32, f32)], doc: u32) -> f32 {
    match postings.binary_search_by_key(&doc, |&(d, _)| d) {
        Ok(i) => postings[i].1,
        Err(_) => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(fields: &[(Field, &[(u32, f32)])]) -> DocTerms {
        let mut d = DocTerms::default();
        for (f, terms) in fields {
            for &(t, c) in terms.iter() {
                d.add(*f, t, c);
            }
        }
        d
    }

    #[test]
    fn a_term_in_the_title_outweighs_the_same_term_in_the_text() {
        let docs = vec![
            doc(&[(Field::Title, &[(1, 1.0)]), (Field::Text, &[(2, 1.0)])]),
            doc(&[(Field::Title, &[(2, 1.0)]), (Field::Text, &[(1, 1.0)])]),
            doc(&[(Field::Text, &[(3, 1.0)])]),
        ];
        let index = KindIndex::build(vec![10, 11, 12], &docs);
        assert!(
            index.weight(1, 0) > index.weight(1, 1),
            "title weight 3 beats text weight 1"
        );
        assert_eq!(index.weight(1, 2), 0.0, "doc 2 has no term 1");
    }

    #[test]
    fn a_rare_term_weighs_more_than_a_common_one() {
        let docs = vec![
            doc(&[(Field::Text, &[(1, 1.0), (2, 1.0)])]),
            doc(&[(Field::Text, &[(1, 1.0)])]),
            doc(&[(Field::Text, &[(1, 1.0)])]),
        ];
        let index = KindIndex::build(vec![0, 1, 2], &docs);
        assert!(index.idf(2).unwrap() > index.idf(1).unwrap());
        assert!(index.weight(2, 0) > index.weight(1, 0));
        assert!(
            index.weight(2, 0) <= index.ceiling(2),
            "the ceiling bounds every weight"
        );
    }
}

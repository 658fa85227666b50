//! A small in-memory search over a catalogue, for hosts that have no engagement file open.
//! (Engagement files search their copy of the catalogue with SQLite FTS5.)

use crosswalk_domain::{Catalogue, CatalogueFramework, CatalogueItem};

/// One item that matched a query.
#[derive(Debug, Clone, Copy)]
pub struct SearchHit<'a> {
    pub framework: &'a CatalogueFramework,
    pub item: &'a CatalogueItem,
    /// Higher is better; only meaningful for ordering hits of one query.
    pub score: u32,
}

/// Items that contain every word of `query` (case-insensitive, whole words) in their ref, title,
/// text or attribute values; a qualified `FRAMEWORK:REF` or a bare ref that matches exactly comes
/// first, then title matches, then the rest, each in catalogue order.
pub fn search<'a>(catalogue: &'a Catalogue, query: &str) -> Vec<SearchHit<'a>> {
    let words = tokens(query);
    if words.is_empty() {
        return Vec::new();
    }
    let exact = query.trim().to_lowercase();
    let mut hits = Vec::new();
    for framework in &catalogue.frameworks {
        for item in &framework.items {
            let reference = item.reference.to_lowercase();
            let qualified = format!("{}:{}", framework.id, reference);
            let ref_words = tokens(&item.reference);
            let title_words = tokens(&item.title);
            let text_words = tokens(&item.text);
            let attribute_words: Vec<String> = item
                .attributes
                .iter()
                .flat_map(|(_, v)| tokens(v))
                .collect();
            let mut score = if exact == reference || exact == qualified {
                1000
            } else {
                0
            };
            let mut all = true;
            for word in &words {
                let w = word.as_str();
                let found = [
                    (&ref_words, 30),
                    (&title_words, 10),
                    (&text_words, 3),
                    (&attribute_words, 1),
                ]
                .iter()
                .filter(|(list, _)| list.iter().any(|t| t == w))
                .map(|(_, weight)| *weight)
                .max();
                match found {
                    Some(weight) => score += weight,
                    None => all = false,
                }
            }
            if all || score >= 1000 {
                hits.push(SearchHit {
                    framework,
                    item,
                    score,
                });
            }
        }
    }
    // A stable sort keeps catalogue order among equal scores.
    hits.sort_by_key(|h| std::cmp::Reverse(h.score));
    hits
}

fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

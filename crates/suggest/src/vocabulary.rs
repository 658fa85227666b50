//! The curated security vocabulary (data/vocabulary/security.toml) and the phrase matcher that
//! turns its terms into concept terms.

use crate::text::{words, Word};
use serde::Deserialize;
use std::collections::HashMap;

/// The vocabulary shipped with the engine, embedded at compile time.
const SHIPPED: &str = include_str!("../../../data/vocabulary/security.toml");

/// A vocabulary file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum VocabularyError {
    #[error("vocabulary {file}: {source}")]
    Parse {
        file: String,
        source: Box<toml::de::Error>,
    },
    #[error("vocabulary {file}: concept '{concept}': {message}")]
    Invalid {
        file: String,
        concept: String,
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[allow(dead_code)]
    version: u32,
    #[serde(default)]
    concept: Vec<ConceptSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConceptSpec {
    id: String,
    terms: Vec<String>,
    #[serde(default)]
    caf: Vec<String>,
    #[serde(default)]
    services: Vec<String>,
}

/// One concept: the words that name it and the CAF capabilities it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    pub id: String,
    pub terms: Vec<String>,
    /// Refs of items of the `caf` framework.
    pub caf: Vec<String>,
    /// Refs of items of the `service` framework: the AWS services whose job this concept is.
    pub services: Vec<String>,
}

/// Acronyms and synonyms of security language, grouped into concepts.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    concepts: Vec<Concept>,
    /// First stem of a term → (the term's stems, concept index), longest term first.
    phrases: HashMap<String, Vec<(Vec<String>, usize)>>,
}

impl Vocabulary {
    /// The vocabulary that ships with Crosswalk.
    pub fn shipped() -> Result<Vocabulary, VocabularyError> {
        Vocabulary::parse("data/vocabulary/security.toml", SHIPPED)
    }

    /// Reads a vocabulary file's text; `file` only names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Vocabulary, VocabularyError> {
        let parsed: File = toml::from_str(text).map_err(|e| VocabularyError::Parse {
            file: file.to_string(),
            source: Box::new(e),
        })?;
        let invalid = |concept: &str, message: String| VocabularyError::Invalid {
            file: file.to_string(),
            concept: concept.to_string(),
            message,
        };
        let mut phrases: HashMap<String, Vec<(Vec<String>, usize)>> = HashMap::new();
        let mut owner: HashMap<Vec<String>, String> = HashMap::new();
        let mut concepts = Vec::with_capacity(parsed.concept.len());
        for (index, spec) in parsed.concept.into_iter().enumerate() {
            if spec.id.trim().is_empty() || spec.id.contains(char::is_whitespace) {
                return Err(invalid(&spec.id, "the id must be one word".into()));
            }
            if concepts.iter().any(|c: &Concept| c.id == spec.id) {
                return Err(invalid(&spec.id, "the id is used twice".into()));
            }
            if spec.terms.is_empty() {
                return Err(invalid(&spec.id, "it has no terms".into()));
            }
            for term in &spec.terms {
                let stems: Vec<String> = words(term).into_iter().map(|w| w.stem).collect();
                if stems.is_empty() {
                    return Err(invalid(&spec.id, format!("term '{term}' has no words")));
                }
                match owner.get(&stems) {
                    Some(other) if *other == spec.id => continue,
                    Some(other) => {
                        return Err(invalid(
                            &spec.id,
                            format!("term '{term}' also belongs to concept '{other}'"),
                        ))
                    }
                    None => {}
                }
                owner.insert(stems.clone(), spec.id.clone());
                phrases
                    .entry(stems[0].clone())
                    .or_default()
                    .push((stems, index));
            }
            concepts.push(Concept {
                id: spec.id,
                terms: spec.terms,
                caf: spec.caf,
                services: spec.services,
            });
        }
        for list in phrases.values_mut() {
            // Longest first, so "audit trail" wins over "audit"; then by concept for determinism.
            list.sort_by(|a, b| {
                b.0.len()
                    .cmp(&a.0.len())
                    .then(a.1.cmp(&b.1))
                    .then(a.0.cmp(&b.0))
            });
        }
        Ok(Vocabulary { concepts, phrases })
    }

    pub fn concepts(&self) -> &[Concept] {
        &self.concepts
    }

    /// The concepts named in a run of words, in order of appearance, one per match. Matching is
    /// greedy and longest-first, and a matched span is consumed, so "audit trail" counts as
    /// logging and not also as audit.
    pub(crate) fn find_spans(&self, words: &[Word]) -> Vec<(usize, (usize, usize))> {
        let mut found = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let mut advanced = false;
            if let Some(candidates) = self.phrases.get(&words[i].stem) {
                for (stems, concept) in candidates {
                    let end = i + stems.len();
                    if end <= words.len()
                        && words[i..end].iter().zip(stems).all(|(w, s)| w.stem == *s)
                    {
                        found.push((*concept, (i, end)));
                        i = end;
                        advanced = true;
                        break;
                    }
                }
            }
            if !advanced {
                i += 1;
            }
        }
        found
    }

    /// The term a concept adds to a text; it cannot collide with a word, which has no `#`.
    pub(crate) fn concept_term(&self, concept: usize) -> String {
        format!("#{}", self.concepts[concept].id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concept_ids(v: &Vocabulary, text: &str) -> Vec<String> {
        v.find_spans(&words(text))
            .into_iter()
            .map(|(c, _)| v.concepts()[c].id.clone())
            .collect()
    }

    #[test]
    fn the_shipped_vocabulary_parses_and_covers_the_issue_examples() {
        let v = Vocabulary::shipped().expect("the shipped vocabulary must parse");
        let cases = [
            ("Users must use two-factor authentication", "mfa"),
            ("MFA for all console users", "mfa"),
            ("Data at rest is protected", "encryption-at-rest"),
            ("apply least privilege", "least-privilege"),
            ("keep an audit trail of administrator actions", "logging"),
            ("enable key rotation yearly", "key-rotation"),
            ("put a WAF in front of web apps", "waf"),
            ("resist DDoS attacks", "ddos"),
            ("deploy IDS/IPS at the perimeter", "ids-ips"),
            ("network segmentation between tiers", "segmentation"),
        ];
        for (text, concept) in cases {
            assert!(
                concept_ids(&v, text).contains(&concept.to_string()),
                "'{text}' should name the concept {concept}, got {:?}",
                concept_ids(&v, text)
            );
        }
    }

    #[test]
    fn the_longest_phrase_wins_and_consumes_its_words() {
        let v = Vocabulary::shipped().unwrap();
        assert_eq!(
            concept_ids(&v, "an audit trail"),
            ["logging"],
            "'audit trail' is logging, and its 'audit' must not also count as assurance"
        );
        assert_eq!(concept_ids(&v, "an external audit"), ["audit-assurance"]);
    }

    #[test]
    fn inflected_forms_match_because_terms_are_stemmed_like_the_text() {
        let v = Vocabulary::shipped().unwrap();
        assert_eq!(
            concept_ids(&v, "keys are rotated: rotation of keys"),
            ["key-rotation"]
        );
        assert!(concept_ids(&v, "security groups").contains(&"firewall".to_string()));
    }

    #[test]
    fn a_term_in_two_concepts_is_an_error_naming_both() {
        let text = r#"
            version = 1
            [[concept]]
            id = "a"
            terms = ["key rotation"]
            [[concept]]
            id = "b"
            terms = ["rotating keys", "Key Rotations"]
        "#;
        let err = Vocabulary::parse("v.toml", text).unwrap_err().to_string();
        assert!(
            err.contains("v.toml") && err.contains("'b'") && err.contains("'a'"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_field_is_reported_with_the_file_name() {
        let err = Vocabulary::parse("v.toml", "version = 1\n[[concept]]\nid='a'\nterm=['x']\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("vocabulary v.toml"), "{err}");
    }
}

//! Explicit references in a requirement's text (`AC-2`, `NIST 800-53 SC-13`, `CIS 1.4`,
//! `IAM.6`, `SEC03-BP01`, `MSR.IAM.2`, `fsbp:IAM.6`) and how they are written down for lookup.

use crosswalk_domain::QualifiedRef;

/// One reference found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cited {
    /// As written (trimmed), for the reason shown to the user.
    pub written: String,
    /// The lookup key (see [`key`]).
    pub key: String,
    /// The same reference without its enhancement (`AC-2(1)` → `AC-2`), tried when the exact
    /// key names nothing.
    pub base: Option<String>,
    /// `framework:REF` written out in full.
    pub qualified: Option<QualifiedRef>,
}

/// The lookup key of a reference: uppercase, no spaces, no leading zeros in numbers, so that
/// `AC-02 (01)`, `ac-2(1)` and `AC-2 (1)` meet. A scheme such as `CIS` is kept as a prefix
/// (`CIS:1.4`) because a bare `1.4` would match any numbered list.
pub(crate) fn key(scheme: Option<&str>, reference: &str) -> String {
    let mut out = String::with_capacity(reference.len() + 5);
    if let Some(s) = scheme {
        out.push_str(&s.to_ascii_uppercase());
        out.push(':');
    }
    let mut prev_digit = false;
    let mut pending_zero = false;
    for c in reference.chars() {
        if c.is_whitespace() {
            continue;
        }
        if c.is_ascii_digit() {
            if c == '0' && !prev_digit {
                pending_zero = true;
                continue;
            }
            pending_zero = false;
            prev_digit = true;
            out.push(c);
        } else {
            if pending_zero {
                out.push('0');
                pending_zero = false;
            }
            prev_digit = false;
            out.extend(c.to_uppercase());
        }
    }
    if pending_zero {
        out.push('0');
    }
    out
}

/// Whether a word can be a control id: it has a digit or an underscore, and a separator.
fn looks_like_id(word: &str) -> bool {
    let has_sep = word.contains(['.', '-', '_']);
    let has_mark = word.bytes().any(|b| b.is_ascii_digit() || b == b'_');
    let starts_alnum = word
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    has_sep && has_mark && starts_alnum && word.len() <= 64
}

fn is_dotted_number(word: &str) -> bool {
    let mut parts = word.split('.');
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    parts.clone().count() >= 2 && parts.all(all_digits)
}

fn trim_word(word: &str) -> &str {
    let mut w = word.trim_matches(|c: char| {
        matches!(
            c,
            '"' | '\'' | '[' | ']' | '{' | '}' | ',' | ';' | '!' | '?' | '“' | '”'
        )
    });
    // A sentence's full stop or colon is not part of the id ("see IAM.6.").
    w = w.trim_end_matches(['.', ':']);
    // Keep the parentheses of an enhancement (`AC-2(1)`), drop the ones around the id.
    // Parentheses are single bytes that no other character's UTF-8 contains.
    let count = |w: &str, b: u8| w.bytes().filter(|&c| c == b).count();
    let opens = count(w, b'(');
    let closes = count(w, b')');
    if closes > opens {
        w = w.trim_end_matches(')');
    }
    if opens > count(w, b')') {
        w = w.trim_start_matches('(');
    }
    w
}

/// Every reference-like word of a text, in order, without duplicates.
pub(crate) fn cited(text: &str) -> Vec<Cited> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .map(trim_word)
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: Vec<Cited> = Vec::new();
    let mut push = |c: Cited| {
        if !out.iter().any(|o| o.key == c.key) {
            out.push(c);
        }
    };
    for (i, word) in words.iter().enumerate() {
        if let Some(q) = QualifiedRef::parse(word) {
            let plausible = q
                .framework
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !q.reference.starts_with('/');
            if plausible {
                push(Cited {
                    written: word.to_string(),
                    key: key(None, &q.reference),
                    base: None,
                    qualified: Some(q),
                });
                continue;
            }
        }
        if is_dotted_number(word) {
            let cis_before = words[i.saturating_sub(4)..i]
                .iter()
                .any(|w| w.eq_ignore_ascii_case("cis"));
            if cis_before {
                push(Cited {
                    written: format!("CIS {word}"),
                    key: key(Some("CIS"), word),
                    base: None,
                    qualified: None,
                });
            }
            continue;
        }
        if !looks_like_id(word) {
            continue;
        }
        // "AC-2 (1)": the enhancement written as the next word.
        let mut written = word.to_string();
        if let Some(next) = words.get(i + 1) {
            let inner = next.strip_prefix('(').and_then(|n| n.strip_suffix(')'));
            if inner.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) {
                written.push_str(next);
            }
        }
        let k = key(None, &written);
        let base = k.find('(').map(|p| k[..p].to_string());
        push(Cited {
            written,
            key: k,
            base,
            qualified: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        cited(text).into_iter().map(|c| c.key).collect()
    }

    #[test]
    fn spellings_of_one_reference_share_a_key() {
        assert_eq!(key(None, "AC-02 (01)"), "AC-2(1)");
        assert_eq!(key(None, "ac-2(1)"), "AC-2(1)");
        assert_eq!(key(None, "SEC03-BP01"), key(None, "SEC3-BP1"));
        assert_eq!(key(None, "SC-10"), "SC-10", "a zero inside a number stays");
        assert_eq!(key(None, "IAM.0"), "IAM.0", "a lone zero stays");
        assert_eq!(key(Some("cis"), "1.4"), "CIS:1.4");
    }

    #[test]
    fn the_issue_examples_are_all_found() {
        let text = "Per AC-2 and NIST 800-53 SC-13, CIS 1.4 (see IAM.6), SEC03-BP01 and MSR.IAM.2.";
        assert_eq!(
            keys(text),
            [
                "AC-2",
                "800-53",
                "SC-13",
                "CIS:1.4",
                "IAM.6",
                "SEC3-BP1",
                "MSR.IAM.2"
            ],
            "'800-53' is found too; it names no catalogue item so the lookup drops it"
        );
    }

    #[test]
    fn an_enhancement_written_apart_joins_its_control_and_keeps_a_fallback() {
        let c = cited("as required by AC-2 (4) and AC-6(9).");
        assert_eq!(c[0].key, "AC-2(4)");
        assert_eq!(c[0].base.as_deref(), Some("AC-2"));
        assert_eq!(c[1].key, "AC-6(9)");
    }

    #[test]
    fn ordinary_words_and_bare_numbers_are_not_references() {
        assert!(keys("Use multi-factor e-mail sign-in on version 1.4 for 24x7 use").is_empty());
    }

    #[test]
    fn a_qualified_reference_names_its_framework() {
        let c = cited("map to fsbp:IAM.6 and service:KMS");
        assert_eq!(c[0].qualified, Some(QualifiedRef::new("fsbp", "IAM.6")));
        assert_eq!(c[1].qualified, Some(QualifiedRef::new("service", "KMS")));
        assert!(cited("see https://example.com/a-1")
            .iter()
            .all(|c| c.qualified.is_none()));
    }
}

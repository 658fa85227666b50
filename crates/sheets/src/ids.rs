//! Requirement ids: normalising the spellings of one id, reading an id written at the start of
//! a cell (`GV.OC-01: text`, `GOVERN (GV): text`), and generating a stable id for a row that
//! has none.

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// The NIST SP 800-53 control families. Only ids in these families get the zero-stripping and
/// enhancement rules, so a customer's own `REQ-001` keeps its zeros.
const NIST_FAMILIES: [&str; 20] = [
    "AC", "AT", "AU", "CA", "CM", "CP", "IA", "IR", "MA", "MP", "PE", "PL", "PM", "PS", "PT", "RA",
    "SA", "SC", "SI", "SR",
];

/// The ref an id is stored under: compatibility forms folded (full-width letters and
/// punctuation, no-break spaces), outer spaces trimmed, inner runs of spaces made one, and
/// NIST 800-53 ids written one way (`AC-02 (01)`, `AC-2 (1)`, `ac-2(1)` → `AC-2(1)`).
pub fn normalise(raw: &str) -> String {
    // ASCII text is already in its compatibility form; most ids are ASCII.
    if raw.is_ascii() {
        // Most ids are already spaced as they are stored: no outer spaces, no runs of them,
        // no tabs or breaks. They are kept as they are without splitting and joining.
        let b = raw.as_bytes();
        let plain = b.first() != Some(&b' ')
            && b.last() != Some(&b' ')
            && !b.windows(2).any(|w| w == b"  ")
            && !b.iter().any(|c| c.is_ascii_whitespace() && *c != b' ');
        if plain {
            return nist(raw).unwrap_or_else(|| raw.to_string());
        }
        let spaced = raw.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
        return nist(&spaced).unwrap_or(spaced);
    }
    let folded: String = raw
        .nfkc()
        .filter(|c| !is_invisible(*c))
        .map(|c| if is_dash(c) { '-' } else { c })
        .collect();
    let spaced = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    nist(&spaced).unwrap_or(spaced)
}

/// Format characters that print as nothing: zero-width spaces and joiners, the soft hyphen,
/// a byte-order mark inside a cell, direction marks, the word joiner.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
    )
}

/// Hyphens, dashes and minus signs that read as `-` in an id.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
    )
}

fn nist(s: &str) -> Option<String> {
    let (family, rest) = s.split_once('-')?;
    let family = family.trim();
    // Every family is two letters: anything else is not a NIST id (and costs no allocation).
    if family.len() != 2 {
        return None;
    }
    let family = family.to_ascii_uppercase();
    if !NIST_FAMILIES.contains(&family.as_str()) {
        return None;
    }
    let rest = rest.trim();
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let base: u32 = rest[..digits_end].parse().ok()?;
    let tail = rest[digits_end..].trim();
    if tail.is_empty() {
        return Some(format!("{family}-{base}"));
    }
    let inner = tail.strip_prefix('(')?.strip_suffix(')')?.trim();
    let enhancement: u32 = inner.parse().ok()?;
    Some(format!("{family}-{base}({enhancement})"))
}

/// An id written at the start of a cell, with what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embedded {
    pub id: String,
    /// The name before a parenthesised id (`GOVERN` in `GOVERN (GV): …`), else empty.
    pub title: String,
    /// What follows the colon, else empty.
    pub text: String,
}

/// Reads `Name (ID): text`, `Name (ID)` or `ID: text`, where ID is a code (no spaces, with a
/// capital letter or a digit). Anything else is not an embedded id.
pub fn embedded(cell: &str) -> Option<Embedded> {
    let cell = cell.trim();
    // Early outs for prose, giving the same answers as the full reading below: without a colon
    // only `Name (ID)` can match; with one, the head is `Name (ID)` or a code of at most 24
    // characters (96 bytes).
    match cell.find(':') {
        None if !cell.ends_with(')') => return None,
        Some(colon) => {
            let head = cell[..colon].trim_end();
            if !head.ends_with(')') && head.len() > 96 {
                return None;
            }
        }
        None => {}
    }
    let (head, text) = match cell.split_once(':') {
        Some((h, t)) => (h.trim(), t.trim()),
        None => (cell, ""),
    };
    if let Some(before) = head.strip_suffix(')') {
        if let Some(open) = before.rfind('(') {
            let id = before[open + 1..].trim();
            let title = before[..open].trim();
            if is_code(id) && !title.is_empty() {
                return Some(Embedded {
                    id: id.to_string(),
                    title: title.to_string(),
                    text: text.to_string(),
                });
            }
        }
    }
    let separated = head.contains(['.', '-']) || head.chars().any(|c| c.is_ascii_digit());
    if cell.contains(':') && separated && is_code(head) {
        return Some(Embedded {
            id: head.to_string(),
            title: String::new(),
            text: text.to_string(),
        });
    }
    None
}

fn is_code(s: &str) -> bool {
    (1..=24).contains(&s.chars().count())
        && s.chars()
            .all(|c| c.is_alphanumeric() || "._-/&".contains(c))
        && s.chars().next().is_some_and(char::is_alphanumeric)
        && s.chars().any(|c| c.is_ascii_digit() || c.is_uppercase())
        && !s.chars().any(char::is_lowercase)
}

/// Whether a value could be an id rather than a sentence: short, at most three words, and
/// either one word or holding a digit. `End of Standard` and a copyright line are not.
pub fn looks_like_id(v: &str) -> bool {
    if v.len() > 160 {
        return false;
    }
    let words = v.split_whitespace().count();
    v.chars().count() <= 40 && words <= 3 && (words == 1 || v.chars().any(|c| c.is_ascii_digit()))
}

/// A ref for a row without an id, derived from the row's content only (not its position), so
/// the same row gets the same ref when a newer version of the sheet is imported.
pub fn generated(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    let digest = h.finalize();
    format!("ROW-{}", hex::encode(&digest[..6]).to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_fedramp_spellings_of_an_id_are_one_ref() {
        assert_eq!(normalise("AC-02 (01)"), "AC-2(1)");
        assert_eq!(normalise("AC-2 (1)"), "AC-2(1)");
        assert_eq!(normalise("AC-2"), "AC-2");
        assert_eq!(normalise("ac-02"), "AC-2");
    }

    #[test]
    fn non_nist_ids_keep_their_zeros_and_case() {
        assert_eq!(normalise("REQ-001"), "REQ-001");
        assert_eq!(normalise("A&A-01.1"), "A&A-01.1");
        assert_eq!(normalise("GV.OC-01"), "GV.OC-01");
        assert_eq!(normalise("1.1-EI/EE"), "1.1-EI/EE");
    }

    #[test]
    fn spaces_no_break_spaces_and_full_width_punctuation_are_folded() {
        assert_eq!(normalise("\u{a0}REQ\u{ff0d}12 "), "REQ-12");
        assert_eq!(normalise("AC-2\u{a0}(1)"), "AC-2(1)");
        assert_eq!(normalise("Req  12"), "Req 12");
    }

    #[test]
    fn an_id_written_before_a_colon_is_read() {
        let e = embedded("GV.OC-01: The organizational mission is understood").unwrap();
        assert_eq!((e.id.as_str(), e.title.as_str()), ("GV.OC-01", ""));
        assert_eq!(e.text, "The organizational mission is understood");
    }

    #[test]
    fn an_id_in_parentheses_after_a_name_is_read_with_the_name() {
        let e = embedded("Organizational Context (GV.OC): The circumstances").unwrap();
        assert_eq!(
            (e.id.as_str(), e.title.as_str(), e.text.as_str()),
            ("GV.OC", "Organizational Context", "The circumstances")
        );
        let closing = embedded("GOVERN (GV)").unwrap();
        assert_eq!((closing.id.as_str(), closing.text.as_str()), ("GV", ""));
    }

    #[test]
    fn prose_with_a_colon_is_not_an_id() {
        assert_eq!(embedded("Note: this applies to all systems"), None);
        assert_eq!(embedded("Access control (see policy): text"), None);
    }

    #[test]
    fn a_generated_ref_depends_on_content_only() {
        assert_eq!(generated(&["a", "b"]), generated(&["a", "b"]));
        assert_ne!(
            generated(&["a", "b"]),
            generated(&["ab", ""]),
            "parts are separated"
        );
        assert!(generated(&["x"]).starts_with("ROW-"));
    }

    #[test]
    fn end_markers_and_notices_do_not_look_like_ids() {
        assert!(looks_like_id("A&A-01.1"));
        assert!(looks_like_id("AC-2 (1)"));
        assert!(!looks_like_id("End of Standard"));
        assert!(!looks_like_id(
            "© Copyright 2023 Cloud Security Alliance - All rights reserved"
        ));
    }

    #[test]
    fn ascii_ids_are_spaced_the_same_with_or_without_the_shortcut() {
        assert_eq!(normalise("REQ-001"), "REQ-001");
        assert_eq!(normalise("  REQ  001\t"), "REQ 001");
        assert_eq!(normalise("ac-02 (01)"), "AC-2(1)");
        assert_eq!(normalise(" ac-02\n(01) "), "AC-2(1)");
        assert_eq!(
            normalise("ACX-2"),
            "ACX-2",
            "three letters are no NIST family"
        );
        assert_eq!(normalise(" AC -2"), "AC-2");
    }
}

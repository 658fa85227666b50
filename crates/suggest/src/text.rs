//! Turning free text into the terms the ranker compares: folding, splitting, light stemming.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// One word of a text: its folded form (for phrase and reference matching) and its stem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    /// Folded and lowercased, as written otherwise.
    pub raw: String,
    pub stem: String,
    pub stop: bool,
}

/// Splits `text` into words: NFKD-folded to ASCII where possible, lowercased, cut at every
/// character that is not a letter or digit.
pub(crate) fn words(text: &str) -> Vec<Word> {
    // ASCII is its own NFKD form and has no combining marks: the fold would hand back the same
    // characters, only slower.
    if text.is_ascii() {
        split_words(text.chars())
    } else {
        split_words(text.nfkd())
    }
}

fn split_words(chars: impl Iterator<Item = char>) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current = String::new();
    // Letters and capitals of the current word: "OU" written in capitals is an acronym, "ou"
    // or "Ou" a word of another language.
    let (mut letters, mut capitals) = (0usize, 0usize);
    for c in chars {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if c.is_alphabetic() {
                letters += 1;
                capitals += usize::from(c.is_uppercase());
            }
            current.extend(c.to_lowercase());
        } else if !current.is_empty() {
            push_word(&mut out, &current, letters > 0 && capitals == letters);
            current.clear();
            (letters, capitals) = (0, 0);
        }
    }
    if !current.is_empty() {
        push_word(&mut out, &current, letters > 0 && capitals == letters);
    }
    out
}

fn push_word(out: &mut Vec<Word>, raw: &str, capitals: bool) {
    let stop =
        is_stopword(raw) || is_noise_number(raw) || (!capitals && is_foreign_function_word(raw));
    out.push(Word {
        raw: raw.to_string(),
        stem: stem(raw),
        stop,
    });
}

/// Short numbers ("30 days", "IAM.6") say nothing about which service fits; longer ones
/// (ports, key sizes) sometimes do.
fn is_noise_number(raw: &str) -> bool {
    raw.len() < 3 && raw.bytes().all(|b| b.is_ascii_digit())
}

/// English function words plus the boilerplate of control catalogues ("this control checks
/// whether … should …"), which would otherwise pull every query toward long control texts.
fn is_stopword(w: &str) -> bool {
    matches!(
        w,
        "a" | "about"
            | "across"
            | "after"
            | "all"
            | "also"
            | "an"
            | "and"
            | "any"
            | "are"
            | "as"
            | "at"
            | "be"
            | "been"
            | "before"
            | "being"
            | "both"
            | "but"
            | "by"
            | "can"
            | "check"
            | "checked"
            | "checks"
            | "control"
            | "controls"
            | "could"
            | "do"
            | "does"
            | "e"
            | "each"
            | "eg"
            | "either"
            | "else"
            | "ensure"
            | "ensures"
            | "etc"
            | "every"
            | "fail"
            | "fails"
            | "for"
            | "from"
            | "g"
            | "has"
            | "have"
            | "how"
            | "however"
            | "i"
            | "ie"
            | "if"
            | "in"
            | "into"
            | "is"
            | "it"
            | "its"
            | "may"
            | "more"
            | "most"
            | "must"
            | "no"
            | "not"
            | "of"
            | "on"
            | "only"
            | "or"
            | "other"
            | "our"
            | "out"
            | "over"
            | "pass"
            | "passes"
            | "per"
            | "require"
            | "required"
            | "requirement"
            | "requirements"
            | "requires"
            | "s"
            | "same"
            | "shall"
            | "should"
            | "so"
            | "such"
            | "than"
            | "that"
            | "the"
            | "their"
            | "them"
            | "then"
            | "there"
            | "these"
            | "they"
            | "this"
            | "those"
            | "through"
            | "to"
            | "under"
            | "up"
            | "upon"
            | "use"
            | "used"
            | "uses"
            | "using"
            | "via"
            | "was"
            | "we"
            | "were"
            | "what"
            | "when"
            | "where"
            | "whether"
            | "which"
            | "while"
            | "who"
            | "will"
            | "with"
            | "within"
            | "without"
            | "would"
            | "you"
            | "your"
    )
}

/// The commonest function words of French, German, Spanish, Italian, Portuguese and Dutch, as
/// folded by [`words`]. Written in small letters they are not terms: the French "ou" (or) and
/// "au" (at the) would otherwise match the OU of an organization and the AU family of NIST. In
/// capitals ("OU", "DES") they stay, as the acronyms they are in English. None is an English
/// word a security requirement would use in small letters.
pub(crate) fn is_foreign_function_word(w: &str) -> bool {
    matches!(
        w,
        // French
        "au" | "aux"
            | "ce"
            | "ces"
            | "cette"
            | "dans"
            | "de"
            | "des"
            | "du"
            | "elle"
            | "est"
            | "et"
            | "etre"
            | "il"
            | "la"
            | "le"
            | "les"
            | "leur"
            | "leurs"
            | "l"
            | "d"
            | "ne"
            | "ou"
            | "par"
            | "pas"
            | "pour"
            | "qu"
            | "que"
            | "qui"
            | "sa"
            | "ses"
            | "son"
            | "sont"
            | "sur"
            | "un"
            | "une"
            | "avec"
            // German
            | "auf"
            | "bei"
            | "das"
            | "dem"
            | "den"
            | "der"
            | "die"
            | "ein"
            | "eine"
            | "einer"
            | "fur"
            | "ist"
            | "mit"
            | "nicht"
            | "oder"
            | "sich"
            | "sind"
            | "und"
            | "von"
            | "werden"
            | "wird"
            | "zu"
            | "zum"
            | "zur"
            // Spanish, Italian, Portuguese
            | "al"
            | "con"
            | "da"
            | "del"
            | "della"
            | "di"
            | "em"
            | "el"
            | "los"
            | "las"
            | "para"
            | "por"
            | "una"
            | "y"
            // Dutch
            | "een"
            | "het"
            | "niet"
            | "van"
            | "voor"
    )
}

/// English function words that nearly every English sentence has.
fn is_english_function_word(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "and"
            | "are"
            | "as"
            | "at"
            | "be"
            | "by"
            | "for"
            | "from"
            | "has"
            | "have"
            | "in"
            | "is"
            | "it"
            | "must"
            | "of"
            | "on"
            | "or"
            | "shall"
            | "should"
            | "that"
            | "the"
            | "their"
            | "this"
            | "to"
            | "which"
            | "will"
            | "with"
    )
}

/// Whether a text reads as another language than English: it has at least two function words
/// of French, German, Spanish, Italian, Portuguese or Dutch, and more of them than English
/// ones. A text too short to tell (an id, a title of three words) is not flagged.
pub fn looks_non_english(text: &str) -> bool {
    let (mut english, mut foreign) = (0usize, 0usize);
    for w in words(text) {
        if is_english_function_word(&w.raw) {
            english += 1;
        } else if is_foreign_function_word(&w.raw) {
            foreign += 1;
        }
    }
    foreign >= 2 && foreign > english
}

/// A light English stemmer: enough to fold the inflections security texts use
/// (encrypt/encrypted/encryption, log/logs/logging, policy/policies, rotate/rotation) onto one
/// stem without the aggressiveness of a full Porter stemmer, which merges too many AWS names.
pub(crate) fn stem(word: &str) -> String {
    let w = word;
    // Acronyms, ids and anything containing digits are names, not inflected words.
    if w.len() <= 3 || w.bytes().any(|b| b.is_ascii_digit()) || !w.is_ascii() {
        return w.to_string();
    }
    // Words whose families the suffix rules would wrongly merge with another family.
    match w {
        "certification" | "certifications" | "certified" | "certifies" | "certifying" => {
            return "certify".to_string();
        }
        _ => {}
    }
    let mut s = w.to_string();
    strip_inflection(&mut s);
    strip_derivation(&mut s);
    if s.len() > 4 && s.ends_with('e') {
        s.pop();
    }
    undouble(&mut s);
    s
}

fn replace_suffix(s: &mut String, suffix: &str, with: &str, min_stem: usize) -> bool {
    if s.len() >= suffix.len() + min_stem && s.ends_with(suffix) {
        s.truncate(s.len() - suffix.len());
        s.push_str(with);
        true
    } else {
        false
    }
}

fn strip_inflection(s: &mut String) {
    if replace_suffix(s, "ies", "y", 2)
        || replace_suffix(s, "sses", "ss", 2)
        || replace_suffix(s, "xes", "x", 2)
        || replace_suffix(s, "ches", "ch", 2)
        || replace_suffix(s, "shes", "sh", 2)
    {
        return;
    }
    if s.ends_with('s') && !s.ends_with("ss") && !s.ends_with("us") && !s.ends_with("is") {
        replace_suffix(s, "s", "", 3);
    }
    if replace_suffix(s, "ing", "", 3) || replace_suffix(s, "ed", "", 3) {
        // "logging" → "logg" → "log"; "enabled" → "enabl".
    }
}

fn strip_derivation(s: &mut String) {
    const RULES: &[(&str, &str, usize)] = &[
        ("ization", "iz", 3),
        ("isation", "iz", 3),
        ("ication", "ic", 3),
        ("ability", "abl", 3),
        ("ibility", "ibl", 3),
        ("ation", "at", 3),
        ("ition", "it", 3),
        ("ction", "ct", 2),
        ("ption", "pt", 2),
        ("sion", "s", 3),
        ("ment", "", 4),
        ("ness", "", 3),
        ("ity", "", 4),
        ("ive", "", 4),
        ("ally", "al", 3),
        ("ly", "", 4),
    ];
    for (suffix, with, min) in RULES {
        if replace_suffix(s, suffix, with, *min) {
            break;
        }
    }
    // "authenticat(e)", "configurat(ion)", "rotat(e)": drop the "-at" so the verb and the noun meet.
    if s.len() >= 6 && s.ends_with("at") {
        s.truncate(s.len() - 2);
    } else if s.len() >= 7 && s.ends_with("ate") {
        s.truncate(s.len() - 3);
    }
    // "authenticity"/"authentic" and "identities"/"identity" are already folded above.
}

fn undouble(s: &mut String) {
    let b = s.as_bytes();
    let n = b.len();
    if n >= 4 && b[n - 1] == b[n - 2] && !matches!(b[n - 1], b'l' | b's' | b'z' | b'e' | b'o') {
        s.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        words(text)
            .into_iter()
            .filter(|w| !w.stop)
            .map(|w| w.stem)
            .collect()
    }

    #[test]
    fn word_families_of_security_texts_share_a_stem() {
        let families: &[&[&str]] = &[
            &["encrypt", "encrypted", "encryption", "encrypts"],
            &["log", "logs", "logging", "logged"],
            &["policy", "policies"],
            &["rotate", "rotated", "rotation", "rotating"],
            &["authenticate", "authenticated", "authentication"],
            &["configure", "configured", "configuration"],
            &["protect", "protected", "protection"],
            &["monitor", "monitoring", "monitored"],
            &["vulnerability", "vulnerabilities"],
            &["access", "accesses"],
            &["key", "keys"],
            &["backup", "backups"],
            &["segment", "segmentation", "segmented"],
            &["certificate", "certificates"],
            &["certification", "certified"],
        ];
        for family in families {
            let first = stem(family[0]);
            for w in family.iter() {
                assert_eq!(stem(w), first, "{w} should share the stem of {}", family[0]);
            }
        }
    }

    #[test]
    fn a_certificate_is_not_a_certification() {
        assert_ne!(
            stem("certificate"),
            stem("certification"),
            "ACM is not an audit"
        );
    }

    #[test]
    fn names_with_digits_and_short_acronyms_are_kept_as_they_are() {
        assert_eq!(stem("s3"), "s3");
        assert_eq!(stem("ec2"), "ec2");
        assert_eq!(stem("kms"), "kms");
        assert_eq!(stem("waf"), "waf");
    }

    #[test]
    fn text_is_folded_to_lowercase_ascii_and_split_at_punctuation() {
        assert_eq!(
            stems("Données chiffrées au repos (KMS)"),
            ["donne", "chiffre", "repo", "kms"].map(String::from),
            "accents are folded; the words are stemmed; \"au\" is a French function word"
        );
        assert_eq!(stems("multi-factor"), ["multi", "factor"].map(String::from));
    }

    #[test]
    fn function_words_of_other_languages_are_not_terms_unless_written_as_acronyms() {
        let french = stems("Le chef de service ou la direction générale, au titre de l'activité");
        assert_eq!(french.len(), 6, "{french:?}");
        for w in ["le", "de", "ou", "la", "au", "l"] {
            assert!(!french.contains(&w.to_string()), "{w} in {french:?}");
        }
        assert_eq!(
            stems("Attach the SCP to the OU; AU-6 audit review; no DES"),
            ["attach", "scp", "ou", "au", "audit", "review", "des"].map(String::from),
            "in capitals they are acronyms"
        );
    }

    #[test]
    fn french_and_german_texts_look_non_english_and_english_ones_do_not() {
        assert!(looks_non_english(
            "L'entité liste l'ensemble de ses activités et services, y compris les activités \
             qui ne correspondent pas aux critères."
        ));
        assert!(looks_non_english(
            "Die Daten werden mit einem Schlüssel verschlüsselt und der Zugriff ist protokolliert."
        ));
        assert!(!looks_non_english(
            "All customer data must be encrypted at rest with keys managed by the customer."
        ));
        assert!(!looks_non_english("Audit logging"), "too short to tell");
        assert!(
            !looks_non_english("Le chef"),
            "one function word is not enough"
        );
    }

    #[test]
    fn boilerplate_and_short_numbers_are_not_terms() {
        assert_eq!(
            stems("This control checks whether the 30 day rule on port 443 should pass"),
            ["day", "rule", "port", "443"].map(String::from)
        );
    }
}

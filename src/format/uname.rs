//! The character a `\N{name}` escape names, found as CPython finds it
//! (`unicodedata`'s `_getcode` with named sequences excluded): a character's name or
//! one of its aliases, compared without regard to ASCII case; or, in upper case only,
//! `HANGUL SYLLABLE ` and its jamo, or `CJK UNIFIED IDEOGRAPH-` and four or five hex
//! digits of a unified ideograph. Nothing looser: UAX #44's loose
//! matching (dropped spaces, underscores, medial hyphens), which the name table's
//! own lookup does, is refused as Python refuses it.
//!
//! The names are Unicode 17.0's (the unicode_names2 crate). Python's table is its own
//! release's (Unicode 14.0 in 3.11, 16.0 in 3.14): a name added since then is read
//! here and refused by that Python.

use super::name_aliases::NAME_ALIASES;

const HANGUL_PREFIX: &str = "HANGUL SYLLABLE ";
const CJK_PREFIX: &str = "CJK UNIFIED IDEOGRAPH-";

/// The character `name` names, or `None` where Python's `\N{name}` fails.
pub(super) fn lookup(name: &str) -> Option<char> {
    // Every Unicode name and alias is ASCII letters, digits, spaces and hyphens, and
    // starts with a letter; anything else names nothing (and never reaches the
    // table's loose matcher).
    if !name.starts_with(|c: char| c.is_ascii_alphabetic())
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
    {
        return None;
    }
    let upper = name.to_ascii_uppercase();
    if let Ok(i) = NAME_ALIASES.binary_search_by(|(alias, _)| (*alias).cmp(upper.as_str())) {
        return NAME_ALIASES.get(i).map(|&(_, c)| c);
    }
    // The computed names: Python compares their prefixes and jamo case-sensitively.
    if let Some(digits) = name.strip_prefix(CJK_PREFIX) {
        return cjk_ideograph(digits);
    }
    if let Some(jamo) = name.strip_prefix(HANGUL_PREFIX) {
        if jamo.bytes().any(|b| b.is_ascii_lowercase()) {
            return None;
        }
    } else if upper.starts_with(HANGUL_PREFIX) || upper.starts_with(CJK_PREFIX) {
        return None;
    }
    let c = unicode_names2::character(name)?;
    // The table matched loosely: keep its answer only if the name is exact.
    let canonical = unicode_names2::name(c)?.to_string();
    (canonical == upper).then_some(c)
}

/// `CJK UNIFIED IDEOGRAPH-<digits>`: four or five upper-case hex digits (a leading
/// zero allowed, as Python allows it) of a code point in a unified-ideograph block.
fn cjk_ideograph(digits: &str) -> Option<char> {
    if !(4..=5).contains(&digits.len())
        || !digits
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
    {
        return None;
    }
    let c = char::from_u32(u32::from_str_radix(digits, 16).ok()?)?;
    // The name table names exactly the unified ideographs this way.
    let named = unicode_names2::name(c)?.to_string();
    named.starts_with(CJK_PREFIX).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::lookup;

    #[test]
    fn names_and_aliases_as_python_finds_them() {
        for (name, want) in [
            ("GREEK SMALL LETTER PI", 'π'),
            ("greek small letter pi", 'π'),
            ("Greek Small Letter Pi", 'π'),
            ("LATIN SMALL LETTER A", 'a'),
            ("NBSP", '\u{a0}'),
            ("line feed", '\n'),
            ("BYTE ORDER MARK", '\u{feff}'),
            ("HANGUL SYLLABLE GA", '\u{ac00}'),
            ("HANGUL SYLLABLE GAG", '\u{ac01}'),
            ("HANGUL JUNGSEONG O-E", '\u{1180}'),
            ("HANGUL JUNGSEONG OE", '\u{116c}'),
            ("CJK UNIFIED IDEOGRAPH-4E00", '\u{4e00}'),
            ("CJK UNIFIED IDEOGRAPH-04E00", '\u{4e00}'),
            ("CJK UNIFIED IDEOGRAPH-20000", '\u{20000}'),
            ("TIBETAN MARK BKA- SHOG GI MGO RGYAN", '\u{0fd0}'),
            // Unicode 15.0, newer than Python 3.11's table (the oracle of tests/format_zoo.rs)
            ("SHAKING FACE", '\u{1fae8}'),
            ("CJK UNIFIED IDEOGRAPH-31350", '\u{31350}'),
            ("CJK UNIFIED IDEOGRAPH-323AF", '\u{323af}'),
            ("CJK UNIFIED IDEOGRAPH-33479", '\u{33479}'), // Unicode 17.0
        ] {
            assert_eq!(lookup(name), Some(want), "{name}");
        }
    }

    #[test]
    fn loose_and_unknown_names_are_refused() {
        for name in [
            "",
            "GREEKSMALLLETTERPI",
            "GREEK_SMALL_LETTER_PI",
            "GREEK SMALL  LETTER PI",
            " GREEK SMALL LETTER PI",
            "GREEK SMALL LETTER PI ",
            "LATIN SMALL LETTER-A",
            "HANGUL JUNGSEONG O E",
            "HANGUL SYLLABLE ga",
            "hangul syllable GA",
            "Cjk Unified Ideograph-4E00",
            "HANGUL SYLLABLE GAX",
            "HANGULSYLLABLE GA",
            "CJK UNIFIED IDEOGRAPH-4e00",
            "CJK UNIFIED IDEOGRAPH-4E0",
            "CJK UNIFIED IDEOGRAPH-004E00",
            "CJK UNIFIED IDEOGRAPH-0041",
            "CJK UNIFIED IDEOGRAPH-3347A",
            "CJKUNIFIEDIDEOGRAPH4E00",
            "LATIN CAPITAL LETTER A WITH MACRON AND GRAVE", // a named sequence
            "NOT A CHARACTER NAME",
            "-A",
            "NULL\u{0}",
            "π",
        ] {
            assert_eq!(lookup(name), None, "{name:?}");
        }
    }
}

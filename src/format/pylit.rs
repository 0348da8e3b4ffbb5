//! A small parser for the Python literals found in `.npy` headers and in numpy's
//! `str(dtype)`: dicts, lists, tuples, strings, integers, `True`/`False`/`None`,
//! and dotted names (`numpy.record`). It also writes Python's `repr` of a string.
//!
//! It is a real tokenizer, not string searching: any key order, either quote style,
//! `u`/`r` prefixes, triple quotes, adjacent strings joined, escapes, hex, octal and
//! binary integers with `_` separators, one sign, trailing commas, comments and free
//! whitespace are accepted, as `ast.literal_eval` accepts them. Python 2 `L` integer
//! suffixes are accepted only by [`parse_py2`], as numpy's `_filter_header` drops
//! them only in format 1.0 and 2.0 headers. `\N{name}` escapes name characters exactly
//! as Python names them (`uname`).

use std::fmt;

use super::uname;
use super::unprintable::UNPRINTABLE;

/// Deepest nesting accepted; deeper input is an error, never a stack overflow.
const MAX_DEPTH: usize = 64;

/// Longer than any Unicode name or alias (88 bytes at most): a longer `\\N{...}` names nothing.
const MAX_NAME_LEN: usize = 128;

/// A parsed Python literal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Str(String),
    /// An integer literal; `i128` holds any sign and every u64 exactly.
    Int(i128),
    Bool(bool),
    None,
    /// A bare (possibly dotted) name such as `numpy.record`.
    Name(String),
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
}

impl Value {
    /// Python's `repr` of the value, as the user wrote it in Python terms
    /// (`0`, `'<f8'`, `(3,)`, `None`), for messages.
    pub(crate) fn repr(&self) -> String {
        let join = |items: &[Value]| items.iter().map(Value::repr).collect::<Vec<_>>().join(", ");
        match self {
            Value::Str(s) => repr_str(s),
            Value::Int(n) => n.to_string(),
            Value::Bool(true) => "True".to_string(),
            Value::Bool(false) => "False".to_string(),
            Value::None => "None".to_string(),
            Value::Name(n) => n.clone(),
            Value::Tuple(items) if items.len() == 1 => format!("({},)", items[0].repr()),
            Value::Tuple(items) => format!("({})", join(items)),
            Value::List(items) => format!("[{}]", join(items)),
            Value::Dict(items) => {
                let pairs: Vec<String> = items
                    .iter()
                    .map(|(k, v)| format!("{}: {}", k.repr(), v.repr()))
                    .collect();
                format!("{{{}}}", pairs.join(", "))
            }
        }
    }

    /// A short description of the value's type for error messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "str",
            Value::Int(_) => "int",
            Value::Bool(_) => "bool",
            Value::None => "None",
            Value::Name(_) => "name",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
        }
    }
}

/// A syntax error: what was wrong and at which character offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) pos: usize,
    pub(crate) what: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at character {}", self.what, self.pos)
    }
}

type PResult<T> = std::result::Result<T, SyntaxError>;

/// Parse `text` as exactly one Python literal (surrounding whitespace allowed).
pub(crate) fn parse(text: &str) -> PResult<Value> {
    parse_with(text, false)
}

/// [`parse`], also dropping a Python 2 `L` after an integer (`3L`, `3 L`), as numpy
/// does for format 1.0 and 2.0 headers only (lower-case `l` stays an error there too).
pub(crate) fn parse_py2(text: &str) -> PResult<Value> {
    parse_with(text, true)
}

fn parse_with(text: &str, py2_longs: bool) -> PResult<Value> {
    let mut p = Parser {
        chars: text.char_indices().collect(),
        i: 0,
        py2_longs,
    };
    let v = p.value(0)?;
    p.skip_ws();
    if p.i < p.chars.len() {
        return Err(p.err(format!(
            "unexpected {} after the literal",
            repr_char(p.chars[p.i].1)
        )));
    }
    Ok(v)
}

struct Parser {
    chars: Vec<(usize, char)>,
    i: usize,
    py2_longs: bool,
}

impl Parser {
    fn pos(&self) -> usize {
        self.chars
            .get(self.i)
            .map_or_else(|| self.chars.last().map_or(0, |c| c.0 + 1), |c| c.0)
    }

    fn err(&self, what: impl Into<String>) -> SyntaxError {
        SyntaxError {
            pos: self.pos(),
            what: what.into(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).map(|c| c.1)
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).map(|c| c.1)
    }

    /// Whitespace and `#` comments (to the end of the line).
    fn skip_ws(&mut self) {
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\n' | '\r' | '\x0c') => self.i += 1,
                Some('#') => {
                    while !matches!(self.peek(), None | Some('\n' | '\r')) {
                        self.i += 1;
                    }
                }
                _ => return,
            }
        }
    }

    fn value(&mut self, depth: usize) -> PResult<Value> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("nesting deeper than {MAX_DEPTH}")));
        }
        self.skip_ws();
        match self.peek() {
            None => Err(self.err("unexpected end of input")),
            Some('{') => self.dict(depth),
            Some('[') => self.seq(']', depth).map(Value::List),
            Some('(') => self.paren(depth),
            Some('\'' | '"') => self.strings(""),
            Some('-' | '+' | '0'..='9') => self.int(),
            Some(c) if c.is_alphabetic() || c == '_' => self.name(),
            Some(c) => Err(self.err(format!("unexpected {}", repr_char(c)))),
        }
    }

    fn expect(&mut self, want: char) -> PResult<()> {
        self.skip_ws();
        match self.peek() {
            Some(c) if c == want => {
                self.i += 1;
                Ok(())
            }
            Some(c) => Err(self.err(format!("expected {want:?}, found {}", repr_char(c)))),
            None => Err(self.err(format!("expected {want:?}, found end of input"))),
        }
    }

    /// Comma-separated items up to `close`, trailing comma allowed. The opening
    /// bracket is consumed here. Returns the items and whether any comma was seen.
    fn items(&mut self, close: char, depth: usize) -> PResult<(Vec<Value>, bool)> {
        self.i += 1;
        let mut out = Vec::new();
        let mut comma = false;
        loop {
            self.skip_ws();
            if self.peek() == Some(close) {
                self.i += 1;
                return Ok((out, comma));
            }
            out.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.i += 1;
                    comma = true;
                }
                Some(c) if c == close => {}
                Some(c) => {
                    return Err(
                        self.err(format!("expected ',' or {close:?}, found {}", repr_char(c)))
                    )
                }
                None => return Err(self.err(format!("unclosed bracket, expected {close:?}"))),
            }
        }
    }

    fn seq(&mut self, close: char, depth: usize) -> PResult<Vec<Value>> {
        self.items(close, depth).map(|(v, _)| v)
    }

    /// `(x)` is just `x`; `()`, `(x,)` and `(x, y)` are tuples.
    fn paren(&mut self, depth: usize) -> PResult<Value> {
        let (mut items, comma) = self.items(')', depth)?;
        if items.len() == 1 && !comma {
            return Ok(items.pop().unwrap_or(Value::None));
        }
        Ok(Value::Tuple(items))
    }

    fn dict(&mut self, depth: usize) -> PResult<Value> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            self.skip_ws();
            if self.peek() == Some('}') {
                self.i += 1;
                return Ok(Value::Dict(out));
            }
            let k = self.value(depth + 1)?;
            self.expect(':')?;
            let v = self.value(depth + 1)?;
            out.push((k, v));
            self.skip_ws();
            match self.peek() {
                Some(',') => self.i += 1,
                Some('}') => {}
                Some(c) => {
                    return Err(self.err(format!("expected ',' or '}}', found {}", repr_char(c))))
                }
                None => return Err(self.err("unclosed '{'")),
            }
        }
    }

    fn name(&mut self) -> PResult<Value> {
        let start = self.i;
        while matches!(self.peek(), Some(c) if c.is_alphanumeric() || c == '_' || c == '.') {
            self.i += 1;
        }
        let word: String = self.chars[start..self.i].iter().map(|c| c.1).collect();
        if matches!(self.peek(), Some('\'' | '"')) {
            return self.strings(&word);
        }
        Ok(match word.as_str() {
            "True" => Value::Bool(true),
            "False" => Value::Bool(false),
            "None" => Value::None,
            _ => Value::Name(word),
        })
    }

    /// An integer as Python's tokenizer reads it, with at most one sign (as
    /// `ast.literal_eval` takes): `12`, `1_000`, `0`, `0x1F`, `0o17`, `0b101`, `-3`.
    fn int(&mut self) -> PResult<Value> {
        let mut negative = false;
        if let Some(c @ ('-' | '+')) = self.peek() {
            negative = c == '-';
            self.i += 1;
            self.skip_ws();
        }
        let radix = match (self.peek(), self.peek_at(1)) {
            (Some('0'), Some('x' | 'X')) => 16,
            (Some('0'), Some('o' | 'O')) => 8,
            (Some('0'), Some('b' | 'B')) => 2,
            _ => 10,
        };
        if radix != 10 {
            self.i += 2;
        }
        let start = self.i;
        let mut n: i128 = 0;
        let mut digits = 0usize;
        loop {
            match self.peek() {
                Some(c) if c.is_digit(radix) => {
                    n = n
                        .checked_mul(i128::from(radix))
                        .and_then(|n| n.checked_add(i128::from(c.to_digit(radix).unwrap_or(0))))
                        .ok_or_else(|| self.err("integer literal too large"))?;
                    digits += 1;
                    self.i += 1;
                }
                // `_` only between digits (after a base prefix too: `0x_1f`).
                Some('_')
                    if (digits > 0 || radix != 10)
                        && self.peek_at(1).is_some_and(|c| c.is_digit(radix)) =>
                {
                    self.i += 1;
                }
                _ => break,
            }
        }
        if digits == 0 {
            return Err(self.err("expected digits"));
        }
        if radix == 10 && self.chars[start].1 == '0' && n != 0 {
            return Err(self.err("leading zeros in an integer literal"));
        }
        if self.py2_longs {
            // numpy's _filter_header drops a NAME token `L` right after a number.
            let save = self.i;
            while matches!(self.peek(), Some(' ' | '\t' | '\x0c')) {
                self.i += 1;
            }
            let word_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            if self.peek() == Some('L') && !word_char(self.peek_at(1)) {
                self.i += 1;
            } else {
                self.i = save;
            }
        }
        if matches!(self.peek(), Some(c) if c.is_alphanumeric() || c == '.' || c == '_') {
            return Err(self.err("malformed number"));
        }
        Ok(Value::Int(if negative { -n } else { n }))
    }

    /// One string literal after its `prefix`, then any adjacent ones (Python joins
    /// `'<' 'f8'` into `'<f8'`). `u` and `r` prefixes are str; bytes and f-strings
    /// are refused (`ast.literal_eval` gives no str for them).
    fn strings(&mut self, prefix: &str) -> PResult<Value> {
        let mut out = String::new();
        let mut prefix = prefix.to_string();
        loop {
            let raw = match prefix.to_ascii_lowercase().as_str() {
                "" | "u" => false,
                "r" => true,
                _ => {
                    return Err(self.err(format!(
                        "unsupported string prefix {} (not a str)",
                        repr_str(&prefix)
                    )))
                }
            };
            self.string(raw, &mut out)?;
            let save = self.i;
            self.skip_ws();
            let word_len = (0..3)
                .take_while(|&k| self.peek_at(k).is_some_and(|c| c.is_ascii_alphabetic()))
                .count();
            if matches!(self.peek_at(word_len), Some('\'' | '"')) {
                prefix = (0..word_len).filter_map(|k| self.peek_at(k)).collect();
                self.i += word_len;
            } else {
                self.i = save;
                return Ok(Value::Str(out));
            }
        }
    }

    /// One quoted literal (single or triple quotes) appended to `s`; `raw` keeps
    /// backslashes (a backslash still protects the next character from ending it).
    fn string(&mut self, raw: bool, s: &mut String) -> PResult<()> {
        let quote = self.peek().unwrap_or('\'');
        let triple = self.peek_at(1) == Some(quote) && self.peek_at(2) == Some(quote);
        self.i += if triple { 3 } else { 1 };
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err("unterminated string"));
            };
            if c == quote
                && (!triple || (self.peek_at(1) == Some(quote) && self.peek_at(2) == Some(quote)))
            {
                self.i += if triple { 3 } else { 1 };
                return Ok(());
            }
            self.i += 1;
            match c {
                '\n' | '\r' if !triple => return Err(self.err("newline in a string literal")),
                '\\' if raw => {
                    s.push('\\');
                    if let Some(next) = self.peek() {
                        s.push(next);
                        self.i += 1;
                    }
                }
                '\\' => self.escape(s)?,
                _ => s.push(c),
            }
        }
    }

    fn escape(&mut self, s: &mut String) -> PResult<()> {
        let Some(c) = self.peek() else {
            return Err(self.err("unterminated string"));
        };
        self.i += 1;
        let simple = match c {
            '\\' => Some('\\'),
            '\'' => Some('\''),
            '"' => Some('"'),
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'f' => Some('\x0c'),
            'v' => Some('\x0b'),
            '0'..='7' => {
                let mut v = c.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            self.i += 1;
                        }
                        None => break,
                    }
                }
                Some(char::from_u32(v).ok_or_else(|| self.err("bad octal escape"))?)
            }
            'x' => Some(self.hex_escape(2)?),
            'u' => Some(self.hex_escape(4)?),
            'U' => Some(self.hex_escape(8)?),
            'N' => Some(self.named_escape()?),
            '\n' => None, // line continuation
            _ => {
                // Python keeps unknown escapes verbatim.
                s.push('\\');
                Some(c)
            }
        };
        if let Some(ch) = simple {
            s.push(ch);
        }
        Ok(())
    }

    /// `\N{name}` (after the `N`): the character Python's Unicode database gives that
    /// name. Names are ASCII letters, digits, spaces and hyphens, so the scan stops at
    /// anything else (a closing quote among them); Python refuses all such text too.
    fn named_escape(&mut self) -> PResult<char> {
        if self.peek() != Some('{') {
            return Err(self.err("malformed \\N character escape"));
        }
        self.i += 1;
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if !(c.is_ascii_alphanumeric() || c == ' ' || c == '-') || name.len() > MAX_NAME_LEN {
                break;
            }
            name.push(c);
            self.i += 1;
        }
        if self.peek() != Some('}') || name.is_empty() {
            return Err(self.err("malformed \\N character escape"));
        }
        self.i += 1;
        uname::lookup(&name).ok_or_else(|| {
            self.err(format!(
                "unknown Unicode character name {} in \\N{{...}}",
                repr_str(&name)
            ))
        })
    }

    fn hex_escape(&mut self, n: usize) -> PResult<char> {
        let mut v: u32 = 0;
        for _ in 0..n {
            let d = self
                .peek()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.err("truncated \\x/\\u escape"))?;
            v = v * 16 + d;
            self.i += 1;
        }
        char::from_u32(v).ok_or_else(|| self.err(format!("invalid code point {v:#x} in escape")))
    }
}

/// Python's `repr(s)` for a `str`: single quotes unless the text holds `'` and no `"`,
/// backslash escapes for quotes, `\\`, `\t`, `\n`, `\r` and unprintable characters.
///
/// Printability is `str.isprintable`'s (Python 3.11's Unicode 14.0: a character
/// assigned since is escaped here and written as itself by a newer Python).
pub(crate) fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if c == quote => {
                out.push('\\');
                out.push(c);
            }
            _ if is_printable(c) => out.push(c),
            _ => {
                let v = c as u32;
                let esc = if v <= 0xff {
                    format!("\\x{v:02x}")
                } else if v <= 0xffff {
                    format!("\\u{v:04x}")
                } else {
                    format!("\\U{v:08x}")
                };
                out.push_str(&esc);
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable` for one character, as the Python of
/// scripts/gen-unprintable.py has it (3.11, Unicode 14.0).
fn is_printable(c: char) -> bool {
    let v = c as u32;
    let after = UNPRINTABLE.partition_point(|&(first, _)| first <= v);
    after
        .checked_sub(1)
        .and_then(|i| UNPRINTABLE.get(i))
        .is_none_or(|&(_, last)| v > last)
}

/// Python's `repr` of one character, for messages (`'x'`, `'\x01'`).
fn repr_char(c: char) -> String {
    repr_str(c.encode_utf8(&mut [0; 4]))
}

/// The start of `text` for an error message (at most 200 characters).
pub(crate) fn preview(text: &str) -> String {
    text.chars().take(200).collect()
}

/// Python's `repr` of a tuple of non-negative integers: `()`, `(3,)`, `(2, 3)`.
pub(crate) fn repr_shape(shape: &[u64]) -> String {
    match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => {
            let parts: Vec<String> = shape.iter().map(u64::to_string).collect();
            format!("({})", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_dicts_in_any_style() {
        let v =
            parse_py2("{\"shape\": (3L, 4 L,), 'fortran_order': True ,'descr':u'<' 'f8'}").unwrap();
        let Value::Dict(items) = v else {
            panic!("not a dict")
        };
        assert_eq!(items[0].1, Value::Tuple(vec![Value::Int(3), Value::Int(4)]));
        assert_eq!(items[1].1, Value::Bool(true));
        assert_eq!(items[2].1, Value::Str("<f8".into()));
    }

    #[test]
    fn parenthesised_value_is_not_a_tuple() {
        assert_eq!(parse("(5)").unwrap(), Value::Int(5));
        assert_eq!(parse("(5,)").unwrap(), Value::Tuple(vec![Value::Int(5)]));
        assert_eq!(parse("()").unwrap(), Value::Tuple(vec![]));
    }

    #[test]
    fn escapes_round_trip_through_repr() {
        for s in [
            "a'b",
            "a\"b",
            "a'\"b",
            "tab\there",
            "é",
            "\u{a0}",
            "x\\y",
            "π",
        ] {
            let r = repr_str(s);
            assert_eq!(parse(&r).unwrap(), Value::Str(s.to_string()), "{r}");
        }
        assert_eq!(repr_str("a'b"), "\"a'b\"");
        assert_eq!(repr_str("a'\"b"), "'a\\'\"b'");
        assert_eq!(repr_str("\u{a0}"), "'\\xa0'");
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for s in [
            "",
            "{",
            "[1, 2",
            "{'a' 1}",
            "'abc",
            "1 2",
            "0x",
            "[[[[",
            "01",
            "1.5",
            "b'x'",
            "1_",
            "1__0",
            "--1",
            "3L",
            "0b2",
            r"'\N{BULLET POINT}'",
            r"'\N{BULLET'",
            r"'\N{}'",
            r"'\Nx'",
            r"'\N{BULLET\'}'",
            "f'x'",
        ] {
            assert!(parse(s).is_err(), "{s:?} parsed");
        }
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn integers_and_strings_as_python_reads_them() {
        for (text, want) in [
            ("0x1F", 31),
            ("0o17", 15),
            ("0b101", 5),
            ("1_000", 1000),
            ("- 3", -3),
            ("+3", 3),
            ("0", 0),
            ("00", 0),
        ] {
            assert_eq!(parse(text).unwrap(), Value::Int(want), "{text}");
        }
        assert!(parse_py2("3l").is_err(), "numpy drops only upper-case L");
        assert!(parse_py2("3Lx").is_err());
        assert_eq!(parse_py2("0x10L").unwrap(), Value::Int(16));
        for (text, want) in [
            (r"r'a\b'", r"a\b"),
            (r"'''it's'''", "it's"),
            (r#"u'<' "f8""#, "<f8"),
            ("'a' # comment\n 'b'", "ab"),
            (r"r'\N{BULLET}'", r"\N{BULLET}"),
            (r"'\N{BULLET}\N{greek small letter pi}'", "\u{2022}π"),
        ] {
            assert_eq!(parse(text).unwrap(), Value::Str(want.into()), "{text}");
        }
    }

    #[test]
    fn repr_is_pythons() {
        let v = parse("{'a': (1,), 'b': [True, None, ()], 'c': (1, 'x')}").unwrap();
        assert_eq!(
            v.repr(),
            "{'a': (1,), 'b': [True, None, ()], 'c': (1, 'x')}"
        );
    }

    #[test]
    fn shapes_repr_like_python() {
        assert_eq!(repr_shape(&[]), "()");
        assert_eq!(repr_shape(&[3]), "(3,)");
        assert_eq!(repr_shape(&[2, 3]), "(2, 3)");
    }
}

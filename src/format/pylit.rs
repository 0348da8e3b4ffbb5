//! A small parser for the Python literals found in `.npy` headers and in numpy's
//! `str(dtype)`: dicts, lists, tuples, strings, integers, `True`/`False`/`None`,
//! and dotted names (`numpy.record`). It also writes Python's `repr` of a string.
//!
//! It is a real tokenizer, not string searching: any key order, either quote style,
//! escapes, trailing commas, Python 2 `L` integer suffixes and free whitespace are
//! accepted, exactly as `ast.literal_eval` (after numpy's `L` filter) would.

use std::fmt;

/// Deepest nesting accepted; deeper input is an error, never a stack overflow.
const MAX_DEPTH: usize = 64;

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
    let mut p = Parser {
        chars: text.char_indices().collect(),
        i: 0,
    };
    let v = p.value(0)?;
    p.skip_ws();
    if p.i < p.chars.len() {
        return Err(p.err(format!("unexpected {:?} after the literal", p.chars[p.i].1)));
    }
    Ok(v)
}

struct Parser {
    chars: Vec<(usize, char)>,
    i: usize,
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

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r' | '\x0c')) {
            self.i += 1;
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
            Some('\'' | '"') => self.string(),
            Some('-' | '+' | '0'..='9') => self.int(),
            Some(c) if c.is_alphabetic() || c == '_' => self.name(),
            Some(c) => Err(self.err(format!("unexpected {c:?}"))),
        }
    }

    fn expect(&mut self, want: char) -> PResult<()> {
        self.skip_ws();
        match self.peek() {
            Some(c) if c == want => {
                self.i += 1;
                Ok(())
            }
            Some(c) => Err(self.err(format!("expected {want:?}, found {c:?}"))),
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
                Some(c) => return Err(self.err(format!("expected ',' or {close:?}, found {c:?}"))),
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
                Some(c) => return Err(self.err(format!("expected ',' or '}}', found {c:?}"))),
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
        // String prefixes: u'' is a str (Python 2 headers); other prefixes are refused.
        if matches!(self.peek(), Some('\'' | '"')) {
            return if word.eq_ignore_ascii_case("u") {
                self.string()
            } else {
                Err(self.err(format!("unsupported string prefix {word:?}")))
            };
        }
        Ok(match word.as_str() {
            "True" => Value::Bool(true),
            "False" => Value::Bool(false),
            "None" => Value::None,
            _ => Value::Name(word),
        })
    }

    fn int(&mut self) -> PResult<Value> {
        let mut negative = false;
        while let Some(c @ ('-' | '+')) = self.peek() {
            negative ^= c == '-';
            self.i += 1;
            self.skip_ws();
        }
        let start = self.i;
        let mut n: i128 = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(i128::from(d)))
                .ok_or_else(|| self.err("integer literal too large"))?;
            self.i += 1;
            if self.peek() == Some('_') {
                self.i += 1;
            }
        }
        if self.i == start {
            return Err(self.err("expected digits"));
        }
        if self.i - start > 1 && self.chars[start].1 == '0' && n != 0 {
            return Err(self.err("leading zeros in an integer literal"));
        }
        if matches!(self.peek(), Some('L' | 'l')) {
            self.i += 1; // Python 2 long suffix, as numpy's _filter_header drops it
        }
        if matches!(self.peek(), Some(c) if c.is_alphanumeric() || c == '.') {
            return Err(self.err("malformed number"));
        }
        Ok(Value::Int(if negative { -n } else { n }))
    }

    fn string(&mut self) -> PResult<Value> {
        let quote = self.peek().unwrap_or('\'');
        self.i += 1;
        let mut s = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err("unterminated string"));
            };
            self.i += 1;
            match c {
                _ if c == quote => return Ok(Value::Str(s)),
                '\n' | '\r' => return Err(self.err("newline in a string literal")),
                '\\' => self.escape(&mut s)?,
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
/// Printability follows `str.isprintable` exactly for Latin-1; above that, only the
/// separators and format characters numpy field names could plausibly carry are escaped.
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

/// An approximation of Python's `str.isprintable` for one character: exact for
/// Latin-1 (controls, NBSP and soft hyphen are not printable), and for the common
/// Unicode separators, format characters and non-characters beyond it.
fn is_printable(c: char) -> bool {
    let v = c as u32;
    !(v < 0x20
        || (0x7f..=0xa0).contains(&v)
        || v == 0xad
        || v == 0x1680
        || (0x2000..=0x200f).contains(&v)
        || (0x2028..=0x202f).contains(&v)
        || (0x205f..=0x206f).contains(&v)
        || v == 0x3000
        || (0xd800..=0xf8ff).contains(&v)
        || v == 0xfeff
        || (0xfff0..=0xfffb).contains(&v)
        || (v & 0xfffe) == 0xfffe
        || v >= 0xe0000)
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
        let v = parse("{\"shape\": (3L, 4,), 'fortran_order': True ,'descr':u'<f8'}").unwrap();
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
            "", "{", "[1, 2", "{'a' 1}", "'abc", "1 2", "0x10", "[[[[", "01", "1.5", "b'x'",
        ] {
            assert!(parse(s).is_err(), "{s:?} parsed");
        }
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn shapes_repr_like_python() {
        assert_eq!(repr_shape(&[]), "()");
        assert_eq!(repr_shape(&[3]), "(3,)");
        assert_eq!(repr_shape(&[2, 3]), "(2, 3)");
    }
}

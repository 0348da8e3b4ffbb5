//! Primary-key value encoding: DataJoint 2.3.5's `storage.encode_pk_value`, exactly.

use md5::{Digest, Md5};

use crate::error::Result;

/// A primary-key value, typed the way DataJoint's encoder tells them apart.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyValue {
    /// A signed integer: Python `str(int)`.
    Int(i64),
    /// An unsigned integer: Python `str(int)`.
    UInt(u64),
    /// A float: Python `str(float)`, the shortest text that reads back the same value.
    Float(f64),
    /// A bool: `True` / `False` (Python's bool is an int).
    Bool(bool),
    /// Text (also decimals, UUIDs and enums as their text): kept, or made path-safe.
    Str(String),
    /// A date: `YYYY-MM-DD` (`date.isoformat()`).
    Date {
        /// 1..=9999
        year: i32,
        /// 1..=12
        month: u32,
        /// 1..=days in the month
        day: u32,
    },
    /// A datetime: `YYYY-MM-DDTHH-MM-SS`, microseconds dropped.
    DateTime {
        /// 1..=9999
        year: i32,
        /// 1..=12
        month: u32,
        /// 1..=days in the month
        day: u32,
        /// 0..=23
        hour: u32,
        /// 0..=59
        minute: u32,
        /// 0..=59
        second: u32,
        /// 0..=999999 (checked, then dropped from the path)
        microsecond: u32,
    },
}

/// Characters that make DataJoint percent-encode a string value.
const UNSAFE_CHARS: &[char] = &['/', '\\', ':', '*', '?', '"', '<', '>', '|'];
/// Strings longer than this (in characters) are shortened and hashed.
const MAX_PLAIN_CHARS: usize = 100;
/// How many characters a long string keeps before `_` and the hash.
const KEPT_CHARS: usize = 50;

/// Encode one primary-key value for a path folder, as DataJoint's `encode_pk_value` does.
///
/// Dates and datetimes are range-checked like Python's `datetime` (an
/// [`ErrorKind::InvalidArgument`](crate::error::ErrorKind::InvalidArgument) otherwise).
/// Datetime years are always four digits (`0005-...`); see docs/config.md for the
/// one Python platform quirk this deliberately does not copy.
pub fn encode_key_value(v: &KeyValue) -> Result<String> {
    Ok(match v {
        KeyValue::Int(i) => i.to_string(),
        KeyValue::UInt(u) => u.to_string(),
        KeyValue::Float(x) => python_float_repr(*x),
        KeyValue::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        KeyValue::Str(s) => encode_str(s),
        KeyValue::Date { year, month, day } => {
            check_date(*year, *month, *day)?;
            format!("{year:04}-{month:02}-{day:02}")
        }
        &KeyValue::DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            microsecond,
        } => {
            check_date(year, month, day)?;
            check_time(hour, minute, second, microsecond)?;
            format!("{year:04}-{month:02}-{day:02}T{hour:02}-{minute:02}-{second:02}")
        }
    })
}

/// A string value: unchanged when path-safe; otherwise shortened when long
/// (first 50 characters, `_`, 8 hex digits of the MD5 of the whole UTF-8 string)
/// and percent-encoded like `urllib.parse.quote(s, safe="")`.
fn encode_str(s: &str) -> String {
    let chars = s.chars().count();
    if chars <= MAX_PLAIN_CHARS && !s.contains(UNSAFE_CHARS) {
        return s.to_string();
    }
    if chars <= MAX_PLAIN_CHARS {
        return percent_encode(s);
    }
    let digest = Md5::digest(s.as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let kept: String = s.chars().take(KEPT_CHARS).collect();
    percent_encode(&format!("{kept}_{hex}"))
}

/// Python's `urllib.parse.quote(s, safe="")`: UTF-8 bytes, only `A-Z a-z 0-9 _ . - ~` kept.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Python's `str(float)` (the shortest repr that round-trips): `1.0`, `0.1`, `1e+16`,
/// `1e-05`, `0.0001`, `1.5e+300`, `inf`, `-inf`, `nan`, `-0.0`.
pub fn python_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x.is_infinite() {
        return format!("{sign}inf");
    }
    if x == 0.0 {
        return format!("{sign}0.0");
    }
    let (digits, exp) = shortest_digits(x.abs());
    // Python switches to exponent form when the decimal exponent is < -4 or >= 16.
    let body = if !(-4..16).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{first}{frac}e{esign}{:02}", exp.abs())
    } else if exp < 0 {
        format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            format!("{digits}{}.0", "0".repeat(int_len - digits.len()))
        } else {
            format!("{}.{}", &digits[..int_len], &digits[int_len..])
        }
    };
    format!("{sign}{body}")
}

/// The significant digits and decimal exponent of a finite `x > 0` as `{:e}` prints them.
fn sci_digits(formatted: &str) -> (String, i32) {
    let (mantissa, exp) = formatted
        .split_once('e')
        .expect("{:e} always has an exponent");
    let digits = mantissa.replace('.', "").trim_end_matches('0').to_string();
    (digits, exp.parse().expect("{:e} exponent is an integer"))
}

/// The shortest round-trip digits of a finite `x > 0`, chosen as Python's repr chooses them.
///
/// Rust's `{:e}` finds the same shortest length, but when the exact value lies exactly
/// halfway between two shortest candidates it rounds up, where Python (David Gay's
/// dtoa) takes the one with an even last digit: 146205650540326.625 is
/// `146205650540326.62` in Python.
fn shortest_digits(x: f64) -> (String, i32) {
    let (digits, exp) = sci_digits(&format!("{x:e}"));
    // 800 digits hold the exact value of any f64 (at most 767 significant digits).
    let (exact, exact_exp) = sci_digits(&format!("{x:.800e}"));
    let n = digits.len();
    if exact.len() == n + 1 && exact.ends_with('5') {
        let down = &exact[..n];
        let even = down.bytes().last().is_some_and(|d| (d - b'0') % 2 == 0);
        let candidate = format!("{down}e{}", exact_exp - (n as i32 - 1));
        if even && down != digits && candidate.parse::<f64>() == Ok(x) {
            return (down.to_string(), exact_exp);
        }
    }
    (digits, exp)
}

/// Python `date` rules: year 1..=9999, month 1..=12, day within the month.
fn check_date(year: i32, month: u32, day: u32) -> Result<()> {
    if !(1..=9999).contains(&year) {
        crate::error::bail!(
            InvalidArgument,
            "invalid date key value: year {year} is out of range 1..9999"
        );
    }
    if !(1..=12).contains(&month) {
        crate::error::bail!(
            InvalidArgument,
            "invalid date key value: month must be in 1..12, got {month}"
        );
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=days).contains(&day) {
        crate::error::bail!(
            InvalidArgument,
            "invalid date key value: day {day} is out of range for {year:04}-{month:02}"
        );
    }
    Ok(())
}

/// Python `time` rules: hour < 24, minute < 60, second < 60, microsecond < 1e6.
fn check_time(hour: u32, minute: u32, second: u32, microsecond: u32) -> Result<()> {
    for (what, v, limit) in [
        ("hour", hour, 24),
        ("minute", minute, 60),
        ("second", second, 60),
        ("microsecond", microsecond, 1_000_000),
    ] {
        if v >= limit {
            crate::error::bail!(
                InvalidArgument,
                "invalid datetime key value: {what} must be in 0..{}, got {v}",
                limit - 1
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python() {
        for (x, s) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e-5, "1.5e-05"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (123.456, "123.456"),
            (-2.5, "-2.5"),
            (1e300, "1e+300"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (-0.0, "-0.0"),
            (146205650540326.62, "146205650540326.62"), // exactly ...26.625: a tie
            (0.5, "0.5"),
            (9.5, "9.5"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ] {
            assert_eq!(python_float_repr(x), s, "{x:e}");
        }
    }

    #[test]
    fn strings_are_quoted_only_when_unsafe_or_long() {
        let enc = |s: &str| encode_key_value(&KeyValue::Str(s.into())).unwrap();
        assert_eq!(enc("m 01#%é"), "m 01#%é");
        assert_eq!(enc("m/01"), "m%2F01");
        assert_eq!(enc("é:"), "%C3%A9%3A");
        let long = "a".repeat(101);
        assert_eq!(
            enc(&long),
            format!(
                "{}_{}",
                "a".repeat(50),
                &format!("{:x}", Md5::digest(long.as_bytes()))[..8]
            )
        );
        assert_eq!(enc(&"b".repeat(100)), "b".repeat(100));
    }

    #[test]
    fn dates_are_checked() {
        let d = |year, month, day| encode_key_value(&KeyValue::Date { year, month, day });
        assert_eq!(d(2024, 2, 29).unwrap(), "2024-02-29");
        assert_eq!(d(5, 1, 2).unwrap(), "0005-01-02");
        assert!(d(2023, 2, 29).is_err());
        assert!(d(1900, 2, 29).is_err());
        assert!(d(0, 1, 1).is_err());
        assert!(d(2023, 13, 1).is_err());
        let dt = |hour, microsecond| {
            encode_key_value(&KeyValue::DateTime {
                year: 2024,
                month: 1,
                day: 2,
                hour,
                minute: 3,
                second: 4,
                microsecond,
            })
        };
        assert_eq!(dt(23, 999_999).unwrap(), "2024-01-02T23-03-04");
        assert_eq!(
            dt(24, 0).unwrap_err().kind(),
            crate::error::ErrorKind::InvalidArgument
        );
        assert!(dt(1, 1_000_000).is_err());
    }
}

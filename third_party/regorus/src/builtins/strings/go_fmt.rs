// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! Formatting of one `sprintf` operand as Go's `fmt` package does it (OPA's `sprintf` is
//! `fmt.Sprintf`). OPA hands numbers to Go as `int64` (or `*big.Int`) when they are integers
//! and as `float64` otherwise, strings as `string`, and every other value as the `string` of
//! its Rego text.

use crate::number::Number;

use alloc::format;
use alloc::string::{String, ToString as _};
use alloc::vec;
use alloc::vec::Vec;
use num_bigint::BigInt;
use num_traits::Signed as _;

/// Flags, width and precision of one Go format verb (`%+08.3f`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FmtSpec {
    pub plus: bool,
    pub minus: bool,
    pub space: bool,
    pub zero: bool,
    pub sharp: bool,
    pub width: Option<usize>,
    pub precision: Option<usize>,
}

/// An operand as Go's `fmt` sees it.
pub enum GoArg<'a> {
    Int(BigInt),
    Float(f64),
    Str(&'a str),
}

impl GoArg<'_> {
    /// Classifies a Rego number as OPA does: integers stay integers, others are `float64`.
    pub fn from_number(n: &Number) -> Option<GoArg<'static>> {
        match n {
            Number::Float(f) => Some(GoArg::Float(*f)),
            _ => n.to_big().ok().map(|b| GoArg::Int(b.as_ref().clone())),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            GoArg::Int(i) if i64::try_from(i).is_ok() => "int64",
            GoArg::Int(_) => "*big.Int",
            GoArg::Float(_) => "float64",
            GoArg::Str(_) => "string",
        }
    }

    fn plain(&self) -> String {
        match self {
            GoArg::Int(i) => i.to_string(),
            GoArg::Float(f) => format_g(*f, None, false),
            GoArg::Str(s) => (*s).to_string(),
        }
    }
}

/// Pads `body` to the spec's width. `sign_len` leading characters (sign, base prefix) stay in
/// front of zero padding, which only numbers use.
fn pad(spec: &FmtSpec, body: String, sign_len: usize, zero_ok: bool) -> String {
    let len = body.chars().count();
    let width = spec.width.unwrap_or(0);
    if len >= width {
        return body;
    }
    let fill = width - len;
    if spec.minus {
        body + &" ".repeat(fill)
    } else if spec.zero && zero_ok {
        let (head, tail) = body.split_at(sign_len);
        format!("{head}{}{tail}", "0".repeat(fill))
    } else {
        " ".repeat(fill) + &body
    }
}

fn sign(spec: &FmtSpec, negative: bool) -> &'static str {
    if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    }
}

/// Significant decimal digits (no trailing zeros) and decimal point position of `|v|`,
/// shortest round-trip when `precision` is `None`.
fn decimal_digits(v: f64, precision: Option<usize>) -> (Vec<u8>, i32) {
    let v = v.abs();
    if v == 0.0 {
        return (vec![b'0'], 1);
    }
    let text = match precision {
        None => format!("{v:e}"),
        Some(p) => format!("{:.*e}", p.saturating_sub(1), v),
    };
    let (mantissa, exp) = text.split_once('e').unwrap_or((text.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, exp + 1)
}

fn digit_at(digits: &[u8], i: i32) -> char {
    usize::try_from(i)
        .ok()
        .and_then(|i| digits.get(i))
        .map_or('0', |d| char::from(*d))
}

/// `%e` body of the digits with `frac` fraction digits (Go: at least two exponent digits).
fn fmt_e(digits: &[u8], dp: i32, frac: usize, upper: bool) -> String {
    let mut s = String::new();
    s.push(digit_at(digits, 0));
    if frac > 0 {
        s.push('.');
        for i in 1..=frac {
            s.push(digit_at(digits, i32::try_from(i).unwrap_or(i32::MAX)));
        }
    }
    let exp = if digits == [b'0'] { 0 } else { dp - 1 };
    let e = if upper { 'E' } else { 'e' };
    let exp_sign = if exp < 0 { '-' } else { '+' };
    format!("{s}{e}{exp_sign}{:02}", exp.abs())
}

/// `%f` body of the digits with `frac` fraction digits.
fn fmt_f(digits: &[u8], dp: i32, frac: usize) -> String {
    let mut s = String::new();
    if dp > 0 {
        for i in 0..dp {
            s.push(digit_at(digits, i));
        }
    } else {
        s.push('0');
    }
    if frac > 0 {
        s.push('.');
        for i in 0..frac {
            s.push(digit_at(digits, dp + i32::try_from(i).unwrap_or(i32::MAX)));
        }
    }
    s
}

/// Go's `%e` of `|v|` with the given precision (default 6).
fn format_e(v: f64, precision: Option<usize>, upper: bool) -> String {
    let prec = precision.unwrap_or(6);
    let (digits, dp) = decimal_digits(v, Some(prec + 1));
    fmt_e(&digits, dp, prec, upper)
}

/// Go's `%f` of `|v|` with the given precision (default 6).
fn format_f(v: f64, precision: Option<usize>) -> String {
    format!("{:.*}", precision.unwrap_or(6), v.abs())
}

/// Go's `%g` of `|v|` (strconv 'g'): shortest digits when `precision` is `None`.
fn format_g(v: f64, precision: Option<usize>, upper: bool) -> String {
    let (digits, dp) = decimal_digits(v, precision.map(|p| p.max(1)));
    let nd = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let mut prec = precision.map_or(nd, |p| i32::try_from(p.max(1)).unwrap_or(i32::MAX));
    let mut eprec = prec;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if precision.is_none() {
        eprec = 6;
    }
    let exp = if digits == [b'0'] { 0 } else { dp - 1 };
    if exp < -4 || exp >= eprec {
        if prec > nd {
            prec = nd;
        }
        return fmt_e(&digits, dp, usize::try_from(prec - 1).unwrap_or(0), upper);
    }
    if prec > dp {
        prec = nd;
    }
    fmt_f(&digits, dp, usize::try_from(prec - dp).unwrap_or(0))
}

fn bad_verb(verb: char, arg: &GoArg) -> String {
    format!("%!{verb}({}={})", arg.type_name(), arg.plain())
}

fn format_int(spec: &FmtSpec, verb: char, i: &BigInt) -> Option<String> {
    let negative = i.is_negative();
    let magnitude = i.abs();
    let (prefix, mut digits) = match verb {
        'd' | 'v' => ("", magnitude.to_str_radix(10)),
        'b' => (
            if spec.sharp { "0b" } else { "" },
            magnitude.to_str_radix(2),
        ),
        'o' => (if spec.sharp { "0" } else { "" }, magnitude.to_str_radix(8)),
        'O' => ("0o", magnitude.to_str_radix(8)),
        'x' => (
            if spec.sharp { "0x" } else { "" },
            magnitude.to_str_radix(16),
        ),
        'X' => (
            if spec.sharp { "0X" } else { "" },
            magnitude.to_str_radix(16).to_uppercase(),
        ),
        'c' | 'q' | 'U' => {
            let code = u32::try_from(i).ok();
            let ch = code.and_then(char::from_u32).unwrap_or('\u{FFFD}');
            let body = match verb {
                'c' => ch.to_string(),
                'q' => format!("'{ch}'"),
                _ if spec.sharp => format!("U+{:04X} '{ch}'", code.unwrap_or(0xFFFD)),
                _ => format!("U+{:04X}", code.unwrap_or(0xFFFD)),
            };
            return Some(pad(spec, body, 0, false));
        }
        _ => return None,
    };
    if let Some(p) = spec.precision {
        if digits.len() < p {
            digits = "0".repeat(p - digits.len()) + &digits;
        }
    }
    let head = format!("{}{prefix}", sign(spec, negative));
    let sign_len = head.len();
    Some(pad(
        spec,
        head + &digits,
        sign_len,
        spec.precision.is_none(),
    ))
}

fn format_float(spec: &FmtSpec, verb: char, f: f64) -> Option<String> {
    let body = match verb {
        'e' | 'E' => format_e(f, spec.precision, verb == 'E'),
        'f' | 'F' => format_f(f, spec.precision),
        'g' | 'G' => format_g(f, spec.precision, verb == 'G'),
        'v' => format_g(f, spec.precision, false),
        _ => return None,
    };
    let head = sign(spec, f.is_sign_negative() && f != 0.0);
    Some(pad(spec, format!("{head}{body}"), head.len(), true))
}

fn format_str(spec: &FmtSpec, verb: char, s: &str) -> Option<String> {
    let s = match spec.precision {
        Some(p) if verb != 'x' && verb != 'X' => {
            s.char_indices().nth(p).map_or(s, |(i, _)| &s[..i])
        }
        _ => s,
    };
    let body = match verb {
        's' | 'v' => s.to_string(),
        'x' => s.bytes().map(|b| format!("{b:02x}")).collect(),
        'X' => s.bytes().map(|b| format!("{b:02X}")).collect(),
        _ => return None,
    };
    Some(pad(spec, body, 0, false))
}

/// Formats `arg` for `verb` as Go's `fmt` does, including its `%!verb(type=value)` text for
/// a verb that does not apply to the operand's type.
pub fn format_arg(spec: &FmtSpec, verb: char, arg: &GoArg) -> String {
    let formatted = match arg {
        // A `*big.Int` formats itself (`big.Int.Format`): `%s` and `%v` in decimal, and any
        // verb it does not know as `%!q(big.Int=...)`.
        GoArg::Int(i) if i64::try_from(i).is_err() => match verb {
            's' | 'v' => format_int(spec, 'd', i),
            'b' | 'o' | 'O' | 'd' | 'x' | 'X' => format_int(spec, verb, i),
            _ => Some(alloc::format!("%!{verb}(big.Int={i})")),
        },
        GoArg::Int(i) => format_int(spec, verb, i),
        GoArg::Float(f) => format_float(spec, verb, *f),
        GoArg::Str(s) => format_str(spec, verb, s),
    };
    formatted.unwrap_or_else(|| bad_verb(verb, arg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(spec: FmtSpec, verb: char, v: f64) -> String {
        format_arg(&spec, verb, &GoArg::Float(v))
    }

    #[test]
    fn floats_match_go() {
        let d = FmtSpec::default();
        assert_eq!(f(d, 'e', 1234.5678), "1.234568e+03");
        assert_eq!(f(d, 'g', 1234.5678), "1234.5678");
        assert_eq!(f(d, 'g', 0.000001234), "1.234e-06");
        assert_eq!(f(d, 'g', 123456789.5), "1.234567895e+08");
        assert_eq!(f(d, 'G', 1e-7), "1E-07");
        assert_eq!(f(d, 'v', 1e21), "1e+21");
        assert_eq!(f(d, 'v', 0.1), "0.1");
        let p3 = FmtSpec {
            precision: Some(3),
            ..d
        };
        assert_eq!(f(p3, 'g', 3.14159), "3.14");
        let p10 = FmtSpec {
            precision: Some(10),
            ..d
        };
        assert_eq!(f(p10, 'g', 3.14159), "3.14159");
        let z8 = FmtSpec {
            zero: true,
            width: Some(8),
            precision: Some(3),
            ..d
        };
        assert_eq!(f(z8, 'f', -3.14159), "-003.142");
    }
}

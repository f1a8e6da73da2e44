//! Canonical JSON per RFC 8785 (JSON Canonicalization Scheme) and its SHA-256 hash.
//!
//! - Object keys are sorted by their UTF-16 code units (RFC 8785 §3.2.3), which differs
//!   from UTF-8 byte order for characters above U+FFFF.
//! - Numbers are written as ECMAScript `Number.prototype.toString` writes the IEEE-754
//!   double (`ryu-js`). Integers beyond 2^53 are first rounded to the nearest double, as
//!   every JCS implementation must: `9007199254740993` canonicalises to `9007199254740992`.
//! - Strings use the minimal JSON escapes: `\b \t \n \f \r \" \\`, other controls as
//!   `\u00xx` (lowercase hex), everything else literal UTF-8.

use crate::error::{Error, ErrorCode, Result};
use crate::json::{self, MAX_DEPTH};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The RFC 8785 canonical form of `value`.
///
/// Errors: `LIMIT_EXCEEDED` when nested deeper than [`MAX_DEPTH`].
pub fn canonicalize(value: &Value) -> Result<String> {
    if json::depth_exceeds(value, MAX_DEPTH) {
        return Err(Error::new(
            ErrorCode::LimitExceeded,
            format!("JSON nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    let mut out = String::new();
    write_value(value, &mut out);
    Ok(out)
}

/// Parses JSON text and returns its canonical form. See [`json::parse`] for errors.
pub fn canonicalize_json(bytes: &[u8]) -> Result<String> {
    canonicalize(&json::parse(bytes)?)
}

/// Lowercase hex SHA-256 of the canonical form of `value`.
pub fn hash(value: &Value) -> Result<String> {
    Ok(sha256_hex(canonicalize(value)?.as_bytes()))
}

/// Parses JSON text and returns the hex SHA-256 of its canonical form.
pub fn hash_json(bytes: &[u8]) -> Result<String> {
    hash(&json::parse(bytes)?)
}

/// Lowercase hex SHA-256 of raw bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
    }
    hex
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(n, out),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(map, out),
    }
}

fn write_object(map: &Map<String, Value>, out: &mut String) {
    let mut entries: Vec<(Vec<u16>, &String, &Value)> = map
        .iter()
        .map(|(k, v)| (k.encode_utf16().collect(), k, v))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    out.push('{');
    for (i, (_, key, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(key, out);
        out.push(':');
        write_value(value, out);
    }
    out.push('}');
}

fn write_number(n: &serde_json::Number, out: &mut String) {
    // as_f64 never fails for serde_json numbers without arbitrary_precision: integers are
    // converted (rounding beyond 2^53), floats are finite by construction.
    let f = n.as_f64().unwrap_or(0.0);
    if f == 0.0 {
        // -0 canonicalises to 0 (ECMAScript ToString(-0) is "0").
        out.push('0');
        return;
    }
    let mut buffer = ryu_js::Buffer::new();
    out.push_str(buffer.format_finite(f));
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

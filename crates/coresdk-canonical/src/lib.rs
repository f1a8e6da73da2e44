//! Canonical JSON per RFC 8785 (JSON Canonicalization Scheme) and its SHA-256 hash.
//!
//! - Object keys are sorted by their UTF-16 code units (RFC 8785 §3.2.3), which differs
//!   from UTF-8 byte order for characters above U+FFFF.
//! - Numbers are written as ECMAScript `Number.prototype.toString` writes the IEEE-754
//!   double (`ryu-js`). Integers beyond 2^53 are first rounded to the nearest double, as
//!   every JCS implementation must: `9007199254740993` canonicalises to `9007199254740992`.
//! - Strings use the minimal JSON escapes: `\b \t \n \f \r \" \\`, other controls as
//!   `\u00xx` (lowercase hex), everything else literal UTF-8.

use coresdk_base::error::{Error, ErrorCode, Result};
use coresdk_base::json::{self, MAX_DEPTH};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tree::Tree;

mod tree;

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
    let tree: Tree = json::parse_borrowed(bytes)?;
    if tree.depth_exceeds(MAX_DEPTH) {
        return Err(Error::new(
            ErrorCode::LimitExceeded,
            format!("JSON nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    let mut out = String::with_capacity(bytes.len());
    tree.write(&mut out);
    Ok(out)
}

/// Lowercase hex SHA-256 of the canonical form of `value`.
pub fn hash(value: &Value) -> Result<String> {
    Ok(sha256_hex(canonicalize(value)?.as_bytes()))
}

/// Parses JSON text and returns the hex SHA-256 of its canonical form.
pub fn hash_json(bytes: &[u8]) -> Result<String> {
    Ok(sha256_hex(canonicalize_json(bytes)?.as_bytes()))
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
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| utf16_order(a.0, b.0));
    out.push('{');
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(key, out);
        out.push(':');
        write_value(value, out);
    }
    out.push('}');
}

/// RFC 8785 key order: by UTF-16 code units. It equals UTF-8 byte order except where a
/// character above U+FFFF (a surrogate pair, 0xD800..) meets one in U+E000..U+FFFF.
fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() || b.is_ascii() {
        return a.as_bytes().cmp(b.as_bytes());
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

fn write_number(n: &serde_json::Number, out: &mut String) {
    // as_f64 never fails for serde_json numbers without arbitrary_precision: integers are
    // converted (rounding beyond 2^53), floats are finite by construction.
    write_double(n.as_f64().unwrap_or(0.0), out);
}

fn write_double(f: f64, out: &mut String) {
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
    // Runs without a character to escape are copied whole; every escaped character is
    // ASCII, so the cuts fall on character boundaries.
    let mut run = 0;
    for (i, byte) in s.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            0x0c => "\\f",
            b'\r' => "\\r",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{byte:04x}"));
        } else {
            out.push_str(escape);
        }
        run = i + 1;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

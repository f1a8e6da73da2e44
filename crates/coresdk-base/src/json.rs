//! JSON text in and out of the core, with the limits every entry point shares.
//!
//! Bindings pass documents to the core as JSON text (one crossing per call, SPEC.md
//! principle 9), so this is the single place where bad bytes become typed errors.

use crate::error::{Error, ErrorCode, Result};
use serde_json::Value;

/// Deepest nesting of arrays and objects accepted in a document: 127 levels.
///
/// This is serde_json's own recursion limit (a 128th level fails); it keeps parsing, masking, canonicalisation
/// and dropping a value within a small, fixed stack on every thread (libuv workers and
/// Python threads included). Deeper documents fail with `LIMIT_EXCEEDED`.
pub const MAX_DEPTH: usize = 127;

/// Parses a JSON document from bytes.
///
/// Errors: `INVALID_JSON` for syntax errors, invalid UTF-8 and numbers out of the double
/// range; `LIMIT_EXCEEDED` for nesting deeper than [`MAX_DEPTH`].
pub fn parse(bytes: &[u8]) -> Result<Value> {
    parse_as(bytes)
}

/// Parses a JSON document from text. See [`parse`].
pub fn parse_str(text: &str) -> Result<Value> {
    parse(text.as_bytes())
}

/// Serialises a value to compact JSON text, keeping object key order.
pub fn to_string(value: &Value) -> String {
    // Serialising a serde_json::Value cannot fail: keys are strings, numbers are finite.
    serde_json::to_string(value).unwrap_or_default()
}

/// Checks that `bytes` are UTF-8 text (`INVALID_ARGUMENT` if not).
pub fn text(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("text is not valid UTF-8: {e}"),
        )
    })
}

/// Depth of the deepest array/object in `value` (a scalar has depth 0), stopping early
/// once `limit` is passed so a hostile value costs at most `limit` frames.
pub fn depth_exceeds(value: &Value, limit: usize) -> bool {
    fn walk(value: &Value, remaining: usize) -> bool {
        match value {
            Value::Array(items) => remaining == 0 || items.iter().any(|v| walk(v, remaining - 1)),
            Value::Object(map) => remaining == 0 || map.values().any(|v| walk(v, remaining - 1)),
            _ => false,
        }
    }
    walk(value, limit)
}

/// Parses JSON bytes straight into any deserialisable type (used for regorus values, so
/// input documents are parsed once), with the same error mapping as [`parse`].
pub fn parse_as<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(map_serde_error)
}

/// As [`parse_as`], for types that may borrow strings from `bytes`.
pub fn parse_borrowed<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(map_serde_error)
}

fn map_serde_error(e: serde_json::Error) -> Error {
    let message = e.to_string();
    if message.starts_with("recursion limit exceeded") {
        Error::new(
            ErrorCode::LimitExceeded,
            format!("JSON nested more than {MAX_DEPTH} levels deep ({message})"),
        )
    } else {
        Error::new(ErrorCode::InvalidJson, format!("invalid JSON: {message}"))
    }
}

//! Detection and masking of PII and secrets in text and JSON values.
//!
//! (Skeleton: the detector catalog lives in `detectors.rs`; see docs/MASKING.md.)

use crate::error::{Error, ErrorCode, Result};
use crate::json;
use serde_json::Value;

/// How a detected value is replaced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Strategy {
    /// Replace with `[REDACTED:<TYPE>]`.
    #[default]
    Redact,
    /// Replace with `[<TYPE>:<16 hex>]`, the first 8 bytes of HMAC-SHA256(key, value):
    /// stable and joinable across records, not reversible without the key.
    Pseudonymize {
        /// The HMAC key (must not be empty).
        key: Vec<u8>,
    },
}

/// Options of a [`Masker`].
#[derive(Debug, Clone, Default)]
pub struct MaskOptions {
    /// The replacement strategy.
    pub strategy: Strategy,
    /// Extra key names whose values are masked whatever they contain (matched like the
    /// built-in ones: case-insensitive, ignoring `-`, `_` and `.`).
    pub sensitive_keys: Vec<String>,
}

/// One detected value: its type and position, never the value itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The detector type, e.g. `"EMAIL"`.
    pub kind: &'static str,
    /// UTF-8 byte offset of the first byte.
    pub start: usize,
    /// UTF-8 byte offset one past the last byte.
    pub end: usize,
    /// UTF-16 code unit offset of the start (JavaScript string index).
    pub start_utf16: usize,
    /// UTF-16 code unit offset of the end.
    pub end_utf16: usize,
}

impl Finding {
    /// The finding as a JSON object: `{"type","start","end","start_utf16","end_utf16"}`.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "type": self.kind,
            "start": self.start,
            "end": self.end,
            "start_utf16": self.start_utf16,
            "end_utf16": self.end_utf16,
        })
    }
}

/// A configured masker. Cheap to share across threads (`Send + Sync`).
#[derive(Debug, Clone)]
pub struct Masker {
    options: MaskOptions,
    email: regex::Regex,
}

impl Masker {
    /// Builds a masker. Errors: `INVALID_ARGUMENT` for an empty pseudonym key.
    pub fn new(options: MaskOptions) -> Result<Self> {
        if let Strategy::Pseudonymize { key } = &options.strategy {
            if key.is_empty() {
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    "pseudonym key must not be empty",
                ));
            }
        }
        let email = regex::Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
            .map_err(|e| Error::new(ErrorCode::Internal, e.to_string()))?;
        Ok(Self { options, email })
    }

    /// Finds every sensitive value in `text`, in order of position, without overlaps.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        self.email
            .find_iter(text)
            .map(|m| Finding {
                kind: "EMAIL",
                start: m.start(),
                end: m.end(),
                start_utf16: text[..m.start()].encode_utf16().count(),
                end_utf16: text[..m.end()].encode_utf16().count(),
            })
            .collect()
    }

    /// Returns `text` with every finding replaced per the strategy.
    pub fn mask_text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for f in self.scan(text) {
            out.push_str(&text[last..f.start]);
            out.push_str(&format!("[REDACTED:{}]", f.kind));
            last = f.end;
        }
        out.push_str(&text[last..]);
        out
    }

    /// Masks a JSON value: keys kept, string values masked.
    pub fn mask_value(&self, value: &Value) -> Result<Value> {
        Ok(match value {
            Value::String(s) => Value::String(self.mask_text(s)),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.mask_value(v))
                    .collect::<Result<_>>()?,
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.mask_value(v)?)))
                    .collect::<Result<_>>()?,
            ),
            other => other.clone(),
        })
    }

    /// Parses JSON text, masks it, and returns compact JSON text.
    pub fn mask_json(&self, bytes: &[u8]) -> Result<String> {
        Ok(json::to_string(&self.mask_value(&json::parse(bytes)?)?))
    }

    /// The options this masker was built with.
    pub fn options(&self) -> &MaskOptions {
        &self.options
    }
}

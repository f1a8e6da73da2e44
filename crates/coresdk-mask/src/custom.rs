//! Custom detectors (a type label, a linear-time regex, an optional validator) and the
//! masking configuration every binding passes the same way, as JSON:
//!
//! ```json
//! {
//!   "keep": 4,
//!   "key_id": "k2026",
//!   "strategies": {"CREDIT_CARD": {"strategy": "partial", "keep": 4},
//!                  "EMAIL": {"strategy": "pseudonymize"}, "SECRET": {"strategy": "remove"}},
//!   "allow": ["support@example.com"],
//!   "custom_detectors": [{"type": "EMPLOYEE_ID", "pattern": "EMP-[0-9]{6}", "validator": "luhn"}]
//! }
//! ```
//!
//! `key_id` names the key of the `tokenize` strategy (default `"default"`); a per-type
//! `tokenize` takes its own `"key"` and `"key_id"`, else the masker's.

use super::validate::{luhn, standalone_word, Span};
use super::{MaskOptions, Strategy};
use coresdk_base::error::{Error, ErrorCode, Result};
use regex::Regex;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Mutex;

/// A detector the host program adds: matches of `pattern` (the `regex` crate: linear
/// time, no look-around) that stand alone as words and pass `validator`, reported as
/// `label`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomDetector {
    /// The type label, `[A-Z][A-Z0-9_]*` (at most 64 bytes), as in `[REDACTED:<label>]`.
    pub label: String,
    /// The regex.
    pub pattern: String,
    /// `None`, or `"luhn"` (the digits of the match must pass the Luhn check).
    pub validator: Option<String>,
}

/// A compiled custom detector.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub(crate) label: &'static str,
    pub(crate) regex: Regex,
    luhn: bool,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidArgument, message)
}

/// The label as a `&'static str`: each distinct label is allocated once per process.
fn intern(label: &str) -> &'static str {
    static LABELS: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut labels = LABELS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(known) = labels.get(label) {
        return known;
    }
    let leaked: &'static str = Box::leak(label.to_string().into_boxed_str());
    labels.insert(leaked);
    leaked
}

/// True for `[A-Z][A-Z0-9_]*` of at most 64 bytes (what a replacement token carries).
pub(crate) fn valid_label(label: &str) -> bool {
    let b = label.as_bytes();
    matches!(b.first(), Some(b'A'..=b'Z'))
        && b.len() <= 64
        && b.iter()
            .all(|&c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
}

impl CustomDetector {
    pub(crate) fn compile(&self) -> Result<Compiled> {
        if !valid_label(&self.label) {
            return Err(invalid(format!(
                "custom detector type {:?} must be [A-Z][A-Z0-9_]*, at most 64 characters",
                self.label
            )));
        }
        let regex = regex::RegexBuilder::new(&self.pattern)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| {
                invalid(format!(
                    "custom detector {}: pattern does not compile: {e}",
                    self.label
                ))
            })?;
        if regex.is_match("") {
            return Err(invalid(format!(
                "custom detector {}: pattern matches the empty string",
                self.label
            )));
        }
        let luhn = match self.validator.as_deref() {
            None => false,
            Some("luhn") => true,
            Some(other) => {
                return Err(invalid(format!(
                    "custom detector {}: unknown validator {other:?} (expected \"luhn\")",
                    self.label
                )))
            }
        };
        Ok(Compiled {
            label: intern(&self.label),
            regex,
            luhn,
        })
    }
}

impl Compiled {
    /// Every validated match in `text`.
    pub(crate) fn find(&self, text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        // A pattern that cannot match "" may still match nothing inside text (a Unicode
        // `\b` beside `é`, where the ASCII standalone-word rule sees blanks): skipped, or
        // a token would be inserted where there was no value.
        for m in self.regex.find_iter(text).filter(|m| !m.is_empty()) {
            let Some(span) = standalone_word(text, m.start(), m.end()) else {
                continue;
            };
            if self.luhn {
                let digits: Vec<u8> = m
                    .as_str()
                    .bytes()
                    .filter(u8::is_ascii_digit)
                    .map(|b| b - b'0')
                    .collect();
                if digits.len() < 2 || !luhn(&digits) {
                    continue;
                }
            }
            out.push(span);
        }
        out
    }
}

fn keep_of(value: &Value, where_: &str) -> Result<usize> {
    value
        .as_u64()
        .filter(|&k| (1..=8).contains(&k))
        .map(|k| k as usize)
        .ok_or_else(|| invalid(format!("{where_}: \"keep\" is 1 to 8")))
}

/// The key id of tokens when none is configured.
pub(crate) const DEFAULT_KEY_ID: &str = "default";

fn strategy_of(spec: &Value, default_key: &[u8], where_: &str) -> Result<Strategy> {
    let name = spec
        .get("strategy")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(format!("{where_}: \"strategy\" is required")))?;
    let keep = spec.get("keep").map_or(Ok(4), |v| keep_of(v, where_))?;
    match name {
        "redact" => Ok(Strategy::Redact),
        "remove" => Ok(Strategy::Remove),
        "partial" => Ok(Strategy::Partial { keep }),
        "pseudonymize" => {
            let key = match spec.get("key") {
                Some(Value::String(k)) => k.as_bytes().to_vec(),
                None => default_key.to_vec(),
                Some(_) => return Err(invalid(format!("{where_}: \"key\" is a string"))),
            };
            Ok(Strategy::Pseudonymize { key })
        }
        "tokenize" => {
            let key = match spec.get("key") {
                Some(Value::String(k)) => k.as_bytes().to_vec(),
                None => default_key.to_vec(),
                Some(_) => return Err(invalid(format!("{where_}: \"key\" is a string"))),
            };
            let key_id = match spec.get("key_id") {
                Some(Value::String(id)) => id.clone(),
                None => DEFAULT_KEY_ID.to_string(),
                Some(_) => return Err(invalid(format!("{where_}: \"key_id\" is a string"))),
            };
            Ok(Strategy::Tokenize { key_id, key })
        }
        other => Err(invalid(format!(
            "{where_}: unknown strategy {other:?} (expected redact, pseudonymize, partial, remove or tokenize)"
        ))),
    }
}

/// The strings of a list option; `INVALID_ARGUMENT` naming `field` for anything else.
fn string_list(value: &Value, field: &str) -> Result<Vec<String>> {
    let wrong = || invalid(format!("{field:?} is a list of strings"));
    value
        .as_array()
        .ok_or_else(wrong)?
        .iter()
        .map(|item| item.as_str().map(str::to_string).ok_or_else(wrong))
        .collect()
}

impl MaskOptions {
    /// Options as every binding receives them: a strategy name (`redact`, `pseudonymize`,
    /// `partial`, `remove`), the pseudonym key (a missing one is the empty-key error of
    /// [`Masker::new`](super::Masker::new) when pseudonymizing), extra sensitive key
    /// names, and the JSON configuration text of the module docs, if any.
    ///
    /// Errors: `INVALID_ARGUMENT` for an unknown strategy, and as [`apply_json`](Self::apply_json);
    /// `INVALID_JSON` for configuration text that is not JSON.
    pub fn from_parts(
        strategy: &str,
        key: Option<&[u8]>,
        sensitive_keys: Vec<String>,
        config_json: Option<&str>,
    ) -> Result<Self> {
        let key = key.unwrap_or_default();
        let mut options = MaskOptions {
            strategy: strategy_of(
                &serde_json::json!({ "strategy": strategy }),
                key,
                "strategy",
            )?,
            sensitive_keys,
            ..MaskOptions::default()
        };
        if let Some(text) = config_json {
            options.apply_json(&coresdk_base::json::parse(text.as_bytes())?, key)?;
        }
        Ok(options)
    }

    /// Adds the JSON configuration (module docs) to these options. A per-type
    /// `pseudonymize` without its own `"key"` uses `default_key` (the masker's key).
    ///
    /// Errors: `INVALID_ARGUMENT` for an unknown field, strategy or validator, a bad type
    /// label, or a pattern that does not compile or matches the empty string.
    pub fn apply_json(&mut self, config: &Value, default_key: &[u8]) -> Result<()> {
        let Some(fields) = config.as_object() else {
            return Err(invalid("masking options are a JSON object"));
        };
        for (name, value) in fields {
            match name.as_str() {
                "key_id" => {
                    let id = value
                        .as_str()
                        .ok_or_else(|| invalid("\"key_id\" is a string"))?;
                    if let Strategy::Tokenize { key_id, .. } = &mut self.strategy {
                        *key_id = id.to_string();
                    }
                }
                "keep" => {
                    let keep = keep_of(value, "keep")?;
                    if let Strategy::Partial { keep: k } = &mut self.strategy {
                        *k = keep;
                    }
                }
                "strategies" => {
                    let map = value
                        .as_object()
                        .ok_or_else(|| invalid("\"strategies\" maps type labels to strategies"))?;
                    for (label, spec) in map {
                        if !valid_label(label) {
                            return Err(invalid(format!("strategies: bad type label {label:?}")));
                        }
                        let strategy = strategy_of(spec, default_key, label)?;
                        self.strategies.insert(label.clone(), strategy);
                    }
                }
                "allow" => self.allow.extend(string_list(value, "allow")?),
                "custom_detectors" => {
                    let list = value
                        .as_array()
                        .ok_or_else(|| invalid("\"custom_detectors\" is a list"))?;
                    for item in list {
                        let text = |field: &str| item.get(field).and_then(Value::as_str);
                        let (Some(label), Some(pattern)) = (text("type"), text("pattern")) else {
                            return Err(invalid(
                                "a custom detector has a \"type\" and a \"pattern\" (strings)",
                            ));
                        };
                        self.custom.push(CustomDetector {
                            label: label.to_string(),
                            pattern: pattern.to_string(),
                            validator: text("validator").map(str::to_string),
                        });
                    }
                }
                "paths" => self.paths.extend(string_list(value, "paths")?),
                other => return Err(invalid(format!("unknown masking option {other:?}"))),
            }
        }
        Ok(())
    }
}

//! Masking JSON values: strings as text, object keys as text (kept unique), every scalar
//! under a sensitive key or a path rule replaced, card numbers written as numbers.

use super::json;
use super::paths::Step;
use super::replacement::{self, Replacer};
use super::Masker;
use coresdk_base::error::{Error, ErrorCode, Result};
use serde_json::{Map, Value};

impl Masker {
    /// Masks a JSON value. Object keys are masked as text, in order (see
    /// [`mask_key`](Self::mask_key)). Strings are masked with
    /// [`mask_text`](Self::mask_text); an integer whose digits are a detected value (a
    /// card number written as a number) becomes its replacement token, a string; other
    /// numbers, booleans and null are left alone, except under a sensitive key (see
    /// `keys.rs`): there
    /// every non-null scalar, however deeply nested, becomes a `SECRET` token, a string
    /// (`"[REDACTED:SECRET]"` or `"[SECRET:<hex>]"`). The pseudonym of a string is over
    /// its UTF-8 bytes (no quotes); of a number, over its JSON text as the core writes
    /// it (`1234`, `1.5`); of a boolean, over `true` / `false`. A string that already is
    /// a replacement token is kept, so masking stays idempotent.
    ///
    /// Errors: `LIMIT_EXCEEDED` for nesting deeper than [`json::MAX_DEPTH`].
    pub fn mask_value(&self, value: &Value) -> Result<Value> {
        if json::depth_exceeds(value, json::MAX_DEPTH) {
            return Err(Error::new(
                ErrorCode::LimitExceeded,
                format!("value nested more than {} levels deep", json::MAX_DEPTH),
            ));
        }
        // The depth check bounds this recursion.
        Ok(self.mask_node(value, false, &mut Vec::new()))
    }

    /// Parses JSON text, masks it like [`mask_value`](Self::mask_value), and returns
    /// compact JSON text. Errors: `INVALID_JSON`, `LIMIT_EXCEEDED`.
    pub fn mask_json(&self, bytes: &[u8]) -> Result<String> {
        Ok(json::to_string(&self.mask_value(&json::parse(bytes)?)?))
    }

    /// Masks one node; `position` is its path from the root, tracked only when there
    /// are path rules.
    fn mask_node<'v>(
        &self,
        value: &'v Value,
        sensitive: bool,
        position: &mut Vec<Step<'v>>,
    ) -> Value {
        match value {
            Value::Null => Value::Null,
            Value::String(s) if sensitive => {
                if replacement::is_token(s.as_bytes()) {
                    value.clone()
                } else {
                    self.secret(s.as_bytes())
                }
            }
            Value::String(s) => Value::String(self.mask_text(s)),
            Value::Number(n) if sensitive => self.secret(n.to_string().as_bytes()),
            Value::Bool(b) if sensitive => self.secret(if *b { b"true" } else { b"false" }),
            Value::Number(n) => self.mask_number(n).unwrap_or_else(|| value.clone()),
            Value::Bool(_) => value.clone(),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let by_path = self.enter(position, Step::Index(i));
                        let masked = self.mask_node(item, sensitive || by_path, position);
                        self.leave(position);
                        masked
                    })
                    .collect(),
            ),
            Value::Object(map) => {
                let remove = matches!(self.replacer_for(replacement::SECRET), Replacer::Remove);
                let mut out = Map::with_capacity(map.len());
                for (k, v) in map {
                    let by_path = self.enter(position, Step::Key(k));
                    let key_sensitive = by_path
                        || self.keys.is_sensitive(k)
                        || v.as_str()
                            .is_some_and(|s| self.keys.holds_key_material(k, s));
                    // The remove strategy drops the entry itself.
                    let dropped = remove && key_sensitive && !sensitive && !v.is_null();
                    if !dropped {
                        let masked = self.mask_node(v, sensitive || key_sensitive, position);
                        out.insert(self.mask_key(k, &out), masked);
                    }
                    self.leave(position);
                }
                Value::Object(out)
            }
        }
    }

    /// An object key masked as text, made unique among the keys already written: a key
    /// holding PII (`{"bob@example.com": 3}`) leaks like a value. Two keys can mask to the
    /// same text (`[REDACTED:EMAIL]`); the later one gets `#2`, `#3`, ... appended, the
    /// first free, so no entry is lost. A second pass changes nothing: masked keys are
    /// unique and mask to themselves. Sensitive-key and path rules read the key as given.
    fn mask_key(&self, key: &str, written: &Map<String, Value>) -> String {
        let masked = self.mask_text(key);
        if !written.contains_key(&masked) {
            return masked;
        }
        (2..)
            .map(|n| format!("{masked}#{n}"))
            .find(|k| !written.contains_key(k))
            .unwrap_or(masked)
    }

    /// Steps into a child; whether a path rule masks it.
    fn enter<'v>(&self, position: &mut Vec<Step<'v>>, step: Step<'v>) -> bool {
        if self.paths.is_empty() {
            return false;
        }
        position.push(step);
        self.paths.matches(position)
    }

    /// Steps back out of a child entered with [`enter`](Self::enter).
    fn leave(&self, position: &mut Vec<Step<'_>>) {
        if !self.paths.is_empty() {
            position.pop();
        }
    }

    /// An integer whose digits are a detected value (a payment card number written as
    /// a JSON number) becomes the replacement token, a string; other numbers stay.
    fn mask_number(&self, n: &serde_json::Number) -> Option<Value> {
        // Only a non-negative integer long enough to be a card (13 digits) is scanned.
        let digits = n.as_u64().filter(|&v| v >= 1_000_000_000_000)?.to_string();
        let masked = self.mask_text(&digits);
        (masked != digits).then_some(Value::String(masked))
    }

    fn secret(&self, value: &[u8]) -> Value {
        Value::String(
            self.replacer_for(replacement::SECRET)
                .token(replacement::SECRET, value),
        )
    }
}

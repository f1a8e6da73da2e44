//! Reversible tokenization: a value becomes `[<TYPE>:tok:<key id>:<hex>]`, from which a
//! holder of the key gets the value back ([`unmask_text`], [`unmask_value`]).
//!
//! The hex is AES-SIV (RFC 5297, AES-128-CMAC-SIV) of the value's UTF-8 bytes, with the
//! type label and the key id as associated data: deterministic (equal values of a type
//! under one key give equal tokens, so tokens still join across records), authenticated
//! (a changed token, or a token moved to another type or key id, fails with `INTEGRITY`),
//! and without the key it reveals nothing but the value's length. The SIV key is
//! [`tokenization_key`]: HMAC-SHA256(key, `"coresdk-tokenize-v1"`), which a key provider
//! holding the key computes without handing it out, so tokens made from a raw key and
//! from a provider's key of the same bytes are the same. Rotation: new tokens carry the
//! new key id; old ones still unmask while their key can be looked up.
//!
//! A value longer than [`MAX_VALUE`] bytes is redacted (`[REDACTED:<TYPE>]`) instead: a
//! token's length grows with its value, and tokens stay bounded so that masking stays
//! linear and idempotent (replacement.rs recognises them).

use aes_siv::siv::Aes128Siv;
use aes_siv::KeyInit;
use coresdk_base::error::{Error, ErrorCode, Result};
use hmac::{Hmac, Mac};
use regex::Regex;
use serde_json::Value;
use sha2::Sha256;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The HMAC message that derives the SIV key from a key (see the module docs).
pub const TOKENIZE_CONTEXT: &[u8] = b"coresdk-tokenize-v1";

/// Longest value tokenized; longer ones are redacted.
pub const MAX_VALUE: usize = 1024;

/// Longest key id: `[A-Za-z0-9_]`, 1 to 32 characters.
const MAX_KEY_ID: usize = 32;

/// The SIV key for `key`: HMAC-SHA256(key, [`TOKENIZE_CONTEXT`]).
pub fn tokenization_key(key: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(TOKENIZE_CONTEXT);
    mac.finalize().into_bytes().into()
}

/// Whether `id` can name a key in a token.
pub(crate) fn valid_key_id(id: &str) -> bool {
    (1..=MAX_KEY_ID).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Makes tokens with one key.
#[derive(Clone)]
pub(crate) struct Tokenizer {
    key_id: String,
    siv_key: [u8; 32],
}

impl Tokenizer {
    /// A tokenizer for `key` named `key_id`; `INVALID_ARGUMENT` for an empty key or a
    /// key id outside `[A-Za-z0-9_]{1,32}`.
    pub(crate) fn new(key_id: &str, key: &[u8]) -> Result<Self> {
        if key.is_empty() {
            return Err(invalid("the tokenize strategy needs a non-empty key"));
        }
        if !valid_key_id(key_id) {
            return Err(invalid(format!(
                "key_id {key_id:?}: 1 to {MAX_KEY_ID} letters, digits or _"
            )));
        }
        Ok(Self {
            key_id: key_id.to_string(),
            siv_key: tokenization_key(key),
        })
    }

    /// The token of `value` of type `label`.
    pub(crate) fn token(&self, label: &str, value: &[u8]) -> String {
        let sealed = (value.len() <= MAX_VALUE)
            .then(|| siv(&self.siv_key).encrypt([label.as_bytes(), self.key_id.as_bytes()], value))
            .and_then(std::result::Result::ok);
        let Some(sealed) = sealed else {
            return format!("[REDACTED:{label}]");
        };
        let mut out = format!("[{label}:tok:{}:", self.key_id);
        for byte in sealed {
            out.push_str(&format!("{byte:02x}"));
        }
        out.push(']');
        out
    }
}

fn siv(key: &[u8; 32]) -> Aes128Siv {
    Aes128Siv::new(key.into())
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidArgument, message)
}

fn integrity(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::Integrity, message)
}

fn token_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\[([A-Z][A-Z0-9_]{0,63}):tok:([A-Za-z0-9_]{1,32}):([0-9a-f]+)\]")
            .expect("token regex compiles")
    })
}

/// Looks up the SIV key of a key id (for a raw key: [`tokenization_key`] of it).
pub type KeyLookup<'a> = dyn FnMut(&str) -> Result<[u8; 32]> + 'a;

/// A [`KeyLookup`] over raw keys by id (each turned into its SIV key once):
/// `KEY_UNAVAILABLE` for an id it does not hold.
pub fn raw_keys(keys: BTreeMap<String, Vec<u8>>) -> impl FnMut(&str) -> Result<[u8; 32]> {
    let keys: BTreeMap<String, [u8; 32]> = keys
        .into_iter()
        .map(|(id, key)| (id, tokenization_key(&key)))
        .collect();
    move |id| {
        keys.get(id).copied().ok_or_else(|| {
            Error::new(
                ErrorCode::KeyUnavailable,
                format!("no key {id:?} to unmask its tokens"),
            )
        })
    }
}

/// `text` with every token replaced by the value it holds; other text (redacted values
/// included) is kept. Keys are looked up once per key id.
///
/// Errors: `INTEGRITY` for a token that does not decrypt with its key (changed, moved to
/// another type or key id, or made with another key of that id); what `key_for` returns
/// for a key it cannot give (`KEY_UNAVAILABLE`).
pub fn unmask_text(text: &str, key_for: &mut KeyLookup<'_>) -> Result<String> {
    let mut keys: BTreeMap<String, [u8; 32]> = BTreeMap::new();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for caps in token_regex().captures_iter(text) {
        let (whole, label, key_id, hex) = (&caps[0], &caps[1], &caps[2], &caps[3]);
        let start = caps.get(0).map_or(0, |m| m.start());
        let key = match keys.get(key_id) {
            Some(key) => *key,
            None => {
                let key = key_for(key_id)?;
                keys.insert(key_id.to_string(), key);
                key
            }
        };
        let sealed = decode_hex(hex).ok_or_else(|| integrity("a token's hex is malformed"))?;
        let value = siv(&key)
            .decrypt([label.as_bytes(), key_id.as_bytes()], &sealed)
            .map_err(|_| {
                integrity(format!(
                    "a {label} token does not decrypt with key {key_id:?} (changed, or made with another key)"
                ))
            })?;
        let value =
            String::from_utf8(value).map_err(|_| integrity("a token does not hold UTF-8 text"))?;
        out.push_str(&text[last..start]);
        out.push_str(&value);
        last = start + whole.len();
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// A JSON value with every string and object key unmasked as [`unmask_text`] does
/// (masking masks keys as text too).
pub fn unmask_value(value: &Value, key_for: &mut KeyLookup<'_>) -> Result<Value> {
    Ok(match value {
        Value::String(s) => Value::String(unmask_text(s, key_for)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| unmask_value(v, key_for))
                .collect::<Result<_>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((unmask_text(k, key_for)?, unmask_value(v, key_for)?)))
                .collect::<Result<_>>()?,
        ),
        other => other.clone(),
    })
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

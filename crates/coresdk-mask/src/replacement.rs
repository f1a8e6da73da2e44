//! Replacement tokens: what a masked value becomes, and how to recognise one again.
//!
//! The shapes are `[REDACTED:<TYPE>]`, `[REDACTED:<TYPE>:<last characters>]` (partial),
//! `[<TYPE>:<16 lowercase hex>]` (pseudonym) and `[<TYPE>:tok:<key id>:<hex>]`
//! (tokenize.rs); the remove strategy leaves nothing. Recognising
//! them is what makes masking idempotent: a finding that lies inside a token is dropped,
//! and a token counts as a word for the boundary rules (it replaced a word), so masking
//! masked text changes nothing.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The type label of values masked by a key-name rule rather than by a detector.
pub(crate) const SECRET: &str = "SECRET";

/// Longest type label a token may carry. Generous for the custom detectors to come;
/// it only bounds how far the token checks look around a position.
const MAX_LABEL: usize = 64;
/// A bound on a token's length: the longest is a tokenized value, `[` + label + `:tok:` +
/// key id (32) + `:` + the hex of the value (at most `tokenize::MAX_VALUE` bytes) and its
/// 16-byte tag + `]`.
const MAX_TOKEN: usize = MAX_LABEL + 40 + 2 * (super::tokenize::MAX_VALUE + 16);

/// Renders replacement tokens for one strategy. The HMAC state is keyed once, at
/// construction, and cloned per value.
#[derive(Clone)]
pub(crate) enum Replacer {
    /// `[REDACTED:<TYPE>]`.
    Redact,
    /// `[<TYPE>:<16 hex>]`, the first 8 bytes of HMAC-SHA256(key, value).
    Pseudonymize(Hmac<Sha256>),
    /// `[REDACTED:<TYPE>:<tail>]`: the last `n` ASCII letters and digits of the value,
    /// when it has at least `3 n` of them (otherwise as `Redact`).
    Partial(usize),
    /// Nothing: the value is deleted.
    Remove,
    /// `[<TYPE>:tok:<key id>:<hex>]`, reversible with the key (tokenize.rs).
    Tokenize(super::tokenize::Tokenizer),
}

impl Replacer {
    /// The replacement token for `value` of type `label`.
    pub(crate) fn token(&self, label: &str, value: &[u8]) -> String {
        match self {
            Replacer::Redact => format!("[REDACTED:{label}]"),
            Replacer::Tokenize(tokenizer) => tokenizer.token(label, value),
            Replacer::Remove => String::new(),
            Replacer::Partial(n) => {
                let alnum: Vec<u8> = value
                    .iter()
                    .copied()
                    .filter(u8::is_ascii_alphanumeric)
                    .collect();
                if alnum.len() < 3 * n {
                    return format!("[REDACTED:{label}]");
                }
                let tail = String::from_utf8_lossy(&alnum[alnum.len() - n..]).into_owned();
                format!("[REDACTED:{label}:{tail}]")
            }
            Replacer::Pseudonymize(keyed) => {
                let mut mac = keyed.clone();
                mac.update(value);
                let digest = mac.finalize().into_bytes();
                let mut out = String::with_capacity(label.len() + 19);
                out.push('[');
                out.push_str(label);
                out.push(':');
                for byte in &digest[..8] {
                    out.push(char::from(HEX[usize::from(byte >> 4)]));
                    out.push(char::from(HEX[usize::from(byte & 0xf)]));
                }
                out.push(']');
                out
            }
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Whether `bytes` is exactly one replacement token.
pub(crate) fn is_token(bytes: &[u8]) -> bool {
    let Some(inner) = bytes
        .strip_prefix(b"[")
        .and_then(|rest| rest.strip_suffix(b"]"))
    else {
        return false;
    };
    let Some(colon) = inner.iter().position(|&b| b == b':') else {
        return false;
    };
    let (head, tail) = (&inner[..colon], &inner[colon + 1..]);
    if head == b"REDACTED" {
        // `<TYPE>` or, from the partial strategy, `<TYPE>:<1 to 8 letters or digits>`.
        match tail.iter().position(|&b| b == b':') {
            None => is_label(tail),
            Some(i) => {
                let kept = &tail[i + 1..];
                is_label(&tail[..i])
                    && (1..=8).contains(&kept.len())
                    && kept.iter().all(u8::is_ascii_alphanumeric)
            }
        }
    } else if let Some(rest) = tail.strip_prefix(b"tok:") {
        // `<key id>:<hex>` (tokenize.rs): the hex holds at least the 16-byte tag.
        let Some(i) = rest.iter().position(|&b| b == b':') else {
            return false;
        };
        let (id, hex) = (&rest[..i], &rest[i + 1..]);
        is_label(head)
            && std::str::from_utf8(id).is_ok_and(super::tokenize::valid_key_id)
            && hex.len() >= 32
            && hex.len() % 2 == 0
            && hex.iter().all(|b| HEX.contains(b))
    } else {
        is_label(head) && tail.len() == 16 && tail.iter().all(|b| HEX.contains(b))
    }
}

/// `[A-Z][A-Z0-9_]*`, at most [`MAX_LABEL`] bytes.
fn is_label(bytes: &[u8]) -> bool {
    matches!(bytes.first(), Some(b'A'..=b'Z'))
        && bytes.len() <= MAX_LABEL
        && bytes
            .iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Bytes that can appear inside a token between its brackets.
fn in_token_alphabet(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b':'
}

/// Whether a token ends exactly at byte `end` (its `]` is at `end - 1`).
pub(crate) fn token_ends_at(text: &[u8], end: usize) -> bool {
    if end == 0 || text.get(end - 1) != Some(&b']') {
        return false;
    }
    let floor = end.saturating_sub(MAX_TOKEN);
    let mut i = end - 1;
    while i > floor {
        i -= 1;
        match text[i] {
            b'[' => return is_token(&text[i..end]),
            b if in_token_alphabet(b) => {}
            _ => return false,
        }
    }
    false
}

/// Whether a token starts exactly at byte `start` (its `[` is at `start`).
pub(crate) fn token_starts_at(text: &[u8], start: usize) -> bool {
    if text.get(start) != Some(&b'[') {
        return false;
    }
    let ceiling = text.len().min(start + MAX_TOKEN);
    for i in start + 1..ceiling {
        match text[i] {
            b']' => return is_token(&text[start..=i]),
            b if in_token_alphabet(b) => {}
            _ => return false,
        }
    }
    false
}

/// Whether the span `start..end` lies inside one replacement token (brackets included),
/// e.g. the 16 digits of a pseudonym that happen to pass Luhn.
pub(crate) fn inside_token(text: &[u8], start: usize, end: usize) -> bool {
    // Walk left from the span start to a `[`, right from its last byte to a `]`, over
    // token characters only and no further than a token can be long.
    let floor = start.saturating_sub(MAX_TOKEN);
    let mut open = start;
    while text.get(open) != Some(&b'[') {
        if open <= floor || !text.get(open).is_some_and(|&b| in_token_alphabet(b)) {
            return false;
        }
        open -= 1;
    }
    let ceiling = text.len().min(end + MAX_TOKEN);
    let mut close = end.max(start + 1) - 1;
    while text.get(close) != Some(&b']') {
        if close + 1 >= ceiling || !text.get(close).is_some_and(|&b| in_token_alphabet(b)) {
            return false;
        }
        close += 1;
    }
    is_token(&text[open..=close])
}

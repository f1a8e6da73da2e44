//! Look-around for the linear-time `regex` crate, which has none: what comes right
//! before and after a match decides whether it is a value of its own or a piece of a
//! longer word, number or colon run.
//!
//! All functions take the text's bytes and a byte offset; they never slice `str`.

use super::replacement::{token_ends_at, token_starts_at};

/// ASCII letters, digits and `_`: what a regex `\w` is in ASCII mode.
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether the text right before `i` continues a word: an ASCII letter, digit or `_`,
/// or a replacement token. Non-ASCII letters do not count: CJK text puts numbers right
/// next to letters without spaces.
///
/// Tokens and idempotence: in masked text a token stands where the original had the
/// first or last character of a finding, which is unknown. Every rule that looks at a
/// neighbour therefore reads a token as whatever makes it reject, so a second pass can
/// never accept what the first rejected; what the first accepted is a token by then.
pub(crate) fn word_before(t: &[u8], i: usize) -> bool {
    match i.checked_sub(1).map(|j| t[j]) {
        Some(b']') => token_ends_at(t, i),
        Some(b) => is_word_byte(b),
        None => false,
    }
}

/// Whether the text at `i` continues a word (see [`word_before`]).
pub(crate) fn word_after(t: &[u8], i: usize) -> bool {
    match t.get(i) {
        Some(b'[') => token_starts_at(t, i),
        Some(&b) => is_word_byte(b),
        None => false,
    }
}

fn digit_before(t: &[u8], i: usize) -> bool {
    match i.checked_sub(1).map(|j| t[j]) {
        Some(b']') => token_ends_at(t, i),
        Some(b) => b.is_ascii_digit(),
        None => false,
    }
}

fn digit_after(t: &[u8], i: usize) -> bool {
    match t.get(i) {
        Some(b'[') => token_starts_at(t, i),
        Some(b) => b.is_ascii_digit(),
        None => false,
    }
}

/// A number may not start inside a longer run: no word character right before it, and
/// no `-` or `.` joining it to a digit (`12-123-45-6789`, `1.2.3.4.5`).
pub(crate) fn number_starts_alone(t: &[u8], s: usize) -> bool {
    let joined = s > 0 && matches!(t[s - 1], b'-' | b'.') && digit_before(t, s - 1);
    !(word_before(t, s) || joined)
}

/// The end-side twin of [`number_starts_alone`].
pub(crate) fn number_ends_alone(t: &[u8], e: usize) -> bool {
    let joined = matches!(t.get(e), Some(b'-' | b'.')) && digit_after(t, e + 1);
    !(word_after(t, e) || joined)
}

/// Whether an IPv6 group (1-4 hex digits standing alone), a `:` or a replacement token
/// ends at `i`: then a `:` at `i` joins a longer colon run (`1:2:3:4:5:6:7:8:9`). A
/// token counts as a group (the rejecting side: we cannot know what it replaced).
pub(crate) fn group_ends_at(t: &[u8], i: usize) -> bool {
    let hex = t[..i]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    let j = i - hex;
    (i > 0 && t[i - 1] == b':')
        || token_ends_at(t, i)
        || ((1..=4).contains(&hex) && (token_ends_at(t, j) || !word_before(t, j)))
}

/// The start-side twin of [`group_ends_at`].
pub(crate) fn group_starts_at(t: &[u8], i: usize) -> bool {
    let rest = t.get(i..).unwrap_or_default();
    let hex = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let j = i + hex;
    t.get(i) == Some(&b':')
        || token_starts_at(t, i)
        || ((1..=4).contains(&hex) && (token_starts_at(t, j) || !word_after(t, j)))
}

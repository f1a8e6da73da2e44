//! Encoded values: a secret written URL-encoded (`bob%40example.com`) or wrapped in
//! base64 (`Ym9iQGV4YW1wbGUuY29t`) is found by decoding the run and scanning what it
//! holds, to a bounded depth (base64 inside URL encoding, and so on).
//!
//! - URL-encoded runs (at least one `%XX`, over the characters a URL holds as written,
//!   `'()` included): each finding in the decoded text is mapped
//!   back to the encoded bytes it came from, so only those are replaced
//!   (`email%3D[REDACTED:EMAIL]`).
//! - Base64 runs (12+ characters of either alphabet that decode to printable UTF-8): a
//!   finding anywhere inside makes the whole run one finding of that type, since part of
//!   a base64 run cannot be replaced without garbling the rest.
//!
//! Each decode is linear in the run and runs are disjoint, so the work is bounded by the
//! text length times the depth.

use super::detectors::Kind;
use super::replacement;
use base64::Engine as _;
use regex::Regex;
use std::sync::OnceLock;

/// How many encodings deep a value is looked for.
pub(crate) const MAX_DEPTH: u8 = 2;

/// Stands for a replacement token found next to a URL-encoded run.
const ADJACENT_TOKEN: &str = "[REDACTED:SECRET]";

/// A finding inside a decoded run, in the run's original (encoded) text.
pub(crate) struct Found {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: Kind,
}

fn url_run() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // RFC 3986's unreserved and sub-delimiter characters, `'()` included: what
        // `encodeURIComponent` leaves as written (`(862)%20660-8070`).
        Regex::new(
            r"[A-Za-z0-9%._~+\-=&/:;,!*@$'()]*%[0-9A-Fa-f]{2}[A-Za-z0-9%._~+\-=&/:;,!*@$'()]*",
        )
        .expect("URL run regex compiles")
    })
}

fn base64_run() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"[A-Za-z0-9+/_\-]{12,}={0,2}").expect("base64 regex compiles"))
}

/// The percent-decoded bytes of `run` (ASCII escapes; `%C3%A9` stays as written), and for each decoded byte (and the end) the offset
/// in `run` it came from. `None` when nothing was encoded.
fn percent_decode(run: &[u8]) -> Option<(Vec<u8>, Vec<usize>)> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let (mut out, mut map) = (
        Vec::with_capacity(run.len()),
        Vec::with_capacity(run.len() + 1),
    );
    let mut i = 0;
    let mut decoded_any = false;
    while i < run.len() {
        if run[i] == b'%' && i + 2 < run.len() {
            // ASCII escapes only: the decoded run is then always UTF-8, so no run is
            // skipped as a whole because one escape in it is not (which a second pass,
            // seeing the run cut shorter by a token, would decode after all).
            if let (Some(h), Some(l)) = (hex(run[i + 1]), hex(run[i + 2])) {
                if h < 8 {
                    map.push(i);
                    out.push(h << 4 | l);
                    i += 3;
                    decoded_any = true;
                    continue;
                }
            }
        }
        map.push(i);
        out.push(run[i]);
        i += 1;
    }
    map.push(run.len());
    decoded_any.then_some((out, map))
}

/// The text a base64 run holds, if it decodes (either alphabet, padded or not) to UTF-8
/// that is at least 90% printable.
fn base64_text(run: &str) -> Option<String> {
    let trimmed = run.trim_end_matches('=');
    let engines = [
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let bytes = engines.iter().find_map(|e| e.decode(trimmed).ok())?;
    let text = String::from_utf8(bytes).ok()?;
    let printable = text
        .chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .count();
    (printable * 10 >= text.chars().count() * 9 && !text.is_empty()).then_some(text)
}

/// The findings of a decoded text: `(start, end, kind)`.
pub(crate) type Spans = Vec<(usize, usize, Kind)>;

/// Findings inside the encoded runs of `text`. `scan` returns the findings of a decoded
/// text as `(start, end, kind)` (it recurses with one less depth).
pub(crate) fn find(text: &str, scan: &mut dyn FnMut(&str) -> Spans) -> Vec<Found> {
    let mut out = Vec::new();
    if text.contains('%') {
        for m in url_run().find_iter(text) {
            let Some((decoded, map)) = percent_decode(m.as_str().as_bytes()) else {
                continue;
            };
            let Ok(decoded) = String::from_utf8(decoded) else {
                continue;
            };
            // A replacement token next to the run (a value masked by an earlier pass) is
            // shown to the scan too, so a detector's boundary rules see it as they do in
            // the plain text: else a run cut short by a token would yield a value that
            // the longer run of the first pass did not (masking must be idempotent).
            let t = text.as_bytes();
            let before = if replacement::token_ends_at(t, m.start()) {
                ADJACENT_TOKEN
            } else {
                ""
            };
            let after = if replacement::token_starts_at(t, m.end()) {
                ADJACENT_TOKEN
            } else {
                ""
            };
            let framed = format!("{before}{decoded}{after}");
            for (s, e, kind) in scan(&framed) {
                let Some((s, e)) = s.checked_sub(before.len()).zip(e.checked_sub(before.len()))
                else {
                    continue;
                };
                if e <= decoded.len() {
                    out.push(Found {
                        start: m.start() + map[s],
                        end: m.start() + map[e],
                        kind,
                    });
                }
            }
        }
    }
    for m in base64_run().find_iter(text) {
        let Some(decoded) = base64_text(m.as_str()) else {
            continue;
        };
        if let Some((_, _, kind)) = scan(&decoded).into_iter().next() {
            out.push(Found {
                start: m.start(),
                end: m.end(),
                kind,
            });
        }
    }
    out
}

//! The proptest generators and configuration the property tests of this crate share:
//! text made of [`FRAGMENTS`] (findings, near misses, token look-alikes) joined by
//! arbitrary glue, arbitrary Unicode text, and stream chunks.
#![allow(dead_code)] // each test crate uses a different subset

use crate::maskers::JWT;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::FileFailurePersistence;

/// Fragments that compose into adversarial text: findings, near misses, glue.
pub const FRAGMENTS: &[&str] = &[
    "bob@example.com",
    "4111111111111111",
    "4111 1111 1111 1111",
    "123-45-6789",
    "GB82WEST12345698765432",
    "DE89 3704 0044 0532 0130 00",
    "192.168.1.1",
    "::1",
    "fe80::1",
    "+44 20 7946 0958",
    "(555) 123-4567",
    "555.123.4567",
    JWT,
    "Bearer abc123XYZtoken",
    "Basic dXNlcjpwYXNzd29yZA==",
    "AKIA2E0A8F3B244C9986",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "https://bob:hunter2@example.com",
    "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----",
    "[REDACTED:EMAIL]",
    "[EMAIL:0123456789abcdef]",
    "[CARD:4111111111111111]",
    "999.1.1.1",
    "1700000000",
    " ",
    "",
    "-",
    ".",
    ":",
    "@",
    "[",
    "]",
    "1",
    "12",
    "a",
    "Z",
    "é",
    "😀",
    "\n",
    "_",
    "+",
    "(",
    ")",
    "::",
    "0",
    "x",
    "Bearer ",
    "Basic ",
    "password=",
    "X-Api-Key: ",
    "\"token\": \"",
    "signing_key=",
    "secret:",
    "s3cr3tValue9",
    "kJ8fQ2xZp7LmN4vR",
    "https://",
    "u:p@",
    "eyJ",
    "ghp_",
    "AKIA",
    "-----BEGIN RSA PRIVATE KEY-----\n",
    "=",
    "/",
    "\"",
    "555",
    "4111",
    "GB82",
    "[REDACTED:",
];

/// The configuration of every property: `PROPTEST_CASES` cases (256 unless set), failures
/// persisted in `regressions`, the absolute path of a file under `proptest-regressions/`
/// (`concat!(env!("CARGO_MANIFEST_DIR"), "/proptest-regressions/<test file>.txt")`).
/// proptest's default, `SourceParallel`, looks for a `lib.rs` above the test file, finds
/// none above `tests/`, and would write beside the test file instead.
pub fn config(regressions: &'static str) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
        ..ProptestConfig::default()
    }
}

/// Up to 3 arbitrary characters, newlines and astral ones included.
fn glue() -> impl Strategy<Value = String> {
    "(?s).{0,3}"
}

/// A fragment, mostly, or glue.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(FRAGMENTS).prop_map(str::to_owned),
        1 => glue(),
    ]
}

/// 1 to `max` pieces joined.
pub fn fragment_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 1..=max).prop_map(|pieces| pieces.concat())
}

/// Text of fragments and glue (mostly), or arbitrary Unicode text.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => fragment_text(12),
        1 => "(?s).{0,40}",
    ]
}

/// Text for a stream, as pieces of fragments and glue (a few KiB at most, so a stream
/// writes parts before the end), some with a place to cut the stream inside or after
/// them. A cut travels with its piece, so shrinking can drop the pieces around it.
pub fn stream_pieces() -> impl Strategy<Value = Vec<(String, Option<Index>)>> {
    let cut = prop::option::weighted(0.15, any::<Index>());
    prop::collection::vec((piece(), cut), 0..400)
}

/// The chunks `pieces` make: the text, cut at each piece's cut (moved back to a character
/// boundary), empty chunks left out.
pub fn chunks(pieces: &[(String, Option<Index>)]) -> Vec<String> {
    let (mut chunks, mut chunk) = (Vec::new(), String::new());
    for (piece, cut) in pieces {
        if let Some(cut) = cut {
            let mut at = cut.index(piece.len() + 1);
            while !piece.is_char_boundary(at) {
                at -= 1;
            }
            chunk.push_str(&piece[..at]);
            chunks.push(std::mem::take(&mut chunk));
            chunk.push_str(&piece[at..]);
        } else {
            chunk.push_str(piece);
        }
    }
    chunks.push(chunk);
    chunks.retain(|c| !c.is_empty());
    chunks
}

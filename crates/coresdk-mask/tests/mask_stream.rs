//! Streaming masking (`StreamMasker`): the concatenated output equals one-shot masking of
//! the whole stream, however it is cut into chunks, and what is held back stays bounded.

mod maskers;

use coresdk_mask::{Masker, StreamMasker, STREAM_LOOKAHEAD, STREAM_MAX_HELD};
use maskers::{fixture_texts, pseudonymizer, redactor};
use std::sync::Arc;

/// Masks `chunks` as a stream; returns the output and the most bytes ever held.
fn stream(masker: &Arc<Masker>, chunks: &[&str]) -> (String, usize) {
    let mut s = StreamMasker::new(Arc::clone(masker));
    let (mut out, mut most) = (String::new(), 0);
    for chunk in chunks {
        out.push_str(&s.push(chunk).expect("push"));
        most = most.max(s.held());
    }
    out.push_str(&s.finish());
    (out, most)
}

/// Cuts `text` at the given byte offsets (moved back to character boundaries).
fn cut_at<'t>(text: &'t str, offsets: &[usize]) -> Vec<&'t str> {
    let mut parts = Vec::new();
    let mut last = 0;
    for &o in offsets {
        let mut o = o.min(text.len());
        while !text.is_char_boundary(o) {
            o -= 1;
        }
        if o > last {
            parts.push(&text[last..o]);
            last = o;
        }
    }
    parts.push(&text[last..]);
    parts
}

/// A seeded generator of chunk sizes (xorshift; no dependency).
fn sizes(seed: u64, max: usize) -> impl FnMut() -> usize {
    let mut x = seed;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        1 + (x % max as u64) as usize
    }
}

/// A line of log text with no sensitive value, `n` bytes long or a little more.
fn filler(n: usize) -> String {
    let line = "2026-12-07T06:00:00Z INFO request served status=200 took=12ms\n";
    line.repeat(n / line.len() + 1)
}

#[test]
fn every_fixture_split_at_every_offset_masks_as_one_shot() {
    let masker = Arc::new(redactor());
    let pad = filler(2 * STREAM_LOOKAHEAD);
    for text in fixture_texts() {
        // Padding before and after makes the cuts fall around the fixture's values.
        let whole = format!("{pad}{text}\n{pad}");
        let expected = masker.mask_text(&whole);
        for i in 0..=text.len() {
            let (out, _) = stream(&masker, &cut_at(&whole, &[pad.len() + i]));
            assert_eq!(out, expected, "fixture {text:?} cut at {i}");
            let cut = pad.len() + i;
            let (out, _) = stream(&masker, &cut_at(&whole, &[cut, cut + STREAM_LOOKAHEAD]));
            assert_eq!(out, expected, "fixture {text:?} cut at {i} and after");
        }
    }
}

#[test]
fn a_long_stream_in_random_chunks_masks_as_one_shot_and_writes_as_it_goes() {
    for masker in [Arc::new(redactor()), Arc::new(pseudonymizer("k"))] {
        let whole: String = fixture_texts()
            .iter()
            .flat_map(|t| [t.as_str(), "\n"])
            .collect::<String>()
            .repeat(3);
        let expected = masker.mask_text(&whole);
        for (seed, max) in [(1, 7), (2, 64), (3, 500), (4, 4096)] {
            let mut next = sizes(seed, max);
            let mut offsets = Vec::new();
            let mut at = 0;
            while at < whole.len() {
                at += next();
                offsets.push(at);
            }
            let chunks = cut_at(&whole, &offsets);
            let mut s = StreamMasker::new(Arc::clone(&masker));
            let (mut out, mut written_early) = (String::new(), 0);
            for chunk in &chunks {
                let part = s.push(chunk).expect("push");
                written_early += part.len();
                out.push_str(&part);
                assert!(
                    s.held() <= STREAM_MAX_HELD + STREAM_LOOKAHEAD + max,
                    "held {}",
                    s.held()
                );
            }
            out.push_str(&s.finish());
            assert_eq!(out, expected, "seed {seed}, chunks up to {max} bytes");
            assert!(
                written_early > expected.len() / 2,
                "only {written_early} bytes written before finish"
            );
        }
    }
}

#[test]
fn a_private_key_arriving_line_by_line_is_never_written_in_part() {
    let masker = Arc::new(redactor());
    let body: String = (0..60)
        .map(|i| format!("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC{i:013}\n"))
        .collect();
    let whole = format!(
        "{}-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----\n{}",
        filler(1500),
        filler(1500)
    );
    let mut s = StreamMasker::new(Arc::clone(&masker));
    let mut out = String::new();
    for line in whole.split_inclusive('\n') {
        out.push_str(&s.push(line).expect("push"));
        assert!(
            !out.contains("MIIEvQIBADANBg"),
            "part of the key was written"
        );
    }
    out.push_str(&s.finish());
    assert_eq!(out, masker.mask_text(&whole));
    assert!(out.contains("[REDACTED:PRIVATE_KEY]"));
}

#[test]
fn a_line_without_blanks_is_written_once_the_hold_is_full() {
    let masker = Arc::new(redactor());
    let mut s = StreamMasker::new(Arc::clone(&masker));
    let chunk = "abcdefghij".repeat(100);
    let mut written = 0;
    for _ in 0..200 {
        written += s.push(&chunk).expect("push").len();
        assert!(s.held() <= STREAM_MAX_HELD + STREAM_LOOKAHEAD + chunk.len());
    }
    written += s.finish().len();
    assert_eq!(written, 200 * chunk.len());
    assert!(s.push("more").is_err(), "a chunk after finish is refused");
    assert_eq!(s.finish(), "", "finish twice returns nothing");
}

#[test]
fn an_email_split_across_every_pair_of_chunks_is_masked() {
    let masker = Arc::new(redactor());
    let whole = format!("{}mail bob@example.com now\n{}", filler(1200), filler(1200));
    let at = whole.find("bob").expect("email");
    for i in at - 2..at + 18 {
        let (out, _) = stream(&masker, &cut_at(&whole, &[i]));
        assert!(!out.contains("example.com"), "cut at {i}: {out}");
    }
}

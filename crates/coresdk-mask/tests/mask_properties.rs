//! Properties of `mask` over generated and hand-picked inputs: masking is idempotent,
//! findings are sorted, disjoint and on char boundaries, offsets are right in UTF-8 and
//! UTF-16, text outside findings is kept byte for byte, and tokens unmask to the text.
//! The generated properties run under proptest (generators in `prop_gen/`; streams in
//! prop_stream.rs, JSON values in prop_json.rs): failures shrink, and their seeds are
//! persisted in `proptest-regressions/mask_properties.txt` and replayed first.

mod maskers;
mod prop_gen;
use coresdk_mask::{raw_keys, unmask_text, Finding, MaskOptions, Masker, Strategy as MaskStrategy};
use maskers::{pseudonymizer, redactor, JWT};
use prop_gen::{config, fragment_text, text};
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;

const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/mask_properties.txt"
);

/// `[REDACTED:<kind>]` at the start of `rest`: its length.
fn redacted(kind: &str, rest: &str) -> Option<usize> {
    let token = format!("[REDACTED:{kind}]");
    rest.starts_with(&token).then_some(token.len())
}

/// `[<kind>:<16 lowercase hex>]` at the start of `rest`: its length.
fn pseudonym(kind: &str, rest: &str) -> Option<usize> {
    let hex = rest
        .strip_prefix('[')?
        .strip_prefix(kind)?
        .strip_prefix(':')?;
    let ok = hex.get(16..17) == Some("]")
        && hex
            .bytes()
            .take(16)
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    ok.then_some(kind.len() + 19)
}

/// Checks that `masked` is `text` with each of `findings` replaced by a token that
/// `token(kind, rest)` recognises at the start of `rest`, and nothing else changed.
fn check_only_findings_replaced(
    text: &str,
    findings: &[Finding],
    masked: &str,
    token: fn(&str, &str) -> Option<usize>,
) -> Result<(), TestCaseError> {
    let (mut from, mut rest) = (0, masked);
    for f in findings {
        let kept = &text[from..f.start];
        prop_assert!(rest.starts_with(kept), "{kept:?} changed, before {f:?}");
        rest = &rest[kept.len()..];
        let len = token(f.kind, rest);
        prop_assert!(len.is_some(), "no {} token at {rest:?}", f.kind);
        rest = &rest[len.unwrap_or_default()..];
        from = f.end;
    }
    prop_assert_eq!(rest, &text[from..], "text after the last finding changed");
    Ok(())
}

proptest! {
    #![proptest_config(config(REGRESSIONS))]

    // ---- idempotence ----

    #[test]
    fn masking_is_idempotent(text in text()) {
        for m in [redactor(), pseudonymizer("k")] {
            let once = m.mask_text(&text);
            prop_assert_eq!(m.mask_text(&once), once);
        }
    }

    // ---- offsets ----

    #[test]
    fn findings_are_sorted_disjoint_and_on_char_boundaries(text in text()) {
        for m in [redactor(), pseudonymizer("k")] {
            let findings = m.scan(&text);
            let mut reach = 0;
            for f in &findings {
                prop_assert!(f.start >= reach && f.start < f.end, "{findings:?}");
                prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
                prop_assert_eq!(f.start_utf16, text[..f.start].encode_utf16().count());
                prop_assert_eq!(f.end_utf16, text[..f.end].encode_utf16().count());
                reach = f.end;
            }
        }
    }

    // ---- what masking changes ----

    /// The output is the input with each finding replaced by its token: text outside
    /// findings is kept byte for byte, and nothing else grows or shrinks.
    #[test]
    fn only_findings_are_replaced(text in text()) {
        let (redact, pseudo) = (redactor(), pseudonymizer("k"));
        let findings = redact.scan(&text);
        check_only_findings_replaced(&text, &findings, &redact.mask_text(&text), redacted)?;
        let findings = pseudo.scan(&text);
        check_only_findings_replaced(&text, &findings, &pseudo.mask_text(&text), pseudonym)?;
    }

    // ---- tokenize ----

    /// A holder of the key gets the text back from its tokenized form.
    #[test]
    fn tokens_unmask_to_the_text(text in fragment_text(12)) {
        let masker = Masker::new(MaskOptions {
            strategy: MaskStrategy::Tokenize { key_id: "k1".into(), key: b"secret".to_vec() },
            ..Default::default()
        })
        .expect("tokenizing masker");
        let masked = masker.mask_text(&text);
        let mut keys = raw_keys(BTreeMap::from([("k1".to_string(), b"secret".to_vec())]));
        prop_assert_eq!(unmask_text(&masked, &mut keys).expect("unmask"), text);
    }
}

/// Regressions found by `masking_is_idempotent`: each input was masked differently the
/// second time (a value leaked in the first pass, or a boundary read a token wrongly).
#[test]
fn idempotence_regressions() {
    let cases = [
        // An email whose local part starts inside a PEM block was dropped whole, and
        // hid the real address after it.
        (
            "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----@AKIA2E0A8F3B244C9986.bob@example.com",
            "[REDACTED:PRIVATE_KEY]@[REDACTED:EMAIL]",
        ),
        // A rejected `Bearer` (glued to a word) hid the next `Bearer` inside its credential.
        (
            "mailcomBearer abc123XYZtoken-Bearer abc123XYZtoken",
            "mailcomBearer abc123XYZtoken-Bearer [REDACTED:BEARER_TOKEN]",
        ),
        // A JWT glued to a GitHub token was rejected whole, hiding the JWT-shaped rest.
        (
            &format!("(ghp_{JWT}192.168.1.1 "),
            "([REDACTED:GITHUB_TOKEN].[REDACTED:JWT].1.1 ",
        ),
        // Masking a phone removed the blank that ended a URL password.
        (
            "https://bob:hunter2@example.com1:(555) 123-4567@",
            "https://bob:[REDACTED:URL_PASSWORD]@example.com1:[REDACTED:PHONE_NUMBER]@",
        ),
        // An E.164 match running into a card was rejected whole.
        (
            "+44 20 7946 0958 4111 1111 1111 1111",
            "[REDACTED:PHONE_NUMBER] [REDACTED:CREDIT_CARD]",
        ),
        // The shape pass skipped the digits after a rejected `+...` match.
        ("x +4111111111111111", "x +[REDACTED:CREDIT_CARD]"),
        // A hex letter ending a word was read as an IPv6 group before `:`.
        (
            "AKIA2E0A8F3B244C9986:12::1",
            "[REDACTED:AWS_ACCESS_KEY_ID]:[REDACTED:IP_ADDRESS]",
        ),
        // An email rejected as a URL password hid the address in its domain.
        (
            "-----BEGIN RSA PRIVATE KEY-----\nhttps://bob:hunter2@example.combob@example.com",
            "[REDACTED:PRIVATE_KEY]@[REDACTED:EMAIL]",
        ),
        // Found by cargo-fuzz: masking the URL password inside a rejected `X-Api-Key`
        // value shortened it until the next pass accepted it.
        (
            "X-Api-Key:xam\0\0idtoken\0#x://:s3cr\x006t@cache:6",
            "X-Api-Key:xam\0\0idtoken\0#x://:[REDACTED:URL_PASSWORD]@cache:6",
        ),
    ];
    let (redact, pseudo) = (redactor(), pseudonymizer("k"));
    for (input, want) in cases {
        assert_eq!(redact.mask_text(input), want, "{input:?}");
        assert_eq!(redact.mask_text(want), want, "{input:?} twice");
        let once = pseudo.mask_text(input);
        assert_eq!(
            pseudo.mask_text(&once),
            once,
            "{input:?} pseudonymized twice"
        );
    }
}

// ---- offsets ----

#[test]
fn utf16_offsets_after_astral_characters() {
    let findings = redactor().scan("😀 bob@example.com");
    assert_eq!(
        findings,
        [Finding {
            kind: "EMAIL",
            start: 5,
            end: 20,
            start_utf16: 3,
            end_utf16: 18
        }]
    );
    assert_eq!(
        findings[0].to_json(),
        json!({"type": "EMAIL", "start": 5, "end": 20, "start_utf16": 3, "end_utf16": 18})
    );
    // One BMP 2-byte, one 3-byte, one astral character between two findings.
    let text = "é a@b.co 中😀 10.0.0.1";
    let got: Vec<_> = redactor()
        .scan(text)
        .iter()
        .map(|f| (f.kind, f.start, f.end, f.start_utf16, f.end_utf16))
        .collect();
    assert_eq!(got, [("EMAIL", 3, 9, 2, 8), ("IP_ADDRESS", 18, 26, 13, 21)]);
}

/// Inputs cargo-fuzz found (`fuzz/`, `scripts/fuzz.sh`), kept byte for byte: each must mask
/// idempotently under both strategies.
#[test]
fn fuzz_regressions_are_idempotent() {
    assert!(replay("tests/fuzz-regressions") >= 7);
}

/// Masks every UTF-8 file of `folder` twice under both strategies; returns how many it read.
fn replay(folder: &str) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let (redact, pseudo) = (redactor(), pseudonymizer("k"));
    let mut seen = 0;
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        for masker in [&redact, &pseudo] {
            let once = masker.mask_text(text);
            assert_eq!(masker.mask_text(&once), once, "{text:?}");
        }
        seen += 1;
    }
    seen
}

//! Properties of `mask` over generated and hand-picked inputs: masking is idempotent,
//! findings are sorted, disjoint and on char boundaries, and offsets are right in UTF-8
//! and UTF-16.

mod maskers;
use coresdk_mask::Finding;
use maskers::{pseudonymizer, redactor, JWT};
use serde_json::json;

// ---- idempotence ----

/// Fragments that compose into adversarial text: findings, near misses, glue.
const FRAGMENTS: &[&str] = &[
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

/// A small deterministic generator (no dev-dependencies needed): xorshift64.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 33) as usize
    }
    fn text(&mut self) -> String {
        (0..1 + self.next() % 10)
            .map(|_| FRAGMENTS[self.next() % FRAGMENTS.len()])
            .collect()
    }
}

#[test]
fn masking_is_idempotent() {
    let maskers = [redactor(), pseudonymizer("k")];
    // MASK_FUZZ_ITERS and MASK_FUZZ_SEED run it longer or elsewhere.
    let iters = std::env::var("MASK_FUZZ_ITERS").map_or(6000, |v| v.parse().unwrap_or(6000));
    let seed =
        std::env::var("MASK_FUZZ_SEED").map_or(0x9E37_79B9_7F4A_7C15, |v| v.parse().unwrap_or(1));
    let mut rng = Rng(seed);
    for _ in 0..iters {
        let text = rng.text();
        for m in &maskers {
            let once = m.mask_text(&text);
            assert_eq!(m.mask_text(&once), once, "input {text:?}");
        }
    }
}

#[test]
fn findings_are_sorted_disjoint_and_on_char_boundaries() {
    let m = redactor();
    let mut rng = Rng(42);
    for _ in 0..3000 {
        let text = rng.text();
        let findings = m.scan(&text);
        let mut reach = 0;
        for f in &findings {
            assert!(
                f.start >= reach && f.start < f.end,
                "{text:?}: {findings:?}"
            );
            assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
            assert_eq!(f.start_utf16, text[..f.start].encode_utf16().count());
            assert_eq!(f.end_utf16, text[..f.end].encode_utf16().count());
            reach = f.end;
        }
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

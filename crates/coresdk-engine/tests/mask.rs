//! Tests of `mask` (src/mask/): every detector with positives and hard negatives,
//! overlap resolution, strategies, idempotence, offsets, JSON values and limits, a
//! 50 MB text, and the golden cases of fixtures/mask.

use coresdk_engine::{json, ErrorCode, Finding, MaskOptions, Masker, Strategy};
use serde_json::{json, Value};
use std::path::Path;

fn redactor() -> Masker {
    Masker::new(MaskOptions::default()).expect("default masker")
}

fn pseudonymizer(key: &str) -> Masker {
    Masker::new(MaskOptions {
        strategy: Strategy::Pseudonymize {
            key: key.as_bytes().to_vec(),
        },
        sensitive_keys: Vec::new(),
    })
    .expect("pseudonymizing masker")
}

fn mask(text: &str) -> String {
    redactor().mask_text(text)
}

/// The finding types in `text`, in order.
fn kinds(text: &str) -> Vec<&'static str> {
    redactor().scan(text).iter().map(|f| f.kind).collect()
}

/// Asserts that each input is masked whole as `label`, alone and inside a sentence.
fn assert_masked_whole(label: &str, inputs: &[&str]) {
    let token = format!("[REDACTED:{label}]");
    for input in inputs {
        assert_eq!(mask(input), token, "{input}");
        assert_eq!(
            mask(&format!("see {input}, then")),
            format!("see {token}, then"),
            "{input} in a sentence"
        );
    }
}

/// Asserts that no detector fires on any input.
fn assert_untouched(inputs: &[&str]) {
    for input in inputs {
        assert_eq!(kinds(input), Vec::<&str>::new(), "{input}");
        assert_eq!(mask(input), *input);
    }
}

// ---- detectors ----

#[test]
fn email() {
    assert_masked_whole(
        "EMAIL",
        &[
            "bob@example.com",
            "first.last+tag@mail.example.co.uk",
            "josé@exemple.fr",
            "user_1%x@sub-domain.example.io",
            "bob@xn--bcher-kva.example",
        ],
    );
    assert_eq!(mask("mailto:bob@example.com"), "mailto:[REDACTED:EMAIL]");
    assert_eq!(mask("<bob@example.com>."), "<[REDACTED:EMAIL]>.");
    assert_untouched(&[
        "bob@localhost",
        "@example.com",
        "user@",
        "a@b.c",
        "@@",
        "x @ y.com",
    ]);
}

#[test]
fn credit_card_issuers_and_separators() {
    assert_masked_whole(
        "CREDIT_CARD",
        &[
            "4111111111111111",    // Visa
            "4222222222222",       // Visa, 13 digits
            "4111111111111111110", // Visa, 19 digits
            "5555555555554444",    // Mastercard
            "2223003122003222",    // Mastercard 2-series
            "378282246310005",     // American Express
            "6011111111111117",    // Discover
            "3530111333300000",    // JCB
            "30569309025904",      // Diners Club
            "6200000000000005",    // UnionPay
            "6759649826438453",    // Maestro
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
            "3782 822463 10005",
        ],
    );
}

#[test]
fn credit_card_negatives() {
    assert_untouched(&[
        "4111111111111112",           // Luhn fails
        "1234567812345670",           // Luhn passes, no issuer starts with 1
        "9000000000000001",           // Luhn passes, no issuer starts with 9
        "411111111111116",            // Luhn passes, but Visa has no 15-digit cards
        "4111 1111-1111 1111",        // mixed separators
        "x4111111111111111",          // glued to a word
        "4111111111111111x",          // glued to a word
        "41111111111111111111111",    // part of a longer run
        "4111111111111111-12",        // joined to more digits
        "order 00004111111111111111", // zero-padded id
    ]);
    // A card followed by another group: the card is found, the group stays.
    assert_eq!(
        mask("4111 1111 1111 1111 2024"),
        "[REDACTED:CREDIT_CARD] 2024"
    );
}

#[test]
fn us_ssn() {
    assert_masked_whole("US_SSN", &["123-45-6789", "123 45 6789", "899-99-9999"]);
    assert_untouched(&[
        "000-12-3456", // area 000
        "666-12-3456", // area 666
        "900-12-3456", // areas 900-999
        "999-12-3456",
        "123-00-4567", // group 00
        "123-45-0000", // serial 0000
        "123-45 6789", // mixed separators
        "123456789",   // bare digits
        "1123-45-6789",
        "123-45-67890",
        "A123-45-6789",
        "12-123-45-6789",
    ]);
}

#[test]
fn iban() {
    assert_masked_whole(
        "IBAN",
        &[
            "GB82WEST12345698765432",
            "DE89370400440532013000",
            "FR1420041010050500013M02606",
            "NL91ABNA0417164300",
            "BE68539007547034",
            "NO9386011117947",
            "CH9300762011623852957",
            "IT60X0542811101000000123456",
            "PL61109010140000071219812874",
            "GB82 WEST 1234 5698 7654 32",
            "DE89 3704 0044 0532 0130 00",
            "FR14 2004 1010 0505 0001 3M02 606",
        ],
    );
    assert_untouched(&[
        "GB83WEST12345698765432",      // wrong check digits
        "DE89370400440532013001",      // wrong check digits
        "GB49WEST123456987654321",     // mod-97 passes, but 23 characters for GB (22)
        "DE8937040044053201300",       // one character short
        "XX831234567890123456",        // mod-97 passes, no such country
        "gb82west12345698765432",      // lowercase
        "GB82 WE ST12 3456 9876 5432", // spaces off the 4-character grid
        "XGB82WEST12345698765432",
    ]);
}

#[test]
fn ip_addresses() {
    assert_masked_whole(
        "IP_ADDRESS",
        &[
            "192.168.1.1",
            "10.0.0.1",
            "255.255.255.255",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "2001:db8::8a2e:370:7334",
            "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
            "::ffff:192.168.1.1",
            "fe80::1ff:fe23:4567:890a",
        ],
    );
    assert_eq!(
        mask("http://[::1]:8080/"),
        "http://[[REDACTED:IP_ADDRESS]]:8080/"
    );
    assert_eq!(mask("peer 10.1.2.3:443"), "peer [REDACTED:IP_ADDRESS]:443");
    assert_eq!(
        mask("link fe80::1: down"),
        "link [REDACTED:IP_ADDRESS]: down"
    );
    assert_untouched(&[
        "999.1.1.1",
        "256.1.1.1",
        "1.2.3",
        "1.2.3.4.5",
        "v1.2.3.4",
        "01.2.3.4",
        "12:30:45",
        "std::vector",
        "1::2::3",
        "00:1A:2B:3C:4D:5E",
        "2024-05-01T12:30:45.123Z",
    ]);
}

#[test]
fn phone_numbers() {
    assert_masked_whole(
        "PHONE_NUMBER",
        &[
            "+1 (555) 123-4567",
            "+1-555-123-4567",
            "+44 20 7946 0958",
            "+44 (0)20 7946 0958",
            "+4915112345678",
            "+33 1 23 45 67 89",
            "+81.3.1234.5678",
            "(555) 123-4567",
            "(555)123-4567",
            "555-123-4567",
            "555.123.4567",
            "1-800-555-0199",
        ],
    );
    assert_untouched(&[
        "1700000000",        // a Unix timestamp
        "1700000000123",     // in milliseconds
        "5551234567",        // bare digits
        "4111111111111112",  // a Luhn-invalid 16-digit number
        "+12345678",         // too short for E.164
        "+1234567890123456", // 16 digits: too long for E.164
        "555-123.4567",      // mixed separators
        "555-123-45678",
        "a+15551234567",
        "2024-05-01",
    ]);
}

#[test]
fn uuids_hashes_and_versions_are_not_findings() {
    assert_untouched(&[
        "123e4567-e89b-12d3-a456-426614174000",
        "9fceb02d0ae598e95dc970b74dd3a0a3f5d6d8bd",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "version 1.2.3",
        "build 2024.05.01",
        "id 1234567",
    ]);
}

const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

#[test]
fn jwt() {
    assert_masked_whole("JWT", &[JWT, "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."]);
    assert_eq!(
        mask(&format!("token={JWT}&x=1")),
        "token=[REDACTED:JWT]&x=1"
    );
    assert_untouched(&[
        "eyJhbGciOiJIUzI1NiJ9",
        "xeyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
    ]);
}

#[test]
fn bearer_and_basic_credentials_keep_the_scheme() {
    assert_eq!(
        mask("Authorization: Bearer abc123XYZtoken"),
        "Authorization: Bearer [REDACTED:BEARER_TOKEN]"
    );
    assert_eq!(
        mask("authorization: bearer 0123456789abcdef"),
        "authorization: bearer [REDACTED:BEARER_TOKEN]"
    );
    assert_eq!(
        mask("Authorization: Basic dXNlcjpwYXNzd29yZA=="),
        "Authorization: Basic [REDACTED:BASIC_AUTH]"
    );
    assert_untouched(&[
        "the bearer of bad news",
        "Bearer token",
        "a bearer credential-of-sorts",
        "basic auth is basic",
        "Basic SGVsbG8gV29ybGQ=", // decodes to "Hello World": no user:password
    ]);
}

#[test]
fn cloud_and_saas_tokens() {
    assert_masked_whole(
        "AWS_ACCESS_KEY_ID",
        &["AKIAIOSFODNN7EXAMPLE", "ASIAY34FZKBOKMUTVV7A"],
    );
    assert_masked_whole(
        "GITHUB_TOKEN",
        &[
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "gho_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            &format!("github_pat_{}_{}", "A".repeat(22), "b".repeat(59)),
        ],
    );
    assert_masked_whole(
        "SLACK_TOKEN",
        &[
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
            "xoxp-1234567890-1234567890-1234567890-abcdef0123456789abcdef0123456789",
            "xapp-1-A0123456789-1234567890123-abcdef0123456789",
        ],
    );
    assert_untouched(&[
        "AKIAIOSFODNN7EXAMPL",   // 15 characters after the prefix
        "XAKIAIOSFODNN7EXAMPLE", // glued
        "akiaiosfodnn7example",
        "ghp_abcdefghijklmnopqrstuvwxyz012345678", // 35
        "ghx_abcdefghijklmnopqrstuvwxyz0123456789",
        "xoxb-123",
        "xoxz-123456789012-1234567890123-AbCdEfGh",
    ]);
}

#[test]
fn private_keys() {
    for label in [
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "PRIVATE KEY",
    ] {
        let pem = format!(
            "-----BEGIN {label}-----\nMIIEowIBAAKCAQEAx3v\nQ2xvdWQ=\n-----END {label}-----"
        );
        assert_eq!(
            mask(&format!("key:\n{pem}\nnext")),
            "key:\n[REDACTED:PRIVATE_KEY]\nnext"
        );
    }
    let encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123ABCD\n\nMIIEow==\n-----END RSA PRIVATE KEY-----";
    assert_eq!(mask(encrypted), "[REDACTED:PRIVATE_KEY]");
    // Logged with escaped newlines.
    let escaped = r"-----BEGIN PRIVATE KEY-----\nMIIEvQ==\n-----END PRIVATE KEY-----";
    assert_eq!(
        mask(&format!("\"{escaped}\"")),
        "\"[REDACTED:PRIVATE_KEY]\""
    );
    // A truncated block is masked to the end of its body.
    assert_eq!(
        mask("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n\"}"),
        "[REDACTED:PRIVATE_KEY]\n\"}"
    );
    assert_untouched(&[
        "-----BEGIN PUBLIC KEY-----\nMFkwEw==\n-----END PUBLIC KEY-----",
        "-----BEGIN CERTIFICATE-----\nMIIB==\n-----END CERTIFICATE-----",
    ]);
}

#[test]
fn url_passwords_mask_only_the_password() {
    assert_eq!(
        mask("https://bob:hunter2@example.com"),
        "https://bob:[REDACTED:URL_PASSWORD]@example.com"
    );
    assert_eq!(
        mask("postgres://app:p@ss:w0rd@db.internal:5432/app"),
        "postgres://app:[REDACTED:URL_PASSWORD]@db.internal:5432/app"
    );
    assert_eq!(
        mask("redis://:s3cr3t@cache:6379/0"),
        "redis://:[REDACTED:URL_PASSWORD]@cache:6379/0"
    );
    assert_eq!(
        mask(r#"{"url":"amqp://guest:guest@rabbit/","mail":"bob@example.com"}"#),
        r#"{"url":"amqp://guest:[REDACTED:URL_PASSWORD]@rabbit/","mail":"[REDACTED:EMAIL]"}"#
    );
    assert_untouched(&[
        "https://example.com:8443/path?q=1",
        "ftp://files.example.com/",
    ]);
}

// ---- overlaps ----

#[test]
fn jwt_after_bearer_is_a_jwt() {
    // Both detectors report the same span; the more specific type wins.
    assert_eq!(
        mask(&format!("Authorization: Bearer {JWT}")),
        "Authorization: Bearer [REDACTED:JWT]"
    );
    let findings = redactor().scan(&format!("Bearer {JWT}"));
    assert_eq!(findings.len(), 1);
    assert_eq!((findings[0].kind, findings[0].start), ("JWT", 7));
}

#[test]
fn url_password_is_not_an_email() {
    assert_eq!(kinds("https://bob:hunter2@example.com"), ["URL_PASSWORD"]);
    // A URL user name without password is an identifier, masked as an email.
    assert_eq!(
        mask("https://bob@example.com/x"),
        "https://[REDACTED:EMAIL]/x"
    );
}

#[test]
fn earliest_then_longest_wins() {
    // An email whose local part is a phone-like number: the email starts first.
    assert_eq!(mask("5551234567@example.com"), "[REDACTED:EMAIL]");
    // An IP inside a URL with a password: both, side by side.
    assert_eq!(
        mask("https://u:pw@10.0.0.1/"),
        "https://u:[REDACTED:URL_PASSWORD]@[REDACTED:IP_ADDRESS]/"
    );
    let line = "bob@example.com paid 4111 1111 1111 1111 from 10.0.0.1, call +44 20 7946 0958";
    assert_eq!(
        kinds(line),
        ["EMAIL", "CREDIT_CARD", "IP_ADDRESS", "PHONE_NUMBER"]
    );
    assert_eq!(
        mask(line),
        "[REDACTED:EMAIL] paid [REDACTED:CREDIT_CARD] from [REDACTED:IP_ADDRESS], call [REDACTED:PHONE_NUMBER]"
    );
}

// ---- strategies ----

#[test]
fn pseudonyms_are_hmac_sha256_prefixes() {
    // Expected values computed with Python: hmac.new(key, value, sha256).hexdigest()[:16].
    let m = pseudonymizer("test-key");
    assert_eq!(
        m.mask_text("mail bob@example.com"),
        "mail [EMAIL:30f050000475abe1]"
    );
    assert_eq!(
        m.mask_text("4111111111111111"),
        "[CREDIT_CARD:b9a296a413d12fc6]"
    );
    assert_eq!(
        m.mask_text("4111 1111 1111 1111"),
        "[CREDIT_CARD:9057bcf4ad10e419]"
    );
    assert_eq!(
        m.mask_text("Bearer abc123XYZtoken"),
        "Bearer [BEARER_TOKEN:cdb7b65c68b64242]"
    );
    assert_eq!(
        m.mask_text("https://bob:hunter2@example.com"),
        "https://bob:[URL_PASSWORD:65f93b070e9be4bc]@example.com"
    );
    // Stable across maskers, different under another key.
    assert_eq!(
        pseudonymizer("test-key").mask_text("bob@example.com"),
        "[EMAIL:30f050000475abe1]"
    );
    assert_eq!(
        pseudonymizer("other-key").mask_text("bob@example.com"),
        "[EMAIL:50e494064dbcdfb0]"
    );
}

#[test]
fn empty_pseudonym_key_is_invalid_argument() {
    let err = Masker::new(MaskOptions {
        strategy: Strategy::Pseudonymize { key: Vec::new() },
        sensitive_keys: Vec::new(),
    })
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
}

#[test]
fn debug_output_never_shows_the_key() {
    let m = pseudonymizer("do-not-print-me");
    let shown = format!("{m:?}");
    assert!(
        !shown.contains("do-not-print-me") && !shown.contains("100, 111"),
        "{shown}"
    );
    assert!(shown.contains("pseudonymize"));
}

#[test]
fn masker_is_send_sync_clone() {
    fn assert_traits<T: Send + Sync + Clone + std::fmt::Debug>() {}
    assert_traits::<Masker>();
    let m = redactor();
    let copy = m.clone();
    let out = std::thread::spawn(move || copy.mask_text("bob@example.com"))
        .join()
        .unwrap();
    assert_eq!(out, m.mask_text("bob@example.com"));
    assert_eq!(m.options().strategy, Strategy::Redact);
}

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
    "AKIAIOSFODNN7EXAMPLE",
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
            "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----@AKIAIOSFODNN7EXAMPLE.bob@example.com",
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
            "AKIAIOSFODNN7EXAMPLE:12::1",
            "[REDACTED:AWS_ACCESS_KEY_ID]:[REDACTED:IP_ADDRESS]",
        ),
        // An email rejected as a URL password hid the address in its domain.
        (
            "-----BEGIN RSA PRIVATE KEY-----\nhttps://bob:hunter2@example.combob@example.com",
            "[REDACTED:PRIVATE_KEY]@[REDACTED:EMAIL]",
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

// ---- JSON values ----

fn masker_with_keys(keys: &[&str]) -> Masker {
    Masker::new(MaskOptions {
        strategy: Strategy::Redact,
        sensitive_keys: keys.iter().map(|k| k.to_string()).collect(),
    })
    .unwrap()
}

#[test]
fn json_sensitive_keys_mask_every_scalar_below() {
    let input = json!({
        "user": "bob@example.com",
        "password": "hunter2",
        "credentials": {"user": "bob", "pin": 1234, "mfa": true, "backup": null, "list": ["a", 2]},
        "X-Api-Key": "abc",
        "accessToken": 42,
        "tokens": 1500,
        "author": "Ann",
        "keyboard": "qwerty",
        "count": 3,
        "ok": false,
        "note": null,
        "items": [{"session_id": "s-1", "label": "call 555-123-4567"}],
    });
    let want = json!({
        "user": "[REDACTED:EMAIL]",
        "password": "[REDACTED:SECRET]",
        "credentials": {
            "user": "[REDACTED:SECRET]", "pin": "[REDACTED:SECRET]", "mfa": "[REDACTED:SECRET]",
            "backup": null, "list": ["[REDACTED:SECRET]", "[REDACTED:SECRET]"]
        },
        "X-Api-Key": "[REDACTED:SECRET]",
        "accessToken": "[REDACTED:SECRET]",
        "tokens": 1500,
        "author": "Ann",
        "keyboard": "qwerty",
        "count": 3,
        "ok": false,
        "note": null,
        "items": [{"session_id": "[REDACTED:SECRET]", "label": "call [REDACTED:PHONE_NUMBER]"}],
    });
    let got = redactor().mask_value(&input).unwrap();
    assert_eq!(got, want);
    // Key order is kept.
    let keys: Vec<_> = got.as_object().unwrap().keys().cloned().collect();
    let want_keys: Vec<_> = input.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, want_keys);
}

#[test]
fn json_key_rules_normalise_and_match_suffixes() {
    let m = redactor();
    for key in [
        "password",
        "PASSWORD",
        "db_password",
        "dbPassword",
        "user.passwd",
        "pwd",
        "Passphrase",
        "client_secret",
        "secrets",
        "aws_secret_key",
        "refresh-token",
        "id_token",
        "jwt",
        "x-api-key",
        "apiKey",
        "AWS_ACCESS_KEY_ID",
        "private_key",
        "Authorization",
        "Proxy-Authorization",
        "oauth",
        "cookie",
        "Set-Cookie",
        "cookies",
        "credential",
        "session",
        "JSESSIONID",
        "sessionId",
        "signature",
        "connection_string",
    ] {
        let got = m.mask_value(&json!({ key: "v" })).unwrap();
        assert_eq!(got, json!({ key: "[REDACTED:SECRET]" }), "{key}");
    }
    for key in [
        "tokens",
        "token_count",
        "max_tokens",
        "author",
        "authored",
        "keyboard",
        "monkey",
        "tokenizer",
        "passwordless",
        "password_hint_shown",
        "secretary",
        "signatures_count",
        "key",
        "id",
        "user",
    ] {
        let got = m.mask_value(&json!({ key: "v" })).unwrap();
        assert_eq!(got, json!({ key: "v" }), "{key}");
    }
}

#[test]
fn json_extra_sensitive_keys_match_exactly_after_normalising() {
    let m = masker_with_keys(&["Customer-ID", "dob"]);
    let got = m
        .mask_value(&json!({"customer_id": 7, "CustomerId": "c", "dob": "1990-01-01", "old_customer_id": 8, "doberman": "rex"}))
        .unwrap();
    assert_eq!(
        got,
        json!({"customer_id": "[REDACTED:SECRET]", "CustomerId": "[REDACTED:SECRET]", "dob": "[REDACTED:SECRET]", "old_customer_id": 8, "doberman": "rex"})
    );
}

#[test]
fn json_pseudonyms_of_scalars() {
    // HMAC-SHA256("test-key", <JSON text of the scalar; a string's raw characters>).
    let m = pseudonymizer("test-key");
    let got = m
        .mask_value(&json!({"password": "hunter2", "secret": {"pin": 1234, "mfa": true, "off": false, "rate": 12.5, "none": null}}))
        .unwrap();
    let want = json!({
        "password": "[SECRET:65f93b070e9be4bc]",
        "secret": {
            "pin": "[SECRET:a979f7a75591d638]",
            "mfa": "[SECRET:d0ce4dcd4c713596]",
            "off": "[SECRET:8560cb7e45f39860]",
            "rate": "[SECRET:de8aa416b6c394b8]",
            "none": null,
        },
    });
    assert_eq!(got, want);
    // Idempotent: tokens under sensitive keys are kept.
    assert_eq!(m.mask_value(&got).unwrap(), got);
    assert_eq!(
        m.mask_value(&json!({"password": "[REDACTED:SECRET]"}))
            .unwrap(),
        json!({"password": "[REDACTED:SECRET]"})
    );
}

#[test]
fn json_unicode_and_bare_values() {
    let m = redactor();
    assert_eq!(
        m.mask_value(&json!({"msg": "😀 écrire à bob@example.com", "n": 4111111111111111u64}))
            .unwrap(),
        json!({"msg": "😀 écrire à [REDACTED:EMAIL]", "n": 4111111111111111u64})
    );
    assert_eq!(
        m.mask_value(&json!("bob@example.com")).unwrap(),
        json!("[REDACTED:EMAIL]")
    );
    assert_eq!(
        m.mask_value(&json!(4111111111111111u64)).unwrap(),
        json!(4111111111111111u64)
    );
    assert_eq!(m.mask_value(&json!(null)).unwrap(), json!(null));
    assert_eq!(
        m.mask_value(&json!([["a@b.co"]])).unwrap(),
        json!([["[REDACTED:EMAIL]"]])
    );
}

#[test]
fn mask_json_round_trip_and_errors() {
    let m = redactor();
    assert_eq!(
        m.mask_json(br#"{"b":"bob@example.com","a":{"token":"t"},"n":1.0}"#)
            .unwrap(),
        r#"{"b":"[REDACTED:EMAIL]","a":{"token":"[REDACTED:SECRET]"},"n":1.0}"#
    );
    assert_eq!(
        m.mask_json(b"{").unwrap_err().code(),
        ErrorCode::InvalidJson
    );
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert_eq!(
        m.mask_json(deep.as_bytes()).unwrap_err().code(),
        ErrorCode::LimitExceeded
    );
}

fn nested(depth: usize) -> Value {
    let mut v = json!("bob@example.com");
    for _ in 0..depth {
        v = Value::Array(vec![v]);
    }
    v
}

#[test]
fn mask_value_depth_limit() {
    let m = redactor();
    let ok = m.mask_value(&nested(json::MAX_DEPTH)).unwrap();
    assert_eq!(ok, {
        let mut v = json!("[REDACTED:EMAIL]");
        for _ in 0..json::MAX_DEPTH {
            v = json!([v]);
        }
        v
    });
    let err = m.mask_value(&nested(json::MAX_DEPTH + 1)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::LimitExceeded);
    assert!(!err.message().contains("bob"));
    // Far deeper: still an error, not a stack overflow.
    // Built by hand: `json!` would serialise the inner value recursively.
    let mut very_deep = Value::Null;
    for _ in 0..100_000 {
        let mut map = serde_json::Map::new();
        map.insert("k".into(), very_deep);
        very_deep = Value::Object(map);
    }
    assert_eq!(
        m.mask_value(&very_deep).unwrap_err().code(),
        ErrorCode::LimitExceeded
    );
    // Drop it iteratively: serde_json's recursive drop would overflow the test stack.
    let mut cur = very_deep;
    while let Value::Object(mut map) = cur {
        cur = map.remove("k").unwrap_or(Value::Null);
    }
}

// ---- size ----

#[test]
fn fifty_megabytes_with_a_few_emails() {
    const SIZE: usize = 50 << 20;
    let filler = "lorem ipsum dolor sit amet, consectetur adipiscing elit; ";
    let emails = ["alice@example.com", "bob@example.org", "carol@example.net"];
    let mut text = String::with_capacity(SIZE + 1024);
    let mut planted = Vec::new();
    while text.len() < SIZE {
        text.push_str(filler);
        if text.len() % (SIZE / 4) < filler.len() {
            planted.push(text.len());
            text.push_str(emails[planted.len() % emails.len()]);
            text.push(' ');
        }
    }
    let m = redactor();
    let findings = m.scan(&text);
    let starts: Vec<_> = findings.iter().map(|f| (f.kind, f.start)).collect();
    assert_eq!(
        starts,
        planted.iter().map(|&p| ("EMAIL", p)).collect::<Vec<_>>()
    );
    let masked = m.mask_text(&text);
    assert_eq!(masked.matches("[REDACTED:EMAIL]").count(), planted.len());
    assert!(!masked.contains("@example."));
}

// ---- golden fixtures ----

fn options_from(args: &Value) -> MaskOptions {
    let options = &args["options"];
    MaskOptions {
        strategy: match options["strategy"].as_str() {
            Some("pseudonymize") => Strategy::Pseudonymize {
                key: options["key"]
                    .as_str()
                    .unwrap_or_default()
                    .as_bytes()
                    .to_vec(),
            },
            _ => Strategy::Redact,
        },
        sensitive_keys: options["sensitive_keys"]
            .as_array()
            .map(|keys| {
                keys.iter()
                    .filter_map(|k| k.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Runs one fixture case and returns what it produced, in the shape of `expect`.
fn run_case(case: &Value) -> Value {
    let args = &case["args"];
    let masker = match Masker::new(options_from(args)) {
        Ok(m) => m,
        Err(e) => return json!({ "error": e.code().as_str() }),
    };
    let text = args["text"].as_str().unwrap_or_default();
    match case["op"].as_str().unwrap_or_default() {
        "mask_text" => json!({ "text": masker.mask_text(text) }),
        "scan" => {
            json!({ "findings": masker.scan(text).iter().map(Finding::to_json).collect::<Vec<_>>() })
        }
        "mask_value" => match masker.mask_value(&args["value"]) {
            Ok(value) => json!({ "value": value }),
            Err(e) => json!({ "error": e.code().as_str() }),
        },
        other => panic!("unknown op {other}"),
    }
}

#[test]
fn fixtures_mask() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/mask");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/mask")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut count, mut failures, mut ids) = (0, Vec::new(), std::collections::HashSet::new());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("fixture text");
        let cases: Vec<Value> = serde_json::from_str(&text).expect("a JSON array of cases");
        for case in cases {
            count += 1;
            let id = case["id"].as_str().expect("id").to_string();
            assert!(id.starts_with("mask/"), "{id}");
            assert!(
                case["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{id}"
            );
            assert!(ids.insert(id.clone()), "duplicate id {id}");
            let got = run_case(&case);
            if got != case["expect"] {
                failures.push(format!("{id}\n   want {}\n    got {got}", case["expect"]));
            }
        }
    }
    assert!(count >= 70, "only {count} cases");
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Regression: `Strategy` derived `Debug` and printed the HMAC key bytes.
#[test]
fn debug_output_never_shows_the_pseudonym_key() {
    let strategy = coresdk_engine::Strategy::Pseudonymize {
        key: b"top-secret-key".to_vec(),
    };
    let options = coresdk_engine::MaskOptions {
        strategy: strategy.clone(),
        sensitive_keys: vec![],
    };
    for text in [format!("{strategy:?}"), format!("{options:?}")] {
        assert!(!text.contains("top-secret"), "{text}");
        assert!(!text.contains("116, 111, 112"), "{text}");
        assert!(text.contains("<14 bytes>"), "{text}");
    }
}

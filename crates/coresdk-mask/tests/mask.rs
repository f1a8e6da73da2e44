//! Tests of `mask` (src/): every detector with positives and hard negatives,
//! overlap resolution, strategies and a 50 MB text. Idempotence and offsets are in
//! mask_properties.rs, JSON values in mask_json.rs; the golden cases of fixtures/mask run in fixtures.rs.

mod maskers;

use coresdk_base::ErrorCode;
use coresdk_mask::{MaskOptions, Masker, Strategy};
use maskers::{pseudonymizer, redactor, JWT};

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
        &["AKIA2E0A8F3B244C9986", "ASIAY34FZKBOKMUTVV7A"],
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
        "AKIAIOSFODNN7EXAMPLE",                     // AWS's documentation placeholder
        "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", // a placeholder body
        "AKIAIOSFODNN7EXAMPL",                      // 15 characters after the prefix
        "XAKIAIOSFODNN7EXAMPLE",                    // glued
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
        ..Default::default()
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

/// Regression: `Strategy` derived `Debug` and printed the HMAC key bytes.
#[test]
fn debug_output_never_shows_the_pseudonym_key() {
    let strategy = coresdk_mask::Strategy::Pseudonymize {
        key: b"top-secret-key".to_vec(),
    };
    let options = coresdk_mask::MaskOptions {
        strategy: strategy.clone(),
        sensitive_keys: vec![],
        ..Default::default()
    };
    for text in [format!("{strategy:?}"), format!("{options:?}")] {
        assert!(!text.contains("top-secret"), "{text}");
        assert!(!text.contains("116, 111, 112"), "{text}");
        assert!(text.contains("<14 bytes>"), "{text}");
    }
}

#[test]
fn network_and_crypto_identifiers() {
    assert_masked_whole("MAC_ADDRESS", &["00:1A:2B:3C:4D:5E", "a4-5e-60-e1-22-9b"]);
    // US ITIN: area 9, group in the IRS ranges.
    assert_masked_whole("US_ITIN", &["912-70-1234", "900 94 0001"]);
    // EIP-55 test vectors (mixed case with a valid checksum) and an all-lowercase address.
    assert_masked_whole(
        "ETHEREUM_ADDRESS",
        &[
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xde709f2102306220921060314715629080e2fb77",
        ],
    );
    // The genesis address (P2PKH), a P2SH address, and BIP 173 / BIP 350 vectors.
    assert_masked_whole(
        "BITCOIN_ADDRESS",
        &[
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        ],
    );
    assert_untouched(&[
        "00:00:00:00:00:00",
        "ff:ff:ff:ff:ff:ff",
        "00:1A:2B:3C:4D:5E:6F",                       // seven groups
        "00:1A-2B:3C:4D:5E",                          // mixed separators
        "912-40-1234",                                // group 40 is not an ITIN group
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", // checksum broken by one case flip
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae",  // 39 digits
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",         // base58 checksum wrong
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", // bech32 checksum wrong
        "12:30:45",
    ]);
}

//! Encoded values (src/encoded.rs): URL-encoded and base64-wrapped secrets are found
//! by decoding, two encodings deep; benign encoded text is left alone.

mod maskers;

use base64::Engine as _;
use maskers::redactor;

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn url_encoded_values_are_masked_in_place() {
    let m = redactor();
    for (text, want) in [
        (
            "GET /cb?data=email%3Dbob%40example.com&x=1",
            "GET /cb?data=email%3D[REDACTED:EMAIL]&x=1",
        ),
        (
            "next=postgres%3A%2F%2Fapp%3AS3cretPassw0rd%40db%3A5432",
            "next=postgres%3A%2F%2Fapp%3A[REDACTED:URL_PASSWORD]%40db%3A5432",
        ),
        (
            "q=card%204111%201111%201111%201111",
            "q=card%20[REDACTED:CREDIT_CARD]",
        ),
    ] {
        let masked = m.mask_text(text);
        assert_eq!(masked, want, "{text}");
        assert_eq!(m.mask_text(&masked), masked, "idempotent");
    }
}

#[test]
fn base64_wrapped_values_mask_the_whole_run() {
    let m = redactor();
    let once = b64("user bob@example.com logged in");
    assert_eq!(
        m.mask_text(&format!("blob={once}")),
        "blob=[REDACTED:EMAIL]"
    );
    let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode("token ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    assert_eq!(
        m.mask_text(&format!("t {url_safe} end")),
        "t [REDACTED:GITHUB_TOKEN] end"
    );
    // Two encodings deep: base64 of base64, and base64 inside URL encoding.
    let twice = b64(&b64("card 4111 1111 1111 1111 ok"));
    assert_eq!(m.mask_text(&twice), "[REDACTED:CREDIT_CARD]");
    let in_url = format!("d=x%3D{}", b64("mail bob@example.com"));
    assert!(
        m.mask_text(&in_url).contains("[REDACTED:EMAIL]"),
        "{in_url}"
    );
    // The bound: three encodings deep is not looked into.
    let thrice = b64(&b64(&b64("mail bob@example.com")));
    assert_eq!(m.mask_text(&thrice), thrice);
}

#[test]
fn benign_encoded_text_is_left_alone() {
    let m = redactor();
    for text in [
        b64("hello world, nothing to see here"),
        "q=hello%20world&lang=en%2DGB".to_string(),
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8".to_string(),
        "id c123b161-2dd2-472d-8371-c17149d43953".to_string(),
        "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae".to_string(),
        "100%25 done".to_string(),
    ] {
        assert_eq!(m.mask_text(&text), text, "{text}");
    }
}

#[test]
fn encoded_findings_carry_offsets_in_the_original_text() {
    let text = "a=%62ob%40example.com";
    let findings = redactor().scan(text);
    assert_eq!(findings.len(), 1);
    assert_eq!(
        (findings[0].kind, findings[0].start, findings[0].end),
        ("EMAIL", 2, text.len())
    );
}

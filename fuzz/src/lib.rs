//! The properties each fuzz target checks, beyond "no panic": masking is idempotent and
//! its findings are sound; masked JSON is valid JSON and idempotent; canonical JSON is a
//! fixed point. A failed property panics, which libFuzzer reports as a crash.

use coresdk_base::json;
use coresdk_canonical as canonical;
use coresdk_mask::{MaskOptions, Masker};
use std::sync::OnceLock;

fn masker() -> &'static Masker {
    static MASKER: OnceLock<Masker> = OnceLock::new();
    MASKER.get_or_init(|| Masker::new(MaskOptions::default()).expect("default masker"))
}

/// Text masking: findings lie on character boundaries in order without overlaps, and
/// masking the masked text changes nothing.
pub fn check_mask_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let m = masker();
    let mut last = 0;
    for f in m.scan(text) {
        assert!(f.start < f.end && f.start >= last, "findings sorted, disjoint");
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        last = f.end;
    }
    let masked = m.mask_text(text);
    assert_eq!(m.mask_text(&masked), masked, "masking is idempotent");
}

/// JSON masking: what parses masks to valid JSON, and masking that again changes nothing.
pub fn check_mask_json(data: &[u8]) {
    let m = masker();
    let Ok(masked) = m.mask_json(data) else {
        return;
    };
    assert!(json::parse(masked.as_bytes()).is_ok(), "masked JSON parses");
    assert_eq!(
        m.mask_json(masked.as_bytes()).expect("masked JSON masks"),
        masked,
        "JSON masking is idempotent"
    );
}

/// Canonicalization: text and value paths agree (same result, same error code), and the
/// canonical form of what parses is canonical already.
pub fn check_canonicalize(data: &[u8]) {
    let from_value = json::parse(data).and_then(|v| canonical::canonicalize(&v));
    let from_text = canonical::canonicalize_json(data);
    match (&from_text, &from_value) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "text and value paths agree"),
        (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "same error code"),
        _ => panic!("one path failed: text {from_text:?}, value {from_value:?}"),
    }
    let Ok(canonical_text) = from_text else {
        return;
    };
    assert_eq!(
        canonical::canonicalize_json(canonical_text.as_bytes()).expect("canonical JSON parses"),
        canonical_text,
        "canonical form is a fixed point"
    );
}

//! Canonical JSON (RFC 8785) and hashing beyond the golden fixtures.

use coresdk_engine::{canonical, ErrorCode};
use serde_json::json;

#[test]
fn value_and_text_paths_agree() {
    let value = json!({"b": [1.0, -0.0, 1e21], "a": "\u{1F600}", "\u{ff01}": null});
    let from_value = canonical::canonicalize(&value).unwrap();
    let from_text = canonical::canonicalize_json(value.to_string().as_bytes()).unwrap();
    assert_eq!(from_value, from_text);
    assert_eq!(
        from_value,
        "{\"a\":\"\u{1F600}\",\"b\":[1,0,1e+21],\"\u{ff01}\":null}"
    );
}

#[test]
fn hash_is_sha256_of_canonical_form() {
    // sha256("{\"a\":1}") computed independently with `printf '{"a":1}' | sha256sum`.
    assert_eq!(
        canonical::hash_json(b"{ \"a\" : 1.0 }").unwrap(),
        "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"
    );
}

#[test]
fn canonical_form_is_idempotent() {
    let once =
        canonical::canonicalize_json(br#"{"z":[3,{"y":1e-7,"x":"\u0007"}],"a":0.1}"#).unwrap();
    let twice = canonical::canonicalize_json(once.as_bytes()).unwrap();
    assert_eq!(once, twice);
}

#[test]
fn hostile_documents_get_typed_errors() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(
        canonical::canonicalize_json(deep.as_bytes())
            .unwrap_err()
            .code(),
        ErrorCode::LimitExceeded
    );
    assert_eq!(
        canonical::hash_json(b"\xff\"").unwrap_err().code(),
        ErrorCode::InvalidJson
    );
    // A value built in Rust (not parsed) deeper than the limit is refused too.
    let mut value = json!(1);
    for _ in 0..200 {
        value = json!([value]);
    }
    assert_eq!(
        canonical::canonicalize(&value).unwrap_err().code(),
        ErrorCode::LimitExceeded
    );
}

#[test]
fn fifty_megabyte_string_is_canonicalised() {
    let text = format!("[\"{}\"]", "x".repeat(50 * 1024 * 1024));
    let out = canonical::canonicalize_json(text.as_bytes()).unwrap();
    assert_eq!(out.len(), text.len());
}

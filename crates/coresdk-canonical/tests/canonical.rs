//! Canonical JSON (RFC 8785) and hashing beyond the golden fixtures.

use coresdk_base::ErrorCode;
use coresdk_canonical as canonical;
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

#[test]
fn text_path_matches_value_path_on_duplicates_escapes_and_key_order() {
    // Duplicate keys: the last value wins on both paths. Escaped keys and strings are
    // decoded before sorting; U+1F600 (surrogate pair 0xD83D 0xDE00) sorts before U+FF01 in
    // UTF-16 although its UTF-8 bytes sort after.
    let cases: [&[u8]; 4] = [
        br#"{"a":1,"b":2,"a":3}"#,
        br#"{"\u0062":"x\ny","a\"":"\u00e9","\ud83d\ude00":0,"\uff01":[true,null]}"#,
        br#"[{"k":{"k":{"k":-0.0}}},1E400000,"\u00e9"]"#,
        br#"{"n":[9007199254740993,-1e-7,1e21,0.000001,123456789012345678901234567890]}"#,
    ];
    for text in cases {
        let from_value =
            canonical::canonicalize(&serde_json::from_slice(text).unwrap_or(json!(null)));
        let from_text = canonical::canonicalize_json(text);
        match serde_json::from_slice::<serde_json::Value>(text) {
            Ok(_) => assert_eq!(from_text.unwrap(), from_value.unwrap()),
            Err(_) => assert_eq!(from_text.unwrap_err().code(), ErrorCode::InvalidJson),
        }
    }
    assert_eq!(
        canonical::canonicalize_json(br#"{"a":1,"b":2,"a":3}"#).unwrap(),
        r#"{"a":3,"b":2}"#
    );
    assert_eq!(
        canonical::canonicalize_json("{\"\u{ff01}\":2,\"\u{1F600}\":1}".as_bytes()).unwrap(),
        "{\"\u{1F600}\":1,\"\u{ff01}\":2}"
    );
}

//! Tests of `mask` on JSON values (src/value.rs, sensitive_keys.rs): keys, sensitive keys, pseudonyms
//! of scalars, unicode, round trips, errors and the depth limit.

mod maskers;

use coresdk_base::{json, ErrorCode};
use coresdk_mask::{MaskOptions, Masker, Strategy};
use maskers::{pseudonymizer, redactor};
use serde_json::{json, Value};

// ---- JSON values ----

fn masker_with_keys(keys: &[&str]) -> Masker {
    Masker::new(MaskOptions {
        strategy: Strategy::Redact,
        sensitive_keys: keys.iter().map(|k| k.to_string()).collect(),
        ..Default::default()
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
fn json_keys_are_masked_as_text_and_kept_unique() {
    let value = json!({
        "bob@example.com": 1,
        "alice@example.org": {"10.0.0.1": "up", "password": "hunter2"},
        "[REDACTED:EMAIL]#2": 3,
        "carol@example.net": 4,
        "plain": "x",
    });
    let masked = redactor().mask_value(&value).unwrap();
    assert_eq!(
        masked.to_string(),
        json!({
            "[REDACTED:EMAIL]": 1,
            "[REDACTED:EMAIL]#2": {"[REDACTED:IP_ADDRESS]": "up", "password": "[REDACTED:SECRET]"},
            "[REDACTED:EMAIL]#2#2": 3,
            "[REDACTED:EMAIL]#3": 4,
            "plain": "x",
        })
        .to_string(),
        "every entry kept, in order"
    );
    assert_eq!(redactor().mask_value(&masked).unwrap(), masked);
    // Rules read the key as given: a path rule on the email key still applies.
    let by_path = Masker::new(MaskOptions {
        paths: vec!["[\"bob@example.com\"]".into()],
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        by_path.mask_value(&json!({"bob@example.com": 7})).unwrap(),
        json!({"[REDACTED:EMAIL]": "[REDACTED:SECRET]"})
    );
    // Pseudonyms of different keys differ, so nothing collides.
    let out = pseudonymizer("k").mask_value(&value).unwrap();
    let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
    assert!(
        keys.iter()
            .all(|k| !k.contains('#') || k.starts_with("[REDACTED")),
        "{keys:?}"
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
        json!({"msg": "😀 écrire à [REDACTED:EMAIL]", "n": "[REDACTED:CREDIT_CARD]"})
    );
    assert_eq!(
        m.mask_value(&json!("bob@example.com")).unwrap(),
        json!("[REDACTED:EMAIL]")
    );
    // A card number written as a JSON number is masked too (it becomes a string);
    // integers that are not cards stay numbers.
    assert_eq!(
        m.mask_value(&json!(4111111111111111u64)).unwrap(),
        json!("[REDACTED:CREDIT_CARD]")
    );
    assert_eq!(
        m.mask_value(&json!([4111111111111112u64, 1700000000000u64, 7]))
            .unwrap(),
        json!([4111111111111112u64, 1700000000000u64, 7])
    );
    let masked = m.mask_value(&json!({"n": 4111111111111111u64})).unwrap();
    assert_eq!(m.mask_value(&masked).unwrap(), masked, "idempotent");
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

//! Reversible tokenization: round trip, determinism, idempotence, key rotation, tampered
//! tokens (`INTEGRITY`), and what a token does not show.

use coresdk_base::error::{Error, ErrorCode, Result};
use coresdk_mask::{
    tokenization_key, unmask_text, unmask_value, MaskOptions, Masker, Strategy, TOKENIZE_MAX_VALUE,
};
use serde_json::json;

fn tokenizer(key_id: &str, key: &str) -> Masker {
    Masker::new(MaskOptions {
        strategy: Strategy::Tokenize {
            key_id: key_id.to_string(),
            key: key.as_bytes().to_vec(),
        },
        ..Default::default()
    })
    .expect("tokenizing masker")
}

/// Looks keys up in a list of `(id, raw key)`; `KEY_UNAVAILABLE` for any other id.
fn keys<'a>(known: &'a [(&'a str, &'a str)]) -> impl FnMut(&str) -> Result<[u8; 32]> + 'a {
    move |id| {
        known
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, key)| tokenization_key(key.as_bytes()))
            .ok_or_else(|| Error::new(ErrorCode::KeyUnavailable, format!("no key {id}")))
    }
}

const TEXT: &str = "mail bob@example.com, card 4111 1111 1111 1111, again bob@example.com";

#[test]
fn tokens_are_typed_deterministic_idempotent_and_round_trip() {
    let masker = tokenizer("k1", "secret-one");
    let masked = masker.mask_text(TEXT);
    assert!(!masked.contains("bob@example.com") && !masked.contains("4111"));
    let tokens: Vec<&str> = masked
        .split([' ', ','])
        .filter(|w| w.starts_with('['))
        .collect();
    assert_eq!(tokens.len(), 3, "{masked}");
    assert!(tokens[0].starts_with("[EMAIL:tok:k1:"), "{}", tokens[0]);
    assert!(masked.contains("[CREDIT_CARD:tok:k1:"), "{masked}");
    assert_eq!(tokens[0], tokens[2], "equal values give equal tokens");
    assert_eq!(
        masker.mask_text(&masked),
        masked,
        "masking masked text changes nothing"
    );
    assert_eq!(masker.mask_text(TEXT), masked, "deterministic across calls");
    let back = unmask_text(&masked, &mut keys(&[("k1", "secret-one")])).expect("unmask");
    assert_eq!(back, TEXT);
}

#[test]
fn rotation_keeps_old_tokens_readable_while_their_key_is_known() {
    let old = tokenizer("k1", "secret-one").mask_text("bob@example.com");
    let new = tokenizer("k2", "secret-two").mask_text("bob@example.com");
    assert_ne!(old, new, "another key gives another token");
    assert!(new.starts_with("[EMAIL:tok:k2:"));
    let both = format!("{old} {new}");
    let back = unmask_text(
        &both,
        &mut keys(&[("k1", "secret-one"), ("k2", "secret-two")]),
    );
    assert_eq!(back.expect("both keys"), "bob@example.com bob@example.com");
    let err = unmask_text(&both, &mut keys(&[("k2", "secret-two")])).expect_err("k1 retired");
    assert_eq!(err.code(), ErrorCode::KeyUnavailable);
}

#[test]
fn tampered_moved_or_foreign_tokens_fail_with_integrity() {
    let token = tokenizer("k1", "secret-one").mask_text("bob@example.com");
    let hex_at = token.rfind(':').expect("hex") + 1;
    let mut flipped = token.clone().into_bytes();
    flipped[hex_at + 3] = if flipped[hex_at + 3] == b'0' {
        b'1'
    } else {
        b'0'
    };
    let flipped = String::from_utf8(flipped).expect("ascii");
    let retyped = token.replacen("[EMAIL:", "[PHONE_NUMBER:", 1);
    let shortened = format!("{}]", &token[..token.len() - 3]);
    for bad in [flipped, retyped, shortened] {
        let err = unmask_text(&bad, &mut keys(&[("k1", "secret-one")])).expect_err(&bad);
        assert_eq!(err.code(), ErrorCode::Integrity, "{bad}: {err:?}");
    }
    let err = unmask_text(&token, &mut keys(&[("k1", "another-key")])).expect_err("wrong key");
    assert_eq!(err.code(), ErrorCode::Integrity);
}

#[test]
fn a_token_shows_neither_the_value_nor_the_key() {
    let masker = tokenizer("k1", "secret-one");
    for value in ["bob@example.com", "alice@example.com"] {
        let token = masker.mask_text(value);
        let hex_value: String = value.bytes().map(|b| format!("{b:02x}")).collect();
        assert!(
            !token.contains(value) && !token.contains(&hex_value),
            "{token}"
        );
        assert!(!token.contains("secret-one"));
    }
    let debug = format!("{:?}", masker.options().strategy);
    assert!(!debug.contains("secret-one"), "{debug}");
}

#[test]
fn json_values_round_trip_and_long_values_are_redacted() {
    let masker = tokenizer("k1", "secret-one");
    let value = json!({
        "user": "bob@example.com",
        "password": "hunter2",
        "n": [1, "x"],
        "by_user": {"alice@example.org": 2, "carol@example.net": 3},
    });
    let masked = masker.mask_value(&value).expect("mask");
    assert!(!masked.to_string().contains("@example"), "{masked}");
    assert!(masked["password"]
        .as_str()
        .expect("s")
        .starts_with("[SECRET:tok:k1:"));
    let back = unmask_value(&masked, &mut keys(&[("k1", "secret-one")])).expect("unmask");
    assert_eq!(back, value);
    let long = format!("password={}", "x7".repeat(TOKENIZE_MAX_VALUE));
    assert_eq!(masker.mask_text(&long), "password=[REDACTED:SECRET]");
}

#[test]
fn bad_keys_are_refused() {
    for (id, key) in [
        ("k1", ""),
        ("", "k"),
        ("bad-id", "k"),
        (&"x".repeat(33)[..], "k"),
    ] {
        let err = Masker::new(MaskOptions {
            strategy: Strategy::Tokenize {
                key_id: id.to_string(),
                key: key.as_bytes().to_vec(),
            },
            ..Default::default()
        })
        .expect_err(id);
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
    }
    let from_json =
        MaskOptions::from_parts("tokenize", Some(b"k"), vec![], Some(r#"{"key_id":"k7"}"#))
            .expect("options");
    assert!(matches!(from_json.strategy, Strategy::Tokenize { ref key_id, .. } if key_id == "k7"));
}

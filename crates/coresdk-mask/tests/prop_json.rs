//! `mask_value` over arbitrary JSON values, as proptest properties: it keeps the shape
//! (containers, keys masked as text and kept unique, in order, array lengths; a scalar
//! stays or becomes a token string)
//! and is idempotent. Failures shrink, and their seeds are persisted in
//! `proptest-regressions/prop_json.txt` and replayed first.

mod maskers;
mod prop_gen;
use coresdk_mask::Masker;
use maskers::{pseudonymizer, redactor};
use prop_gen::{config, text};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value;

const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/prop_json.txt"
);

/// Key names: sensitive ones, ones that make a value key material, and plain ones.
const KEYS: &[&str] = &[
    "password",
    "token",
    "api_key",
    "Authorization",
    "db_password",
    "secret",
    "key",
    "seed",
    "email",
    "card",
    "user",
    "id",
    "n",
    "",
    "bob@example.com",
    "alice@example.org",
    "[REDACTED:EMAIL]",
    "10.0.0.1",
];

/// Numbers that are detected values (cards) or near them.
const NUMBERS: &[u64] = &[4_111_111_111_111_111, 5_555_555_555_554_444, 1_700_000_000];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![3 => select(KEYS).prop_map(str::to_owned), 1 => "(?s).{0,6}"]
}

/// JSON values nested at most 5 levels deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => select(NUMBERS).prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        3 => text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// The keys of `map` as masking writes them: each masked as text, and one that masks to a
/// key already written gets the first free `#2`, `#3`, ... appended.
fn masked_keys(m: &Masker, map: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for key in map.keys() {
        let masked = m.mask_text(key);
        let mut unique = masked.clone();
        for n in 2.. {
            if !out.contains(&unique) {
                break;
            }
            unique = format!("{masked}#{n}");
        }
        out.push(unique);
    }
    out
}

/// Checks that `masked` has the shape of `value`: the same containers with the keys masked
/// (`masked_keys`), in the same order, the same lengths, strings still strings, null still
/// null, and each other scalar unchanged or turned into a replacement token (a string).
fn check_shape(m: &Masker, path: &str, value: &Value, masked: &Value) -> Result<(), TestCaseError> {
    match (value, masked) {
        (Value::Array(items), Value::Array(out)) => {
            prop_assert_eq!(items.len(), out.len(), "array length at {}", path);
            for (i, (a, b)) in items.iter().zip(out).enumerate() {
                check_shape(m, &format!("{path}[{i}]"), a, b)?;
            }
        }
        (Value::Object(map), Value::Object(out)) => {
            let keys: Vec<String> = out.keys().cloned().collect();
            prop_assert_eq!(masked_keys(m, map), keys, "keys at {}", path);
            for ((k, a), b) in map.iter().zip(out.values()) {
                check_shape(m, &format!("{path}.{k:?}"), a, b)?;
            }
        }
        (Value::String(_), Value::String(_)) | (Value::Null, Value::Null) => {}
        (Value::Bool(_) | Value::Number(_), Value::String(s)) => {
            prop_assert!(s.starts_with('[') && s.ends_with(']'), "{s:?} at {path}");
        }
        (a, b) => prop_assert_eq!(a, b, "at {}", path),
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(REGRESSIONS))]

    #[test]
    fn mask_value_keeps_the_shape_and_is_idempotent(value in json()) {
        for m in [redactor(), pseudonymizer("k")] {
            let once = m.mask_value(&value).expect("mask");
            check_shape(&m, "$", &value, &once)?;
            prop_assert_eq!(m.mask_value(&once).expect("mask twice"), once);
        }
    }
}

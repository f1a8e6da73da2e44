//! The decision cache: hits, keys, invalidation, bounds.

use coresdk_engine::{CacheOptions, ErrorCode, PolicyEngine, PolicyOptions};
use serde_json::json;
use std::time::Duration;

const AUTHZ: &str = "package authz\nallow if input.user in data.admins\nn := count(input.items)\n";

fn cached_engine(options: CacheOptions) -> PolicyEngine {
    let engine = PolicyEngine::new(PolicyOptions {
        cache: Some(options),
        ..Default::default()
    });
    engine.add_module("authz.rego", AUTHZ).unwrap();
    engine.add_data_json(br#"{"admins":["alice"]}"#).unwrap();
    engine
}

#[test]
fn second_identical_decision_is_cached_and_counted() {
    let engine = cached_engine(CacheOptions::default());
    let first = engine
        .evaluate("data.authz.allow", br#"{"user":"alice"}"#)
        .unwrap();
    let second = engine
        .evaluate("data.authz.allow", br#"{"user":"alice"}"#)
        .unwrap();
    assert!(!first.cached);
    assert!(second.cached);
    assert_eq!(second.result, Some(json!(true)));
    assert_eq!(second.revision, first.revision);
    assert_ne!(
        second.decision_id, first.decision_id,
        "every decision has its own id"
    );
    let metrics = engine.metrics();
    assert_eq!(metrics["cache"]["hits"], json!(1));
    assert_eq!(metrics["cache"]["misses"], json!(1));
    assert_eq!(metrics["cache"]["entries"], json!(1));
    assert_eq!(metrics["cache"]["enabled"], json!(true));
}

#[test]
fn inputs_equal_after_canonicalisation_share_an_entry() {
    let engine = cached_engine(CacheOptions::default());
    engine
        .evaluate("data.authz.n", br#"{"user":"bob","items":[1,2.0,3]}"#)
        .unwrap();
    let hit = engine
        .evaluate(
            "data.authz.n",
            br#"{ "items" : [1.0, 2, 3e0], "user" : "bob" }"#,
        )
        .unwrap();
    assert!(hit.cached);
    assert_eq!(hit.result, Some(json!(3)));
    let other = engine
        .evaluate("data.authz.n", br#"{"user":"bob","items":[1]}"#)
        .unwrap();
    assert!(!other.cached);
    assert_eq!(other.result, Some(json!(1)));
}

#[test]
fn undefined_results_are_cached_too() {
    let engine = cached_engine(CacheOptions::default());
    assert_eq!(
        engine
            .evaluate("data.authz.allow", br#"{"user":"eve"}"#)
            .unwrap()
            .result,
        None
    );
    let again = engine
        .evaluate("data.authz.allow", br#"{"user":"eve"}"#)
        .unwrap();
    assert!(again.cached);
    assert_eq!(again.result, None);
}

#[test]
fn a_reload_invalidates_every_entry() {
    let engine = cached_engine(CacheOptions::default());
    engine
        .evaluate("data.authz.allow", br#"{"user":"bob"}"#)
        .unwrap();
    assert!(
        engine
            .evaluate("data.authz.allow", br#"{"user":"bob"}"#)
            .unwrap()
            .cached
    );
    engine.add_data_json(br#"{"admins2":["x"]}"#).unwrap();
    engine
        .replace_modules(&[("authz.rego".into(), "package authz\nallow := true\n".into())])
        .unwrap();
    let after = engine
        .evaluate("data.authz.allow", br#"{"user":"bob"}"#)
        .unwrap();
    assert!(
        !after.cached,
        "a decision from the old revision must not be served"
    );
    assert_eq!(after.result, Some(json!(true)));
    assert_eq!(after.revision, engine.revision());
}

#[test]
fn a_failed_reload_keeps_the_entries() {
    let engine = cached_engine(CacheOptions::default());
    engine
        .evaluate("data.authz.allow", br#"{"user":"bob"}"#)
        .unwrap();
    assert!(engine.add_module("bad.rego", "package bad\nx := ").is_err());
    assert!(
        engine
            .evaluate("data.authz.allow", br#"{"user":"bob"}"#)
            .unwrap()
            .cached
    );
}

#[test]
fn queries_are_cached_apart_from_rules() {
    let engine = cached_engine(CacheOptions::default());
    let q = engine
        .query("data.authz.allow", br#"{"user":"alice"}"#)
        .unwrap();
    assert!(!q.cached);
    let rule = engine
        .evaluate("data.authz.allow", br#"{"user":"alice"}"#)
        .unwrap();
    assert!(
        !rule.cached,
        "a query and a rule path with the same text are different keys"
    );
    let q2 = engine
        .query("data.authz.allow", br#"{"user":"alice"}"#)
        .unwrap();
    assert!(q2.cached);
    assert_eq!(q2.rows, q.rows);
}

#[test]
fn errors_are_not_cached() {
    let engine = cached_engine(CacheOptions::default());
    for _ in 0..2 {
        let err = engine.evaluate("data.authz.allow", b"{bad").unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidJson);
    }
    assert_eq!(engine.metrics()["cache"]["entries"], json!(0));
}

#[test]
fn entries_expire_after_the_ttl() {
    let engine = cached_engine(CacheOptions {
        max_entries: 100,
        ttl: Duration::from_millis(50),
    });
    engine
        .evaluate("data.authz.allow", br#"{"user":"bob"}"#)
        .unwrap();
    std::thread::sleep(Duration::from_millis(150));
    assert!(
        !engine
            .evaluate("data.authz.allow", br#"{"user":"bob"}"#)
            .unwrap()
            .cached
    );
}

#[test]
fn the_cache_is_bounded() {
    let engine = cached_engine(CacheOptions {
        max_entries: 50,
        ttl: Duration::from_secs(60),
    });
    for i in 0..500 {
        engine
            .evaluate(
                "data.authz.allow",
                format!(r#"{{"user":"u{i}"}}"#).as_bytes(),
            )
            .unwrap();
    }
    let entries = engine.metrics()["cache"]["entries"].as_u64().unwrap();
    assert!(entries <= 50, "{entries} entries");
}

#[test]
fn without_the_option_nothing_is_cached() {
    let engine = PolicyEngine::default();
    engine.add_module("authz.rego", AUTHZ).unwrap();
    engine.add_data_json(br#"{"admins":["alice"]}"#).unwrap();
    for _ in 0..2 {
        assert!(
            !engine
                .evaluate("data.authz.allow", br#"{"user":"alice"}"#)
                .unwrap()
                .cached
        );
    }
    assert_eq!(engine.metrics()["cache"]["enabled"], json!(false));
    assert_eq!(engine.metrics()["cache"]["misses"], json!(0));
}

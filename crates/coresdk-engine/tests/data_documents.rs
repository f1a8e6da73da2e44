//! OPA's data API semantics for rule paths that name data: base documents, subtrees that
//! mix data and packages, and paths that name nothing.

use coresdk_engine::{ErrorCode, PolicyEngine};
use serde_json::json;

fn engine() -> PolicyEngine {
    let engine = PolicyEngine::default();
    engine
        .add_module(
            "authz.rego",
            "package app.authz\nallow if input.user in data.app.admins\n",
        )
        .unwrap();
    engine
        .add_data_json(br#"{"roles": {"alice": ["admin"]}, "app": {"admins": ["alice"]}, "n": 3}"#)
        .unwrap();
    engine
}

#[test]
fn a_path_to_base_data_answers_the_data() {
    let engine = engine();
    let d = engine.evaluate("data.roles", b"{}").unwrap();
    assert_eq!(d.result, Some(json!({"alice": ["admin"]})));
    let d = engine.evaluate("data.roles.alice", b"{}").unwrap();
    assert_eq!(d.result, Some(json!(["admin"])));
    let d = engine.evaluate("data.n", b"{}").unwrap();
    assert_eq!(d.result, Some(json!(3)));
}

#[test]
fn a_missing_key_under_data_is_undefined() {
    let engine = engine();
    let d = engine.evaluate("data.roles.bob", b"{}").unwrap();
    assert_eq!(d.result, None);
    // Below a scalar: undefined, as OPA's data API answers.
    let d = engine.evaluate("data.n.x", b"{}").unwrap();
    assert_eq!(d.result, None);
}

#[test]
fn a_subtree_mixing_data_and_rules_holds_both() {
    let engine = engine();
    let d = engine
        .evaluate("data.app", br#"{"user": "alice"}"#)
        .unwrap();
    assert_eq!(
        d.result,
        Some(json!({"admins": ["alice"], "authz": {"allow": true}}))
    );
}

#[test]
fn a_path_that_names_nothing_is_policy_not_found() {
    let err = engine().evaluate("data.nothing.here", b"{}").unwrap_err();
    assert_eq!(err.code(), ErrorCode::PolicyNotFound);
}

//! Rego v0 as a first-class option: the engine default, per-module versions, bundles whose
//! manifest says nothing, and the typed errors when the syntax does not match.

use coresdk_engine::{ErrorCode, PolicyEngine, PolicyOptions, RegoModule, RegoVersion};
use serde_json::json;

/// A Gatekeeper-style constraint template body in Rego v0: partial set rules without
/// `contains`/`if`, a helper function, `some` in an old-style body.
const REQUIRED_LABELS_V0: &str = r#"package k8srequiredlabels

violation[{"msg": msg, "details": {"missing_labels": missing}}] {
  provided := {label | input.review.object.metadata.labels[label]}
  required := {label | label := input.parameters.labels[_]}
  missing := required - provided
  count(missing) > 0
  msg := sprintf("you must provide labels: %v", [missing])
}

has_owner(obj) {
  obj.metadata.labels.owner
}

owned[name] {
  some i
  obj := input.objects[i]
  has_owner(obj)
  name := obj.metadata.name
}
"#;

fn v0_engine() -> PolicyEngine {
    PolicyEngine::new(PolicyOptions {
        rego_version: RegoVersion::V0,
        ..PolicyOptions::default()
    })
}

#[test]
fn v0_policies_load_with_the_engine_option() {
    let engine = v0_engine();
    engine
        .add_module("labels.rego", REQUIRED_LABELS_V0)
        .unwrap();
    let input = json!({
        "review": {"object": {"metadata": {"labels": {"app": "web"}}}},
        "parameters": {"labels": ["app", "team"]},
        "objects": [
            {"metadata": {"name": "a", "labels": {"owner": "x"}}},
            {"metadata": {"name": "b", "labels": {}}}
        ]
    });
    let input = serde_json::to_vec(&input).unwrap();
    let violations = engine
        .evaluate("data.k8srequiredlabels.violation", &input)
        .unwrap();
    assert_eq!(
        violations.result,
        Some(json!([{
            "msg": "you must provide labels: {\"team\"}",
            "details": {"missing_labels": ["team"]}
        }]))
    );
    let owned = engine
        .evaluate("data.k8srequiredlabels.owned", &input)
        .unwrap();
    assert_eq!(owned.result, Some(json!(["a"])));
}

#[test]
fn v0_syntax_is_a_parse_error_in_a_v1_engine() {
    let err = PolicyEngine::default()
        .add_module("labels.rego", REQUIRED_LABELS_V0)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::PolicyParse);
    let location = err.location().expect("a parse error has a location");
    assert_eq!(location.file, "labels.rego");
    assert!(location.line >= 3, "{location:?}");
}

#[test]
fn v1_syntax_needs_its_imports_in_v0() {
    // In v0, `if` is a keyword only when imported from `future.keywords`.
    let err = v0_engine()
        .add_module("p.rego", "package p\nallow if input.x == 1\n")
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::PolicyParse);
    // With the future keywords imported, v1-style rules are v0-compatible.
    let engine = v0_engine();
    engine
        .add_module(
            "p.rego",
            "package p\nimport future.keywords.if\nallow if input.x == 1\n",
        )
        .unwrap();
    let d = engine.evaluate("data.p.allow", br#"{"x":1}"#).unwrap();
    assert_eq!(d.result, Some(json!(true)));
}

#[test]
fn modules_carry_their_own_version() {
    let engine = PolicyEngine::default();
    let modules = [
        RegoModule {
            name: "old.rego".into(),
            source: "package old\nallow { input.x == 1 }\n".into(),
            rego_version: Some(RegoVersion::V0),
        },
        RegoModule {
            name: "new.rego".into(),
            source: "package new\nallow if data.old.allow\n".into(),
            rego_version: None,
        },
    ];
    engine.add_modules(&modules).unwrap();
    let d = engine.evaluate("data.new.allow", br#"{"x":1}"#).unwrap();
    assert_eq!(d.result, Some(json!(true)));
    // The v0 module stays v0 in every replica and after later changes.
    engine
        .add_module("more.rego", "package more\nx := 1\n")
        .unwrap();
    let d = engine.evaluate("data.old.allow", br#"{"x":1}"#).unwrap();
    assert_eq!(d.result, Some(json!(true)));
}

#[test]
fn reload_and_replace_follow_the_engine_version() {
    let engine = v0_engine();
    let modules = [(
        "a.rego".to_string(),
        "package a\nallow { true }\n".to_string(),
    )];
    engine.replace_modules(&modules).unwrap();
    engine.reload(&modules, Some(br#"{"k": 1}"#)).unwrap();
    let d = engine.evaluate("data.a.allow", b"{}").unwrap();
    assert_eq!(d.result, Some(json!(true)));
}

#[test]
fn rego_versions_are_numbered_as_opa_numbers_them() {
    assert_eq!(RegoVersion::from_number(0).unwrap(), RegoVersion::V0);
    assert_eq!(RegoVersion::from_number(1).unwrap(), RegoVersion::V1);
    for bad in [-1, 2, 3] {
        let err = RegoVersion::from_number(bad).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
    }
}

#[test]
fn a_bundle_without_rego_version_follows_the_engine() {
    let dir = std::env::temp_dir().join(format!("coresdk-v0-bundle-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("k")).unwrap();
    std::fs::write(dir.join(".manifest"), br#"{"revision": "r1"}"#).unwrap();
    std::fs::write(dir.join("k/p.rego"), b"package k\nallow { input.ok }\n").unwrap();
    let v1 = PolicyEngine::default().load_bundle_path(&dir, None);
    assert_eq!(v1.unwrap_err().code(), ErrorCode::PolicyParse);
    let engine = v0_engine();
    engine.load_bundle_path(&dir, None).unwrap();
    let d = engine.evaluate("data.k.allow", br#"{"ok":true}"#).unwrap();
    assert_eq!(d.result, Some(json!(true)));
    std::fs::remove_dir_all(&dir).unwrap();
}

//! A change that OPA's compiler rejects is rejected at load with a typed error and a
//! location, and the revision serving keeps serving; policies OPA accepts still load.

use coresdk_engine::{ErrorCode, PolicyEngine};
use serde_json::json;

const GOOD: &str = "package app\nallow if input.user == \"alice\"\n";

fn serving() -> PolicyEngine {
    let engine = PolicyEngine::default();
    engine.add_module("app.rego", GOOD).unwrap();
    engine
}

/// Loads `source` as a reload of a serving engine and returns the error.
fn rejected(source: &str) -> coresdk_engine::Error {
    let engine = serving();
    let before = engine.revision();
    let err = engine
        .replace_modules(&[("app.rego".to_string(), source.to_string())])
        .expect_err("the change must be rejected");
    assert_eq!(engine.revision(), before, "the old revision keeps serving");
    let d = engine
        .evaluate("data.app.allow", br#"{"user":"alice"}"#)
        .unwrap();
    assert_eq!(d.result, Some(json!(true)));
    err
}

#[test]
fn an_undefined_function_is_rejected_with_its_location() {
    let err = rejected("package app\nallow if lower_case(input.user) == \"alice\"\n");
    assert_eq!(err.code(), ErrorCode::PolicyParse);
    assert!(
        err.message().contains("undefined function lower_case"),
        "{err}"
    );
    let location = err.location().unwrap();
    assert_eq!((location.file.as_str(), location.line), ("app.rego", 2));
}

#[test]
fn an_undefined_function_of_another_package_is_rejected() {
    let err = rejected("package app\nimport data.lib\nallow if lib.check(input)\n");
    assert!(
        err.message().contains("undefined function lib.check"),
        "{err}"
    );
    let err = rejected("package app\nallow if data.lib.check(input)\n");
    assert!(
        err.message().contains("undefined function data.lib.check"),
        "{err}"
    );
}

#[test]
fn recursion_is_rejected_with_the_cycle() {
    let err = rejected("package app\nallow if deny\ndeny if allow\n");
    assert_eq!(err.code(), ErrorCode::PolicyParse);
    assert!(err.message().contains("is recursive"), "{err}");
    assert!(
        err.message()
            .contains("data.app.allow -> data.app.deny -> data.app.allow")
            || err
                .message()
                .contains("data.app.deny -> data.app.allow -> data.app.deny"),
        "{err}"
    );
    // Through a function, through the package document, and a rule on itself.
    let err = rejected("package app\nf(x) := g(x)\ng(x) := f(x)\nallow if f(1)\n");
    assert!(err.message().contains("is recursive"), "{err}");
    let err = rejected("package app\nallow if count(data.app) > 0\n");
    assert!(err.message().contains("is recursive"), "{err}");
    let err = rejected("package app\nallow if { not allow }\n");
    assert!(err.message().contains("is recursive"), "{err}");
}

#[test]
fn a_type_error_on_literals_is_rejected() {
    let err = rejected("package app\nallow if 1 + \"a\" > 0\n");
    assert_eq!(err.code(), ErrorCode::PolicyParse);
    assert!(err.message().contains("plus: invalid argument(s)"), "{err}");
    let err = rejected("package app\nx := \"a\" - 1\nallow if x\n");
    assert!(
        err.message().contains("minus: invalid argument(s)"),
        "{err}"
    );
}

#[test]
fn an_unsafe_variable_is_rejected() {
    let err = rejected("package app\nallow if { y := 1; z }\n");
    assert_eq!(err.code(), ErrorCode::PolicyParse);
}

/// Policies that OPA accepts must keep loading: each of these once looked like a
/// false alarm to write a check for.
#[test]
fn valid_policies_still_load() {
    let modules = [
        (
            "lib.rego",
            "package lib\ncheck(x) if x.ok\nnames contains n if some n in [\"a\"]\n\
             default twice(_) := 0\ntwice(x) := x * 2 if x > 0\n\
             a.b.f(x) := x + 1\n",
        ),
        (
            "app.rego",
            "package app\nimport data.lib\nimport data.lib as helpers\n\
             allow if lib.check(input)\nalso if helpers.check(input)\n\
             viadata if data.lib.check(input)\nn := lib.twice(2)\nm := data.lib.a.b.f(1)\n\
             h := crypto.sha256(\"x\")\nd := io.jwt.decode(\"a.b.c\")\n\
             p if { print(\"x\"); true }\n\
             # A local variable named like a rule is not a reference to it.\n\
             shadow if { allow := 1; allow == 1 }\nf(allow) := allow + 1\nv := f(1)\n\
             own := data.lib.names\nsets := {1, 2} - {1}\nneg := 3 - 1\n\
             mocked if lib.check(input) with lib.check as fake\nfake(_) := true\n\
             el := 1 if input.a else := 2\n\
             arr := [x | some x in [1, 2]; x > 1]\n",
        ),
    ];
    let engine = PolicyEngine::default();
    let modules: Vec<(String, String)> = modules
        .iter()
        .map(|(n, s)| ((*n).to_string(), (*s).to_string()))
        .collect();
    engine.add_modules(&modules).unwrap();
    let d = engine.evaluate("data.app.n", b"{}").unwrap();
    assert_eq!(d.result, Some(json!(4)));
    let d = engine.evaluate("data.app.m", b"{}").unwrap();
    assert_eq!(d.result, Some(json!(2)));
    let d = engine.evaluate("data.app.mocked", b"{}").unwrap();
    assert_eq!(d.result, Some(json!(true)));
    let d = engine.evaluate("data.app.shadow", b"{}").unwrap();
    assert_eq!(d.result, Some(json!(true)));
    let d = engine.evaluate("data.app.v", b"{}").unwrap();
    assert_eq!(d.result, Some(json!(2)));
}

//! The compiled evaluator (regorus's register VM, policy/compiled.rs): the same answers as
//! the interpreter, the interpreter for what the VM does not compile or answer as OPA, and
//! the same limits and errors.

use coresdk_engine::{ErrorCode, Evaluator, PolicyEngine, PolicyOptions};
use serde_json::json;
use std::time::Duration;

fn engine(evaluator: Evaluator, modules: &[(&str, &str)], data: serde_json::Value) -> PolicyEngine {
    let engine = PolicyEngine::new(PolicyOptions {
        evaluator,
        timeout: Duration::from_millis(300),
        ..PolicyOptions::default()
    });
    for (name, source) in modules {
        engine.add_module(name, source).unwrap();
    }
    engine.add_data_json(data.to_string().as_bytes()).unwrap();
    engine
}

/// Both evaluators on the same modules, data and inputs.
fn both(modules: &[(&str, &str)], data: serde_json::Value) -> [PolicyEngine; 2] {
    [
        engine(Evaluator::Compiled, modules, data.clone()),
        engine(Evaluator::Interpreter, modules, data),
    ]
}

const RBAC: &str = r#"package rbac
default allow := false
allow if user_is_admin
allow if {
    some grant in user_is_granted
    input.action == grant.action
    input.type == grant.type
}
user_is_admin if "admin" in data.user_roles[input.user]
user_is_granted contains grant if {
    some role in data.user_roles[input.user]
    some grant in data.role_grants[role]
}
names := {n | some n, _ in data.user_roles}
count_roles := count(data.user_roles[input.user])
"#;

fn rbac_data() -> serde_json::Value {
    json!({
        "user_roles": {"alice": ["admin"], "bob": ["employee", "billing"], "eve": ["customer"]},
        "role_grants": {
            "customer": [{"action": "read", "type": "dog"}],
            "employee": [{"action": "read", "type": "dog"}, {"action": "update", "type": "dog"}],
            "billing": [{"action": "read", "type": "finance"}]
        }
    })
}

#[test]
fn the_compiled_evaluator_answers_as_the_interpreter() {
    let evaluators = |e: &PolicyEngine| e.metrics()["evaluator"].clone();
    let engines = both(&[("rbac.rego", RBAC)], rbac_data());
    let inputs = [
        json!({"user": "alice", "action": "delete", "type": "cat"}),
        json!({"user": "bob", "action": "update", "type": "dog"}),
        json!({"user": "bob", "action": "update", "type": "cat"}),
        json!({"user": "eve", "action": "read", "type": "dog"}),
        json!({"user": "nobody"}),
        json!("not an object"),
    ];
    for input in &inputs {
        let input = input.to_string();
        for rule in ["allow", "user_is_granted", "names", "count_roles"] {
            let path = format!("data.rbac.{rule}");
            let [compiled, interpreted] = engines
                .each_ref()
                .map(|e| e.evaluate(&path, input.as_bytes()).unwrap());
            assert_eq!(compiled.result, interpreted.result, "{path} on {input}");
        }
    }
    // Every rule of this policy runs on the VM with the compiled evaluator.
    let n = inputs.len() * 4;
    assert_eq!(
        evaluators(&engines[0]),
        json!({"compiled": n, "interpreter": 0})
    );
    assert_eq!(
        evaluators(&engines[1]),
        json!({"compiled": 0, "interpreter": n})
    );
    let allowed = engines[0]
        .evaluate(
            "data.rbac.allow",
            br#"{"user": "bob", "action": "update", "type": "dog"}"#,
        )
        .unwrap();
    assert_eq!(allowed.result, Some(json!(true)));
    let count = engines[0]
        .evaluate("data.rbac.count_roles", br#"{"user": "nobody"}"#)
        .unwrap();
    assert_eq!(count.result, None);
}

/// `with`, CoreSDK's own builtins, `print`, functions and packages run on the interpreter
/// and answer as there.
#[test]
fn what_the_vm_does_not_compile_runs_on_the_interpreter() {
    let policy = r#"package p
with_input := x if { x := input.a with input.a as 7 }
digest := crypto.sha256("abc")
printed if { print("hello", input.a); input.a == 1 }
double(x) := 2 * x
doubled := double(input.a)
whole := data.lib
"#;
    let lib = "package lib\nx := 1\ny contains 2\n";
    let engines = both(&[("p.rego", policy), ("lib.rego", lib)], json!({}));
    for path in [
        "data.p.with_input",
        "data.p.digest",
        "data.p.printed",
        "data.p.whole",
        "data.p.doubled",
        "data.p",
    ] {
        let [compiled, interpreted] = engines
            .each_ref()
            .map(|e| e.evaluate(path, br#"{"a": 1}"#).unwrap());
        assert_eq!(compiled.result, interpreted.result, "{path}");
        assert_eq!(compiled.prints, interpreted.prints, "{path}");
    }
    let printed = engines[0]
        .evaluate("data.p.printed", br#"{"a": 1}"#)
        .unwrap();
    assert_eq!(printed.prints, vec!["p.rego:4: hello 1".to_string()]);
    let digest = engines[0].evaluate("data.p.digest", b"{}").unwrap();
    assert_eq!(
        digest.result,
        Some(json!(
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        ))
    );
}

#[test]
fn a_compiled_evaluation_past_the_time_limit_is_eval_timeout() {
    let policy = r#"package slow
n := count([1 | some a in numbers.range(1, 3000); some b in numbers.range(1, 3000); a != b])
"#;
    let [compiled, _] = both(&[("slow.rego", policy)], json!({}));
    let err = compiled.evaluate("data.slow.n", b"{}").unwrap_err();
    assert_eq!(err.code(), ErrorCode::EvalTimeout, "{err}");
    // The engine keeps serving afterwards.
    compiled
        .add_module("ok.rego", "package ok\nx := 1\n")
        .unwrap();
    assert_eq!(
        compiled.evaluate("data.ok.x", b"{}").unwrap().result,
        Some(json!(1))
    );
}

#[test]
fn a_reload_compiles_the_new_revision() {
    let [compiled, _] = both(&[("p.rego", "package p\nx := input.a + 1\n")], json!({}));
    assert_eq!(
        compiled
            .evaluate("data.p.x", br#"{"a": 1}"#)
            .unwrap()
            .result,
        Some(json!(2))
    );
    let changed = [(
        "p.rego".to_string(),
        "package p\nx := input.a + 2\n".to_string(),
    )];
    compiled.replace_modules(&changed).unwrap();
    assert_eq!(
        compiled
            .evaluate("data.p.x", br#"{"a": 1}"#)
            .unwrap()
            .result,
        Some(json!(3))
    );
    compiled.add_data_json(br#"{"k": 5}"#).unwrap();
    compiled
        .add_module("q.rego", "package q\ny := data.k\n")
        .unwrap();
    assert_eq!(
        compiled.evaluate("data.q.y", b"{}").unwrap().result,
        Some(json!(5))
    );
}

#[test]
fn evaluator_names() {
    assert_eq!(
        Evaluator::from_name("compiled").unwrap(),
        Evaluator::Compiled
    );
    assert_eq!(
        Evaluator::from_name("interpreter").unwrap(),
        Evaluator::Interpreter
    );
    let err = Evaluator::from_name("rvm").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
    assert_eq!(Evaluator::Compiled.name(), "compiled");
    assert_eq!(PolicyOptions::default().evaluator, Evaluator::Compiled);
}

/// A rule of many definitions runs on the interpreter, whose rule index visits only the
/// matching ones; a rule of a few runs on the VM.
#[test]
fn many_definitions_run_on_the_interpreter() {
    let rules = |n: usize| -> String {
        (0..n)
            .map(|i| format!("allow if input.m == \"m{i}\"\n"))
            .collect()
    };
    for (n, compiled) in [(4, 1), (40, 0)] {
        let policy = format!("package many\n{}", rules(n));
        let [engine, _] = both(&[("many.rego", &policy)], json!({}));
        let decision = engine
            .evaluate("data.many.allow", br#"{"m": "m3"}"#)
            .unwrap();
        assert_eq!(decision.result, Some(json!(true)));
        assert_eq!(
            engine.metrics()["evaluator"]["compiled"],
            json!(compiled),
            "{n}"
        );
    }
}

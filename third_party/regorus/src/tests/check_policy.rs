// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! `Engine::check_policy`: the compile-time checks OPA makes (undefined functions,
//! recursion, literal operand types), and policies OPA accepts that must pass them.

use crate::{Engine, Value};
use alloc::string::ToString as _;
use anyhow::Result;

fn checked(modules: &[&str]) -> Result<()> {
    let mut engine = Engine::new();
    for (i, source) in modules.iter().enumerate() {
        engine.add_policy(alloc::format!("m{i}.rego"), source.to_string())?;
    }
    engine.check_policy()
}

fn error_of(modules: &[&str]) -> alloc::string::String {
    match checked(modules) {
        Ok(()) => panic!("expected a check error for {modules:?}"),
        Err(e) => alloc::format!("{e}"),
    }
}

#[test]
fn undefined_functions_are_rejected() {
    assert!(error_of(&["package p\nx := f(1)\n"]).contains("undefined function f"));
    assert!(
        error_of(&["package p\nimport data.q\nx := q.f(1)\n"]).contains("undefined function q.f")
    );
    assert!(error_of(&["package p\nx := [y | y := nope(1)]\n"]).contains("undefined function nope"));
}

#[test]
fn recursion_is_rejected() {
    let e = error_of(&["package p\na if b\nb if a\n"]);
    assert!(
        e.contains("data.p.a is recursive: data.p.a -> data.p.b -> data.p.a"),
        "{e}"
    );
    assert!(error_of(&["package p\nx := count(data.p)\n"]).contains("is recursive"));
    assert!(error_of(&["package p\nf(x) := g(x)\ng(x) := f(x)\n"]).contains("is recursive"));
    let e = error_of(&["package a\nx := data.b.y\n", "package b\ny := data.a.x\n"]);
    assert!(e.contains("is recursive"), "{e}");
}

#[test]
fn literal_operands_of_the_wrong_type_are_rejected() {
    assert!(error_of(&["package p\nx := 1 + \"a\"\n"]).contains("plus: invalid argument(s)"));
    assert!(error_of(&["package p\nx := {1} | [1]\n"]).contains("or: invalid argument(s)"));
}

#[test]
fn policies_opa_accepts_pass() -> Result<()> {
    checked(&[
        "package lib\ncheck(x) if x.ok\ndefault twice(_) := 0\ntwice(x) := x * 2 if x > 0\n",
        "package p\nimport data.lib\nimport data.lib as h\n\
         a if lib.check(input)\nb if h.check(input)\nc := lib.twice(2)\n\
         d := {1, 2} - {1}\ne := {1} - 1\nshadow if { a := 1; a == 1 }\nf(a) := a + 1\n\
         g := [x | some x in [1, 2]; x > 1]\nm if lib.check(input) with lib.check as fake\n\
         fake(_) := true\nh2 := upper(\"x\") if false\nt := trace(\"x\")\n\
         q := data.lib\n",
    ])?;
    let mut engine = Engine::new();
    engine.add_policy("p.rego".into(), "package p\nx := 1 + 1\n".into())?;
    engine.check_policy()?;
    let value = engine.eval_rule("data.p.x".into())?;
    assert_eq!(value, Value::from(2u64));
    Ok(())
}

#[cfg(feature = "opa-deprecated")]
#[test]
fn deprecated_builtins_work_in_v0_and_are_rejected_in_v1() -> Result<()> {
    let e = error_of(&["package p\nx := re_match(\"a\", \"a\")\n"]);
    assert!(
        e.contains("deprecated built-in function calls in expression: re_match"),
        "{e}"
    );
    let mut engine = Engine::new();
    engine.set_rego_v0(true);
    engine.add_policy(
        "p.rego".into(),
        "package p\nx := [re_match(\"a+\", \"aa\"), any([false, true]), all([true, false]), \
         set_diff({1, 2}, {1}), net.cidr_overlap(\"10.0.0.0/8\", \"10.1.1.1\"), \
         cast_array({1}), cast_string(\"s\")]\n"
            .into(),
    )?;
    engine.check_policy()?;
    let value = engine.eval_rule("data.p.x".into())?;
    let expected = Value::from_json_str(r#"[true, true, false, [2], true, [1], "s"]"#)?;
    // set_diff gives a set: compare through JSON.
    assert_eq!(
        serde_json::to_string(&value)?,
        serde_json::to_string(&expected)?
    );
    Ok(())
}

#[test]
fn dynamic_refs_into_data_are_not_recursion() -> Result<()> {
    // OPA accepts both (conformance dataderef and planner-ir cases).
    checked(&["package test\np := data[2]\n"])?;
    checked(&[
        "package test\np := data[first].allow.see.x if first := \"primary\"\n",
        "package primary\nallow.see.x if true\n",
    ])
}

fn conflict_of(module: &str, data: &str) -> Option<alloc::string::String> {
    let mut engine = Engine::new();
    engine
        .add_policy("m.rego".to_string(), module.to_string())
        .unwrap();
    engine
        .add_data(Value::from_json_str(data).unwrap())
        .unwrap();
    engine.check_policy().err().map(|e| alloc::format!("{e}"))
}

#[test]
fn rules_where_base_data_is_are_rejected_as_opa_does() {
    let conflict = |module: &str, data: &str, path: &str| {
        let e = conflict_of(module, data).expect("a conflict");
        assert!(
            e.contains(&alloc::format!(
                "conflicting rule for data path {path} found"
            )),
            "{e}"
        );
    };
    conflict("package a\nk := 1\n", r#"{"a": {"k": "foo"}}"#, "a/k");
    conflict(
        "package a\nk := 1\n",
        r#"{"a": {"k": {"deeper": 1}}}"#,
        "a/k",
    );
    conflict("package a.b\nk := 1\n", r#"{"a": 7}"#, "a/b/k");
    conflict(
        "package a\np contains x if x := 1\n",
        r#"{"a": {"p": []}}"#,
        "a/p",
    );
    conflict(
        "package a\nq.r[x] := 1 if x := \"s\"\n",
        r#"{"a": {"q": {"r": 1}}}"#,
        "a/q/r",
    );
    // Beside, above and in other packages: no conflict.
    assert_eq!(
        conflict_of("package a\nk := 1\n", r#"{"a": {"j": 1}}"#),
        None
    );
    assert_eq!(
        conflict_of("package a.b\nk := 1\n", r#"{"a": {"c": 1}}"#),
        None
    );
    assert_eq!(
        conflict_of("package a\nk := 1\n", r#"{"b": {"k": 1}}"#),
        None
    );
}

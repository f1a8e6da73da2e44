// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! Syntax trees taller than the parser's limits are refused with an error when parsed,
//! however the height is built (nesting, operator chains, reference chains), instead of
//! overflowing the stack in the parser or a later pass; trees under the limits parse,
//! evaluate and drop on a test thread's 2 MiB stack in a debug build, and nesting no
//! longer costs time exponential in its depth.

use crate::{Engine, Value};
use alloc::format;
use alloc::string::{String, ToString as _};

/// Adds `package p` with `body` and evaluates `data.p.x`.
fn eval(body: &str) -> anyhow::Result<Value> {
    let mut engine = Engine::new();
    engine.add_policy("p.rego".to_string(), format!("package p\n{body}\n"))?;
    engine.eval_rule("data.p.x".to_string())
}

fn refused(body: String) {
    let err = eval(&body).expect_err("a tree this tall must be refused");
    let msg = format!("{err}");
    assert!(
        msg.contains("nested too deeply") || msg.contains("nesting too deep"),
        "{msg}"
    );
}

fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

#[test]
fn tall_trees_are_refused() {
    refused(format!("x := {}", nested("abs(", "1", ")", 3_000)));
    refused(format!("x := {}", nested("[", "1", "]", 3_000)));
    refused(format!("x := {}", nested("{", "1", "}", 3_000)));
    refused(format!("x := {}", nested("{\"a\": ", "1", "}", 3_000)));
    refused(format!("x := {}", nested("-", "1", "", 3_000)));
    refused(format!("x := input{}", ".a".repeat(3_000)));
    refused(format!("x := input{}", "[0]".repeat(3_000)));
    refused(format!("x := 1{}", " + 1".repeat(3_000)));
    refused(format!("x := {{1}}{}", " | {1}".repeat(3_000)));
    refused(format!(
        "x if {{ {} }}",
        nested("every y in [1] {\n", "true", "\n}", 3_000)
    ));
    refused(format!("p{} := 1", ".a".repeat(3_000)));
}

#[test]
fn trees_under_the_limits_evaluate() {
    // Nesting up to 64 levels, chains up to 128.
    let d = 60;
    let one = Value::from(1_i64);
    assert_eq!(
        eval(&format!("x := {}", nested("abs(", "-1", ")", d))).unwrap(),
        one
    );
    assert_eq!(
        eval(&format!("x := {}", nested("[", "1", "]", d))).unwrap(),
        {
            let mut v = one.clone();
            for _ in 0..d {
                v = Value::from(alloc::vec![v]);
            }
            v
        }
    );
    assert_eq!(
        eval(&format!("x := 0{}", " + 1".repeat(120))).unwrap(),
        Value::from(120_i64)
    );
    let chain = format!(
        "y := {}\nx := y{}",
        nested("{\"a\": ", "1", "}", 60),
        ".a".repeat(60)
    );
    assert_eq!(eval(&chain).unwrap(), one);
}

#[test]
fn nested_collections_parse_in_linear_time() {
    // Each level used to be parsed twice (as a comprehension's term, then as an item):
    // 2^40 parses for these lines.
    let body = format!(
        "x := {}\ny := {}",
        nested("[", "1", "]", 40),
        nested("{\"a\": {", "1", "}}", 30)
    );
    let mut engine = Engine::new();
    engine
        .add_policy("p.rego".to_string(), format!("package p\n{body}\n"))
        .unwrap();
}

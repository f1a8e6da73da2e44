//! Policies nested deeper than any real one (long reference chains, nested calls,
//! arrays, sets, objects, comprehensions, parentheses, `every`, template strings,
//! operator chains) are refused at load with a typed error; policies just under the
//! limits (64 levels of nesting, 128 levels of syntax tree) load and evaluate. Never a
//! stack overflow, a panic or a hang. Each case runs on a thread with a 2 MiB stack (Rust's
//! default for new threads; Node's thread pool and Python's threads have 8 MiB), in a
//! debug build, which needs far more stack than a release build.

use coresdk_engine::{ErrorCode, PolicyEngine};
use serde_json::{json, Value};

/// Stack of the thread each case runs on.
const STACK: usize = 2 * 1024 * 1024;

/// Loads `body` as `package deep` and evaluates `data.deep.x`; returns the load error if
/// there is one.
fn load(body: String) -> Option<coresdk_engine::Error> {
    run(body).err()
}

/// Loads `body` as `package deep` and evaluates `data.deep.x` on a thread with [`STACK`];
/// the value (`None` when undefined) or the first error.
fn run(body: String) -> Result<Option<Value>, coresdk_engine::Error> {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            let engine = PolicyEngine::default();
            engine.add_module("deep.rego", &format!("package deep\n{body}\n"))?;
            Ok(engine.evaluate("data.deep.x", br#"{"a":[[1]]}"#)?.result)
        })
        .unwrap()
        .join()
        .expect("the thread must not panic")
}

fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

/// The load must be refused as too deep.
fn refused(body: String) {
    let err = load(body).expect("a policy this deep must be refused");
    assert!(
        matches!(
            err.code(),
            ErrorCode::PolicyParse | ErrorCode::LimitExceeded
        ),
        "{err}"
    );
}

#[test]
fn a_long_reference_chain_is_refused() {
    refused(format!("x := input{}", "[1]".repeat(20_000)));
    refused(format!("x := input{}", ".a".repeat(30_000)));
}

#[test]
fn deeply_nested_calls_are_refused() {
    refused(format!("x := {}", nested("abs(", "1", ")", 3_000)));
    refused(format!("x := {}", nested("f(", "1", ")", 3_000)));
    refused(format!("x := {}", nested("count(", "[1]", ")", 3_000)));
}

#[test]
fn deeply_nested_collections_are_refused() {
    refused(format!("x := {}", nested("[", "1", "]", 5_000)));
    refused(format!("x := {}", nested("{", "1", "}", 5_000)));
    refused(format!("x := {}", nested("{\"a\": ", "1", "}", 5_000)));
    refused(format!("x := {}", nested("(", "1", ")", 5_000)));
    refused(format!("x := {}", nested("[y | y := ", "1", "]", 3_000)));
}

#[test]
fn long_operator_chains_are_refused() {
    // Left-associative chains are not nesting in the source, but they are in the tree.
    for op in [" + ", " | ", " & ", " * ", " == "] {
        refused(format!("x := 1{}", format!("{op}1").repeat(20_000)));
    }
}

#[test]
fn nesting_split_across_lines_is_refused_too() {
    refused(format!("x := {}", nested("[\n", "1", "\n]", 5_000)));
    refused(format!("x := input{}", "\n[1]".repeat(20_000)));
}

#[test]
fn deep_every_and_template_strings_are_refused() {
    refused(format!(
        "x if {{ {} }}",
        nested("every y in [1] { ", "true", " }", 3_000)
    ));
    refused(format!("x := {}", nested("$\"{", "1", "}\"", 3_000)));
    refused(format!("x := {}", nested("-", "1", "", 5_000)));
    refused(format!("deep{} := 1", ".a".repeat(5_000)));
}

#[test]
fn trees_just_under_the_limits_load_and_answer() {
    let d = 60;
    let one = Some(json!(1));
    assert_eq!(
        run(format!("x := {}", nested("abs(", "-1", ")", d))).unwrap(),
        one
    );
    let arrays = run(format!("x := {}", nested("[", "1", "]", d))).unwrap();
    assert_eq!(arrays.map(|v| v.to_string().len()), Some(2 * d + 1));
    let objects = run(format!("x := {}", nested("{\"a\": ", "1", "}", d))).unwrap();
    assert_eq!(objects.map(|v| v.to_string().len()), Some(6 * d + 1));
    assert_eq!(
        run(format!("x := 0{}", " + 1".repeat(120))).unwrap(),
        Some(json!(120))
    );
    let sets = run(format!("x := {{1}}{}", " | {1}".repeat(120))).unwrap();
    assert_eq!(sets, Some(json!([1])));
    let chain = format!(
        "y := {}\nx := y{}",
        nested("{\"a\": ", "1", "}", 60),
        ".a".repeat(60)
    );
    assert_eq!(run(chain).unwrap(), one);
    let every = nested("every y in [1] { ", "y == 1", " }", 60);
    assert_eq!(
        run(format!("x if {{ {every} }}")).unwrap(),
        Some(json!(true))
    );
    // Two levels of nesting each: the call and the array.
    let counts = nested("count([", "1", "])", 30);
    assert_eq!(run(format!("x := {counts}")).unwrap(), one);
}

#[test]
fn nesting_of_real_depth_loads_and_answers() {
    let engine = PolicyEngine::default();
    let body = format!(
        "package deep\nx := {}\ny := input.a[0][0]\nz := {}",
        nested("[", "1", "]", 20),
        nested("abs(", "-1", ")", 20)
    );
    engine.add_module("deep.rego", &body).unwrap();
    let d = engine.evaluate("data.deep.y", br#"{"a":[[7]]}"#).unwrap();
    assert_eq!(d.result, Some(serde_json::json!(7)));
    let d = engine.evaluate("data.deep.z", b"{}").unwrap();
    assert_eq!(d.result, Some(serde_json::json!(1)));
}

//! Memory budgets per evaluation: with `CountingAllocator` as the global allocator (as the
//! Node and Python packages install it), an evaluation holding more than
//! `PolicyOptions::memory_limit` bytes fails with `LIMIT_EXCEEDED`, in builtins, in
//! comprehensions and in rule loops, with strict builtin errors off too (never an
//! undefined that flips a `not`), and the engine keeps serving.

use coresdk_engine::{
    memory_budgets_enforced, CountingAllocator, ErrorCode, PolicyEngine, PolicyOptions,
};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const POLICY: &str = r#"package m
range := count(numbers.range(1, 2000000))
compr := count([x | some x in numbers.range(1, 2000000)])
strings := count(concat("", [s | some i in numbers.range(1, 200000); s := sprintf("%d-padding-padding", [i])]))
flipped if not count(numbers.range(1, 2000000)) == 0
small := count(numbers.range(1, 1000))
"#;

fn engine(limit: Option<u64>) -> PolicyEngine {
    let engine = PolicyEngine::new(PolicyOptions {
        memory_limit: limit,
        // The budget must stop these, not the clock.
        timeout: std::time::Duration::from_secs(60),
        ..Default::default()
    });
    engine.add_module("m.rego", POLICY).unwrap();
    engine
}

#[test]
fn the_allocator_is_seen_as_installed() {
    assert!(memory_budgets_enforced());
}

#[test]
fn evaluations_over_budget_are_limit_exceeded_and_the_engine_keeps_serving() {
    let engine = engine(Some(16 * 1024 * 1024));
    for rule in ["range", "compr", "strings", "flipped"] {
        let err = engine
            .evaluate(&format!("data.m.{rule}"), b"{}")
            .expect_err(rule);
        assert_eq!(err.code(), ErrorCode::LimitExceeded, "{rule}: {err}");
        assert!(err.to_string().contains("memory limit"), "{err}");
    }
    let err = engine
        .query("x := count(numbers.range(1, 2000000))", b"{}")
        .expect_err("query");
    assert_eq!(err.code(), ErrorCode::LimitExceeded, "{err}");
    let small = engine.evaluate("data.m.small", b"{}").unwrap();
    assert_eq!(small.result, Some(serde_json::json!(1000)));
}

#[test]
fn the_same_evaluations_answer_within_the_default_budget_or_without_one() {
    for limit in [PolicyOptions::default().memory_limit, None] {
        let engine = engine(limit);
        let range = engine.evaluate("data.m.range", b"{}").unwrap();
        assert_eq!(range.result, Some(serde_json::json!(2_000_000)));
        let flipped = engine.evaluate("data.m.flipped", b"{}").unwrap();
        assert_eq!(flipped.result, Some(serde_json::json!(true)));
    }
}

#[test]
fn the_budget_counts_one_evaluation_not_the_thread_history() {
    // Memory the thread held before the evaluation does not count against it.
    let held = vec![0_u8; 64 * 1024 * 1024];
    let engine = engine(Some(8 * 1024 * 1024));
    assert_eq!(
        engine.evaluate("data.m.small", b"{}").unwrap().result,
        Some(serde_json::json!(1000))
    );
    drop(held);
    // Nor does memory freed during it that was allocated before.
    let engine = engine_with_data();
    assert!(engine.evaluate("data.d.n", b"{}").is_ok());
}

fn engine_with_data() -> PolicyEngine {
    let engine = PolicyEngine::new(PolicyOptions {
        memory_limit: Some(1024 * 1024),
        ..Default::default()
    });
    engine
        .add_module("d.rego", "package d\nn := count(data.items)\n")
        .unwrap();
    let items: Vec<u32> = (0..10_000).collect();
    engine
        .add_data_json(serde_json::json!({ "items": items }).to_string().as_bytes())
        .unwrap();
    engine
}

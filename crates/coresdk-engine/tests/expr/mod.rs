//! Evaluating one expression through a policy (`package b`, `x := expr`), as the builtin
//! test files do.
#![allow(dead_code)] // each test crate uses a different subset

use coresdk_engine::{PolicyEngine, PolicyOptions};
use serde_json::Value;

/// The value of `x := expr` (`None` when undefined), with or without strict builtin errors.
pub fn eval_with(expr: &str, strict: bool) -> Result<Option<Value>, coresdk_engine::Error> {
    let engine = PolicyEngine::new(PolicyOptions {
        strict_builtin_errors: strict,
        ..Default::default()
    });
    engine.add_module("b.rego", &format!("package b\nx := {expr}\n"))?;
    Ok(engine.evaluate("data.b.x", b"{}")?.result)
}

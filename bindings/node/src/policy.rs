//! Rego policy evaluation: a native `PolicyEngine` class over the core's engine.
//!
//! `evaluate`/`query` return Promises whose work runs on the libuv pool (`AsyncTask`);
//! `evaluateSync`/`querySync` run on the calling thread. Both share one `_impl`. The core
//! engine is `Send + Sync` and lock-free for readers, so many pool threads evaluate at once.

use crate::error::{bytes, call};
use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi::{Env, Task};
use napi_derive::napi;
use std::sync::Arc;
use std::time::Duration;

/// Options of a [`PolicyEngine`]; the same names and defaults as Python's.
#[napi(object)]
pub struct PolicyOptions {
    /// Time limit of one evaluation in milliseconds (default 1000).
    pub timeout_ms: Option<u32>,
    /// Builtin errors raise `EVAL_ERROR` instead of being undefined (default false).
    pub strict_builtin_errors: Option<bool>,
    /// What `allowed` answers when evaluation fails (default false: fail closed).
    pub fail_open: Option<bool>,
}

/// One Rego module to load.
#[napi(object)]
pub struct ModuleSource {
    /// The name used in error locations (usually a file name).
    pub name: String,
    /// The Rego source.
    pub source: String,
}

/// A decision as it crosses the boundary: the result as JSON text (absent = undefined).
#[napi(object)]
pub struct NativeDecision {
    /// The result as JSON text; absent when the rule is undefined.
    pub result_json: Option<String>,
    /// The snapshot revision the decision was made against.
    pub revision: f64,
    /// Unique, time-ordered decision id (UUIDv7).
    pub decision_id: String,
    /// Evaluation time in microseconds.
    pub duration_us: f64,
}

/// A query result as it crosses the boundary: the rows as JSON text.
#[napi(object)]
pub struct NativeQueryResult {
    /// `[{"expressions": [...], "bindings": {...}}, ...]` as JSON text.
    pub rows_json: String,
    /// The snapshot revision.
    pub revision: f64,
    /// Unique, time-ordered decision id.
    pub decision_id: String,
    /// Evaluation time in microseconds.
    pub duration_us: f64,
}

/// The native policy engine. Share one per process; it is safe under concurrent calls.
#[napi]
pub struct PolicyEngine {
    inner: Arc<coresdk_engine::PolicyEngine>,
}

fn pairs(modules: Vec<ModuleSource>) -> Vec<(String, String)> {
    modules.into_iter().map(|m| (m.name, m.source)).collect()
}

fn evaluate_impl(
    engine: &coresdk_engine::PolicyEngine,
    path: &str,
    input: &[u8],
) -> napi::Result<NativeDecision> {
    let d = call(|| engine.evaluate(path, input))?;
    Ok(NativeDecision {
        result_json: d.result.map(|v| coresdk_engine::json::to_string(&v)),
        revision: d.revision as f64,
        decision_id: d.decision_id,
        duration_us: d.duration_us as f64,
    })
}

fn query_impl(
    engine: &coresdk_engine::PolicyEngine,
    query: &str,
    input: &[u8],
) -> napi::Result<NativeQueryResult> {
    let q = call(|| engine.query(query, input))?;
    Ok(NativeQueryResult {
        rows_json: coresdk_engine::json::to_string(&serde_json::Value::Array(q.rows)),
        revision: q.revision as f64,
        decision_id: q.decision_id,
        duration_us: q.duration_us as f64,
    })
}

/// `evaluate` on the libuv pool.
pub struct Evaluate {
    engine: Arc<coresdk_engine::PolicyEngine>,
    path: String,
    input: Vec<u8>,
}

impl Task for Evaluate {
    type Output = NativeDecision;
    type JsValue = NativeDecision;

    fn compute(&mut self) -> napi::Result<NativeDecision> {
        evaluate_impl(&self.engine, &self.path, &self.input)
    }

    fn resolve(&mut self, _env: Env, output: NativeDecision) -> napi::Result<NativeDecision> {
        Ok(output)
    }
}

/// `allowed` on the libuv pool.
pub struct Allowed {
    engine: Arc<coresdk_engine::PolicyEngine>,
    path: String,
    input: Vec<u8>,
}

impl Task for Allowed {
    type Output = bool;
    type JsValue = bool;

    fn compute(&mut self) -> napi::Result<bool> {
        call(|| Ok(self.engine.allowed(&self.path, &self.input)))
    }

    fn resolve(&mut self, _env: Env, output: bool) -> napi::Result<bool> {
        Ok(output)
    }
}

/// `query` on the libuv pool.
pub struct Query {
    engine: Arc<coresdk_engine::PolicyEngine>,
    query: String,
    input: Vec<u8>,
}

impl Task for Query {
    type Output = NativeQueryResult;
    type JsValue = NativeQueryResult;

    fn compute(&mut self) -> napi::Result<NativeQueryResult> {
        query_impl(&self.engine, &self.query, &self.input)
    }

    fn resolve(&mut self, _env: Env, output: NativeQueryResult) -> napi::Result<NativeQueryResult> {
        Ok(output)
    }
}

#[napi]
impl PolicyEngine {
    /// An engine with no policies (revision 0).
    #[napi(constructor, catch_unwind)]
    pub fn new(options: Option<PolicyOptions>) -> Self {
        let mut core = coresdk_engine::PolicyOptions::default();
        if let Some(options) = options {
            if let Some(ms) = options.timeout_ms {
                core.timeout = Duration::from_millis(u64::from(ms));
            }
            if let Some(strict) = options.strict_builtin_errors {
                core.strict_builtin_errors = strict;
            }
            if let Some(open) = options.fail_open {
                core.fail_open = open;
            }
        }
        Self {
            inner: Arc::new(coresdk_engine::PolicyEngine::new(core)),
        }
    }

    /// The revision now serving.
    #[napi(getter, catch_unwind)]
    pub fn revision(&self) -> f64 {
        self.inner.revision() as f64
    }

    /// Adds one module; returns the new revision.
    #[napi(catch_unwind)]
    pub fn add_module(&self, name: String, source: String) -> napi::Result<f64> {
        call(|| self.inner.add_module(&name, &source)).map(|r| r as f64)
    }

    /// Adds several modules as one change (all compile, or none is published).
    #[napi(catch_unwind)]
    pub fn add_modules(&self, modules: Vec<ModuleSource>) -> napi::Result<f64> {
        let modules = pairs(modules);
        call(|| self.inner.add_modules(&modules)).map(|r| r as f64)
    }

    /// Replaces every loaded module with `modules` (data kept) as one change.
    #[napi(catch_unwind)]
    pub fn replace_modules(&self, modules: Vec<ModuleSource>) -> napi::Result<f64> {
        let modules = pairs(modules);
        call(|| self.inner.replace_modules(&modules)).map(|r| r as f64)
    }

    /// Adds a `.rego` file or every `.rego` file below a directory.
    #[napi(catch_unwind)]
    pub fn add_path(&self, path: String) -> napi::Result<f64> {
        call(|| self.inner.add_path(&path)).map(|r| r as f64)
    }

    /// Merges a data document (JSON text of an object) into `data`.
    #[napi(catch_unwind)]
    pub fn add_data_json(&self, json: Either<String, Buffer>) -> napi::Result<f64> {
        let json = bytes(json);
        call(|| self.inner.add_data_json(&json)).map(|r| r as f64)
    }

    /// Evaluates a rule path against input JSON text on the calling thread.
    #[napi(catch_unwind)]
    pub fn evaluate_sync(
        &self,
        path: String,
        input_json: Either<String, Buffer>,
    ) -> napi::Result<NativeDecision> {
        evaluate_impl(&self.inner, &path, &bytes(input_json))
    }

    /// Evaluates a rule path on the libuv pool.
    #[napi(catch_unwind, ts_return_type = "Promise<NativeDecision>")]
    pub fn evaluate(
        &self,
        path: String,
        input_json: Either<String, Buffer>,
    ) -> AsyncTask<Evaluate> {
        AsyncTask::new(Evaluate {
            engine: Arc::clone(&self.inner),
            path,
            input: bytes(input_json),
        })
    }

    /// A yes/no decision with the configured fail mode, on the calling thread.
    #[napi(catch_unwind)]
    pub fn allowed_sync(
        &self,
        path: String,
        input_json: Either<String, Buffer>,
    ) -> napi::Result<bool> {
        let input = bytes(input_json);
        call(|| Ok(self.inner.allowed(&path, &input)))
    }

    /// A yes/no decision with the configured fail mode, on the libuv pool.
    #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
    pub fn allowed(&self, path: String, input_json: Either<String, Buffer>) -> AsyncTask<Allowed> {
        AsyncTask::new(Allowed {
            engine: Arc::clone(&self.inner),
            path,
            input: bytes(input_json),
        })
    }

    /// How many times `allowed` answered with the fail mode.
    #[napi(getter, catch_unwind)]
    pub fn fail_mode_count(&self) -> f64 {
        self.inner.fail_mode_count() as f64
    }

    /// Evaluates a Rego query on the calling thread.
    #[napi(catch_unwind)]
    pub fn query_sync(
        &self,
        query: String,
        input_json: Either<String, Buffer>,
    ) -> napi::Result<NativeQueryResult> {
        query_impl(&self.inner, &query, &bytes(input_json))
    }

    /// Evaluates a Rego query on the libuv pool.
    #[napi(catch_unwind, ts_return_type = "Promise<NativeQueryResult>")]
    pub fn query(&self, query: String, input_json: Either<String, Buffer>) -> AsyncTask<Query> {
        AsyncTask::new(Query {
            engine: Arc::clone(&self.inner),
            query,
            input: bytes(input_json),
        })
    }
}

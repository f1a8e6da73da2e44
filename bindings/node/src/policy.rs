//! Rego policy evaluation: a native `PolicyEngine` class over the core's engine.
//!
//! `evaluate`/`query`/`allowed` return Promises whose work runs on the libuv pool
//! (`task::Work`); the `...Sync` variants run on the calling thread. Both share one
//! `_impl`. The core engine is `Send + Sync` and lock-free for readers, so many pool
//! threads evaluate at once. Revisions are `u64` in the core and cross as numbers (exact
//! up to 2^53).

use crate::bundle::{
    poller_options, verification, BundlePoller, BundlePollerOptions, BundleVerification,
    DirectoryWatch,
};
use crate::error::{bytes, call, Result};
use crate::task::Work;
use crate::token::TokenVerifier;
use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
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
    /// Turns the decision cache on.
    pub cache: Option<DecisionCacheOptions>,
    /// The Rego syntax modules are parsed as unless they say otherwise: 1 (default) or 0.
    pub rego_version: Option<u32>,
    /// Most bytes one evaluation may hold (default 1 GiB; 0: no limit).
    pub memory_limit_bytes: Option<i64>,
    /// Which evaluator answers rule paths: "compiled" (default) or "interpreter".
    pub evaluator: Option<String>,
}

/// Options of the decision cache; the same names and defaults as Python's.
#[napi(object)]
pub struct DecisionCacheOptions {
    /// Most entries kept (default 10000).
    pub max_entries: Option<u32>,
    /// Lifetime of an entry in ms (default 60000).
    pub ttl_ms: Option<u32>,
}

/// One Rego module to load.
#[napi(object)]
pub struct ModuleSource {
    /// The name used in error locations (usually a file name).
    pub name: String,
    /// The Rego source.
    pub source: String,
    /// The Rego version of this module (0 or 1); absent = the engine's `regoVersion`.
    pub rego_version: Option<u32>,
}

/// A decision crosses the boundary as one JSON text: an array of its fields in this order
/// (`DecisionFields` in `policy.ts` reads it), which the wrapper turns into its `Decision`
/// with one `JSON.parse`. An object of seven properties made through N-API cost about
/// 1 µs more per decision (V8 looks each property name up in its string table on every
/// call), and V8 parses an array about three times faster than an object with the same
/// values (265 vs 803 ns, Node 20); the decision itself is a few microseconds.
#[derive(serde::Serialize)]
struct DecisionText<'a>(
    /// defined: false when the rule is undefined.
    bool,
    /// result: the rule's value, `null` when undefined.
    Option<&'a serde_json::Value>,
    /// revision
    u64,
    /// bundleRevision
    Option<&'a str>,
    /// decisionId
    &'a str,
    /// durationUs
    u64,
    /// cached
    bool,
    /// prints
    &'a [String],
);

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
    /// The manifest revision of the bundle serving, if any.
    pub bundle_revision: Option<String>,
    /// True when the answer came from the decision cache.
    pub cached: bool,
    /// Lines written by `print()` during evaluation.
    pub prints: Vec<String>,
}

/// The native policy engine. Share one per process; it is safe under concurrent calls.
#[napi]
pub struct PolicyEngine {
    pub(crate) inner: Arc<coresdk_engine::PolicyEngine>,
}

fn rego_version(n: Option<u32>) -> coresdk_engine::Result<Option<coresdk_engine::RegoVersion>> {
    n.map(|n| coresdk_engine::RegoVersion::from_number(i64::from(n)))
        .transpose()
}

fn rego_modules(
    modules: Vec<ModuleSource>,
) -> coresdk_engine::Result<Vec<coresdk_engine::RegoModule>> {
    modules
        .into_iter()
        .map(|m| {
            Ok(coresdk_engine::RegoModule {
                name: m.name,
                source: m.source,
                rego_version: rego_version(m.rego_version)?,
            })
        })
        .collect()
}

/// The one implementation of `evaluate` / `evaluateSync` (panics caught by the caller).
fn evaluate_impl(
    engine: &coresdk_engine::PolicyEngine,
    path: &str,
    input: &[u8],
) -> coresdk_engine::Result<String> {
    engine.evaluate(path, input).map(decision_json)
}

/// The JSON text of a decision (see [`DecisionText`]).
pub(crate) fn decision_json(d: coresdk_engine::Decision) -> String {
    let text = DecisionText(
        d.result.is_some(),
        d.result.as_ref(),
        d.revision,
        d.bundle_revision.as_deref(),
        &d.decision_id,
        d.duration_us,
        d.cached,
        &d.prints,
    );
    // Serialising borrowed strings, numbers and a serde_json::Value cannot fail.
    serde_json::to_string(&text).unwrap_or_default()
}

/// The one implementation of `query` / `querySync` (panics caught by the caller).
fn query_impl(
    engine: &coresdk_engine::PolicyEngine,
    query: &str,
    input: &[u8],
) -> coresdk_engine::Result<NativeQueryResult> {
    let q = engine.query(query, input)?;
    Ok(NativeQueryResult {
        rows_json: coresdk_engine::json::to_string(&serde_json::Value::Array(q.rows)),
        revision: q.revision as f64,
        decision_id: q.decision_id,
        duration_us: q.duration_us as f64,
        bundle_revision: q.bundle_revision,
        cached: q.cached,
        prints: q.prints,
    })
}

#[napi]
impl PolicyEngine {
    /// An engine with no policies (revision 0).
    #[napi(constructor, catch_unwind)]
    pub fn new(options: Option<PolicyOptions>) -> Result<Self> {
        let mut core = coresdk_engine::PolicyOptions::default();
        if let Some(options) = options {
            if let Some(version) = call(|| rego_version(options.rego_version))? {
                core.rego_version = version;
            }
            if let Some(ms) = options.timeout_ms {
                core.timeout = Duration::from_millis(u64::from(ms));
            }
            if let Some(bytes) = options.memory_limit_bytes {
                core.memory_limit = call(|| coresdk_engine::memory_limit(bytes))?;
            }
            if let Some(name) = &options.evaluator {
                core.evaluator = call(|| coresdk_engine::Evaluator::from_name(name))?;
            }
            if let Some(strict) = options.strict_builtin_errors {
                core.strict_builtin_errors = strict;
            }
            if let Some(open) = options.fail_open {
                core.fail_open = open;
            }
            if let Some(cache) = options.cache {
                let mut c = coresdk_engine::CacheOptions::default();
                if let Some(n) = cache.max_entries {
                    c.max_entries = u64::from(n);
                }
                if let Some(ms) = cache.ttl_ms {
                    c.ttl = Duration::from_millis(u64::from(ms));
                }
                core.cache = Some(c);
            }
        }
        let inner = call(|| Ok(Arc::new(coresdk_engine::PolicyEngine::new(core))))?;
        Ok(Self { inner })
    }

    /// The revision now serving.
    #[napi(getter, catch_unwind)]
    pub fn revision(&self) -> Result<f64> {
        call(|| Ok(self.inner.revision() as f64))
    }

    /// Adds one module (parsed as `regoVersion`, absent = the engine's); returns the new
    /// revision.
    #[napi(catch_unwind)]
    pub fn add_module(
        &self,
        name: String,
        source: String,
        rego_version: Option<u32>,
    ) -> Result<f64> {
        let module = ModuleSource {
            name,
            source,
            rego_version,
        };
        self.add_modules(vec![module])
    }

    /// Adds several modules as one change (all compile, or none is published).
    #[napi(catch_unwind)]
    pub fn add_modules(&self, modules: Vec<ModuleSource>) -> Result<f64> {
        call(|| self.inner.add_modules(&rego_modules(modules)?)).map(|r| r as f64)
    }

    /// Replaces every loaded module with `modules` (data kept) as one change.
    #[napi(catch_unwind)]
    pub fn replace_modules(&self, modules: Vec<ModuleSource>) -> Result<f64> {
        call(|| self.inner.replace_modules(&rego_modules(modules)?)).map(|r| r as f64)
    }

    /// Replaces every module and all data (JSON text of an object, absent = empty) as one
    /// change.
    #[napi(catch_unwind)]
    pub fn reload(
        &self,
        modules: Vec<ModuleSource>,
        data_json: Option<Either<String, Buffer>>,
    ) -> Result<f64> {
        let data = data_json.map(bytes);
        call(|| self.inner.reload(&rego_modules(modules)?, data.as_deref())).map(|r| r as f64)
    }

    /// Adds a `.rego` file or every `.rego` file below a directory.
    #[napi(catch_unwind)]
    pub fn add_path(&self, path: String) -> Result<f64> {
        call(|| self.inner.add_path(&path)).map(|r| r as f64)
    }

    /// Merges a data document (JSON text of an object) into `data`.
    #[napi(catch_unwind)]
    pub fn add_data_json(&self, json: Either<String, Buffer>) -> Result<f64> {
        let json = bytes(json);
        call(|| self.inner.add_data_json(&json)).map(|r| r as f64)
    }

    /// Evaluates a rule path against input JSON text on the calling thread.
    #[napi(catch_unwind)]
    pub fn evaluate_sync(
        &self,
        path: String,
        input_json: Either<String, Buffer>,
    ) -> Result<String> {
        let input = bytes(input_json);
        call(|| evaluate_impl(&self.inner, &path, &input))
    }

    /// Evaluates a rule path on the libuv pool.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn evaluate(
        &self,
        path: String,
        input_json: Either<String, Buffer>,
    ) -> AsyncTask<Work<String>> {
        let engine = Arc::clone(&self.inner);
        let input = bytes(input_json);
        AsyncTask::new(Work::new(move || evaluate_impl(&engine, &path, &input)))
    }

    /// Verifies `token`, then evaluates `path` with the claims as `input.claims`, on the
    /// calling thread.
    #[napi(catch_unwind)]
    pub fn authorize_sync(
        &self,
        verifier: &TokenVerifier,
        token: String,
        path: String,
        input_json: Either<String, Buffer>,
    ) -> Result<String> {
        let input = bytes(input_json);
        call(|| {
            let d = self.inner.authorize(&verifier.inner, &token, &path, &input);
            d.map(decision_json)
        })
    }

    /// [`Self::authorize_sync`] on the libuv pool.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn authorize(
        &self,
        verifier: &TokenVerifier,
        token: String,
        path: String,
        input_json: Either<String, Buffer>,
    ) -> AsyncTask<Work<String>> {
        let engine = Arc::clone(&self.inner);
        let verifier = verifier.inner.clone();
        let input = bytes(input_json);
        AsyncTask::new(Work::new(move || {
            engine
                .authorize(&verifier, &token, &path, &input)
                .map(decision_json)
        }))
    }

    /// A yes/no decision with the configured fail mode, on the calling thread.
    #[napi(catch_unwind)]
    pub fn allowed_sync(&self, path: String, input_json: Either<String, Buffer>) -> Result<bool> {
        let input = bytes(input_json);
        call(|| Ok(self.inner.allowed(&path, &input)))
    }

    /// A yes/no decision with the configured fail mode, on the libuv pool.
    #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
    pub fn allowed(
        &self,
        path: String,
        input_json: Either<String, Buffer>,
    ) -> AsyncTask<Work<bool>> {
        let engine = Arc::clone(&self.inner);
        let input = bytes(input_json);
        AsyncTask::new(Work::new(move || Ok(engine.allowed(&path, &input))))
    }

    /// How many times `allowed` answered with the fail mode.
    #[napi(getter, catch_unwind)]
    pub fn fail_mode_count(&self) -> Result<f64> {
        call(|| Ok(self.inner.fail_mode_count() as f64))
    }

    /// Evaluates a Rego query on the calling thread.
    #[napi(catch_unwind)]
    pub fn query_sync(
        &self,
        query: String,
        input_json: Either<String, Buffer>,
    ) -> Result<NativeQueryResult> {
        let input = bytes(input_json);
        call(|| query_impl(&self.inner, &query, &input))
    }

    /// Evaluates a Rego query on the libuv pool.
    #[napi(catch_unwind, ts_return_type = "Promise<NativeQueryResult>")]
    pub fn query(
        &self,
        query: String,
        input_json: Either<String, Buffer>,
    ) -> AsyncTask<Work<NativeQueryResult>> {
        let engine = Arc::clone(&self.inner);
        let input = bytes(input_json);
        AsyncTask::new(Work::new(move || query_impl(&engine, &query, &input)))
    }

    /// The manifest revision of the bundle serving, if the policy came from a bundle.
    #[napi(getter, catch_unwind)]
    pub fn bundle_revision(&self) -> Result<Option<String>> {
        call(|| Ok(self.inner.bundle_revision()))
    }

    /// Activates a `.tar.gz` OPA bundle: its modules and data replace everything loaded.
    #[napi(catch_unwind)]
    pub fn load_bundle(
        &self,
        bundle: Buffer,
        verification_key: Option<BundleVerification>,
    ) -> Result<f64> {
        call(|| {
            let v = verification(verification_key)?;
            self.inner.load_bundle_bytes(&bundle, v.as_ref())
        })
        .map(|r| r as f64)
    }

    /// Activates a bundle from a `.tar.gz` file or a bundle directory.
    #[napi(catch_unwind)]
    pub fn load_bundle_path(
        &self,
        path: String,
        verification_key: Option<BundleVerification>,
    ) -> Result<f64> {
        call(|| {
            let v = verification(verification_key)?;
            self.inner.load_bundle_path(&path, v.as_ref())
        })
        .map(|r| r as f64)
    }

    /// Starts polling an HTTP bundle server on a background thread; the last-known-good
    /// cache takes its HMAC key from `lastKnownGoodKeyProvider` when given.
    #[napi(catch_unwind)]
    pub fn start_bundle_polling(
        &self,
        options: BundlePollerOptions,
        last_known_good_key_provider: Option<&crate::keys::KeyProviderBridge>,
    ) -> Result<BundlePoller> {
        call(|| {
            let options = poller_options(options, last_known_good_key_provider)?;
            coresdk_engine::BundlePoller::start(Arc::clone(&self.inner), options)
        })
        .map(BundlePoller::new)
    }

    /// Loads a bundle directory and reloads it when its files change.
    #[napi(catch_unwind)]
    pub fn watch_directory(
        &self,
        path: String,
        debounce_ms: Option<u32>,
        verification_key: Option<BundleVerification>,
    ) -> Result<DirectoryWatch> {
        call(|| {
            let v = verification(verification_key)?;
            let debounce = debounce_ms
                .map_or(coresdk_engine::DirectoryWatch::DEFAULT_DEBOUNCE, |ms| {
                    Duration::from_millis(u64::from(ms))
                });
            coresdk_engine::DirectoryWatch::start(Arc::clone(&self.inner), &path, debounce, v)
        })
        .map(DirectoryWatch::new)
    }

    /// The metrics snapshot as JSON text.
    #[napi(catch_unwind)]
    pub fn metrics_json(&self) -> Result<String> {
        call(|| Ok(coresdk_engine::json::to_string(&self.inner.metrics())))
    }

    /// The metrics in Prometheus text exposition format.
    #[napi(catch_unwind)]
    pub fn metrics_prometheus(&self) -> Result<String> {
        call(|| Ok(self.inner.metrics_prometheus()))
    }
}

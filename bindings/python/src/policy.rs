//! `coresdk._native.PolicyEngine`: the core policy engine. Documents cross as JSON text;
//! `coresdk.policy` turns Python values into it and results back into Python values.

use crate::bundle::{verification, BundlePoller, DirectoryWatch, VerificationParts};
use crate::conversion::{self, Bytes};
use crate::decision_log::DecisionLogger;
use crate::error::{attached, detached};
use crate::http::RequestAuthorization;
use crate::results::{Decision, QueryResult};
use crate::shadow::Shadow;
use crate::status::StatusReporter;
use coresdk_engine::{json, CacheOptions, Evaluator, PolicyOptions, RegoModule, RegoVersion};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The last-known-good cache as the Python layer passes it:
/// `(path, key | None, key_file | None, key_id | None, key_provider | None)`.
type LastKnownGoodParts = (
    PathBuf,
    Option<Vec<u8>>,
    Option<PathBuf>,
    Option<String>,
    Option<Py<PyAny>>,
);

/// AWS signing as the Python layer passes it:
/// `(region, service, access_key_id, secret_access_key, session_token)`, each optional.
type AwsSigningParts = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// `(name, source)` pairs as core modules of one Rego version (`None` = the engine's).
fn rego_modules(
    modules: Vec<(String, String)>,
    rego_version: Option<i64>,
) -> coresdk_engine::Result<Vec<RegoModule>> {
    let rego_version = rego_version.map(RegoVersion::from_number).transpose()?;
    Ok(modules
        .into_iter()
        .map(|(name, source)| RegoModule {
            name,
            source,
            rego_version,
        })
        .collect())
}

/// An in-process Rego policy engine (the core's `PolicyEngine`). Thread-safe: every
/// method releases the GIL while the core works, and evaluations run in parallel.
#[pyclass(frozen, module = "coresdk._native")]
pub struct PolicyEngine {
    inner: Arc<coresdk_engine::PolicyEngine>,
}

#[pymethods]
impl PolicyEngine {
    /// An engine with no policies and empty data (revision 0). `cache` is
    /// `(max_entries, ttl_ms)` to turn the decision cache on. `None` takes the core's
    /// default (`PolicyOptions::default()`, `CacheOptions::default()`).
    #[new]
    // One argument per engine option, as Python callers pass them.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (timeout_ms = None, strict_builtin_errors = false, fail_open = false, cache = None, rego_version = 1, memory_limit_bytes = None, evaluator = None))]
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] timeout_ms: Option<u64>,
        #[pyo3(from_py_with = conversion::boolean)] strict_builtin_errors: bool,
        #[pyo3(from_py_with = conversion::boolean)] fail_open: bool,
        cache: Option<(Option<u64>, Option<u64>)>,
        #[pyo3(from_py_with = conversion::signed)] rego_version: i64,
        #[pyo3(from_py_with = conversion::optional_signed)] memory_limit_bytes: Option<i64>,
        #[pyo3(from_py_with = conversion::optional_string)] evaluator: Option<String>,
    ) -> PyResult<Self> {
        let defaults = PolicyOptions::default();
        let evaluator = match evaluator {
            Some(name) => attached(py, || Evaluator::from_name(&name))?,
            None => defaults.evaluator,
        };
        let rego_version = attached(py, || RegoVersion::from_number(rego_version))?;
        let memory_limit = match memory_limit_bytes {
            Some(bytes) => attached(py, || coresdk_engine::memory_limit(bytes))?,
            None => defaults.memory_limit,
        };
        let cache = cache.map(|(max_entries, ttl_ms)| {
            let cache = CacheOptions::default();
            CacheOptions {
                max_entries: max_entries.unwrap_or(cache.max_entries),
                ttl: ttl_ms.map_or(cache.ttl, Duration::from_millis),
            }
        });
        Ok(Self {
            inner: Arc::new(coresdk_engine::PolicyEngine::new(PolicyOptions {
                timeout: timeout_ms.map_or(defaults.timeout, Duration::from_millis),
                strict_builtin_errors,
                fail_open,
                cache,
                rego_version,
                memory_limit,
                evaluator,
            })),
        })
    }

    /// How many times `allowed` answered with the fail mode.
    #[getter]
    fn fail_mode_count(&self, py: Python<'_>) -> PyResult<u64> {
        attached(py, || Ok(self.inner.fail_mode_count()))
    }

    /// A yes/no decision with the configured fail mode (`input_json`: JSON text).
    fn allowed(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string)] path: PyBackedStr,
        #[pyo3(from_py_with = conversion::bytes)] input_json: Bytes,
    ) -> PyResult<bool> {
        detached(py, || Ok(self.inner.allowed(&path, input_json.as_bytes())))
    }

    /// The revision currently serving (0 before anything is loaded; +1 per change).
    #[getter]
    fn revision(&self, py: Python<'_>) -> PyResult<u64> {
        attached(py, || Ok(self.inner.revision()))
    }

    /// Adds one Rego module under `name`; returns the new revision.
    /// `rego_version` (0 or 1; `None` = the engine's) is the syntax it is parsed as.
    #[pyo3(signature = (name, source, rego_version = None))]
    fn add_module(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string)] name: PyBackedStr,
        #[pyo3(from_py_with = conversion::string)] source: PyBackedStr,
        rego_version: Option<i64>,
    ) -> PyResult<u64> {
        let modules = vec![(name.to_string(), source.to_string())];
        self.add_modules(py, modules, rego_version)
    }

    /// Adds several `(name, source)` modules as one change (one new revision, or none),
    /// all parsed as `rego_version` (`None` = the engine's).
    #[pyo3(signature = (modules, rego_version = None))]
    fn add_modules(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string_pairs)] modules: Vec<(String, String)>,
        rego_version: Option<i64>,
    ) -> PyResult<u64> {
        detached(py, || {
            self.inner
                .add_modules(&rego_modules(modules, rego_version)?)
        })
    }

    /// Replaces every loaded module with `(name, source)` pairs (data kept), as one change.
    #[pyo3(signature = (modules, rego_version = None))]
    fn replace_modules(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string_pairs)] modules: Vec<(String, String)>,
        rego_version: Option<i64>,
    ) -> PyResult<u64> {
        detached(py, || {
            self.inner
                .replace_modules(&rego_modules(modules, rego_version)?)
        })
    }

    /// Replaces every module and all data (JSON text of an object, `None` = empty) as
    /// one change.
    #[pyo3(signature = (modules, data_json = None, rego_version = None))]
    fn reload(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string_pairs)] modules: Vec<(String, String)>,
        #[pyo3(from_py_with = conversion::optional_bytes)] data_json: Option<Bytes>,
        rego_version: Option<i64>,
    ) -> PyResult<u64> {
        detached(py, || {
            let modules = rego_modules(modules, rego_version)?;
            self.inner
                .reload(&modules, data_json.as_ref().map(Bytes::as_bytes))
        })
    }

    /// Adds a `.rego` file, or every `.rego` file below a directory, as one change.
    fn add_path(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::path)] path: PathBuf,
    ) -> PyResult<u64> {
        detached(py, || self.inner.add_path(&path))
    }

    /// Merges a JSON data document (an object, as JSON text) into `data`.
    fn add_data_json(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::bytes)] data_json: Bytes,
    ) -> PyResult<u64> {
        detached(py, || self.inner.add_data_json(data_json.as_bytes()))
    }

    /// Evaluates a rule path against `input_json` (JSON text of any value).
    fn evaluate(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string)] path: PyBackedStr,
        #[pyo3(from_py_with = conversion::bytes)] input_json: Bytes,
    ) -> PyResult<Decision> {
        let decision = detached(py, || self.inner.evaluate(&path, input_json.as_bytes()))?;
        Decision::from_core(py, decision)
    }

    /// Evaluates a Rego query against `input_json`.
    fn query(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string)] query: PyBackedStr,
        #[pyo3(from_py_with = conversion::bytes)] input_json: Bytes,
    ) -> PyResult<QueryResult> {
        let result = detached(py, || self.inner.query(&query, input_json.as_bytes()))?;
        QueryResult::from_core(py, result)
    }

    /// Verifies `token`, then evaluates `path` with the claims as `input.claims`.
    fn authorize(
        &self,
        py: Python<'_>,
        verifier: PyRef<'_, crate::token::TokenVerifier>,
        #[pyo3(from_py_with = conversion::string)] token: PyBackedStr,
        #[pyo3(from_py_with = conversion::string)] path: PyBackedStr,
        #[pyo3(from_py_with = conversion::bytes)] input_json: Bytes,
    ) -> PyResult<Decision> {
        let verifier = &verifier.inner;
        let decision = detached(py, || {
            self.inner
                .authorize(verifier, &token, &path, input_json.as_bytes())
        })?;
        Decision::from_core(py, decision)
    }

    /// Authorizes an HTTP request: the bearer token verified once, `rule` evaluated on
    /// the request's input document, the answer to send (the core's `http` module).
    #[pyo3(signature = (verifier, rule, method, target, headers, client_address = None, include_headers = None, token_optional = false, trace_id = None, span_id = None))]
    #[allow(clippy::too_many_arguments)]
    fn authorize_request(
        &self,
        py: Python<'_>,
        verifier: PyRef<'_, crate::token::TokenVerifier>,
        #[pyo3(from_py_with = conversion::string)] rule: PyBackedStr,
        #[pyo3(from_py_with = conversion::string)] method: PyBackedStr,
        #[pyo3(from_py_with = conversion::string)] target: PyBackedStr,
        #[pyo3(from_py_with = conversion::string_pairs)] headers: Vec<(String, String)>,
        #[pyo3(from_py_with = conversion::optional_string)] client_address: Option<String>,
        #[pyo3(from_py_with = conversion::optional_strings)] include_headers: Option<Vec<String>>,
        #[pyo3(from_py_with = conversion::boolean)] token_optional: bool,
        #[pyo3(from_py_with = conversion::optional_string)] trace_id: Option<String>,
        #[pyo3(from_py_with = conversion::optional_string)] span_id: Option<String>,
    ) -> PyResult<RequestAuthorization> {
        let verifier = &verifier.inner;
        let request = coresdk_engine::HttpRequest {
            method: method.to_string(),
            target: target.to_string(),
            headers,
            client_address,
            trace: trace_id
                .zip(span_id)
                .and_then(|(t, s)| coresdk_engine::TraceContext::from_span(&t, &s)),
        };
        let options = coresdk_engine::RequestOptions {
            include_headers,
            token_optional,
        };
        let answer = detached(py, || {
            Ok(self
                .inner
                .authorize_request(verifier, &rule, &request, &options))
        })?;
        RequestAuthorization::from_core(py, answer)
    }

    /// Sends this engine's decisions to `logger`, or stops (`None`).
    #[pyo3(signature = (logger = None))]
    fn set_decision_logger(
        &self,
        py: Python<'_>,
        logger: Option<PyRef<'_, DecisionLogger>>,
    ) -> PyResult<()> {
        let logger = logger.map(|l| Arc::clone(&l.inner));
        attached(py, || {
            self.inner.set_decision_logger(logger);
            Ok(())
        })
    }

    /// Compares a sample of this engine's decisions with `shadow`'s OPA server, or stops.
    #[pyo3(signature = (shadow = None))]
    fn set_shadow(&self, py: Python<'_>, shadow: Option<PyRef<'_, Shadow>>) -> PyResult<()> {
        let shadow = shadow.map(|s| Arc::clone(&s.inner));
        attached(py, || {
            self.inner.set_shadow(shadow);
            Ok(())
        })
    }

    /// Starts reporting this engine's status to an OPA-compatible status service;
    /// `None` numbers take the core's defaults.
    #[pyo3(signature = (service_url, bearer_token = None, labels_json = None, check_interval_ms = None, interval_ms = None, timeout_ms = None, bearer_token_file = None))]
    #[allow(clippy::too_many_arguments)]
    fn start_status_reporter(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string)] service_url: PyBackedStr,
        #[pyo3(from_py_with = conversion::optional_string)] bearer_token: Option<String>,
        #[pyo3(from_py_with = conversion::optional_string)] labels_json: Option<String>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] check_interval_ms: Option<u64>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] interval_ms: Option<u64>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] timeout_ms: Option<u64>,
        #[pyo3(from_py_with = conversion::optional_string)] bearer_token_file: Option<String>,
    ) -> PyResult<StatusReporter> {
        let ms = |v: Option<u64>, default: Duration| v.map_or(default, Duration::from_millis);
        attached(py, || {
            let mut o = coresdk_engine::StatusOptions::new(service_url.to_string());
            o.bearer_token = bearer_token;
            o.bearer_token_file = bearer_token_file.map(Into::into);
            if let Some(text) = &labels_json {
                o.labels = coresdk_engine::labels_from_json(text.as_bytes())?;
            }
            o.check_interval = ms(check_interval_ms, o.check_interval);
            o.interval = ms(interval_ms, o.interval);
            o.timeout = ms(timeout_ms, o.timeout);
            let inner = coresdk_engine::StatusReporter::start(Arc::clone(&self.inner), o)?;
            Ok(StatusReporter { inner })
        })
    }

    /// The manifest revision of the bundle serving, if any.
    #[getter]
    fn bundle_revision(&self, py: Python<'_>) -> PyResult<Option<String>> {
        attached(py, || Ok(self.inner.bundle_revision()))
    }

    /// Activates a `.tar.gz` OPA bundle given as bytes.
    #[pyo3(signature = (bundle, verification_parts = None))]
    fn load_bundle(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::bytes)] bundle: Bytes,
        verification_parts: Option<VerificationParts>,
    ) -> PyResult<u64> {
        detached(py, || {
            let v = verification(verification_parts)?;
            self.inner.load_bundle_bytes(bundle.as_bytes(), v.as_ref())
        })
    }

    /// Activates a bundle from a `.tar.gz` file or a bundle directory.
    #[pyo3(signature = (path, verification_parts = None))]
    fn load_bundle_path(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::path)] path: PathBuf,
        verification_parts: Option<VerificationParts>,
    ) -> PyResult<u64> {
        detached(py, || {
            let v = verification(verification_parts)?;
            self.inner.load_bundle_path(&path, v.as_ref())
        })
    }

    /// Starts polling an HTTP bundle server on a background thread.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (url, min_delay_ms, max_delay_ms, timeout_ms, headers, verification_parts = None, last_known_good = None, restore_last_known_good = true, bearer_token_file = None, aws_signing = None))]
    fn start_bundle_polling(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string)] url: PyBackedStr,
        #[pyo3(from_py_with = conversion::optional_unsigned)] min_delay_ms: Option<u64>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] max_delay_ms: Option<u64>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] timeout_ms: Option<u64>,
        #[pyo3(from_py_with = conversion::string_pairs)] headers: Vec<(String, String)>,
        verification_parts: Option<VerificationParts>,
        last_known_good: Option<LastKnownGoodParts>,
        #[pyo3(from_py_with = conversion::boolean)] restore_last_known_good: bool,
        #[pyo3(from_py_with = conversion::optional_string)] bearer_token_file: Option<String>,
        aws_signing: Option<AwsSigningParts>,
    ) -> PyResult<BundlePoller> {
        detached(py, || {
            let aws_signing = aws_signing
                .map(|(region, service, id, secret, token)| {
                    coresdk_engine::AwsSigning::from_parts(region, service, id, secret, token)
                })
                .transpose()?;
            let last_known_good = match last_known_good {
                Some((path, key, key_file, key_id, key_provider)) => {
                    let (keys, id) = crate::keys::host_or_python_key(
                        key.as_deref(),
                        key_file.as_deref(),
                        key_id.as_deref(),
                        key_provider,
                        "last-known-good",
                    )?;
                    Some(coresdk_engine::LastKnownGood::with_provider(
                        path, keys, &id,
                    ))
                }
                None => None,
            };
            // `None` takes the core's defaults (`PollerOptions::new`).
            let defaults = coresdk_engine::PollerOptions::new(url.to_string());
            let options = coresdk_engine::PollerOptions {
                last_known_good,
                restore_last_known_good,
                min_delay: min_delay_ms.map_or(defaults.min_delay, Duration::from_millis),
                max_delay: max_delay_ms.map_or(defaults.max_delay, Duration::from_millis),
                timeout: timeout_ms.map_or(defaults.timeout, Duration::from_millis),
                headers,
                bearer_token_file: bearer_token_file.map(Into::into),
                aws_signing,
                verification: verification(verification_parts)?,
                ..defaults
            };
            coresdk_engine::BundlePoller::start(Arc::clone(&self.inner), options)
        })
        .map(BundlePoller::new)
    }

    /// Loads a bundle directory and reloads it when its files change.
    #[pyo3(signature = (path, debounce_ms, verification_parts = None))]
    fn watch_directory(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::path)] path: PathBuf,
        #[pyo3(from_py_with = conversion::optional_unsigned)] debounce_ms: Option<u64>,
        verification_parts: Option<VerificationParts>,
    ) -> PyResult<DirectoryWatch> {
        detached(py, || {
            let v = verification(verification_parts)?;
            let debounce = debounce_ms.map_or(
                coresdk_engine::DirectoryWatch::DEFAULT_DEBOUNCE,
                Duration::from_millis,
            );
            coresdk_engine::DirectoryWatch::start(Arc::clone(&self.inner), &path, debounce, v)
        })
        .map(DirectoryWatch::new)
    }

    /// The metrics snapshot as JSON text.
    fn metrics_json(&self, py: Python<'_>) -> PyResult<String> {
        detached(py, || Ok(json::to_string(&self.inner.metrics())))
    }

    /// The metrics in Prometheus text exposition format.
    fn metrics_prometheus(&self, py: Python<'_>) -> PyResult<String> {
        detached(py, || Ok(self.inner.metrics_prometheus()))
    }
}

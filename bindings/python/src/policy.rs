//! `coresdk._native.PolicyEngine`: the core policy engine. Documents cross as JSON text;
//! `coresdk.policy` turns Python values into it and results back into Python values.

use crate::conversion::{self, Bytes};
use crate::error::{attached, detached};
use coresdk_engine::{json, PolicyOptions};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use std::path::PathBuf;
use std::time::Duration;

/// A decision as `(result_json | None, revision, decision_id, duration_us)`; `None` when
/// the rule is undefined.
type DecisionTuple = (Option<String>, u64, String, u64);

/// A query result as `(rows_json, revision, decision_id, duration_us)`.
type QueryTuple = (String, u64, String, u64);

/// An in-process Rego policy engine (the core's `PolicyEngine`). Thread-safe: every
/// method releases the GIL while the core works, and evaluations run in parallel.
#[pyclass(frozen, module = "coresdk._native")]
pub struct PolicyEngine {
    inner: coresdk_engine::PolicyEngine,
}

#[pymethods]
impl PolicyEngine {
    /// An engine with no policies and empty data (revision 0).
    #[new]
    #[pyo3(signature = (timeout_ms = 1000, strict_builtin_errors = false, fail_open = false))]
    fn new(
        #[pyo3(from_py_with = conversion::unsigned)] timeout_ms: u64,
        #[pyo3(from_py_with = conversion::boolean)] strict_builtin_errors: bool,
        #[pyo3(from_py_with = conversion::boolean)] fail_open: bool,
    ) -> Self {
        Self {
            inner: coresdk_engine::PolicyEngine::new(PolicyOptions {
                timeout: Duration::from_millis(timeout_ms),
                strict_builtin_errors,
                fail_open,
            }),
        }
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
    fn add_module(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string)] name: PyBackedStr,
        #[pyo3(from_py_with = conversion::string)] source: PyBackedStr,
    ) -> PyResult<u64> {
        detached(py, || self.inner.add_module(&name, &source))
    }

    /// Adds several `(name, source)` modules as one change (one new revision, or none).
    fn add_modules(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string_pairs)] modules: Vec<(String, String)>,
    ) -> PyResult<u64> {
        detached(py, || self.inner.add_modules(&modules))
    }

    /// Replaces every loaded module with `(name, source)` pairs (data kept), as one change.
    fn replace_modules(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string_pairs)] modules: Vec<(String, String)>,
    ) -> PyResult<u64> {
        detached(py, || self.inner.replace_modules(&modules))
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
    ) -> PyResult<DecisionTuple> {
        detached(py, || {
            let decision = self.inner.evaluate(&path, input_json.as_bytes())?;
            Ok((
                decision.result.as_ref().map(json::to_string),
                decision.revision,
                decision.decision_id,
                decision.duration_us,
            ))
        })
    }

    /// Evaluates a Rego query against `input_json`; the rows come back as JSON text.
    fn query(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string)] query: PyBackedStr,
        #[pyo3(from_py_with = conversion::bytes)] input_json: Bytes,
    ) -> PyResult<QueryTuple> {
        detached(py, || {
            let result = self.inner.query(&query, input_json.as_bytes())?;
            Ok((
                json::to_string(&serde_json::Value::Array(result.rows)),
                result.revision,
                result.decision_id,
                result.duration_us,
            ))
        })
    }
}

//! `coresdk._native.AuditLog` and `verify_audit_log`: the core's audit chain.

use crate::conversion::{self, Bytes};
use crate::error::detached;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use std::path::PathBuf;

/// An append-only, hash-chained, HMAC'd audit log file.
#[pyclass(frozen, module = "coresdk._native")]
pub struct AuditLog {
    inner: coresdk_engine::AuditLog,
}

#[pymethods]
impl AuditLog {
    /// Opens (or creates) the log at `path`, verifying what is there with `key`.
    #[new]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (path, key, checkpoint_every, fsync_every_record, key_file = None, key_id = None, key_provider = None))]
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::path)] path: PathBuf,
        #[pyo3(from_py_with = conversion::optional_bytes)] key: Option<Bytes>,
        #[pyo3(from_py_with = conversion::unsigned)] checkpoint_every: u64,
        #[pyo3(from_py_with = conversion::boolean)] fsync_every_record: bool,
        key_file: Option<PathBuf>,
        key_id: Option<String>,
        key_provider: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let options = coresdk_engine::AuditOptions {
            checkpoint_every,
            durability: if fsync_every_record {
                coresdk_engine::Durability::EveryRecord
            } else {
                coresdk_engine::Durability::OsBuffered
            },
        };
        detached(py, || {
            let (keys, id) = crate::keys::host_or_python_key(
                key.as_ref().map(Bytes::as_bytes),
                key_file.as_deref(),
                key_id.as_deref(),
                key_provider,
                coresdk_engine::audit::DEFAULT_KEY_ID,
            )?;
            coresdk_engine::AuditLog::open_with_provider(&path, keys, &id, options)
        })
        .map(|inner| Self { inner })
    }

    /// Appends a decision; returns the new head hash.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (decision_id, revision, bundle_revision, result_json, query, input_json))]
    fn append(
        &self,
        py: Python<'_>,
        decision_id: String,
        #[pyo3(from_py_with = conversion::unsigned)] revision: u64,
        bundle_revision: Option<String>,
        result_json: Option<String>,
        #[pyo3(from_py_with = conversion::string)] query: PyBackedStr,
        #[pyo3(from_py_with = conversion::bytes)] input_json: Bytes,
    ) -> PyResult<String> {
        detached(py, || {
            let result = result_json
                .map(|text| coresdk_engine::json::parse(text.as_bytes()))
                .transpose()?;
            let decision = coresdk_engine::Decision {
                result,
                revision,
                bundle_revision,
                decision_id,
                duration_us: 0,
                cached: false,
                prints: Vec::new(),
            };
            self.inner.append(&decision, &query, input_json.as_bytes())
        })
    }

    /// The hash of the last record.
    #[getter]
    fn head(&self, py: Python<'_>) -> PyResult<String> {
        detached(py, || Ok(self.inner.head()))
    }
}

/// Verifies a log's bytes with `key`, or with key `key_id` of the key file `key_file` (as
/// `AuditLog` opens one; exactly one of the two); the report as JSON text.
#[pyfunction]
#[pyo3(signature = (log, key = None, expected_head = None, key_file = None, key_id = None))]
pub fn verify_audit_log(
    py: Python<'_>,
    #[pyo3(from_py_with = conversion::bytes)] log: Bytes,
    #[pyo3(from_py_with = conversion::optional_bytes)] key: Option<Bytes>,
    expected_head: Option<String>,
    key_file: Option<PathBuf>,
    key_id: Option<String>,
) -> PyResult<String> {
    detached(py, || {
        let report = coresdk_engine::audit::verify_host_key(
            log.as_bytes(),
            key.as_ref().map(Bytes::as_bytes),
            key_file.as_deref(),
            key_id.as_deref(),
            expected_head.as_deref(),
        )?;
        Ok(coresdk_engine::json::to_string(&report.to_json()))
    })
}

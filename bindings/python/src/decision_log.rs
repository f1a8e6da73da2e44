//! `coresdk._native.DecisionLogger`: the core's decision logger. `flush` and `close`
//! release the GIL while they send, so a decision-log service in this same process (on
//! another thread) keeps answering.

use crate::conversion;
use crate::error::{attached, detached};
use pyo3::prelude::*;
use std::sync::Arc;

/// The host's sink, given each batch as JSON text on the logger's thread (attached to the
/// interpreter for the call). What it raises keeps the batch for the next attempt; while
/// the interpreter shuts down, batches are not delivered.
fn handler(sink: Py<PyAny>) -> coresdk_engine::EventHandler {
    coresdk_engine::EventHandler::new(move |batch| {
        let failed = |why: String| {
            coresdk_engine::Error::new(coresdk_engine::ErrorCode::SourceUnavailable, why)
        };
        Python::try_attach(|py| {
            sink.call1(py, (batch,))
                .map(drop)
                .map_err(|e| failed(format!("the decision log sink raised {e}")))
        })
        .unwrap_or_else(|| Err(failed("the interpreter is shutting down".into())))
    })
}

/// Sends decision logs in OPA's event format from a background thread.
#[pyclass(frozen, module = "coresdk._native")]
pub struct DecisionLogger {
    pub(crate) inner: Arc<coresdk_engine::DecisionLogger>,
}

#[pymethods]
impl DecisionLogger {
    /// A logger sending to `service_url`, `file` or `sink` (one of them); `None` numbers
    /// take the core's defaults.
    #[new]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (
        service_url = None, bearer_token = None, file = None, labels_json = None, erase = None,
        min_delay_ms = None, max_delay_ms = None, upload_size_limit_bytes = None,
        buffer_size = None, timeout_ms = None, sink = None, bearer_token_file = None
    ))]
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::optional_string)] service_url: Option<String>,
        #[pyo3(from_py_with = conversion::optional_string)] bearer_token: Option<String>,
        #[pyo3(from_py_with = conversion::optional_string)] file: Option<String>,
        #[pyo3(from_py_with = conversion::optional_string)] labels_json: Option<String>,
        #[pyo3(from_py_with = conversion::optional_strings)] erase: Option<Vec<String>>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] min_delay_ms: Option<u64>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] max_delay_ms: Option<u64>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] upload_size_limit_bytes: Option<u64>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] buffer_size: Option<u64>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] timeout_ms: Option<u64>,
        sink: Option<Py<PyAny>>,
        #[pyo3(from_py_with = conversion::optional_string)] bearer_token_file: Option<String>,
    ) -> PyResult<Self> {
        let parts = coresdk_engine::DecisionLogParts {
            service_url,
            bearer_token,
            bearer_token_file,
            file,
            handler: sink.map(handler),
            labels_json,
            erase: erase.unwrap_or_default(),
            min_delay_ms,
            max_delay_ms,
            upload_size_limit_bytes,
            buffer_size,
            timeout_ms,
        };
        attached(py, || {
            let options = coresdk_engine::DecisionLogOptions::from_parts(parts)?;
            let inner = coresdk_engine::DecisionLogger::start(options)?;
            Ok(Self {
                inner: Arc::new(inner),
            })
        })
    }

    /// Sends everything recorded so far.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        detached(py, || self.inner.flush())
    }

    /// Sends the rest and stops.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        detached(py, || self.inner.close())
    }

    /// The counters as JSON text (read detached: the logger's thread may be waiting for
    /// the interpreter to call a sink).
    fn metrics_json(&self, py: Python<'_>) -> PyResult<String> {
        detached(py, || Ok(self.inner.metrics().to_string()))
    }
}

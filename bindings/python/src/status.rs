//! `coresdk._native.StatusReporter`: the core's status reports, started from an engine.

use crate::error::{attached, detached};
use pyo3::prelude::*;

/// Reports an engine's status on a background thread.
#[pyclass(frozen, module = "coresdk._native")]
pub struct StatusReporter {
    pub(crate) inner: coresdk_engine::StatusReporter,
}

#[pymethods]
impl StatusReporter {
    /// Stops reporting.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        detached(py, || {
            self.inner.stop();
            Ok(())
        })
    }

    /// `sent`, `failures`, `last_error` as JSON text.
    fn metrics_json(&self, py: Python<'_>) -> PyResult<String> {
        attached(py, || Ok(self.inner.metrics().to_string()))
    }
}

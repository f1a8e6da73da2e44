//! `coresdk._native.Shadow`: the core's shadow comparison with an OPA server.

use crate::conversion;
use crate::error::{attached, detached};
use pyo3::prelude::*;
use std::sync::Arc;
use std::time::Duration;

/// Compares sampled decisions with an OPA server on a background thread.
#[pyclass(frozen, module = "coresdk._native")]
pub struct Shadow {
    pub(crate) inner: Arc<coresdk_engine::Shadow>,
}

#[pymethods]
impl Shadow {
    /// Starts comparing with the OPA server at `opa_url`; `None` takes the core's default.
    #[new]
    #[pyo3(signature = (opa_url, sample_rate = None, queue_size = None, timeout_ms = None))]
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string)] opa_url: pyo3::pybacked::PyBackedStr,
        sample_rate: Option<f64>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] queue_size: Option<u64>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] timeout_ms: Option<u64>,
    ) -> PyResult<Self> {
        let mut o = coresdk_engine::ShadowOptions::new(opa_url.to_string());
        o.sample_rate = sample_rate.unwrap_or(o.sample_rate);
        o.queue_size =
            queue_size.map_or(o.queue_size, |n| usize::try_from(n).unwrap_or(usize::MAX));
        o.timeout = timeout_ms.map_or(o.timeout, Duration::from_millis);
        attached(py, || {
            Ok(Self {
                inner: Arc::new(coresdk_engine::Shadow::start(o)?),
            })
        })
    }

    /// True once every queued decision is compared; false after `timeout_ms`.
    fn wait_idle(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::unsigned)] timeout_ms: u64,
    ) -> PyResult<bool> {
        detached(py, || {
            Ok(self.inner.wait_idle(Duration::from_millis(timeout_ms)))
        })
    }

    /// Stops comparing.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        detached(py, || {
            self.inner.stop();
            Ok(())
        })
    }

    /// The counters and the last disagreements as JSON text.
    fn metrics_json(&self, py: Python<'_>) -> PyResult<String> {
        attached(py, || Ok(self.inner.metrics().to_string()))
    }
}

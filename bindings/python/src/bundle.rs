//! OPA bundles for Python: the HTTP bundle poller and directory watching as native
//! classes over the core's `BundlePoller` / `DirectoryWatch`, and verification settings.
//!
//! `stop()` never waits for the background thread: a poll may be answered by an HTTP
//! server running in this same interpreter, which needs the GIL this thread holds.

use crate::error::attached;
use pyo3::prelude::*;
use std::sync::Mutex;

/// Verification settings as the Python layer passes them:
/// `(algorithm, public_key_pem, secret, key_id, scope)`.
pub type VerificationParts = (
    String,
    Option<String>,
    Option<Vec<u8>>,
    Option<String>,
    Option<String>,
);

/// The core verification settings for `parts`.
pub fn verification(
    parts: Option<VerificationParts>,
) -> coresdk_engine::Result<Option<coresdk_engine::bundle::Verification>> {
    parts
        .map(|(algorithm, public_key, secret, key_id, scope)| {
            coresdk_engine::bundle::Verification::from_parts(
                &algorithm,
                public_key.as_deref(),
                secret.as_deref(),
                key_id,
                scope,
            )
        })
        .transpose()
}

/// A running HTTP bundle poller (the core's `BundlePoller`).
#[pyclass(frozen, module = "coresdk._native")]
pub struct BundlePoller {
    inner: Mutex<Option<coresdk_engine::BundlePoller>>,
}

impl BundlePoller {
    pub fn new(inner: coresdk_engine::BundlePoller) -> Self {
        Self {
            inner: Mutex::new(Some(inner)),
        }
    }
}

#[pymethods]
impl BundlePoller {
    /// Stops polling (returns at once; the revision serving stays). Idempotent.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        attached(py, || {
            let taken = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
            if let Some(mut poller) = taken {
                poller.stop();
            }
            Ok(())
        })
    }
}

/// A running watch of a bundle directory (the core's `DirectoryWatch`).
#[pyclass(frozen, module = "coresdk._native")]
pub struct DirectoryWatch {
    inner: Mutex<Option<coresdk_engine::DirectoryWatch>>,
}

impl DirectoryWatch {
    pub fn new(inner: coresdk_engine::DirectoryWatch) -> Self {
        Self {
            inner: Mutex::new(Some(inner)),
        }
    }
}

#[pymethods]
impl DirectoryWatch {
    /// Stops watching (the revision serving stays). Idempotent.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        attached(py, || {
            let taken = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
            if let Some(mut watch) = taken {
                watch.stop();
            }
            Ok(())
        })
    }
}

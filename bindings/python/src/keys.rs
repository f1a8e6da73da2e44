//! A `KeyProvider` implemented in Python: any object with `hmac(key_id, data) -> bytes`
//! (and optionally `sign`, `verify`, `decrypt`), so keys can live in a KMS the host
//! program talks to. The core calls it from its own threads; each call takes the GIL for
//! the duration of the Python method only.

use coresdk_engine::{Error, ErrorCode, KeyProvider, Result};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::Path;
use std::sync::Arc;

/// The key a Python caller names: raw `key` bytes, a `key_file` (with `key_id`), or a
/// `key_provider` object (with `key_id`), exactly one; ids default to `default_id`.
pub fn host_or_python_key(
    key: Option<&[u8]>,
    key_file: Option<&Path>,
    key_id: Option<&str>,
    key_provider: Option<Py<PyAny>>,
    default_id: &str,
) -> Result<(Arc<dyn KeyProvider>, String)> {
    let provider = key_provider.map(|p| Arc::new(PyKeyProvider::new(p)) as Arc<dyn KeyProvider>);
    coresdk_engine::host_key_or_provider(key, key_file, key_id, provider, default_id)
}

/// The Python object behind a [`KeyProvider`].
pub struct PyKeyProvider {
    object: Py<PyAny>,
}

impl PyKeyProvider {
    pub fn new(object: Py<PyAny>) -> Self {
        Self { object }
    }

    /// Calls `method(key_id, *payloads)` and expects bytes back (or a bool when `want_bool`).
    fn call(&self, method: &str, key_id: &str, payloads: &[&[u8]]) -> Result<Py<PyAny>> {
        Python::attach(|py| {
            let object = self.object.bind(py);
            let args: Vec<Bound<'_, PyAny>> =
                std::iter::once(key_id.into_pyobject(py).map(|s| s.into_any()))
                    .map(|r| r.map_err(|e| e.to_string()))
                    .chain(payloads.iter().map(|p| Ok(PyBytes::new(py, p).into_any())))
                    .collect::<std::result::Result<_, String>>()
                    .map_err(|e| unavailable(key_id, method, &e))?;
            let args = pyo3::types::PyTuple::new(py, args)
                .map_err(|e| unavailable(key_id, method, &e.to_string()))?;
            object
                .call_method1(method, args)
                .map(Bound::unbind)
                .map_err(|e| unavailable(key_id, method, &e.to_string()))
        })
    }

    fn bytes(&self, method: &str, key_id: &str, payloads: &[&[u8]]) -> Result<Vec<u8>> {
        let out = self.call(method, key_id, payloads)?;
        Python::attach(|py| {
            out.bind(py)
                .extract::<Vec<u8>>()
                .map_err(|_| unavailable(key_id, method, "did not return bytes"))
        })
    }
}

fn unavailable(key_id: &str, method: &str, why: &str) -> Error {
    Error::new(
        ErrorCode::KeyUnavailable,
        format!("key provider {method}({key_id:?}) failed: {why}"),
    )
}

impl KeyProvider for PyKeyProvider {
    fn hmac(&self, key_id: &str, data: &[u8]) -> Result<Vec<u8>> {
        self.bytes("hmac", key_id, &[data])
    }

    fn sign(&self, key_id: &str, data: &[u8]) -> Result<Vec<u8>> {
        self.bytes("sign", key_id, &[data])
    }

    fn verify(&self, key_id: &str, data: &[u8], signature: &[u8]) -> Result<bool> {
        let out = self.call("verify", key_id, &[data, signature])?;
        Python::attach(|py| {
            out.bind(py)
                .extract::<bool>()
                .map_err(|_| unavailable(key_id, "verify", "did not return a bool"))
        })
    }

    fn decrypt(&self, key_id: &str, ciphertext: &[u8]) -> Result<Vec<u8>> {
        self.bytes("decrypt", key_id, &[ciphertext])
    }
}

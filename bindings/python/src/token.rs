//! `coresdk._native.TokenVerifier`: JWT verification (the core's `TokenVerifier`).

use crate::conversion::{self, Bytes};
use crate::error::detached;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use std::time::Duration;

/// One key as the Python layer passes it: `(algorithm, public_key_pem, secret, key_id)`.
pub type KeyParts = (String, Option<String>, Option<Vec<u8>>, Option<String>);

/// Verifies JWTs against a key set.
#[pyclass(frozen, module = "coresdk._native")]
pub struct TokenVerifier {
    pub(crate) inner: coresdk_engine::TokenVerifier,
}

fn build(
    jwks_json: Option<Bytes>,
    keys: Vec<KeyParts>,
    options: coresdk_engine::TokenOptions,
) -> coresdk_engine::Result<coresdk_engine::TokenVerifier> {
    let mut set = match jwks_json {
        Some(json) => coresdk_engine::KeySet::from_jwks_json(json.as_bytes())?,
        None => coresdk_engine::KeySet::new(),
    };
    for (algorithm, public_key, secret, key_id) in keys {
        set = match (public_key, secret) {
            (Some(pem), None) => set.with_public_pem(key_id.as_deref(), &algorithm, &pem)?,
            (None, Some(secret)) => set.with_secret(key_id.as_deref(), &algorithm, &secret)?,
            _ => {
                return Err(coresdk_engine::Error::new(
                    coresdk_engine::ErrorCode::InvalidArgument,
                    "a key needs exactly one of public_key and secret",
                ))
            }
        };
    }
    Ok(coresdk_engine::TokenVerifier::new(set, options))
}

#[pymethods]
impl TokenVerifier {
    /// A verifier over a JWKS document (JSON text) and/or keys given one by one, or over
    /// a JWKS URL `(url, refresh_seconds, min_refetch_seconds, timeout_ms)`.
    #[new]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (jwks_json, keys, issuers, audiences, leeway_seconds, required_claims, jwks_url = None))]
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::optional_bytes)] jwks_json: Option<Bytes>,
        keys: Vec<KeyParts>,
        #[pyo3(from_py_with = conversion::strings)] issuers: Vec<String>,
        #[pyo3(from_py_with = conversion::strings)] audiences: Vec<String>,
        #[pyo3(from_py_with = conversion::unsigned)] leeway_seconds: u64,
        #[pyo3(from_py_with = conversion::strings)] required_claims: Vec<String>,
        jwks_url: Option<(String, u64, u64, u64)>,
    ) -> PyResult<Self> {
        let options = coresdk_engine::TokenOptions {
            issuers,
            audiences,
            leeway: Duration::from_secs(leeway_seconds),
            required_claims,
        };
        detached(py, || match jwks_url {
            Some((url, refresh, refetch, timeout_ms)) => {
                let jwks = coresdk_engine::JwksOptions {
                    refresh_interval: Duration::from_secs(refresh),
                    min_refetch_interval: Duration::from_secs(refetch),
                    timeout: Duration::from_millis(timeout_ms),
                    ..coresdk_engine::JwksOptions::new(url)
                };
                coresdk_engine::TokenVerifier::from_jwks_url(jwks, options)
            }
            None => build(jwks_json, keys, options),
        })
        .map(|inner| Self { inner })
    }

    /// The remote JWKS status as JSON text (`null` for fixed keys).
    fn key_source_status_json(&self, py: Python<'_>) -> PyResult<String> {
        detached(py, || {
            let status = self.inner.key_source_status().map(|s| s.to_json());
            Ok(coresdk_engine::json::to_string(&status.unwrap_or_default()))
        })
    }

    /// The verified claims of `token` as JSON text.
    fn authenticate_json(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string)] token: PyBackedStr,
    ) -> PyResult<String> {
        detached(py, || {
            let claims = self.inner.verify(&token)?;
            Ok(coresdk_engine::json::to_string(&serde_json::Value::Object(
                claims,
            )))
        })
    }
}

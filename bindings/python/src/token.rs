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

#[pymethods]
impl TokenVerifier {
    /// A verifier over a JWKS document (JSON text) and/or keys given one by one, or over
    /// a JWKS URL. `None` numbers take the core's defaults; the core checks the sources.
    #[new]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (
        jwks_json, keys, issuers, audiences, leeway_seconds, required_claims,
        jwks_url = None, jwks_refresh_seconds = None, jwks_min_refetch_seconds = None,
        jwks_timeout_ms = None
    ))]
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::optional_bytes)] jwks_json: Option<Bytes>,
        keys: Vec<KeyParts>,
        #[pyo3(from_py_with = conversion::strings)] issuers: Vec<String>,
        #[pyo3(from_py_with = conversion::strings)] audiences: Vec<String>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] leeway_seconds: Option<u64>,
        #[pyo3(from_py_with = conversion::strings)] required_claims: Vec<String>,
        jwks_url: Option<String>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] jwks_refresh_seconds: Option<u64>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] jwks_min_refetch_seconds: Option<u64>,
        #[pyo3(from_py_with = conversion::optional_unsigned)] jwks_timeout_ms: Option<u64>,
    ) -> PyResult<Self> {
        let defaults = coresdk_engine::TokenOptions::default();
        let options = coresdk_engine::TokenOptions {
            issuers,
            audiences,
            leeway: leeway_seconds.map_or(defaults.leeway, Duration::from_secs),
            required_claims,
        };
        let jwks_url = jwks_url.map(|url| {
            let defaults = coresdk_engine::JwksOptions::new(url);
            coresdk_engine::JwksOptions {
                refresh_interval: jwks_refresh_seconds
                    .map_or(defaults.refresh_interval, Duration::from_secs),
                min_refetch_interval: jwks_min_refetch_seconds
                    .map_or(defaults.min_refetch_interval, Duration::from_secs),
                timeout: jwks_timeout_ms.map_or(defaults.timeout, Duration::from_millis),
                ..defaults
            }
        });
        let keys = keys
            .into_iter()
            .map(
                |(algorithm, public_key_pem, secret, key_id)| coresdk_engine::KeySpec {
                    algorithm,
                    public_key_pem,
                    secret,
                    key_id,
                },
            );
        let sources = coresdk_engine::KeySources {
            jwks_json: jwks_json.map(|json| json.as_bytes().to_vec()),
            keys: keys.collect(),
            jwks_url,
        };
        detached(py, || {
            coresdk_engine::TokenVerifier::from_sources(sources, options)
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

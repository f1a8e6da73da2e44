//! `coresdk._native.Masker`: the core masker. Text crosses as `str` or UTF-8 bytes, JSON
//! documents as JSON text; `coresdk.mask` adds the Python-value conveniences.

use crate::conversion::{self, Bytes};
use crate::error::detached;
use crate::results::Finding;
use coresdk_engine::{json, MaskOptions};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use std::sync::{Arc, Mutex};

/// A configured masker (the core's `Masker`). Thread-safe; methods release the GIL.
#[pyclass(frozen, module = "coresdk._native")]
pub struct Masker {
    inner: Arc<coresdk_engine::Masker>,
}

#[pymethods]
impl Masker {
    /// Builds a masker: `strategy` (`"redact"`, `"pseudonymize"` with a non-empty `key`,
    /// a `str` being its UTF-8 bytes, `"partial"` or `"remove"`), extra sensitive key
    /// names, and the JSON text of the other options (per-type strategies, allow-list,
    /// custom detectors; see the core's `MaskOptions::apply_json`).
    #[new]
    #[pyo3(signature = (strategy, key, sensitive_keys, config_json = None))]
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::string)] strategy: PyBackedStr,
        #[pyo3(from_py_with = conversion::optional_bytes)] key: Option<Bytes>,
        #[pyo3(from_py_with = conversion::strings)] sensitive_keys: Vec<String>,
        config_json: Option<String>,
    ) -> PyResult<Self> {
        let key = key.as_ref().map(Bytes::as_bytes);
        detached(py, || {
            let options =
                MaskOptions::from_parts(&strategy, key, sensitive_keys, config_json.as_deref())?;
            let inner = Arc::new(coresdk_engine::Masker::new(options)?);
            Ok(Self { inner })
        })
    }

    /// A masker for one stream of text chunks (the core's `StreamMasker`).
    fn stream(&self) -> StreamMasker {
        StreamMasker {
            inner: Mutex::new(coresdk_engine::StreamMasker::new(Arc::clone(&self.inner))),
        }
    }

    /// `text` with every finding replaced per the strategy.
    fn mask_text(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::bytes)] text: Bytes,
    ) -> PyResult<String> {
        detached(py, || {
            Ok(self.inner.mask_text(json::text(text.as_bytes())?))
        })
    }

    /// `mask_text` of each text of a sequence, in order, in one call.
    fn mask_texts(&self, py: Python<'_>, texts: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        let texts = conversion::bytes_list(texts)?;
        detached(py, || {
            let slices: Vec<&[u8]> = texts.iter().map(Bytes::as_bytes).collect();
            self.inner.mask_texts(&slices)
        })
    }

    /// Parses JSON text, masks every string and key in it, returns compact JSON text.
    fn mask_json(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::bytes)] json: Bytes,
    ) -> PyResult<String> {
        detached(py, || self.inner.mask_json(json.as_bytes()))
    }

    /// Every finding in `text`, in order of position, as
    /// `(type, start, end, start_utf16, end_utf16)` tuples (UTF-8 byte and UTF-16 offsets).
    fn scan(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::bytes)] text: Bytes,
    ) -> PyResult<Vec<Finding>> {
        detached(py, || {
            let findings = self.inner.scan(json::text(text.as_bytes())?);
            Ok(findings.into_iter().map(Finding::from).collect())
        })
    }
}

/// `text` with every token of the tokenize strategy replaced by its value, using the keys
/// named `key_ids[i]` = `keys[i]` (`coresdk.mask.unmask_text` checks the types).
#[pyfunction]
pub fn unmask_text(
    py: Python<'_>,
    #[pyo3(from_py_with = conversion::bytes)] text: Bytes,
    #[pyo3(from_py_with = conversion::strings)] key_ids: Vec<String>,
    keys: Vec<Vec<u8>>,
) -> PyResult<String> {
    detached(py, || {
        let mut lookup = coresdk_engine::mask::raw_keys(key_ids.into_iter().zip(keys).collect());
        coresdk_engine::mask::unmask_text(json::text(text.as_bytes())?, &mut lookup)
    })
}

/// As `unmask_text`, for every string of a JSON document (JSON text in and out).
#[pyfunction]
pub fn unmask_json(
    py: Python<'_>,
    #[pyo3(from_py_with = conversion::bytes)] json: Bytes,
    #[pyo3(from_py_with = conversion::strings)] key_ids: Vec<String>,
    keys: Vec<Vec<u8>>,
) -> PyResult<String> {
    detached(py, || {
        let mut lookup = coresdk_engine::mask::raw_keys(key_ids.into_iter().zip(keys).collect());
        let value = json::parse(json.as_bytes())?;
        let value = coresdk_engine::mask::unmask_value(&value, &mut lookup)?;
        Ok(json::to_string(&value))
    })
}

/// Masks text arriving in chunks: the concatenated output equals `mask_text` of the
/// whole stream; only a bounded tail is held back. Methods release the GIL; one stream
/// is used by one caller at a time (a lock guards it).
#[pyclass(frozen, module = "coresdk._native")]
pub struct StreamMasker {
    inner: Mutex<coresdk_engine::StreamMasker>,
}

impl StreamMasker {
    fn with<T>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut coresdk_engine::StreamMasker) -> coresdk_engine::Result<T> + Send,
    ) -> PyResult<T>
    where
        T: Send,
    {
        detached(py, || {
            let mut inner = self.inner.lock().map_err(|_| {
                coresdk_engine::Error::new(
                    coresdk_engine::ErrorCode::Internal,
                    "a stream masker failed in another call",
                )
            })?;
            f(&mut inner)
        })
    }
}

#[pymethods]
impl StreamMasker {
    /// Takes the next chunk (`str` or UTF-8 bytes holding whole characters); returns the
    /// masked text now final (possibly empty). `INVALID_ARGUMENT` after `finish`.
    fn push(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = conversion::bytes)] chunk: Bytes,
    ) -> PyResult<String> {
        self.with(py, |s| s.push(json::text(chunk.as_bytes())?))
    }

    /// Ends the stream and returns the masked rest; later calls return `""`.
    fn finish(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |s| Ok(s.finish()))
    }

    /// Bytes (UTF-8) received and not yet written.
    #[getter]
    fn held(&self, py: Python<'_>) -> PyResult<usize> {
        self.with(py, |s| Ok(s.held()))
    }
}

//! RFC 8785 canonical JSON and its SHA-256, over JSON text. `coresdk.canonical` serialises
//! Python values to JSON text first.

use crate::conversion::{self, Bytes};
use crate::error::detached;
use coresdk_engine::canonical;
use pyo3::prelude::*;

/// The RFC 8785 canonical form of a JSON document given as text.
#[pyfunction]
pub fn canonicalize_json(
    py: Python<'_>,
    #[pyo3(from_py_with = conversion::bytes)] json: Bytes,
) -> PyResult<String> {
    detached(py, || canonical::canonicalize_json(json.as_bytes()))
}

/// Lowercase hex SHA-256 of the canonical form of a JSON document given as text.
#[pyfunction]
pub fn hash_json(
    py: Python<'_>,
    #[pyo3(from_py_with = conversion::bytes)] json: Bytes,
) -> PyResult<String> {
    detached(py, || canonical::hash_json(json.as_bytes()))
}

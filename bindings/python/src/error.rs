//! The one place where core errors become Python exceptions, and the one way core calls
//! are made (panics caught, the GIL released while the core works).

use coresdk_engine::{catch_panic, Error, Result};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// Maps a core [`Error`] to the `coresdk.errors` exception for its code.
///
/// The exception classes are plain Python (`coresdk/errors.py`), so they pickle, subclass
/// and document like any Python exception; `coresdk.errors._from_native` picks the class
/// for the code. It is looked up once per interpreter.
pub fn to_py_err(py: Python<'_>, error: &Error) -> PyErr {
    static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let location = error
        .location()
        .map(|l| (l.file.as_str(), l.line, l.column));
    let built = FROM_NATIVE
        .import(py, "coresdk.errors", "_from_native")
        .and_then(|from_native| {
            from_native.call1((error.code().as_str(), error.message(), location))
        });
    match built {
        Ok(exception) => PyErr::from_value(exception),
        // Only a broken installation (coresdk.errors missing) gets here; its ImportError says so.
        Err(import_error) => import_error,
    }
}

/// Runs a core call with the GIL released, turning a panic into `INTERNAL` and a core
/// error into its Python exception. Every call that does real work goes through here.
/// (`Send` is what pyo3's `Ungil` bound means on stable Rust.)
pub fn detached<T: Send>(py: Python<'_>, f: impl Send + FnOnce() -> Result<T>) -> PyResult<T> {
    py.detach(|| catch_panic(f))
        .map_err(|error| to_py_err(py, &error))
}

/// Runs a cheap core call (a field read) without releasing the GIL, still catching panics.
pub fn attached<T>(py: Python<'_>, f: impl FnOnce() -> Result<T>) -> PyResult<T> {
    catch_panic(f).map_err(|error| to_py_err(py, &error))
}

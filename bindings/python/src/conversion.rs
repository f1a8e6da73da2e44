//! Python arguments into what the core takes. A value of the wrong type, or a `str` that
//! cannot be UTF-8 (lone surrogates), is `INVALID_ARGUMENT` like any other bad argument,
//! so callers see a `CoreSdkError` with a code rather than a bare `TypeError`.
//!
//! Used with `#[pyo3(from_py_with = ...)]`; pyo3 rewraps only `TypeError`s raised there,
//! so the `CoreSdkError` reaches the caller unchanged.

use crate::error::to_py_err;
use coresdk_engine::{Error, ErrorCode};
use pyo3::exceptions::PyUnicodeEncodeError;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyByteArray, PyBytes, PyString};
use std::path::PathBuf;

/// Text or bytes from Python. `bytes` are borrowed as they are; a `str` is encoded to
/// UTF-8 once (a copy under the 3.9 stable ABI, which has no borrowed UTF-8 view); a
/// `bytearray` is copied, so no other thread can change it while the core reads it.
/// Both variants are `Send`, so the core reads them with the GIL released.
pub enum Bytes {
    /// A `str`, as its UTF-8 encoding.
    Str(PyBackedStr),
    /// `bytes` or `bytearray`, as given (not checked for UTF-8 here: the core does that).
    Raw(PyBackedBytes),
}

impl Bytes {
    /// The UTF-8 encoding of a `str`, or the raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Bytes::Str(s) => s.as_bytes(),
            Bytes::Raw(b) => b,
        }
    }
}

fn invalid_argument(obj: &Bound<'_, PyAny>, message: String) -> PyErr {
    to_py_err(obj.py(), &Error::new(ErrorCode::InvalidArgument, message))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_string())
}

/// `str | bytes | bytearray`.
pub fn bytes(obj: &Bound<'_, PyAny>) -> PyResult<Bytes> {
    if obj.is_instance_of::<PyString>() {
        return string(obj).map(Bytes::Str);
    }
    if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        return Ok(Bytes::Raw(obj.extract::<PyBackedBytes>()?));
    }
    Err(invalid_argument(
        obj,
        format!("expected str or bytes, got {}", type_name(obj)),
    ))
}

/// A sequence (any iterable but a lone `str`/`bytes`) of `str | bytes | bytearray`.
pub fn bytes_list(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Bytes>> {
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(invalid_argument(
            obj,
            "expected a sequence of str or bytes, got a single one".to_string(),
        ));
    }
    let items = obj.try_iter().map_err(|_| {
        invalid_argument(
            obj,
            format!(
                "expected a sequence of str or bytes, got {}",
                type_name(obj)
            ),
        )
    })?;
    items
        .enumerate()
        .map(|(i, item)| {
            let item = item?;
            bytes(&item).map_err(|_| {
                let kind = type_name(&item);
                let message = format!(
                    "texts[{i}] must be bytes or a str without lone surrogates, got {kind}"
                );
                invalid_argument(&item, message)
            })
        })
        .collect()
}

/// `str | bytes | None`.
pub fn optional_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Option<Bytes>> {
    if obj.is_none() {
        Ok(None)
    } else {
        bytes(obj).map(Some)
    }
}

/// `str`, which must be encodable as UTF-8.
pub fn string(obj: &Bound<'_, PyAny>) -> PyResult<PyBackedStr> {
    if !obj.is_instance_of::<PyString>() {
        return Err(invalid_argument(
            obj,
            format!("expected str, got {}", type_name(obj)),
        ));
    }
    obj.extract::<PyBackedStr>().map_err(|e| {
        if e.is_instance_of::<PyUnicodeEncodeError>(obj.py()) {
            invalid_argument(
                obj,
                "text is not valid Unicode (it contains a lone surrogate)".to_string(),
            )
        } else {
            e
        }
    })
}

/// Any iterable of `str` except a `str` itself (which would be its characters).
pub fn strings(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let wrong = || {
        invalid_argument(
            obj,
            format!("expected an iterable of str, got {}", type_name(obj)),
        )
    };
    if obj.is_instance_of::<PyString>() {
        return Err(wrong());
    }
    obj.try_iter()
        .map_err(|_| wrong())?
        .map(|item| Ok(string(&item?)?.to_string()))
        .collect()
}

/// `Iterable[str] | None`.
pub fn optional_strings(obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<String>>> {
    if obj.is_none() {
        return Ok(None);
    }
    strings(obj).map(Some)
}

/// `str | None`.
pub fn optional_string(obj: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    if obj.is_none() {
        return Ok(None);
    }
    Ok(Some(string(obj)?.to_string()))
}

/// `list[tuple[str, str]]`: (name, source) or (header, value) pairs.
pub fn string_pairs(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let wrong = || invalid_argument(obj, "expected a list of (str, str) pairs".to_string());
    obj.try_iter()
        .map_err(|_| wrong())?
        .map(|item| {
            let (first, second): (Bound<'_, PyAny>, Bound<'_, PyAny>) =
                item?.extract().map_err(|_| wrong())?;
            Ok((string(&first)?.to_string(), string(&second)?.to_string()))
        })
        .collect()
}

/// `str | os.PathLike`.
pub fn path(obj: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    obj.extract::<PathBuf>().map_err(|_| {
        invalid_argument(
            obj,
            format!(
                "expected a path (str or os.PathLike), got {}",
                type_name(obj)
            ),
        )
    })
}

/// A non-negative `int` that fits in 64 bits.
pub fn unsigned(obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    obj.extract::<u64>().map_err(|_| {
        invalid_argument(
            obj,
            format!(
                "expected a non-negative int, got {}",
                obj.repr().map(|r| r.to_string()).unwrap_or_default()
            ),
        )
    })
}

/// `None` (the core's default applies) or a non-negative `int` that fits in 64 bits.
pub fn optional_unsigned(obj: &Bound<'_, PyAny>) -> PyResult<Option<u64>> {
    if obj.is_none() {
        Ok(None)
    } else {
        unsigned(obj).map(Some)
    }
}

/// An `int` (not a `bool`) that fits in 64 signed bits.
pub fn signed(obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    let value = if obj.is_instance_of::<pyo3::types::PyBool>() {
        None
    } else {
        obj.extract::<i64>().ok()
    };
    value.ok_or_else(|| {
        invalid_argument(
            obj,
            format!(
                "expected an int of 64 bits, got {}",
                obj.repr().map(|r| r.to_string()).unwrap_or_default()
            ),
        )
    })
}

/// `None` (the core's default applies) or an `int` that fits in 64 signed bits.
pub fn optional_signed(obj: &Bound<'_, PyAny>) -> PyResult<Option<i64>> {
    if obj.is_none() {
        Ok(None)
    } else {
        signed(obj).map(Some)
    }
}

/// `bool` (exactly; `1` is not a bool).
pub fn boolean(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    obj.extract::<bool>()
        .map_err(|_| invalid_argument(obj, format!("expected bool, got {}", type_name(obj))))
}

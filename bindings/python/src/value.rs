//! Python values to the JSON text that crosses into the core: `coresdk._native.to_json`,
//! used by `coresdk._json.dumps` for every value argument (canonicalize, hash,
//! `mask_value`, policy input and data, audit input).
//!
//! The rules are those of docs/HOST-VALUES.md, the same as the Node wrapper's
//! `toJsonText` (`packages/coresdk/src/json.ts`); a value that cannot cross never reaches
//! the core, so this is where it is refused:
//!
//! - `None`, `bool`, `int` (exact digits, any size: the core decides what a number
//!   means), finite `float`, `str`, `list` and `tuple` (arrays), `dict` with `str` keys;
//! - `INVALID_ARGUMENT` for NaN and infinities, a cycle, a `str` (value or key) with a lone
//!   surrogate, a non-`str` key, and every other type (`bytes`, `set`, `datetime`, ...);
//! - `LIMIT_EXCEEDED` for nesting deeper than the core's 127 levels.

use crate::error::to_py_err;
use coresdk_engine::json::MAX_DEPTH;
use coresdk_engine::{Error, ErrorCode};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// The compact JSON text of a JSON-like Python value (see the module docs for the rules).
#[pyfunction]
pub fn to_json(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let mut writer = Writer {
        out: Vec::new(),
        path: Vec::new(),
    };
    writer.value(value)?;
    String::from_utf8(writer.out).map_err(|_| {
        refuse(
            value.py(),
            ErrorCode::Internal,
            "JSON text is not UTF-8".into(),
        )
    })
}

fn refuse(py: Python<'_>, code: ErrorCode, message: String) -> PyErr {
    to_py_err(py, &Error::new(code, message))
}

/// Writing to a `Vec` cannot fail; were it to, it is a bug.
fn internal(e: serde_json::Error) -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err(format!("coresdk: JSON writer failed: {e}"))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_string())
}

struct Writer {
    out: Vec<u8>,
    /// The containers from the root to the one being written (for cycles and depth).
    path: Vec<*mut pyo3::ffi::PyObject>,
}

impl Writer {
    fn value(&mut self, v: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = v.py();
        if v.is_none() {
            self.out.extend_from_slice(b"null");
        } else if let Ok(b) = v.cast::<PyBool>() {
            let text: &[u8] = if b.is_true() { b"true" } else { b"false" };
            self.out.extend_from_slice(text);
        } else if v.is_instance_of::<PyInt>() {
            self.int(v)?;
        } else if let Ok(f) = v.cast::<PyFloat>() {
            let x = f.value();
            if !x.is_finite() {
                return Err(refuse(
                    py,
                    ErrorCode::InvalidArgument,
                    format!("value holds {x}, which JSON cannot represent"),
                ));
            }
            // -0 crosses as 0, as JavaScript writes it (RFC 8785 writes it `0` anyway);
            // otherwise the shortest round-trip form (ryu, as serde_json writes doubles).
            let x = if x == 0.0 { 0.0 } else { x };
            serde_json::to_writer(&mut self.out, &x).map_err(internal)?;
        } else if let Ok(s) = v.cast::<PyString>() {
            self.string(s)?;
        } else if let Ok(list) = v.cast::<PyList>() {
            self.enter(v)?;
            self.out.push(b'[');
            for (i, item) in list.iter().enumerate() {
                if i > 0 {
                    self.out.push(b',');
                }
                self.value(&item)?;
            }
            self.out.push(b']');
            self.path.pop();
        } else if let Ok(tuple) = v.cast::<PyTuple>() {
            self.enter(v)?;
            self.out.push(b'[');
            for (i, item) in tuple.iter().enumerate() {
                if i > 0 {
                    self.out.push(b',');
                }
                self.value(&item)?;
            }
            self.out.push(b']');
            self.path.pop();
        } else if let Ok(dict) = v.cast::<PyDict>() {
            self.enter(v)?;
            self.out.push(b'{');
            for (i, (key, item)) in dict.iter().enumerate() {
                if i > 0 {
                    self.out.push(b',');
                }
                let Ok(key) = key.cast::<PyString>() else {
                    return Err(refuse(
                        py,
                        ErrorCode::InvalidArgument,
                        format!(
                            "value has a dict key of type {}; JSON keys are str",
                            type_name(&key)
                        ),
                    ));
                };
                self.string(key)?;
                self.out.push(b':');
                self.value(&item)?;
            }
            self.out.push(b'}');
            self.path.pop();
        } else {
            return Err(refuse(
                py,
                ErrorCode::InvalidArgument,
                format!("value holds a {}, which is not a JSON value", type_name(v)),
            ));
        }
        Ok(())
    }

    /// Steps into a container: `INVALID_ARGUMENT` if it is already on the path (a cycle),
    /// `LIMIT_EXCEEDED` past the core's depth limit.
    fn enter(&mut self, v: &Bound<'_, PyAny>) -> PyResult<()> {
        let ptr = v.as_ptr();
        if self.path.contains(&ptr) {
            return Err(refuse(
                v.py(),
                ErrorCode::InvalidArgument,
                "value contains a cycle".into(),
            ));
        }
        if self.path.len() >= MAX_DEPTH {
            return Err(refuse(
                v.py(),
                ErrorCode::LimitExceeded,
                format!("value nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.path.push(ptr);
        Ok(())
    }

    fn int(&mut self, v: &Bound<'_, PyAny>) -> PyResult<()> {
        if let Ok(n) = v.extract::<i64>() {
            self.out.extend_from_slice(n.to_string().as_bytes());
            return Ok(());
        }
        if let Ok(n) = v.extract::<u64>() {
            self.out.extend_from_slice(n.to_string().as_bytes());
            return Ok(());
        }
        // Beyond 64 bits: the exact digits (`int.__repr__`, so an `IntEnum` is its number).
        // Python refuses to print more than 4300 digits; such a number is far outside the
        // double range, which the core refuses as INVALID_JSON, so it gets that code here.
        let digits = v
            .py()
            .get_type::<PyInt>()
            .call_method1("__repr__", (v,))
            .and_then(|r| r.extract::<String>())
            .map_err(|_| {
                refuse(
                    v.py(),
                    ErrorCode::InvalidJson,
                    "invalid JSON: number out of range".into(),
                )
            })?;
        self.out.extend_from_slice(digits.as_bytes());
        Ok(())
    }

    fn string(&mut self, s: &Bound<'_, PyString>) -> PyResult<()> {
        let text = s.to_cow().map_err(|_| {
            refuse(
                s.py(),
                ErrorCode::InvalidArgument,
                "value has a str that is not valid Unicode (it contains a lone surrogate)".into(),
            )
        })?;
        serde_json::to_writer(&mut self.out, text.as_ref()).map_err(internal)
    }
}

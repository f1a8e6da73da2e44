//! HTTP request authorization (the core's `http` module): the answer as a Python object.
//! The ASGI middleware in `coresdk.http` reads the request and writes the answer; the
//! core decides everything in between.

use crate::error::to_py_err;
use crate::results::{to_python, Decision};
use pyo3::prelude::*;
use serde_json::Value;

/// What to answer an HTTP request, and why (see ``PolicyEngine.authorize_request``).
///
/// Attributes:
///     status: 200 to go on to the handler; else 400, 401, 403 or 500.
///     allowed: ``True`` when the handler should run.
///     input: The input document evaluated (or that would have been).
///     claims: The verified claims, or ``None``.
///     decision: The :class:`Decision`, when the rule was evaluated.
///     error: What went wrong (a ``CoreSdkError``), or ``None``; never holds the token.
///     problem: The RFC 9457 body when ``status`` is not 200, else ``None``.
///     www_authenticate: The ``WWW-Authenticate`` value for a 400 or 401, else ``None``.
#[pyclass(frozen, get_all, module = "coresdk._native")]
pub struct RequestAuthorization {
    status: u16,
    allowed: bool,
    input: Py<PyAny>,
    claims: Py<PyAny>,
    decision: Option<Py<Decision>>,
    error: Py<PyAny>,
    problem: Py<PyAny>,
    www_authenticate: Option<&'static str>,
}

impl RequestAuthorization {
    /// The Python form of the core's answer (needs the GIL).
    pub fn from_core(py: Python<'_>, a: coresdk_engine::RequestAuthorization) -> PyResult<Self> {
        let optional = |value: Option<Value>| match value {
            Some(value) => to_python(py, &value),
            None => Ok(py.None()),
        };
        let decision = match a.decision {
            Some(d) => Some(Py::new(py, Decision::from_core(py, d)?)?),
            None => None,
        };
        let error = match &a.error {
            Some(e) => to_py_err(py, e).into_value(py).into_any(),
            None => py.None(),
        };
        Ok(Self {
            status: a.status,
            allowed: a.allowed,
            input: to_python(py, &a.input)?,
            claims: optional(a.claims.map(Value::Object))?,
            decision,
            error,
            problem: optional(a.problem)?,
            www_authenticate: a.www_authenticate,
        })
    }
}

#[pymethods]
impl RequestAuthorization {
    fn __repr__(&self) -> String {
        format!(
            "RequestAuthorization(status={}, allowed={})",
            self.status,
            if self.allowed { "True" } else { "False" }
        )
    }
}

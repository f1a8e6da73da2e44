//! `coresdk._native.Decision`, `QueryResult` and `Finding`: the core's results as frozen
//! Python classes, one field per field of the core's `Decision`, `QueryDecision` and
//! `Finding` (no positional tuples to keep in step). `coresdk.policy` and `coresdk.mask`
//! re-export them.

use coresdk_engine::{Decision as CoreDecision, QueryDecision};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use pyo3::IntoPyObjectExt;
use serde_json::Value;

/// A JSON value as a Python value, built directly (no JSON text, no `json` module call:
/// on small results that call was most of the binding's cost). The same values
/// `json.loads` gives for the value's text: integers exact (`i64`/`u64` as `int`), other
/// numbers `float`, objects `dict` in key order. The core's values are at most 127
/// levels deep, so the recursion is bounded.
pub(crate) fn to_python(py: Python<'_>, value: &Value) -> PyResult<Py<PyAny>> {
    match value {
        Value::Null => Ok(py.None()),
        Value::Bool(b) => b.into_py_any(py),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_py_any(py),
            (None, Some(u)) => u.into_py_any(py),
            // Without serde_json's arbitrary_precision every other number is an f64.
            (None, None) => n.as_f64().unwrap_or_default().into_py_any(py),
        },
        Value::String(s) => s.into_py_any(py),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_py_any(py)
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, to_python(py, item)?)?;
            }
            dict.into_py_any(py)
        }
    }
}

/// The outcome of evaluating a rule path.
///
/// Attributes:
///     result: The rule's value as a Python value; ``None`` when the rule is undefined
///         (and also when it is JSON ``null``: ``defined`` tells them apart).
///     defined: ``False`` when the rule produced no value (OPA's *undefined*), which is
///         distinct from ``False`` and from ``null``.
///     revision: The policy/data revision the decision was made against.
///     decision_id: A unique, time-ordered id (UUIDv7).
///     duration_us: Time spent evaluating, in microseconds.
///     bundle_revision: The manifest revision of the bundle serving, or ``None``.
///     cached: ``True`` when the answer came from the decision cache.
///     prints: Lines the policy wrote with ``print()`` (empty when cached).
#[pyclass(frozen, get_all, module = "coresdk._native")]
pub struct Decision {
    result: Py<PyAny>,
    defined: bool,
    revision: u64,
    decision_id: String,
    duration_us: u64,
    bundle_revision: Option<String>,
    cached: bool,
    prints: Vec<String>,
}

impl Decision {
    /// The Python form of a core decision (needs the GIL for the result).
    pub fn from_core(py: Python<'_>, d: CoreDecision) -> PyResult<Self> {
        let result = match &d.result {
            Some(value) => to_python(py, value)?,
            None => py.None(),
        };
        Ok(Self {
            result,
            defined: d.result.is_some(),
            revision: d.revision,
            decision_id: d.decision_id,
            duration_us: d.duration_us,
            bundle_revision: d.bundle_revision,
            cached: d.cached,
            prints: d.prints,
        })
    }
}

#[pymethods]
impl Decision {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Decision(result={}, defined={}, revision={}, decision_id={:?}, duration_us={}, \
             bundle_revision={:?}, cached={}, prints={:?})",
            self.result.bind(py).repr()?,
            py_bool(self.defined),
            self.revision,
            self.decision_id,
            self.duration_us,
            self.bundle_revision,
            py_bool(self.cached),
            self.prints,
        ))
    }
}

/// The outcome of an ad-hoc Rego query: OPA's result rows.
///
/// Attributes:
///     rows: One ``{"expressions": [...], "bindings": {...}}`` per solution; empty when
///         the query is undefined. A query of one expression reports its value, ``False``
///         included; in any other a ``false`` expression fails the query (OPA's rule).
///     revision: The policy/data revision the query was evaluated against.
///     decision_id: A unique, time-ordered id (UUIDv7).
///     duration_us: Time spent evaluating, in microseconds.
///     bundle_revision: The manifest revision of the bundle serving, or ``None``.
///     cached: ``True`` when the rows came from the decision cache.
///     prints: Lines the policy wrote with ``print()`` (empty when cached).
#[pyclass(frozen, get_all, module = "coresdk._native")]
pub struct QueryResult {
    rows: Py<PyList>,
    revision: u64,
    decision_id: String,
    duration_us: u64,
    bundle_revision: Option<String>,
    cached: bool,
    prints: Vec<String>,
}

impl QueryResult {
    /// The Python form of a core query result (needs the GIL for the rows).
    pub fn from_core(py: Python<'_>, q: QueryDecision) -> PyResult<Self> {
        let rows = to_python(py, &Value::Array(q.rows))?;
        Ok(Self {
            rows: rows.bind(py).cast::<PyList>()?.clone().unbind(),
            revision: q.revision,
            decision_id: q.decision_id,
            duration_us: q.duration_us,
            bundle_revision: q.bundle_revision,
            cached: q.cached,
            prints: q.prints,
        })
    }
}

#[pymethods]
impl QueryResult {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "QueryResult(rows={}, revision={}, decision_id={:?}, duration_us={}, \
             bundle_revision={:?}, cached={}, prints={:?})",
            self.rows.bind(py).repr()?,
            self.revision,
            self.decision_id,
            self.duration_us,
            self.bundle_revision,
            py_bool(self.cached),
            self.prints,
        ))
    }
}

/// `True` / `False` as Python writes them.
fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// One detected value: its type and position, never the value itself.
///
/// Offsets are those of the core, shared by every language: UTF-8 byte offsets
/// (``start``, ``end``) and UTF-16 code unit offsets (``start_utf16``, ``end_utf16``,
/// JavaScript string indices). For a Python ``str`` with non-ASCII text, slice its UTF-8
/// encoding: ``text.encode()[f.start:f.end]``.
///
/// Attributes:
///     type: The detector type, e.g. ``"EMAIL"``.
///     start: UTF-8 byte offset of the first byte.
///     end: UTF-8 byte offset one past the last byte.
///     start_utf16: UTF-16 offset of the start.
///     end_utf16: UTF-16 offset of the end.
#[pyclass(frozen, get_all, eq, hash, module = "coresdk._native")]
#[derive(PartialEq, Eq, Hash)]
pub struct Finding {
    #[pyo3(name = "type")]
    kind: String,
    start: usize,
    end: usize,
    start_utf16: usize,
    end_utf16: usize,
}

impl From<coresdk_engine::Finding> for Finding {
    fn from(f: coresdk_engine::Finding) -> Self {
        Self {
            kind: f.kind.to_string(),
            start: f.start,
            end: f.end,
            start_utf16: f.start_utf16,
            end_utf16: f.end_utf16,
        }
    }
}

#[pymethods]
impl Finding {
    /// A finding with these fields (findings normally come from `Masker.scan`).
    #[new]
    #[pyo3(signature = (r#type, start, end, start_utf16, end_utf16))]
    fn new(r#type: String, start: usize, end: usize, start_utf16: usize, end_utf16: usize) -> Self {
        Self {
            kind: r#type,
            start,
            end,
            start_utf16,
            end_utf16,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Finding(type={:?}, start={}, end={}, start_utf16={}, end_utf16={})",
            self.kind, self.start, self.end, self.start_utf16, self.end_utf16
        )
    }
}

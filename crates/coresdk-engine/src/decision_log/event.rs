//! One decision as OPA's decision-log event: masked by the core masker, with OPA's
//! `erased` / `masked` lists saying what was removed or changed.

use super::TraceContext;
use crate::error::ErrorCode;
use crate::json;
use crate::mask::Masker;
use serde_json::{json, Map, Value};
use std::time::SystemTime;

/// A decision as recorded on the hot path: cheap to make, turned into an event later on
/// the logger's thread.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    /// `data.http.allow` for a rule; the query text for a query.
    pub target: Target,
    /// The input as given (JSON text; empty: none).
    pub input: Vec<u8>,
    pub result: Option<Value>,
    pub error: Option<(ErrorCode, String)>,
    pub decision_id: String,
    pub bundle_revision: Option<String>,
    pub duration_us: u64,
    pub requested_by: Option<String>,
    pub trace: Option<TraceContext>,
    pub at: SystemTime,
}

/// Where a decision was asked for, as its event names it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Origin<'a> {
    /// The client's address (`requested_by`).
    pub requested_by: Option<&'a str>,
    /// The span it was made in (`trace_id`, `span_id`).
    pub trace: Option<&'a TraceContext>,
}

/// What was evaluated.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Rule(String),
    Query(String),
}

/// How events are built: the masker, the JSON pointers to erase, the labels.
pub(crate) struct Shape {
    pub masker: Masker,
    pub erase: Vec<String>,
    pub labels: Map<String, Value>,
}

impl Shape {
    /// The OPA event of `pending`.
    pub(crate) fn event(&self, pending: Pending) -> Value {
        let mut doc = Map::new();
        if !pending.input.is_empty() {
            let input = json::parse(&pending.input)
                .unwrap_or_else(|_| Value::String("[input not JSON: not logged]".into()));
            doc.insert("input".into(), input);
        }
        if let Some(result) = pending.result {
            doc.insert("result".into(), result);
        }
        let mut erased = Vec::new();
        for pointer in &self.erase {
            if remove_pointer(&mut doc, pointer) {
                erased.push(Value::String(pointer.clone()));
            }
        }
        let mut masked = Vec::new();
        for (name, value) in doc.iter_mut() {
            // A value the masker refuses (too deep) is not logged rather than logged raw.
            let after = self
                .masker
                .mask_value(value)
                .unwrap_or_else(|_| Value::String("[not logged: could not be masked]".into()));
            changed_pointers(value, &after, &format!("/{name}"), &mut masked);
            *value = after;
        }
        let mut event = Map::new();
        event.insert("labels".into(), Value::Object(self.labels.clone()));
        event.insert("decision_id".into(), pending.decision_id.into());
        match pending.target {
            Target::Rule(path) => event.insert("path".into(), opa_path(&path).into()),
            Target::Query(query) => event.insert("query".into(), query.into()),
        };
        event.extend(doc);
        if let Some((code, message)) = pending.error {
            let message = self.masker.mask_text(&message);
            event.insert(
                "error".into(),
                json!({ "code": code.as_str(), "message": message }),
            );
        }
        if let Some(revision) = pending.bundle_revision {
            event.insert(
                "bundles".into(),
                json!({ "bundle": { "revision": revision } }),
            );
        }
        event.insert(
            "requested_by".into(),
            pending.requested_by.unwrap_or_default().into(),
        );
        event.insert("timestamp".into(), rfc3339(pending.at).into());
        if let Some(trace) = pending.trace {
            event.insert("trace_id".into(), trace.trace_id().into());
            event.insert("span_id".into(), trace.span_id().into());
        }
        let eval_ns = pending.duration_us.saturating_mul(1000);
        event.insert(
            "metrics".into(),
            json!({ "timer_rego_query_eval_ns": eval_ns }),
        );
        if !erased.is_empty() {
            event.insert("erased".into(), Value::Array(erased));
        }
        if !masked.is_empty() {
            event.insert("masked".into(), Value::Array(masked));
        }
        Value::Object(event)
    }
}

/// OPA's form of a rule path: `data.http.allow` is `http/allow`.
fn opa_path(path: &str) -> String {
    path.strip_prefix("data.").unwrap_or(path).replace('.', "/")
}

fn rfc3339(at: SystemTime) -> String {
    time::OffsetDateTime::from(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Removes the value at `pointer` (RFC 6901, e.g. `/input/password`) from `doc`;
/// true when there was one.
fn remove_pointer(doc: &mut Map<String, Value>, pointer: &str) -> bool {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, parents)) = tokens.split_last() else {
        return false;
    };
    let mut parents = parents.iter();
    let Some(first) = parents.next() else {
        return doc.remove(last).is_some();
    };
    let mut at = match doc.get_mut(first) {
        Some(value) => value,
        None => return false,
    };
    for token in parents {
        at = match at {
            Value::Object(map) => match map.get_mut(token) {
                Some(value) => value,
                None => return false,
            },
            Value::Array(items) => match token.parse::<usize>().ok().and_then(|i| items.get_mut(i))
            {
                Some(value) => value,
                None => return false,
            },
            _ => return false,
        };
    }
    match at {
        Value::Object(map) => map.remove(last).is_some(),
        Value::Array(items) => match last.parse::<usize>() {
            Ok(i) if i < items.len() => {
                items.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// Appends the pointers (below `at`) where masking changed something: the value itself
/// when it is a scalar or its keys changed, else each changed member.
fn changed_pointers(before: &Value, after: &Value, at: &str, out: &mut Vec<Value>) {
    if before == after {
        return;
    }
    match (before, after) {
        (Value::Object(b), Value::Object(a))
            if b.len() == a.len() && b.keys().all(|k| a.contains_key(k)) =>
        {
            for (key, value) in b {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                changed_pointers(value, &a[key], &format!("{at}/{escaped}"), out);
            }
        }
        (Value::Array(b), Value::Array(a)) if b.len() == a.len() => {
            for (i, (x, y)) in b.iter().zip(a).enumerate() {
                changed_pointers(x, y, &format!("{at}/{i}"), out);
            }
        }
        _ => out.push(Value::String(at.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::MaskOptions;

    #[test]
    fn pointers_are_removed_and_changes_are_located() {
        let mut doc = json!({"input": {"a/b": 1, "list": [1, 2, {"x": 3}], "k": 0}})
            .as_object()
            .unwrap()
            .clone();
        assert!(remove_pointer(&mut doc, "/input/a~1b"));
        assert!(remove_pointer(&mut doc, "/input/list/2/x"));
        assert!(remove_pointer(&mut doc, "/input/list/0"));
        assert!(!remove_pointer(&mut doc, "/input/list/9"));
        assert!(!remove_pointer(&mut doc, "/nothing/here"));
        assert_eq!(
            Value::Object(doc),
            json!({"input": {"list": [2, {}], "k": 0}})
        );
        let mut out = Vec::new();
        changed_pointers(
            &json!({"u": {"mail": "a@b.co", "n": 1}, "l": ["x", "a@b.co"]}),
            &json!({"u": {"mail": "[EMAIL]", "n": 1}, "l": ["x", "[EMAIL]"]}),
            "/input",
            &mut out,
        );
        assert_eq!(out, vec![json!("/input/u/mail"), json!("/input/l/1")]);
    }

    #[test]
    fn events_are_masked_and_say_what_was_removed() {
        let shape = Shape {
            masker: Masker::new(MaskOptions::default()).unwrap(),
            erase: vec!["/input/password".into(), "/input/absent".into()],
            labels: json!({"id": "i-1"}).as_object().unwrap().clone(),
        };
        let event = shape.event(Pending {
            target: Target::Rule("data.http.allow".into()),
            input: br#"{"user":"bob@example.com","password":"hunter2","n":1}"#.to_vec(),
            result: Some(json!(true)),
            error: None,
            decision_id: "d-1".into(),
            bundle_revision: Some("r7".into()),
            duration_us: 12,
            requested_by: Some("203.0.113.7".into()),
            trace: None,
            at: std::time::UNIX_EPOCH,
        });
        assert_eq!(event["path"], json!("http/allow"));
        assert_eq!(event["input"], json!({"user": "[REDACTED:EMAIL]", "n": 1}));
        assert_eq!(event["erased"], json!(["/input/password"]));
        assert_eq!(event["masked"], json!(["/input/user"]));
        assert_eq!(event["bundles"], json!({"bundle": {"revision": "r7"}}));
        assert_eq!(event["timestamp"], json!("1970-01-01T00:00:00Z"));
        assert_eq!(event["metrics"], json!({"timer_rego_query_eval_ns": 12000}));
        assert_eq!(event["requested_by"], json!("203.0.113.7"));
        assert!(event.get("trace_id").is_none() && event.get("span_id").is_none());
        assert!(!event.to_string().contains("bob@example.com"));
    }
}

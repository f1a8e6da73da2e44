//! Asking OPA's Data API for a decision, and comparing two answers.

use super::Job;
use crate::error::{Error, ErrorCode, Result};
use serde_json::Value;

/// OPA's answer for `job`: `POST <url>/v1/data/<path>` with the same input. `None` when
/// OPA says the rule is undefined (no `result` in its response).
pub(super) fn ask_opa(agent: &ureq::Agent, url: &str, job: &Job) -> Result<Option<Value>> {
    let path = job
        .path
        .strip_prefix("data.")
        .unwrap_or(&job.path)
        .replace('.', "/");
    let target = format!("{}/v1/data/{path}", url.trim_end_matches('/'));
    let failed = |why: String| {
        Error::new(
            ErrorCode::SourceUnavailable,
            format!("POST {target}: {why}"),
        )
    };
    let mut body = Vec::with_capacity(job.input.len() + 10);
    body.extend_from_slice(b"{\"input\":");
    body.extend_from_slice(if job.input.is_empty() {
        b"{}"
    } else {
        &job.input
    });
    body.push(b'}');
    let mut response = agent
        .post(&target)
        .header("Content-Type", "application/json")
        .send(&body[..])
        .map_err(|e| failed(e.to_string()))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .map_err(|e| failed(e.to_string()))?;
    if status != 200 {
        return Err(failed(format!(
            "status {status}: {}",
            text.chars().take(200).collect::<String>()
        )));
    }
    let mut answer: Value =
        serde_json::from_str(&text).map_err(|e| failed(format!("not JSON: {e}")))?;
    Ok(answer.get_mut("result").map(Value::take))
}

/// Whether two answers are the same decision: equal JSON, numbers compared by value
/// (`1` and `1.0` are one number, as in OPA), objects by their members in any order.
pub(super) fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => equal(a, b),
        _ => false,
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_compare_as_decisions() {
        assert!(same(None, None));
        assert!(!same(None, Some(&json!(false))));
        assert!(same(
            Some(&json!({"a": 1, "b": [1.0]})),
            Some(&json!({"b": [1], "a": 1.0}))
        ));
        assert!(!same(Some(&json!([1, 2])), Some(&json!([2, 1]))));
        assert!(!same(Some(&json!("1")), Some(&json!(1))));
    }
}

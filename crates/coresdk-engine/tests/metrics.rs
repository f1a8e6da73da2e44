//! Metrics: the structured snapshot and the Prometheus text agree and count what happened.

use coresdk_engine::{ErrorCode, PolicyEngine, PolicyOptions};
use serde_json::json;
use std::time::Duration;

fn engine() -> PolicyEngine {
    let engine = PolicyEngine::new(PolicyOptions {
        timeout: Duration::from_millis(100),
        ..Default::default()
    });
    engine
        .add_module("m.rego", "package m\nallow if input.x == 1\nspin if { some i in numbers.range(1, 10000); some j in numbers.range(1, 10000); i + j < 0 }\n")
        .unwrap();
    engine
}

#[test]
fn counts_evaluations_errors_and_latency() {
    let engine = engine();
    engine.evaluate("data.m.allow", br#"{"x":1}"#).unwrap();
    engine.query("data.m.allow", br#"{"x":2}"#).unwrap();
    assert_eq!(
        engine.evaluate("data.m.allow", b"[").unwrap_err().code(),
        ErrorCode::InvalidJson
    );
    assert_eq!(
        engine.evaluate("data.m.spin", b"{}").unwrap_err().code(),
        ErrorCode::EvalTimeout
    );
    assert_eq!(
        engine.evaluate("data.nope.x", b"{}").unwrap_err().code(),
        ErrorCode::PolicyNotFound
    );
    assert!(!engine.allowed("data.nope.x", b"{}"));

    let m = engine.metrics();
    assert_eq!(m["evaluations"], json!(6));
    assert_eq!(
        m["errors"],
        json!({"INVALID_JSON": 1, "POLICY_NOT_FOUND": 2, "EVAL_TIMEOUT": 1})
    );
    assert_eq!(m["fail_mode"], json!(1));
    assert_eq!(m["latency"]["count"], json!(6));
    let buckets = m["latency"]["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 16);
    assert_eq!(buckets.last().unwrap()["le"], json!(1.0));
    // The timeout took >= 100 ms, so at least one observation sits above 0.05 s.
    let below_50ms = buckets.iter().find(|b| b["le"] == json!(0.05)).unwrap()["count"]
        .as_u64()
        .unwrap();
    assert!(below_50ms <= 5);
    assert!(m["latency"]["sum_seconds"].as_f64().unwrap() >= 0.1);
    assert_eq!(m["reloads"], json!({"success": 1, "failure": 0}));
    assert_eq!(m["revision"], json!(1));
    assert_eq!(m["bundle_revision"], json!(null));
    assert_eq!(m["source"], json!(null));
}

#[test]
fn failed_reloads_are_counted() {
    let engine = engine();
    assert!(engine.add_module("bad.rego", "package bad\nx := ").is_err());
    assert!(engine.add_data_json(b"[1]").is_err());
    assert_eq!(
        engine.metrics()["reloads"],
        json!({"success": 1, "failure": 1})
    );
}

#[test]
fn prometheus_text_is_well_formed_and_matches_the_snapshot() {
    let engine = engine();
    engine.evaluate("data.m.allow", br#"{"x":1}"#).unwrap();
    engine.evaluate("data.m.allow", b"{").unwrap_err();
    let text = engine.metrics_prometheus();

    let sample =
        regex::Regex::new(r#"^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+-]+$"#)
            .unwrap();
    let mut families = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            families.push(rest.split(' ').next().unwrap().to_string());
        } else if !line.starts_with("# HELP ") {
            assert!(sample.is_match(line), "bad sample line: {line:?}");
        }
    }
    for name in [
        "coresdk_policy_evaluations_total",
        "coresdk_policy_errors_total",
        "coresdk_policy_evaluation_duration_seconds",
        "coresdk_policy_cache_hits_total",
        "coresdk_policy_cache_misses_total",
        "coresdk_policy_fail_mode_total",
        "coresdk_policy_reloads_total",
        "coresdk_policy_cache_entries",
        "coresdk_policy_revision",
        "coresdk_policy_bundle_info",
    ] {
        assert!(families.contains(&name.to_string()), "missing {name}");
    }
    assert!(text.contains("coresdk_policy_evaluations_total 2\n"));
    assert!(text.contains("coresdk_policy_errors_total{code=\"INVALID_JSON\"} 1\n"));
    assert!(text.contains("coresdk_policy_errors_total{code=\"EVAL_TIMEOUT\"} 0\n"));
    assert!(text.contains("coresdk_policy_evaluation_duration_seconds_bucket{le=\"+Inf\"} 2\n"));
    assert!(text.contains("coresdk_policy_evaluation_duration_seconds_count 2\n"));
    assert!(text.contains("coresdk_policy_reloads_total{result=\"success\"} 1\n"));
    assert!(text.contains("coresdk_policy_revision 1\n"));
    // Buckets are cumulative: non-decreasing.
    let counts: Vec<f64> = text
        .lines()
        .filter(|l| l.starts_with("coresdk_policy_evaluation_duration_seconds_bucket"))
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(counts.len(), 17);
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
}

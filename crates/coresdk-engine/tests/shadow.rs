//! Shadow mode without an OPA server to answer: decisions are never delayed or changed,
//! the bounded queue drops and counts, failures are counted, stopping is prompt. The
//! comparison with a real OPA server is tested from the bindings (test_shadow.py,
//! shadow.test.ts), which run after OPA is built.

use coresdk_engine::{ErrorCode, PolicyEngine, Shadow, ShadowOptions};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn an_opa_that_never_answers_is_counted_and_decisions_go_on() {
    let engine = PolicyEngine::default();
    engine
        .add_module("a.rego", "package a\n\nallow := true\n")
        .unwrap();
    // A listener that never accepts: connections complete in the backlog, no answer comes,
    // so each comparison takes the whole timeout and the queue stays full.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut options = ShadowOptions::new(format!("http://{}", silent.local_addr().unwrap()));
    options.queue_size = 3;
    options.timeout = Duration::from_millis(500);
    let shadow = Arc::new(Shadow::start(options).unwrap());
    engine.set_shadow(Some(Arc::clone(&shadow)));
    let started = Instant::now();
    for _ in 0..100 {
        let d = engine.evaluate("data.a.allow", b"{}").unwrap();
        assert_eq!(d.result, Some(json!(true)));
    }
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "decisions waited for the shadow"
    );
    assert!(shadow.wait_idle(Duration::from_secs(20)));
    let m = shadow.metrics();
    assert_eq!(m["sampled"], json!(100));
    let (errors, dropped) = (
        m["opa_errors"].as_u64().unwrap(),
        m["dropped"].as_u64().unwrap(),
    );
    assert_eq!(errors + dropped, 100);
    // One in flight and three queued at most while the 100 decisions were made.
    assert!(dropped >= 96, "{m}");
    assert!(m["last_error"]
        .as_str()
        .unwrap()
        .contains("/v1/data/a/allow"));
    shadow.stop();
    shadow.stop();
    engine.evaluate("data.a.allow", b"{}").unwrap();
    assert_eq!(shadow.metrics()["sampled"], json!(100));
}

#[test]
fn bad_options_are_invalid_argument() {
    let mut rate = ShadowOptions::new("http://opa");
    rate.sample_rate = f64::NAN;
    let mut queue = ShadowOptions::new("http://opa");
    queue.queue_size = 0;
    for options in [ShadowOptions::new("opa:8181"), rate, queue] {
        assert_eq!(
            Shadow::start(options).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
    }
}

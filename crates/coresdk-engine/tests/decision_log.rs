//! Decision logs sent to a real decision-log service on loopback (gzip'd JSON arrays
//! POSTed to /logs) and to a JSON Lines file: OPA's event fields, masking with `erased` /
//! `masked`, chunking under the upload limit, retry after failures, a bounded buffer that
//! drops the oldest, the background thread, and the last send on close.

mod support;

use coresdk_engine::decision_log::Sink;
use coresdk_engine::{
    DecisionLogOptions, DecisionLogger, ErrorCode, HttpRequest, KeySet, PolicyEngine,
    RequestOptions, TokenOptions, TokenVerifier,
};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use support::eventually;
use support::log_service::LogService;

const POLICY: &str =
    "package app\n\nallow if input.user == \"alice@example.com\"\n\nusers contains input.user\n";

fn options(url: &str) -> DecisionLogOptions {
    let mut o = DecisionLogOptions::new(Sink::Service {
        url: url.into(),
        bearer_token: Some("log-token".into()),
        bearer_token_file: None,
        timeout: Duration::from_secs(5),
    });
    // Only explicit flushes and close send, unless a test says otherwise.
    o.min_delay = Duration::from_secs(3600);
    o.max_delay = Duration::from_secs(3600);
    o
}

fn engine_with(logger: &Arc<DecisionLogger>) -> PolicyEngine {
    let engine = PolicyEngine::default();
    engine.add_module("app.rego", POLICY).unwrap();
    engine.set_decision_logger(Some(Arc::clone(logger)));
    engine
}

#[test]
fn events_reach_the_service_masked_in_opas_format() {
    let service = LogService::start();
    let mut o = options(&service.url);
    o.labels = json!({"app": "billing"}).as_object().unwrap().clone();
    o.erase = vec!["/input/password".into()];
    let logger = Arc::new(DecisionLogger::start(o).unwrap());
    let engine = engine_with(&logger);
    let input =
        br#"{"user":"alice@example.com","password":"hunter2","card":"4111 1111 1111 1111"}"#;
    let decision = engine.evaluate("data.app.allow", input).unwrap();
    engine.query("x := data.app.users", input).unwrap();
    assert!(engine.evaluate("data.nothing.here", b"{}").is_err());
    logger.flush().unwrap();

    let uploads = service.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].path, "/logs");
    assert_eq!(uploads[0].content_encoding.as_deref(), Some("gzip"));
    assert_eq!(
        uploads[0].authorization.as_deref(),
        Some("Bearer log-token")
    );
    let events = service.delivered();
    assert_eq!(events.len(), 3);
    let first = &events[0];
    assert_eq!(first["decision_id"], json!(decision.decision_id));
    assert_eq!(first["path"], json!("app/allow"));
    assert_eq!(first["result"], json!(true));
    assert_eq!(
        first["input"],
        json!({"user": "[REDACTED:EMAIL]", "card": "[REDACTED:CREDIT_CARD]"})
    );
    assert_eq!(first["erased"], json!(["/input/password"]));
    assert_eq!(first["masked"], json!(["/input/user", "/input/card"]));
    assert_eq!(first["labels"]["app"], json!("billing"));
    assert_eq!(first["labels"]["version"], json!(coresdk_engine::VERSION));
    assert_eq!(first["labels"]["id"].as_str().map(str::len), Some(36));
    assert!(first["timestamp"].as_str().unwrap().ends_with('Z'));
    assert!(first["metrics"]["timer_rego_query_eval_ns"]
        .as_u64()
        .is_some());
    // The query's rows are its result (the assignment expression is `true`); the bound
    // value held the address, so it is masked too.
    assert_eq!(events[1]["query"], json!("x := data.app.users"));
    assert_eq!(
        events[1]["masked"],
        json!(["/input/user", "/input/card", "/result/0/bindings/x/0"])
    );
    assert_eq!(events[2]["error"]["code"], json!("POLICY_NOT_FOUND"));
    let everything = serde_json::to_string(&events).unwrap();
    for secret in ["alice@example.com", "hunter2", "4111 1111 1111 1111"] {
        assert!(!everything.contains(secret), "{secret} leaked");
    }
    assert_eq!(logger.metrics()["delivered"], json!(3));
}

#[test]
fn authorized_requests_name_the_client() {
    let service = LogService::start();
    let logger = Arc::new(DecisionLogger::start(options(&service.url)).unwrap());
    let engine = engine_with(&logger);
    let keys = KeySet::new().with_secret(None, "HS256", b"k").unwrap();
    let verifier = TokenVerifier::new(keys, TokenOptions::default());
    let request = HttpRequest {
        method: "GET".into(),
        target: "/".into(),
        headers: vec![],
        client_address: Some("203.0.113.7".into()),
        trace: None,
    };
    let options = RequestOptions {
        token_optional: true,
        ..RequestOptions::default()
    };
    assert_eq!(
        engine
            .authorize_request(&verifier, "data.app.allow", &request, &options)
            .status,
        403
    );
    logger.flush().unwrap();
    let events = service.delivered();
    assert_eq!(events[0]["requested_by"], json!("203.0.113.7"));
    assert_eq!(events[0]["input"]["parsed_path"], json!([""]));
}

#[test]
fn uploads_are_chunked_under_the_limit_and_oversized_events_dropped() {
    let service = LogService::start();
    let mut o = options(&service.url);
    o.upload_size_limit = 2048;
    let logger = Arc::new(DecisionLogger::start(o).unwrap());
    let engine = engine_with(&logger);
    for i in 0..40 {
        engine
            .evaluate("data.app.allow", format!(r#"{{"user":"u{i}"}}"#).as_bytes())
            .unwrap();
    }
    let huge = format!(r#"{{"user":"{}"}}"#, "x".repeat(5000));
    engine.evaluate("data.app.allow", huge.as_bytes()).unwrap();
    logger.flush().unwrap();
    let uploads = service.uploads();
    assert!(uploads.len() >= 3, "{} uploads", uploads.len());
    assert!(uploads
        .iter()
        .all(|u| u.json_len <= 2048 && u.compressed_len < u.json_len));
    assert_eq!(service.delivered().len(), 40);
    assert_eq!(logger.metrics()["dropped_too_large"], json!(1));
}

#[test]
fn a_failing_service_keeps_events_for_the_next_send_and_the_buffer_drops_the_oldest() {
    let service = LogService::start();
    service.answer(503);
    let mut o = options(&service.url);
    o.buffer_size = 5;
    let logger = Arc::new(DecisionLogger::start(o).unwrap());
    let engine = engine_with(&logger);
    let mut ids = Vec::new();
    for i in 0..12 {
        let d = engine
            .evaluate("data.app.allow", format!(r#"{{"n":{i}}}"#).as_bytes())
            .unwrap();
        ids.push(d.decision_id);
    }
    let failed = logger.flush().unwrap_err();
    assert_eq!(failed.code(), ErrorCode::SourceUnavailable);
    assert!(logger.flush().is_err());
    let metrics = logger.metrics();
    assert_eq!(metrics["dropped_buffer_full"], json!(7));
    assert_eq!(metrics["upload_failures"], json!(2));
    assert_eq!(metrics["buffered"], json!(5));
    assert!(metrics["last_error"].as_str().unwrap().contains("503"));
    // The bound covers the events built for the failed sends too: three more decisions
    // push out the three oldest of those.
    for i in 12..15 {
        let d = engine
            .evaluate("data.app.allow", format!(r#"{{"n":{i}}}"#).as_bytes())
            .unwrap();
        ids.push(d.decision_id);
        assert_eq!(logger.metrics()["buffered"], json!(5));
    }
    assert_eq!(logger.metrics()["dropped_buffer_full"], json!(10));
    service.answer(200);
    logger.flush().unwrap();
    let delivered: Vec<Value> = service
        .delivered()
        .iter()
        .map(|e| e["decision_id"].clone())
        .collect();
    assert_eq!(
        delivered,
        ids[10..].iter().map(|id| json!(id)).collect::<Vec<_>>()
    );
}

#[test]
fn the_thread_sends_on_its_own_and_close_sends_the_rest() {
    let service = LogService::start();
    let mut o = options(&service.url);
    o.min_delay = Duration::from_millis(50);
    o.max_delay = Duration::from_millis(200);
    let logger = Arc::new(DecisionLogger::start(o).unwrap());
    let engine = engine_with(&logger);
    engine.evaluate("data.app.allow", b"{}").unwrap();
    assert!(eventually(Duration::from_secs(10), || service
        .delivered()
        .len()
        == 1));

    let quiet = Arc::new(DecisionLogger::start(options(&service.url)).unwrap());
    engine.set_decision_logger(Some(Arc::clone(&quiet)));
    engine.evaluate("data.app.allow", b"{}").unwrap();
    quiet.close().unwrap();
    assert_eq!(service.delivered().len(), 2);
    engine.evaluate("data.app.allow", b"{}").unwrap();
    quiet.close().unwrap();
    assert_eq!(quiet.metrics()["dropped_buffer_full"], json!(1));
    engine.set_decision_logger(None);
    engine.evaluate("data.app.allow", b"{}").unwrap();
    assert_eq!(quiet.metrics()["recorded"], json!(1));
}

#[test]
fn a_file_sink_gets_json_lines() {
    let dir = std::env::temp_dir().join(format!("coresdk-decision-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("decisions.jsonl");
    let _ = std::fs::remove_file(&path);
    let mut o = DecisionLogOptions::new(Sink::File(path.clone()));
    o.min_delay = Duration::from_secs(3600);
    o.max_delay = Duration::from_secs(3600);
    let logger = Arc::new(DecisionLogger::start(o).unwrap());
    let engine = engine_with(&logger);
    engine
        .evaluate("data.app.allow", br#"{"user":"alice@example.com"}"#)
        .unwrap();
    engine.evaluate("data.app.allow", b"{}").unwrap();
    logger.close().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["input"]["user"], json!("[REDACTED:EMAIL]"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_options_are_invalid_argument() {
    let service = || Sink::Service {
        url: "ftp://x".into(),
        bearer_token: None,
        bearer_token_file: None,
        timeout: Duration::from_secs(1),
    };
    let mut cases = vec![DecisionLogOptions::new(service())];
    let mut o = options("http://127.0.0.1:9");
    o.buffer_size = 0;
    cases.push(o);
    let mut o = options("http://127.0.0.1:9");
    o.min_delay = Duration::from_secs(10);
    o.max_delay = Duration::from_secs(1);
    cases.push(o);
    let mut o = options("http://127.0.0.1:9");
    o.erase = vec!["/claims/sub".into()];
    cases.push(o);
    for o in cases {
        assert_eq!(
            DecisionLogger::start(o).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
    }
}

//! Decision logs handed to a host's function (how the bindings reach OpenTelemetry logs)
//! and the trace each decision was made in: `trace_id` / `span_id` from the span the
//! host names, else from the request's W3C `traceparent` header.

use coresdk_engine::decision_log::Sink;
use coresdk_engine::{
    DecisionLogOptions, DecisionLogParts, DecisionLogger, Error, ErrorCode, EventHandler,
    HttpRequest, KeySet, PolicyEngine, RequestOptions, TokenOptions, TokenVerifier, TraceContext,
};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN: &str = "00f067aa0ba902b7";
const CALLER_SPAN: &str = "b7ad6b7169203331";

/// A logger whose sink records each batch; `fail` makes it refuse them.
struct Recorder {
    batches: Arc<Mutex<Vec<Vec<Value>>>>,
    fail: Arc<AtomicBool>,
    logger: Arc<DecisionLogger>,
}

impl Recorder {
    fn start(upload_size_limit: usize) -> Self {
        let batches: Arc<Mutex<Vec<Vec<Value>>>> = Arc::default();
        let fail = Arc::new(AtomicBool::new(false));
        let (into, failing) = (Arc::clone(&batches), Arc::clone(&fail));
        let handler = EventHandler::new(move |batch| {
            if failing.load(Ordering::SeqCst) {
                return Err(Error::new(ErrorCode::SourceUnavailable, "sink down"));
            }
            let events: Vec<Value> = serde_json::from_str(batch).unwrap();
            into.lock().unwrap().push(events);
            Ok(())
        });
        let mut options = DecisionLogOptions::new(Sink::Handler(handler));
        options.min_delay = Duration::from_secs(3600);
        options.max_delay = Duration::from_secs(3600);
        options.upload_size_limit = upload_size_limit;
        let logger = Arc::new(DecisionLogger::start(options).unwrap());
        Self {
            batches,
            fail,
            logger,
        }
    }

    fn events(&self) -> Vec<Value> {
        self.batches.lock().unwrap().concat()
    }
}

fn engine_with(logger: &Arc<DecisionLogger>) -> PolicyEngine {
    let engine = PolicyEngine::default();
    engine
        .add_module(
            "app.rego",
            "package app\n\nallow if input.method == \"GET\"\n",
        )
        .unwrap();
    engine.set_decision_logger(Some(Arc::clone(logger)));
    engine
}

fn request(headers: &[(&str, &str)], trace: Option<TraceContext>) -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        target: "/accounts/7".into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        client_address: None,
        trace,
    }
}

#[test]
fn a_host_function_gets_every_event_in_batches_and_a_refusal_keeps_them() {
    let recorder = Recorder::start(600);
    let engine = engine_with(&recorder.logger);
    for i in 0..6 {
        engine
            .evaluate(
                "data.app.allow",
                format!(r#"{{"method":"GET","i":{i}}}"#).as_bytes(),
            )
            .unwrap();
    }
    recorder.fail.store(true, Ordering::SeqCst);
    let e = recorder.logger.flush().unwrap_err();
    assert_eq!(e.code(), ErrorCode::SourceUnavailable);
    assert!(recorder.events().is_empty());
    assert_eq!(recorder.logger.metrics()["buffered"], json!(6));
    assert_eq!(recorder.logger.metrics()["upload_failures"], json!(1));

    recorder.fail.store(false, Ordering::SeqCst);
    recorder.logger.close().unwrap();
    let events = recorder.events();
    let order: Vec<Value> = events.iter().map(|e| e["input"]["i"].clone()).collect();
    assert_eq!(order, (0..6).map(|i| json!(i)).collect::<Vec<_>>());
    // Batches stay under the upload limit, so the six events came in several.
    assert!(recorder.batches.lock().unwrap().len() > 1);
    let metrics = recorder.logger.metrics();
    assert_eq!(
        (&metrics["delivered"], &metrics["buffered"]),
        (&json!(6), &json!(0))
    );
}

#[test]
fn a_panicking_function_is_a_failed_send_not_a_crash() {
    let handler = EventHandler::new(|_| panic!("host sink bug"));
    let mut options = DecisionLogOptions::new(Sink::Handler(handler));
    options.min_delay = Duration::from_secs(3600);
    options.max_delay = Duration::from_secs(3600);
    let logger = Arc::new(DecisionLogger::start(options).unwrap());
    engine_with(&logger)
        .evaluate("data.app.allow", br#"{"method":"GET"}"#)
        .unwrap();
    assert_eq!(logger.flush().unwrap_err().code(), ErrorCode::Internal);
    assert_eq!(logger.metrics()["buffered"], json!(1));
}

#[test]
fn request_decisions_carry_the_hosts_span_else_the_callers_traceparent() {
    let recorder = Recorder::start(32 * 1024);
    let engine = engine_with(&recorder.logger);
    let keys = KeySet::new().with_secret(None, "HS256", b"k").unwrap();
    let verifier = TokenVerifier::new(keys, TokenOptions::default());
    let options = RequestOptions {
        token_optional: true,
        ..RequestOptions::default()
    };
    let traceparent = format!("00-{TRACE}-{CALLER_SPAN}-01");
    let hosts = TraceContext::new(TRACE, SPAN).unwrap();
    for r in [
        request(&[("traceparent", &traceparent)], Some(hosts)),
        request(&[("traceparent", &traceparent)], None),
        request(&[("traceparent", "00-not-a-trace-01")], None),
        request(&[], None),
    ] {
        let answer = engine.authorize_request(&verifier, "data.app.allow", &r, &options);
        assert_eq!(answer.status, 200);
    }
    engine
        .evaluate_traced(
            "data.app.allow",
            br#"{"method":"GET"}"#,
            &TraceContext::new(TRACE, SPAN).unwrap(),
        )
        .unwrap();
    recorder.logger.close().unwrap();
    let ids: Vec<(Value, Value)> = recorder
        .events()
        .iter()
        .map(|e| (e["trace_id"].clone(), e["span_id"].clone()))
        .collect();
    assert_eq!(
        ids,
        vec![
            (json!(TRACE), json!(SPAN)),
            (json!(TRACE), json!(CALLER_SPAN)),
            (Value::Null, Value::Null),
            (Value::Null, Value::Null),
            (json!(TRACE), json!(SPAN)),
        ]
    );
}

#[test]
fn a_logger_has_exactly_one_sink() {
    let handler = || Some(EventHandler::new(|_| Ok(())));
    for parts in [
        DecisionLogParts::default(),
        DecisionLogParts {
            file: Some("-".into()),
            handler: handler(),
            ..DecisionLogParts::default()
        },
        DecisionLogParts {
            service_url: Some("http://127.0.0.1:1".into()),
            handler: handler(),
            ..DecisionLogParts::default()
        },
        DecisionLogParts {
            handler: handler(),
            bearer_token: Some("t".into()),
            ..DecisionLogParts::default()
        },
    ] {
        let e = DecisionLogOptions::from_parts(parts).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
    }
    let only = DecisionLogParts {
        handler: handler(),
        ..DecisionLogParts::default()
    };
    assert!(matches!(
        DecisionLogOptions::from_parts(only).unwrap().sink,
        Sink::Handler(_)
    ));
}

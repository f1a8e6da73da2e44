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

#[test]
fn a_function_that_does_not_return_delays_flush_and_close_by_its_time_limit_only() {
    let stuck = Arc::new(AtomicBool::new(true));
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let (holding, into) = (Arc::clone(&stuck), Arc::clone(&received));
    let handler = EventHandler::new(move |batch| {
        while holding.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let events: Vec<Value> = serde_json::from_str(batch).unwrap();
        into.lock().unwrap().extend(events);
        Ok(())
    });
    let options = DecisionLogOptions::from_parts(DecisionLogParts {
        handler: Some(handler),
        timeout_ms: Some(200),
        min_delay_ms: Some(3_600_000),
        max_delay_ms: Some(3_600_000),
        ..DecisionLogParts::default()
    })
    .unwrap();
    let logger = Arc::new(DecisionLogger::start(options).unwrap());
    let engine = engine_with(&logger);
    let decide = || {
        engine
            .evaluate("data.app.allow", br#"{"method":"GET"}"#)
            .unwrap()
    };
    let bounded = |what: &dyn Fn() -> coresdk_engine::Result<()>| {
        let start = std::time::Instant::now();
        let e = what().unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(3), "{e}");
        assert_eq!(e.code(), ErrorCode::SourceUnavailable);
        e.message().to_string()
    };

    let first = decide();
    let timed_out = bounded(&|| logger.flush());
    assert!(
        timed_out.contains("did not return within 200 ms"),
        "{timed_out}"
    );
    decide();
    // The first call still runs: no second one starts beside it.
    let busy = bounded(&|| logger.flush());
    assert!(
        busy.contains("has not returned from an earlier batch"),
        "{busy}"
    );
    assert_eq!(logger.metrics()["buffered"], json!(2));

    stuck.store(false, Ordering::SeqCst);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while received.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    logger.flush().unwrap();
    // The late call delivered the first batch; it was kept and sent again with the second.
    let ids: Vec<Value> = received
        .lock()
        .unwrap()
        .iter()
        .map(|e| e["decision_id"].clone())
        .collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(
        (&ids[0], &ids[1]),
        (&json!(first.decision_id), &json!(first.decision_id))
    );

    stuck.store(true, Ordering::SeqCst);
    decide();
    bounded(&|| logger.close());
    let metrics = logger.metrics();
    assert_eq!(
        (&metrics["dropped_buffer_full"], &metrics["buffered"]),
        (&json!(1), &json!(0))
    );
    stuck.store(false, Ordering::SeqCst);
}

//! Status reports to a real status service on loopback: OPA's status format, a report on
//! each change (a new bundle revision, a failing source), periodic reports, bad options.

mod support;

use coresdk_engine::{
    BundlePoller, ErrorCode, PolicyEngine, PollerOptions, StatusOptions, StatusReporter,
};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::log_service::LogService;
use support::{eventually, versioned_bundle, BundleServer, Reply};

#[test]
fn reports_follow_the_engine_in_opas_status_format() {
    let service = LogService::start();
    let engine = Arc::new(PolicyEngine::default());
    let mut options = StatusOptions::new(&service.url);
    options.bearer_token = Some("status-token".into());
    options.labels = json!({"region": "eu"}).as_object().unwrap().clone();
    options.check_interval = Duration::from_millis(20);
    options.interval = Duration::from_secs(3600);
    let reporter = StatusReporter::start(Arc::clone(&engine), options).unwrap();
    assert!(eventually(Duration::from_secs(10), || service
        .statuses()
        .len()
        == 1));
    let first = &service.statuses()[0];
    assert_eq!(first.path, "/status");
    assert_eq!(first.authorization.as_deref(), Some("Bearer status-token"));
    assert_eq!(first.body["labels"]["region"], json!("eu"));
    assert_eq!(first.body["plugins"]["bundle"]["state"], json!("NOT_READY"));

    engine
        .load_bundle_bytes(&versioned_bundle(3), None)
        .unwrap();
    assert!(eventually(Duration::from_secs(10), || service
        .statuses()
        .len()
        == 2));
    let second = &service.statuses()[1];
    assert_eq!(
        second.body["bundles"]["bundle"]["active_revision"],
        json!("v3")
    );
    assert_eq!(second.body["plugins"]["bundle"]["state"], json!("OK"));
    assert_eq!(second.body["labels"]["id"], first.body["labels"]["id"]);

    // Nothing changes: no further report before the interval.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(service.statuses().len(), 2);
    reporter.stop();
    assert_eq!(reporter.metrics()["sent"], json!(2));
}

#[test]
fn a_failing_bundle_source_is_reported_as_an_error() {
    let service = LogService::start();
    let bundles = BundleServer::start(Reply::Status(503));
    let engine = Arc::new(PolicyEngine::default());
    let mut poll = PollerOptions::new(&bundles.url);
    poll.min_delay = Duration::from_millis(50);
    poll.max_delay = Duration::from_millis(100);
    let poller = BundlePoller::start(Arc::clone(&engine), poll).unwrap();
    let mut options = StatusOptions::new(&service.url);
    options.check_interval = Duration::from_millis(20);
    let reporter = StatusReporter::start(Arc::clone(&engine), options).unwrap();
    let failing = || {
        service
            .statuses()
            .iter()
            .any(|s| s.body["plugins"]["bundle"]["state"] == json!("ERROR"))
    };
    assert!(eventually(Duration::from_secs(10), failing));
    let report = service.statuses().last().unwrap().body.clone();
    let bundle = &report["bundles"]["bundle"];
    assert_eq!(bundle["code"], json!("bundle_error"));
    assert_eq!(bundle["errors"][0]["code"], json!("SOURCE_UNAVAILABLE"));
    assert!(bundle["message"].as_str().unwrap().contains("503"));
    reporter.stop();
    drop(poller);
}

#[test]
fn reports_repeat_at_the_interval_and_failures_are_counted() {
    let service = LogService::start();
    let engine = Arc::new(PolicyEngine::default());
    let mut options = StatusOptions::new(&service.url);
    options.check_interval = Duration::from_millis(20);
    options.interval = Duration::from_millis(100);
    let reporter = StatusReporter::start(Arc::clone(&engine), options).unwrap();
    assert!(eventually(Duration::from_secs(10), || service
        .statuses()
        .len()
        >= 3));
    service.answer(500);
    assert!(eventually(Duration::from_secs(10), || reporter.metrics()
        ["failures"]
        .as_u64()
        >= Some(1)));
    assert!(reporter.metrics()["last_error"]
        .as_str()
        .unwrap()
        .contains("500"));
    reporter.stop();
}

#[test]
fn bad_options_are_invalid_argument() {
    let engine = Arc::new(PolicyEngine::default());
    let mut zero = StatusOptions::new("http://127.0.0.1:9");
    zero.interval = Duration::ZERO;
    for options in [StatusOptions::new("status.example"), zero] {
        let e = StatusReporter::start(Arc::clone(&engine), options).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
    }
}

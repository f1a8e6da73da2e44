//! The HTTP bundle poller against a real HTTP server on loopback.

mod support;

use coresdk_engine::bundle::{Verification, VerificationKey};
use coresdk_engine::{BundlePoller, ErrorCode, PolicyEngine, PollerOptions};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::{eventually, versioned_bundle, BundleServer, Reply};

const WAIT: Duration = Duration::from_secs(10);

fn fast(url: &str) -> PollerOptions {
    PollerOptions {
        min_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(40),
        timeout: Duration::from_secs(2),
        ..PollerOptions::new(url)
    }
}

fn version(engine: &PolicyEngine) -> Option<serde_json::Value> {
    engine.evaluate("data.app.version", b"{}").ok()?.result
}

fn bundle(version: u32, etag: &str) -> Reply {
    Reply::Bundle {
        body: versioned_bundle(version),
        etag: etag.into(),
    }
}

#[test]
fn activates_then_asks_with_the_etag_and_takes_the_next_bundle() {
    let server = BundleServer::start(bundle(1, "\"e1\""));
    let engine = Arc::new(PolicyEngine::default());
    let _poller = BundlePoller::start(engine.clone(), fast(&server.url)).unwrap();

    assert!(eventually(WAIT, || version(&engine) == Some(json!(1))));
    let decision = engine
        .evaluate("data.app.allow", br#"{"user":"alice"}"#)
        .unwrap();
    assert_eq!(decision.result, Some(json!(true)));
    assert_eq!(decision.bundle_revision.as_deref(), Some("v1"));

    // Later polls carry the ETag and are answered 304: nothing changes.
    assert!(eventually(WAIT, || server.seen().iter().any(|s| s.status
        == 304
        && s.if_none_match.as_deref() == Some("\"e1\""))));
    let revision = engine.revision();
    assert_eq!(server.seen()[0].path, "/bundles/app.tar.gz");
    assert_eq!(server.seen()[0].if_none_match, None);

    server.set(bundle(2, "\"e2\""));
    assert!(eventually(WAIT, || version(&engine) == Some(json!(2))));
    assert_eq!(engine.revision(), revision + 1);
    assert_eq!(engine.bundle_revision().as_deref(), Some("v2"));
    let status = engine.source_status().unwrap();
    assert_eq!(status.kind, "http");
    assert_eq!(status.updates, 2);
    assert!(status.not_modified >= 1);
    assert_eq!(status.etag.as_deref(), Some("\"e2\""));
}

#[test]
fn keeps_serving_the_last_good_bundle_while_the_server_is_down() {
    let server = BundleServer::start(bundle(1, "\"e1\""));
    let engine = Arc::new(PolicyEngine::default());
    let _poller = BundlePoller::start(engine.clone(), fast(&server.url)).unwrap();
    assert!(eventually(WAIT, || version(&engine) == Some(json!(1))));

    server.set(Reply::Status(503));
    assert!(eventually(WAIT, || engine
        .source_status()
        .is_some_and(|s| s.consecutive_failures >= 2)));
    let status = engine.source_status().unwrap();
    assert_eq!(status.state, "failing");
    assert_eq!(
        status.last_error.as_ref().map(|e| e.0),
        Some(ErrorCode::SourceUnavailable)
    );
    assert_eq!(
        version(&engine),
        Some(json!(1)),
        "last good revision serves"
    );
    let text = engine.metrics_prometheus();
    assert!(
        text.contains(&format!(
            "coresdk_policy_source_up{{kind=\"http\",location=\"{}\"}} 0\n",
            server.url
        )),
        "{text}"
    );

    server.set(Reply::Hangup);
    let failures = engine.source_status().unwrap().failures;
    assert!(eventually(WAIT, || engine
        .source_status()
        .unwrap()
        .failures
        > failures));
    assert_eq!(version(&engine), Some(json!(1)));

    server.set(bundle(3, "\"e3\""));
    // The status is updated just after the bundle is activated: wait for both.
    assert!(eventually(WAIT, || version(&engine) == Some(json!(3))
        && engine.source_status().unwrap().state == "ok"));
    let status = engine.source_status().unwrap();
    assert_eq!(
        (status.state.as_str(), status.consecutive_failures),
        ("ok", 0)
    );
    assert!(engine
        .metrics_prometheus()
        .contains("coresdk_policy_source_up{kind=\"http\""));
}

#[test]
fn an_unreachable_server_from_the_start_leaves_the_engine_empty_and_failing() {
    // Bind then drop a listener: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let engine = Arc::new(PolicyEngine::default());
    let _poller = BundlePoller::start(
        engine.clone(),
        fast(&format!("http://127.0.0.1:{port}/b.tar.gz")),
    )
    .unwrap();
    assert!(eventually(WAIT, || engine
        .source_status()
        .is_some_and(|s| s.state == "failing")));
    assert_eq!(engine.revision(), 0);
    let err = engine.evaluate("data.app.version", b"{}").unwrap_err();
    assert_eq!(err.code(), ErrorCode::PolicyNotFound);
}

#[test]
fn failures_back_off_up_to_the_max_delay() {
    let server = BundleServer::start(Reply::Status(500));
    let engine = Arc::new(PolicyEngine::default());
    let options = PollerOptions {
        min_delay: Duration::from_millis(25),
        max_delay: Duration::from_millis(200),
        ..fast(&server.url)
    };
    let mut poller = BundlePoller::start(engine.clone(), options).unwrap();
    std::thread::sleep(Duration::from_millis(800));
    poller.stop_and_wait();
    // Without backoff, 25 ms apart: ~32 polls. With it (25, 50, 100, 200, 200, ...): at
    // most 1 + 7 in 800 ms. A slow machine only makes fewer.
    let polls = server.seen().len();
    assert!((2..=9).contains(&polls), "{polls} polls");
    assert_eq!(engine.source_status().unwrap().state, "stopped");
}

#[test]
fn stop_ends_polling() {
    let server = BundleServer::start(bundle(1, "\"e1\""));
    let engine = Arc::new(PolicyEngine::default());
    let mut poller = BundlePoller::start(engine.clone(), fast(&server.url)).unwrap();
    assert!(eventually(WAIT, || version(&engine) == Some(json!(1))));
    poller.stop_and_wait();
    let after_stop = server.seen().len();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.seen().len(), after_stop);
}

#[test]
fn sends_configured_headers() {
    let server = BundleServer::start(bundle(1, "\"e1\""));
    let engine = Arc::new(PolicyEngine::default());
    let options = PollerOptions {
        headers: vec![("Authorization".into(), "Bearer s3cret".into())],
        ..fast(&server.url)
    };
    let _poller = BundlePoller::start(engine.clone(), options).unwrap();
    assert!(eventually(WAIT, || !server.seen().is_empty()));
    assert_eq!(
        server.seen()[0].authorization.as_deref(),
        Some("Bearer s3cret")
    );
}

#[test]
fn bad_bundles_are_rejected_and_counted() {
    let server = BundleServer::start(Reply::Bundle {
        body: b"not a tarball".to_vec(),
        etag: "\"bad\"".into(),
    });
    let engine = Arc::new(PolicyEngine::default());
    let _poller = BundlePoller::start(engine.clone(), fast(&server.url)).unwrap();
    assert!(eventually(WAIT, || engine
        .source_status()
        .is_some_and(|s| s.failures >= 1)));
    let status = engine.source_status().unwrap();
    assert_eq!(
        status.last_error.map(|e| e.0),
        Some(ErrorCode::BundleInvalid)
    );
    // A rejected bundle's ETag is never sent back: the next poll asks afresh.
    assert!(server.seen().iter().all(|s| s.if_none_match.is_none()));
    assert_eq!(engine.revision(), 0);
    assert!(engine.metrics()["reloads"]["failure"].as_u64().unwrap() >= 1);
}

#[test]
fn unsigned_bundle_is_rejected_when_a_key_is_configured() {
    let server = BundleServer::start(bundle(1, "\"e1\""));
    let engine = Arc::new(PolicyEngine::default());
    let options = PollerOptions {
        verification: Some(Verification {
            key: VerificationKey::Hmac(b"coresdk-test-secret".to_vec()),
            algorithm: "HS256".into(),
            key_id: None,
            scope: None,
        }),
        ..fast(&server.url)
    };
    let _poller = BundlePoller::start(engine.clone(), options).unwrap();
    assert!(eventually(WAIT, || engine
        .source_status()
        .is_some_and(|s| s.failures >= 1)));
    let status = engine.source_status().unwrap();
    assert_eq!(status.last_error.map(|e| e.0), Some(ErrorCode::Integrity));
    assert_eq!(engine.revision(), 0);
}

#[test]
fn invalid_options_are_invalid_argument() {
    let engine = Arc::new(PolicyEngine::default());
    for options in [
        PollerOptions::new("ftp://example.com/b.tar.gz"),
        PollerOptions::new("not a url"),
        PollerOptions {
            min_delay: Duration::from_secs(5),
            max_delay: Duration::from_secs(1),
            ..PollerOptions::new("http://127.0.0.1:1/b")
        },
        PollerOptions {
            min_delay: Duration::ZERO,
            ..PollerOptions::new("http://127.0.0.1:1/b")
        },
    ] {
        let err = BundlePoller::start(engine.clone(), options).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
    }
    assert!(engine.source_status().is_none());
}

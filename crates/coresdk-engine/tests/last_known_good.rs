//! The last-known-good cache: integrity (every byte flipped, truncation, another key),
//! atomic replacement, and the poller serving it when the server is down at start.

mod support;

use coresdk_engine::{BundlePoller, ErrorCode, PolicyEngine, PollerOptions};
use coresdk_engine::{CachedBundle, LastKnownGood};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use support::{eventually, versioned_bundle, BundleServer, Reply};

const WAIT: Duration = Duration::from_secs(10);

fn cache(name: &str, key: &[u8]) -> LastKnownGood {
    let dir = std::env::temp_dir().join(format!("coresdk-lkg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    LastKnownGood::new(dir.join("bundle.lkg"), key).unwrap()
}

fn entry(version: u32) -> CachedBundle {
    CachedBundle {
        bundle: versioned_bundle(version),
        etag: Some(format!("\"e{version}\"")),
        revision: format!("v{version}"),
    }
}

#[test]
fn round_trips_and_replaces_atomically() {
    let lkg = cache("roundtrip", b"k");
    assert_eq!(lkg.load().unwrap(), None);
    lkg.store(&entry(1)).unwrap();
    assert_eq!(lkg.load().unwrap(), Some(entry(1)));
    lkg.store(&entry(2)).unwrap();
    assert_eq!(lkg.load().unwrap(), Some(entry(2)));
    // A crash mid-write leaves a stray temporary file, never a half-written cache.
    let dir = lkg.path().parent().unwrap().to_path_buf();
    std::fs::write(dir.join(".bundle.lkg.tmp-1"), b"half a write").unwrap();
    assert_eq!(lkg.load().unwrap(), Some(entry(2)));
    let names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(names.len(), 2);
}

#[test]
fn any_flipped_byte_truncation_or_other_key_is_integrity() {
    let lkg = cache("flips", b"key-one");
    lkg.store(&entry(1)).unwrap();
    let good = std::fs::read(lkg.path()).unwrap();
    for at in 0..good.len() {
        let mut bad = good.clone();
        bad[at] ^= 0x01;
        std::fs::write(lkg.path(), &bad).unwrap();
        let err = lkg.load().unwrap_err();
        assert_eq!(err.code(), ErrorCode::Integrity, "byte {at}");
    }
    for cut in [1, good.len() / 2, good.len() - 1] {
        std::fs::write(lkg.path(), &good[..cut]).unwrap();
        assert_eq!(
            lkg.load().unwrap_err().code(),
            ErrorCode::Integrity,
            "cut at {cut}"
        );
    }
    // A cache written with another key (a file swapped in from elsewhere).
    let other = cache("flips-other", b"key-two");
    other.store(&entry(9)).unwrap();
    std::fs::copy(other.path(), lkg.path()).unwrap();
    assert_eq!(lkg.load().unwrap_err().code(), ErrorCode::Integrity);
}

fn down_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}/bundles/app.tar.gz")
}

fn options(url: &str, lkg: &LastKnownGood) -> PollerOptions {
    PollerOptions {
        min_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(40),
        timeout: Duration::from_secs(2),
        last_known_good: Some(lkg.clone()),
        ..PollerOptions::new(url)
    }
}

fn version(engine: &PolicyEngine) -> Option<serde_json::Value> {
    engine.evaluate("data.app.version", b"{}").ok()?.result
}

#[test]
fn the_poller_persists_and_restores_when_the_server_is_down_at_start() {
    let lkg = cache("poller", b"poller-key");
    {
        let server = BundleServer::start(Reply::Bundle {
            body: versioned_bundle(4),
            etag: "\"e4\"".into(),
        });
        let engine = Arc::new(PolicyEngine::default());
        let mut poller = BundlePoller::start(engine.clone(), options(&server.url, &lkg)).unwrap();
        assert!(eventually(WAIT, || engine
            .source_status()
            .and_then(|s| s.last_known_good)
            .as_deref()
            == Some("stored")));
        poller.stop_and_wait();
    }
    assert_eq!(lkg.load().unwrap().map(|e| e.revision), Some("v4".into()));

    // Restart with the server gone: the persisted bundle serves.
    let engine = Arc::new(PolicyEngine::default());
    let mut poller = BundlePoller::start(engine.clone(), options(&down_url(), &lkg)).unwrap();
    assert!(eventually(WAIT, || version(&engine) == Some(json!(4))));
    let status = engine.source_status().unwrap();
    assert_eq!(
        (status.state.as_str(), status.last_known_good.as_deref()),
        ("failing", Some("restored"))
    );
    assert_eq!(engine.bundle_revision().as_deref(), Some("v4"));
    assert!(engine
        .metrics_prometheus()
        .contains("coresdk_policy_source_last_known_good_serving{"));
    poller.stop_and_wait();

    // Tampered: rejected whole, nothing served, INTEGRITY visible.
    let mut bytes = std::fs::read(lkg.path()).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(lkg.path(), &bytes).unwrap();
    let engine = Arc::new(PolicyEngine::default());
    let mut poller = BundlePoller::start(engine.clone(), options(&down_url(), &lkg)).unwrap();
    assert!(eventually(WAIT, || engine
        .source_status()
        .and_then(|s| s.last_known_good)
        .as_deref()
        == Some("rejected")));
    assert_eq!(engine.revision(), 0);
    let status = engine.source_status().unwrap();
    assert!(status.last_error.is_some());
    assert!(engine.metrics()["source"]["failures"].as_u64().unwrap() >= 1);
    poller.stop_and_wait();
}

#[test]
fn restoring_can_be_turned_off() {
    let lkg = cache("off", b"k");
    lkg.store(&entry(5)).unwrap();
    let engine = Arc::new(PolicyEngine::default());
    let options = PollerOptions {
        restore_last_known_good: false,
        ..options(&down_url(), &lkg)
    };
    let mut poller = BundlePoller::start(engine.clone(), options).unwrap();
    assert!(eventually(WAIT, || engine
        .source_status()
        .is_some_and(|s| s.failures >= 2)));
    assert_eq!(engine.revision(), 0);
    assert_eq!(engine.source_status().unwrap().last_known_good, None);
    poller.stop_and_wait();
}

#[test]
fn a_304_after_restoring_confirms_the_cached_bundle() {
    let lkg = cache("confirm", b"k");
    lkg.store(&entry(6)).unwrap();
    // The server is down for the first poll, then answers 304 for the cached ETag.
    let server = BundleServer::start(Reply::Status(503));
    let engine = Arc::new(PolicyEngine::default());
    let mut poller = BundlePoller::start(engine.clone(), options(&server.url, &lkg)).unwrap();
    assert!(eventually(WAIT, || version(&engine) == Some(json!(6))));
    server.set(Reply::Bundle {
        body: versioned_bundle(6),
        etag: "\"e6\"".into(),
    });
    assert!(eventually(WAIT, || engine
        .source_status()
        .is_some_and(|s| s.not_modified >= 1)));
    let status = engine.source_status().unwrap();
    assert_eq!(
        (status.state.as_str(), status.last_known_good.as_deref()),
        ("ok", Some("stored"))
    );
    assert!(server
        .seen()
        .iter()
        .any(|s| s.if_none_match.as_deref() == Some("\"e6\"")));
    poller.stop_and_wait();
}

//! Watching a bundle directory: reloads on change, keeps the last good revision on a
//! broken change, stops on drop.

mod support;

use coresdk_engine::{DirectoryWatch, ErrorCode, PolicyEngine};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use support::eventually;

const WAIT: Duration = Duration::from_secs(10);
const DEBOUNCE: Duration = Duration::from_millis(50);

fn bundle_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("coresdk-watch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("app")).unwrap();
    std::fs::write(
        dir.join("app/policy.rego"),
        "package app\nversion := 1\nadmin := data.app.owner\n",
    )
    .unwrap();
    std::fs::write(dir.join("app/data.json"), r#"{"owner":"alice"}"#).unwrap();
    dir
}

fn version(engine: &PolicyEngine) -> Option<serde_json::Value> {
    engine.evaluate("data.app.version", b"{}").ok()?.result
}

#[test]
fn reloads_when_a_file_changes() {
    let dir = bundle_dir("reload");
    let engine = Arc::new(PolicyEngine::default());
    let _watch = DirectoryWatch::start(engine.clone(), &dir, DEBOUNCE, None).unwrap();
    assert_eq!(version(&engine), Some(json!(1)));
    assert_eq!(
        engine.evaluate("data.app.admin", b"{}").unwrap().result,
        Some(json!("alice"))
    );

    std::fs::write(
        dir.join("app/policy.rego"),
        "package app\nversion := 2\nadmin := data.app.owner\n",
    )
    .unwrap();
    assert!(eventually(WAIT, || version(&engine) == Some(json!(2))));
    std::fs::write(dir.join("app/data.json"), r#"{"owner":"bob"}"#).unwrap();
    assert!(eventually(WAIT, || engine
        .evaluate("data.app.admin", b"{}")
        .is_ok_and(|d| d.result == Some(json!("bob")))));
    let status = engine.source_status().unwrap();
    assert_eq!(
        (status.kind.as_str(), status.state.as_str()),
        ("directory", "ok")
    );
    assert!(status.updates >= 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_change_keeps_the_last_good_revision_until_fixed() {
    let dir = bundle_dir("broken");
    let engine = Arc::new(PolicyEngine::default());
    let _watch = DirectoryWatch::start(engine.clone(), &dir, DEBOUNCE, None).unwrap();
    let good = engine.revision();

    std::fs::write(dir.join("app/policy.rego"), "package app\nversion := \n").unwrap();
    // A reload may read the file while it is being written (empty: BUNDLE_INVALID); the
    // last one reads the whole text.
    assert!(eventually(WAIT, || engine.source_status().is_some_and(
        |s| s.last_error.is_some_and(|e| e.0 == ErrorCode::PolicyParse)
    )));
    assert_eq!(engine.source_status().unwrap().state, "failing");
    assert_eq!(engine.revision(), good);
    assert_eq!(version(&engine), Some(json!(1)));

    std::fs::write(dir.join("app/policy.rego"), "package app\nversion := 3\n").unwrap();
    assert!(eventually(WAIT, || version(&engine) == Some(json!(3))));
    assert_eq!(engine.source_status().unwrap().state, "ok");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stops_watching_when_dropped() {
    let dir = bundle_dir("drop");
    let engine = Arc::new(PolicyEngine::default());
    let watch = DirectoryWatch::start(engine.clone(), &dir, DEBOUNCE, None).unwrap();
    drop(watch);
    assert_eq!(engine.source_status().unwrap().state, "stopped");
    std::fs::write(dir.join("app/policy.rego"), "package app\nversion := 9\n").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(version(&engine), Some(json!(1)));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_start_is_an_error_and_changes_nothing() {
    let engine = Arc::new(PolicyEngine::default());
    let missing = std::env::temp_dir().join("coresdk-watch-does-not-exist");
    let err = DirectoryWatch::start(engine.clone(), &missing, DEBOUNCE, None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArgument);

    let dir = bundle_dir("badstart");
    std::fs::write(dir.join("app/policy.rego"), "package app\nversion := \n").unwrap();
    let err = DirectoryWatch::start(engine.clone(), &dir, DEBOUNCE, None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PolicyParse);
    assert_eq!(engine.revision(), 0);
    assert!(engine.source_status().is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn nothing_reloads_after_stop() {
    let dir = bundle_dir("stop");
    let engine = Arc::new(PolicyEngine::default());
    let mut watch = DirectoryWatch::start(engine.clone(), &dir, DEBOUNCE, None).unwrap();
    std::fs::write(dir.join("app/policy.rego"), "package app\nversion := 2\n").unwrap();
    watch.stop();
    let revision = engine.revision();
    std::thread::sleep(DEBOUNCE * 4);
    assert_eq!(engine.revision(), revision, "a reload ran after stop()");
    assert_eq!(engine.source_status().unwrap().state, "stopped");
    let _ = std::fs::remove_dir_all(&dir);
}

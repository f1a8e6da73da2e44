//! Bundle service credentials: a bearer token read from a file for every poll, so a
//! rotated token is used from the next poll on (OPA's `bearer.token_path`), against a real
//! HTTP server on loopback; unusable token files are refused.

mod support;

use coresdk_engine::{BundlePoller, ErrorCode, PolicyEngine, PollerOptions};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use support::{eventually, versioned_bundle, BundleServer, Reply};

fn token_file(dir: &Path, name: &str, token: &str, mode: u32) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, token).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("coresdk-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_rotated_token_file_is_used_from_the_next_poll() {
    let dir = scratch("token-rotation");
    let path = token_file(&dir, "token", "first-token\n", 0o600);
    let server = BundleServer::start(Reply::Bundle {
        body: versioned_bundle(1),
        etag: "\"e1\"".into(),
    });
    let engine = Arc::new(PolicyEngine::default());
    let options = PollerOptions {
        min_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(40),
        bearer_token_file: Some(path.clone()),
        ..PollerOptions::new(&server.url)
    };
    let poller = BundlePoller::start(engine.clone(), options).unwrap();
    let saw = |token: &str| {
        let wanted = format!("Bearer {token}");
        server
            .seen()
            .iter()
            .any(|s| s.authorization.as_deref() == Some(wanted.as_str()))
    };
    assert!(eventually(Duration::from_secs(10), || saw("first-token")));
    token_file(&dir, "token.new", "second-token", 0o600);
    std::fs::rename(dir.join("token.new"), &path).unwrap();
    assert!(eventually(Duration::from_secs(10), || saw("second-token")));
    drop(poller);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unusable_token_files_are_refused() {
    let dir = scratch("token-refused");
    let cases = [
        dir.join("missing"),
        token_file(&dir, "open", "t", 0o644),
        token_file(&dir, "empty", "  \n", 0o600),
        token_file(&dir, "two-lines", "a\nb", 0o600),
    ];
    for path in cases {
        let options = PollerOptions {
            bearer_token_file: Some(path.clone()),
            ..PollerOptions::new("http://127.0.0.1:9/b.tar.gz")
        };
        let e = BundlePoller::start(Arc::new(PolicyEngine::default()), options).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyUnavailable, "{}", path.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

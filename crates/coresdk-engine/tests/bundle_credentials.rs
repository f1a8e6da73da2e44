//! Service credentials: a bearer token read from a file for every poll (and upload and
//! report, for the decision-log and status services), so a
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

/// The decision-log and status services take the same token file, read for every upload
/// and report; a token and a file together, or an unusable file, are refused at start.
#[test]
fn decision_log_and_status_services_read_their_token_files_too() {
    use coresdk_engine::decision_log::Sink;
    use coresdk_engine::{DecisionLogOptions, DecisionLogger, StatusOptions, StatusReporter};
    use support::log_service::LogService;

    let dir = scratch("service-tokens");
    let path = token_file(&dir, "token", "first-token\n", 0o600);
    let service = LogService::start();
    let sink = |token: Option<&str>, file: Option<PathBuf>| Sink::Service {
        url: service.url.clone(),
        bearer_token: token.map(str::to_string),
        bearer_token_file: file,
        timeout: Duration::from_secs(5),
    };
    let mut options = DecisionLogOptions::new(sink(None, Some(path.clone())));
    options.min_delay = Duration::from_secs(3600);
    options.max_delay = Duration::from_secs(3600);
    let logger = Arc::new(DecisionLogger::start(options).unwrap());
    let engine = Arc::new(PolicyEngine::default());
    engine.add_module("a.rego", "package a\nx := 1\n").unwrap();
    engine.set_decision_logger(Some(Arc::clone(&logger)));
    let mut status = StatusOptions::new(&service.url);
    status.bearer_token_file = Some(path.clone());
    status.check_interval = Duration::from_millis(20);
    status.interval = Duration::from_millis(50);
    let reporter = StatusReporter::start(Arc::clone(&engine), status).unwrap();

    engine.evaluate("data.a.x", b"{}").unwrap();
    logger.flush().unwrap();
    token_file(&dir, "token.new", "second-token", 0o600);
    std::fs::rename(dir.join("token.new"), &path).unwrap();
    engine.evaluate("data.a.x", b"{}").unwrap();
    logger.flush().unwrap();
    let bearer = |t: &str| Some(format!("Bearer {t}"));
    let logs: Vec<Option<String>> = service
        .uploads()
        .into_iter()
        .filter(|u| u.path == "/logs")
        .map(|u| u.authorization)
        .collect();
    assert_eq!(logs, vec![bearer("first-token"), bearer("second-token")]);
    let sent_second = || {
        service
            .statuses()
            .iter()
            .any(|s| s.authorization == bearer("second-token"))
    };
    assert!(eventually(Duration::from_secs(10), sent_second));
    reporter.stop();

    let both = DecisionLogOptions::new(sink(Some("t"), Some(path.clone())));
    assert_eq!(
        DecisionLogger::start(both).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
    let open = token_file(&dir, "open", "t", 0o644);
    let refused = DecisionLogOptions::new(sink(None, Some(open.clone())));
    assert_eq!(
        DecisionLogger::start(refused).unwrap_err().code(),
        ErrorCode::KeyUnavailable
    );
    let mut status = StatusOptions::new(&service.url);
    status.bearer_token_file = Some(open);
    assert_eq!(
        StatusReporter::start(Arc::clone(&engine), status)
            .unwrap_err()
            .code(),
        ErrorCode::KeyUnavailable
    );
    let _ = std::fs::remove_dir_all(&dir);
}

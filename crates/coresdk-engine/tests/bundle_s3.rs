//! Bundles from an S3-compatible object store: a real MinIO server on loopback
//! (`tests/s3/setup.sh` builds it from the Go module proxy), which verifies AWS Signature
//! Version 4 on every request. The bundle is published with a signed PUT, polled with
//! signed GETs (given keys and environment keys), replaced (the next poll activates the
//! new revision), and refused when unsigned or signed with a wrong secret.
//!
//! Without a MinIO binary the test is skipped with a note, unless CORESDK_REQUIRE_MINIO
//! is set (scripts/test.sh sets it): then it fails.

mod support;

use coresdk_engine::{AwsSigning, BundlePoller, ErrorCode, PolicyEngine, PollerOptions};
use serde_json::json;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use support::{eventually, versioned_bundle};

const USER: &str = "coresdk-test";
const PASSWORD: &str = "coresdk-test-secret-7f3a";

struct Minio {
    child: Child,
    url: String,
    dir: PathBuf,
}

impl Drop for Minio {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A MinIO server on loopback with an empty data directory, or `None` (skipped) when
/// no binary was built and none is required.
fn minio() -> Option<Minio> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let binary = std::env::var_os("CORESDK_MINIO")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench/bin/minio"));
    if !binary.exists() {
        assert!(
            std::env::var_os("CORESDK_REQUIRE_MINIO").is_none(),
            "CORESDK_REQUIRE_MINIO is set but {} does not exist (bash tests/s3/setup.sh)",
            binary.display()
        );
        eprintln!(
            "skipped: no MinIO at {} (bash tests/s3/setup.sh)",
            binary.display()
        );
        return None;
    }
    let dir = std::env::temp_dir().join(format!("coresdk-minio-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    let (port, console) = (free_port(), free_port());
    let child = Command::new(binary)
        .args(["server", "--quiet", "--address"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--console-address")
        .arg(format!("127.0.0.1:{console}"))
        .arg(&dir)
        .env("MINIO_ROOT_USER", USER)
        .env("MINIO_ROOT_PASSWORD", PASSWORD)
        .env("MINIO_BROWSER", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Minio {
        child,
        url: format!("http://127.0.0.1:{port}"),
        dir,
    };
    let agent = ureq::Agent::new_with_defaults();
    // Ready for writes: the cluster check answers 200 once MinIO has write quorum (its
    // liveness check answers earlier, while writes still get 503).
    let ready = format!("{}/minio/health/cluster", server.url);
    assert!(
        eventually(Duration::from_secs(60), || agent
            .get(&ready)
            .call()
            .is_ok_and(|r| r.status() == 200)),
        "MinIO did not become ready"
    );
    Some(server)
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

fn signing(secret: &str) -> AwsSigning {
    AwsSigning::from_parts(
        Some("us-east-1".into()),
        None,
        Some(USER.into()),
        Some(secret.into()),
        None,
    )
    .unwrap()
}

/// A signed `method` of `url` with `body`; the status.
fn send(method: &str, url: &str, body: &[u8], signing: &AwsSigning) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in signing.sign(method, url, body).unwrap() {
        request = request.header(name, value);
    }
    let response = agent.run(request.body(body.to_vec()).unwrap()).unwrap();
    response.status().as_u16()
}

fn poller(url: &str, signing: Option<AwsSigning>) -> (Arc<PolicyEngine>, BundlePoller) {
    let engine = Arc::new(PolicyEngine::default());
    let mut options = PollerOptions::new(url);
    options.min_delay = Duration::from_millis(50);
    options.max_delay = Duration::from_millis(100);
    options.aws_signing = signing;
    let poller = BundlePoller::start(Arc::clone(&engine), options).unwrap();
    (engine, poller)
}

fn version(engine: &PolicyEngine) -> Option<serde_json::Value> {
    engine
        .evaluate("data.app.version", b"{}")
        .ok()
        .and_then(|d| d.result)
}

#[test]
fn bundles_load_from_minio_only_when_signed_with_the_right_keys() {
    let Some(minio) = minio() else { return };
    let good = signing(PASSWORD);
    let bucket = format!("{}/bundles", minio.url);
    let object = format!("{bucket}/app one.tar.gz").replace(' ', "%20");
    // A store that has just started may still answer 503 for a moment: retry until the
    // bucket exists (409: created by an earlier attempt).
    let created = || matches!(send("PUT", &bucket, b"", &good), 200 | 409);
    assert!(
        eventually(Duration::from_secs(30), created),
        "bucket not created"
    );
    assert_eq!(send("PUT", &object, &versioned_bundle(1), &good), 200);

    // Given keys: the bundle loads, and a replaced object is the next revision.
    let (engine, mut running) = poller(&object, Some(good.clone()));
    assert!(eventually(Duration::from_secs(20), || version(&engine)
        == Some(json!(1))));
    assert_eq!(engine.bundle_revision().as_deref(), Some("v1"));
    assert_eq!(send("PUT", &object, &versioned_bundle(2), &good), 200);
    assert!(eventually(Duration::from_secs(20), || version(&engine)
        == Some(json!(2))));
    running.stop_and_wait();

    // Keys from the environment (OPA's environment_credentials).
    std::env::set_var("AWS_ACCESS_KEY_ID", USER);
    std::env::set_var("AWS_SECRET_ACCESS_KEY", PASSWORD);
    let from_env =
        AwsSigning::from_parts(Some("us-east-1".into()), None, None, None, None).unwrap();
    let (engine, mut running) = poller(&object, Some(from_env));
    assert!(eventually(Duration::from_secs(20), || version(&engine)
        == Some(json!(2))));
    running.stop_and_wait();
    std::env::remove_var("AWS_SECRET_ACCESS_KEY");
    let e = AwsSigning::from_parts(Some("us-east-1".into()), None, None, None, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeyUnavailable);

    // A wrong secret and no signature are refused by MinIO: nothing loads, the source
    // reports the failure.
    for signing in [Some(signing("not-the-secret")), None] {
        let (engine, mut running) = poller(&object, signing);
        let failing = || engine.source_status().is_some_and(|s| s.state == "failing");
        assert!(eventually(Duration::from_secs(20), failing));
        let status = engine.source_status().unwrap();
        let (code, message) = status.last_error.clone().unwrap();
        assert_eq!(code, ErrorCode::SourceUnavailable);
        assert!(message.contains("HTTP 403"), "{status:?}");
        assert_eq!(version(&engine), None);
        running.stop_and_wait();
    }
}

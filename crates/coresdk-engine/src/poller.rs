//! The HTTP bundle poller: OPA's bundle protocol on a background thread.
//!
//! Each poll is a `GET` of the bundle URL carrying `If-None-Match` with the `ETag` of the
//! bundle serving. `200` brings a new bundle, which is parsed, verified (when a key is
//! configured) and activated as one change; `304 Not Modified` changes nothing. After a
//! success the next poll comes a random delay between `min_delay` and `max_delay` later
//! (spreading a fleet's polls, as OPA does); after a failure the delay doubles from
//! `min_delay` up to `max_delay`. While the server is unreachable or serves a bad bundle,
//! the last good revision keeps serving (fail open on partition) and the failure shows in
//! the engine's metrics (`source.state = "failing"`, `coresdk_policy_source_up 0`).

use crate::bundle::{Bundle, Verification};
use crate::clock::{backoff, jittered, now_unix_ms};
use crate::error::{Error, ErrorCode, Result};
use crate::last_known_good::{CachedBundle, LastKnownGood};
use crate::policy::PolicyEngine;
use crate::stop::Stop;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Largest bundle download accepted (the unpacked size is limited by the bundle reader).
pub const MAX_BUNDLE_DOWNLOAD_BYTES: u64 = 256 * 1024 * 1024;

/// Options of a [`BundlePoller`].
#[derive(Debug, Clone)]
pub struct PollerOptions {
    /// The bundle's URL (`http://` or `https://`).
    pub url: String,
    /// Shortest delay between polls. Default 60 s (OPA's default).
    pub min_delay: Duration,
    /// Longest delay between polls, and the cap of the failure backoff. Default 120 s.
    pub max_delay: Duration,
    /// Time limit of one request, connection to last byte. Default 30 s.
    pub timeout: Duration,
    /// Extra request headers, e.g. `("Authorization", "Bearer ...")`.
    pub headers: Vec<(String, String)>,
    /// A file holding a bearer token (OPA's `bearer.token_path`), read for every poll so
    /// a token rotated on disk is used from the next poll on; `chmod 600` it.
    pub bearer_token_file: Option<std::path::PathBuf>,
    /// Sign each request with AWS Signature Version 4 (a bundle in S3 or an S3-compatible
    /// store such as MinIO; OPA's `credentials.s3_signing`).
    pub aws_signing: Option<crate::AwsSigning>,
    /// Verify bundle signatures with this key; unsigned or badly signed bundles are
    /// rejected with `INTEGRITY` and the last good revision keeps serving.
    pub verification: Option<Verification>,
    /// Persist each activated bundle here (HMAC'd, written atomically; last_known_good.rs).
    pub last_known_good: Option<LastKnownGood>,
    /// When the first poll fails and nothing is serving yet, serve the persisted bundle
    /// (fail open on partition). Default true. A persisted bundle whose HMAC does not
    /// verify is never served (fail closed on integrity).
    pub restore_last_known_good: bool,
}

impl PollerOptions {
    /// Options for `url` with the defaults.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            min_delay: Duration::from_secs(60),
            max_delay: Duration::from_secs(120),
            timeout: Duration::from_secs(30),
            headers: Vec::new(),
            bearer_token_file: None,
            aws_signing: None,
            verification: None,
            last_known_good: None,
            restore_last_known_good: true,
        }
    }

    fn validate(&self) -> Result<()> {
        let url = self.url.to_ascii_lowercase();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("bundle url must be http:// or https://: {:?}", self.url),
            ));
        }
        if self.min_delay.is_zero() || self.min_delay > self.max_delay {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "polling delays must satisfy 0 < min_delay <= max_delay",
            ));
        }
        if self.timeout.is_zero() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "request timeout must be positive",
            ));
        }
        if let Some(path) = &self.bearer_token_file {
            if self.aws_signing.is_some() {
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    "a bundle request is signed by a bearer token or by AWS, not both",
                ));
            }
            crate::credentials::bearer_token_from_file(path)?;
        }
        if let Some(signing) = &self.aws_signing {
            signing.sign_get(&self.url)?;
        }
        Ok(())
    }
}

/// What one poll did.
enum Polled {
    Updated,
    NotModified,
}

/// A running poller. Stops (and joins its thread) on [`BundlePoller::stop`] or drop.
pub struct BundlePoller {
    engine: Arc<PolicyEngine>,
    stop: Arc<Stop>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for BundlePoller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BundlePoller")
            .field("status", &self.engine.source_status())
            .finish()
    }
}

impl BundlePoller {
    /// Starts polling for `engine` on a new thread; the first poll starts at once.
    /// Errors: `INVALID_ARGUMENT` for a bad URL or delays, or both a bearer token file
    /// and AWS signing; `KEY_UNAVAILABLE` for a bearer token file that cannot be used or
    /// AWS keys missing from the environment (later failures fail that poll).
    pub fn start(engine: Arc<PolicyEngine>, options: PollerOptions) -> Result<Self> {
        options.validate()?;
        engine.metrics.update_source(|s| {
            *s = crate::metrics::SourceStatus {
                kind: "http".into(),
                location: options.url.clone(),
                state: "starting".into(),
                ..Default::default()
            }
        });
        let stop = Arc::new(Stop::default());
        let thread = {
            let engine = Arc::clone(&engine);
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("coresdk-bundle-poller".into())
                .spawn(move || run(&engine, &options, &stop))
                .map_err(|e| Error::new(ErrorCode::Internal, format!("cannot start poller: {e}")))?
        };
        Ok(Self {
            engine,
            stop,
            thread: Some(thread),
        })
    }

    /// Stops polling and returns at once: no new poll starts and a bundle still
    /// downloading is not activated. The thread ends on its own; see
    /// [`Self::stop_and_wait`] to wait for it.
    pub fn stop(&mut self) {
        if !self.stop.is_stopped() {
            self.stop.stop();
            self.engine
                .metrics
                .update_source(|s| s.state = "stopped".into());
        }
    }

    /// Stops polling and waits for the polling thread to end (at most one request
    /// timeout).
    pub fn stop_and_wait(&mut self) {
        self.stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for BundlePoller {
    /// Stops without waiting: dropping a handle never blocks the host's thread (a Node
    /// test server on the same event loop may be the one answering the poll).
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(engine: &PolicyEngine, options: &PollerOptions, stop: &Stop) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let mut etag: Option<String> = None;
    let mut failures: u32 = 0;
    let mut first = true;
    loop {
        // A panic in a poll must not kill the thread silently: it is a failed poll.
        let outcome = crate::error::catch_panic(|| poll(engine, &agent, options, stop, &mut etag));
        if stop.is_stopped() {
            return;
        }
        let delay = match outcome {
            Ok(polled) => {
                failures = 0;
                record_success(engine, polled, etag.clone());
                jittered(options.min_delay, options.max_delay)
            }
            Err(error) => {
                failures = failures.saturating_add(1);
                record_failure(engine, error);
                if first && engine.revision() == 0 && options.restore_last_known_good {
                    restore(engine, options, &mut etag);
                }
                backoff(options.min_delay, options.max_delay, failures)
            }
        };
        first = false;
        if stop.wait(delay) {
            return;
        }
    }
}

fn poll(
    engine: &PolicyEngine,
    agent: &ureq::Agent,
    options: &PollerOptions,
    stop: &Stop,
    etag: &mut Option<String>,
) -> Result<Polled> {
    let mut request = agent.get(&options.url);
    for (name, value) in &options.headers {
        request = request.header(name, value);
    }
    if let Some(path) = &options.bearer_token_file {
        let token = crate::credentials::bearer_token_from_file(path)?;
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    if let Some(signing) = &options.aws_signing {
        for (name, value) in signing.sign_get(&options.url)? {
            request = request.header(name, value);
        }
    }
    if let Some(tag) = etag.as_deref() {
        request = request.header("If-None-Match", tag);
    }
    let unavailable = |e: ureq::Error| {
        Error::new(
            ErrorCode::SourceUnavailable,
            format!("GET {}: {e}", options.url),
        )
    };
    let mut response = request.call().map_err(unavailable)?;
    let status = response.status().as_u16();
    if status == 304 {
        return Ok(Polled::NotModified);
    }
    if status != 200 {
        return Err(Error::new(
            ErrorCode::SourceUnavailable,
            format!("GET {}: HTTP {status}", options.url),
        ));
    }
    let new_etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BUNDLE_DOWNLOAD_BYTES)
        .read_to_vec()
        .map_err(unavailable)?;
    if stop.is_stopped() {
        return Ok(Polled::NotModified);
    }
    let bundle = Bundle::from_tar_gz(&body, options.verification.as_ref());
    if bundle.is_err() {
        engine.metrics.reload(false);
    }
    let bundle = bundle?;
    engine.load_bundle(&bundle)?;
    if let Some(lkg) = &options.last_known_good {
        let entry = CachedBundle {
            bundle: body,
            etag: new_etag.clone(),
            revision: bundle.manifest.revision.clone(),
        };
        let state = if lkg.store(&entry).is_ok() {
            "stored"
        } else {
            "write_failed"
        };
        engine
            .metrics
            .update_source(|s| s.last_known_good = Some(state.into()));
    }
    // Only a bundle that activated becomes the one we ask the server about.
    *etag = new_etag;
    Ok(Polled::Updated)
}

/// Serves the persisted bundle when the source could not be reached at start. A cache
/// that fails its integrity check (or no longer parses, verifies or compiles) is
/// rejected whole and the failure recorded; the engine then stays as it was.
fn restore(engine: &PolicyEngine, options: &PollerOptions, etag: &mut Option<String>) {
    let Some(lkg) = &options.last_known_good else {
        return;
    };
    let restored = crate::error::catch_panic(|| {
        let Some(entry) = lkg.load()? else {
            return Ok(None);
        };
        let bundle = Bundle::from_tar_gz(&entry.bundle, options.verification.as_ref())?;
        // Shown before the revision is published, so whoever sees the restored revision
        // also sees where it came from (a failed load turns it into "rejected").
        engine
            .metrics
            .update_source(|s| s.last_known_good = Some("restored".into()));
        engine.load_bundle(&bundle)?;
        Ok(Some(entry.etag))
    });
    match restored {
        Ok(None) => {}
        Ok(Some(cached_etag)) => *etag = cached_etag,
        Err(error) => {
            engine
                .metrics
                .update_source(|s| s.last_known_good = Some("rejected".into()));
            record_failure(engine, error);
        }
    }
}

fn record_success(engine: &PolicyEngine, polled: Polled, etag: Option<String>) {
    engine.metrics.update_source(|s| {
        s.state = "ok".into();
        match polled {
            Polled::Updated => s.updates += 1,
            Polled::NotModified => s.not_modified += 1,
        }
        s.consecutive_failures = 0;
        s.last_success_unix_ms = Some(now_unix_ms());
        s.etag = etag;
        // The server answered: a restored bundle is now either confirmed (304) or replaced.
        if s.last_known_good.as_deref() == Some("restored") {
            s.last_known_good = Some("stored".into());
        }
    });
}

pub(crate) fn record_failure(engine: &PolicyEngine, error: Error) {
    engine.metrics.update_source(|s| {
        s.state = "failing".into();
        s.failures += 1;
        s.consecutive_failures += 1;
        s.last_error = Some((error.code(), error.message().to_string()));
    });
}

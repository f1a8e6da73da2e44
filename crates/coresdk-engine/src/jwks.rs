//! A JWKS fetched from a URL and kept fresh in the background.
//!
//! The key set is fetched once when the verifier is made (a failure then is an error),
//! then refreshed every `refresh_interval` on a background thread: verification never
//! waits for the network, and a failed refresh keeps the last good set serving
//! (stale-while-revalidate) and shows in [`crate::TokenVerifier::key_source_status`]. A
//! token naming a `kid` the set does not hold (keys rotated since the last refresh)
//! triggers one immediate refetch, at most once per `min_refetch_interval`, so a flood of
//! tokens with made-up `kid`s cannot turn into a flood of requests.

use crate::clock::now_unix_ms;
use crate::error::{Error, ErrorCode, Result};
use crate::key_set::KeySet;
use crate::metrics::SourceStatus;
use crate::stop::Stop;
use arc_swap::ArcSwap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// Largest JWKS document accepted.
pub const MAX_JWKS_BYTES: u64 = 1024 * 1024;

/// Where and how often to fetch a JWKS.
#[derive(Debug, Clone)]
pub struct JwksOptions {
    /// The JWKS URL (`http://` or `https://`).
    pub url: String,
    /// Time between background refreshes. Default 5 minutes.
    pub refresh_interval: Duration,
    /// Shortest time between two fetches triggered by unknown `kid`s. Default 30 s.
    pub min_refetch_interval: Duration,
    /// Time limit of one request. Default 10 s.
    pub timeout: Duration,
}

impl JwksOptions {
    /// Options for `url` with the defaults.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            refresh_interval: Duration::from_secs(300),
            min_refetch_interval: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }
}

/// The remote key set shared by a verifier and its clones.
pub(crate) struct RemoteJwks {
    options: JwksOptions,
    agent: ureq::Agent,
    current: ArcSwap<KeySet>,
    last_fetch: Mutex<Instant>,
    status: Mutex<SourceStatus>,
    stop: Arc<Stop>,
}

impl Drop for RemoteJwks {
    fn drop(&mut self) {
        self.stop.stop();
    }
}

impl RemoteJwks {
    /// Fetches the set once (errors: `INVALID_ARGUMENT` for a bad URL or options,
    /// `SOURCE_UNAVAILABLE` when it cannot be fetched, `INVALID_JSON` /
    /// `INVALID_ARGUMENT` for a bad document) and starts the refresher.
    pub(crate) fn start(options: JwksOptions) -> Result<Arc<Self>> {
        let url = options.url.to_ascii_lowercase();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("JWKS url must be http:// or https://: {:?}", options.url),
            ));
        }
        if options.refresh_interval.is_zero() || options.timeout.is_zero() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "JWKS refresh interval and timeout must be positive",
            ));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let remote = Arc::new(Self {
            status: Mutex::new(SourceStatus {
                kind: "jwks".into(),
                location: options.url.clone(),
                state: "starting".into(),
                ..SourceStatus::default()
            }),
            options,
            agent,
            current: ArcSwap::from_pointee(KeySet::new()),
            last_fetch: Mutex::new(Instant::now()),
            stop: Arc::new(Stop::default()),
        });
        remote.fetch()?;
        let weak = Arc::downgrade(&remote);
        let stop = Arc::clone(&remote.stop);
        let interval = remote.options.refresh_interval;
        std::thread::Builder::new()
            .name("coresdk-jwks-refresh".into())
            .spawn(move || refresh_loop(&weak, &stop, interval))
            .map_err(|e| {
                Error::new(
                    ErrorCode::Internal,
                    format!("cannot start JWKS refresh: {e}"),
                )
            })?;
        Ok(remote)
    }

    /// The set serving now.
    pub(crate) fn current(&self) -> Arc<KeySet> {
        self.current.load_full()
    }

    /// The source's status (kind `"jwks"`).
    pub(crate) fn status(&self) -> SourceStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// One refetch for a token whose `kid` is unknown, unless one happened within
    /// `min_refetch_interval`. True when a new set was fetched.
    pub(crate) fn refetch_for_unknown_kid(&self) -> bool {
        {
            let mut last = self.last_fetch.lock().unwrap_or_else(|p| p.into_inner());
            if last.elapsed() < self.options.min_refetch_interval {
                return false;
            }
            *last = Instant::now();
        }
        self.fetch().is_ok()
    }

    fn fetch(&self) -> Result<()> {
        *self.last_fetch.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        let outcome = crate::error::catch_panic(|| self.download());
        let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        match outcome {
            Ok(set) => {
                self.current.store(Arc::new(set));
                status.state = "ok".into();
                status.updates += 1;
                status.consecutive_failures = 0;
                status.last_success_unix_ms = Some(now_unix_ms());
                Ok(())
            }
            Err(error) => {
                status.state = "failing".into();
                status.failures += 1;
                status.consecutive_failures += 1;
                status.last_error = Some((error.code(), error.message().to_string()));
                Err(error)
            }
        }
    }

    fn download(&self) -> Result<KeySet> {
        let url = &self.options.url;
        let unavailable =
            |e: ureq::Error| Error::new(ErrorCode::SourceUnavailable, format!("GET {url}: {e}"));
        let mut response = self.agent.get(url).call().map_err(unavailable)?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(Error::new(
                ErrorCode::SourceUnavailable,
                format!("GET {url}: HTTP {status}"),
            ));
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_JWKS_BYTES)
            .read_to_vec()
            .map_err(unavailable)?;
        KeySet::from_jwks_json(&body)
    }
}

fn refresh_loop(remote: &Weak<RemoteJwks>, stop: &Stop, interval: Duration) {
    while !stop.wait(interval) {
        let Some(remote) = remote.upgrade() else {
            return;
        };
        // A failure is recorded in the status; the last good set keeps serving.
        let _ = remote.fetch();
    }
}

//! Status reports in OPA's status API format, for the control planes that already watch
//! OPA agents: `POST <service>/status` with the labels, the active bundle revision, the
//! last successful download and activation, the last error, and the plugin states. Sent
//! when the status changes (checked every `check_interval`) and at least every `interval`.

use crate::error::{Error, ErrorCode, Result};
use crate::metrics::SourceStatus;
use crate::stop::Stop;
use crate::PolicyEngine;
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, UNIX_EPOCH};

/// Options of a [`StatusReporter`].
#[derive(Debug, Clone)]
pub struct StatusOptions {
    /// The status service's base URL (reports go to `<url>/status`).
    pub service_url: String,
    /// A bearer token sent as `Authorization: Bearer <token>`.
    pub bearer_token: Option<String>,
    /// Or a file holding it (`chmod 600`), read for every report (OPA's
    /// `bearer.token_path`).
    pub bearer_token_file: Option<std::path::PathBuf>,
    /// Labels of every report (`id` and `version` are set unless given).
    pub labels: Map<String, Value>,
    /// How often the status is checked for a change. Default 1 s.
    pub check_interval: Duration,
    /// Longest time between two reports, changed or not. Default 60 s.
    pub interval: Duration,
    /// Time limit of one report. Default 10 s.
    pub timeout: Duration,
}

impl StatusOptions {
    /// Options with the defaults, reporting to `service_url`.
    pub fn new(service_url: impl Into<String>) -> Self {
        Self {
            service_url: service_url.into(),
            bearer_token: None,
            bearer_token_file: None,
            labels: Map::new(),
            check_interval: Duration::from_secs(1),
            interval: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Default)]
struct Counters {
    sent: AtomicU64,
    failures: AtomicU64,
}

/// Reports an engine's status on a background thread.
pub struct StatusReporter {
    stop: Arc<Stop>,
    counters: Arc<Counters>,
    last_error: Arc<Mutex<Option<String>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for StatusReporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusReporter").finish_non_exhaustive()
    }
}

impl StatusReporter {
    /// Starts reporting `engine`'s status. Errors: `INVALID_ARGUMENT` for a URL that is
    /// not http(s), a zero interval, or both a bearer token and a token file;
    /// `KEY_UNAVAILABLE` for a token file that cannot be used.
    pub fn start(engine: Arc<PolicyEngine>, options: StatusOptions) -> Result<Self> {
        if !(options.service_url.starts_with("http://")
            || options.service_url.starts_with("https://"))
        {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "status service URL must be http(s), not {:?}",
                    options.service_url
                ),
            ));
        }
        if options.check_interval.is_zero() || options.interval.is_zero() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "status intervals must be above zero",
            ));
        }
        crate::credentials::bearer_authorization(
            options.bearer_token.as_deref(),
            options.bearer_token_file.as_ref(),
        )?;
        let mut labels = Map::new();
        labels.insert("id".into(), uuid::Uuid::now_v7().to_string().into());
        labels.insert("version".into(), crate::VERSION.into());
        labels.extend(options.labels.clone());
        let stop = Arc::new(Stop::default());
        let counters = Arc::new(Counters::default());
        let last_error = Arc::new(Mutex::new(None));
        let (s, c, e) = (
            Arc::clone(&stop),
            Arc::clone(&counters),
            Arc::clone(&last_error),
        );
        let thread = std::thread::Builder::new()
            .name("coresdk-status".into())
            .spawn(move || run(&engine, &options, &labels, &s, &c, &e))
            .map_err(|e| Error::new(ErrorCode::Internal, format!("status thread: {e}")))?;
        Ok(Self {
            stop,
            counters,
            last_error,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Stops reporting and waits for the thread (at most one report's timeout).
    pub fn stop(&self) {
        self.stop.stop();
        let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }

    /// `sent`, `failures` and `last_error`.
    pub fn metrics(&self) -> Value {
        json!({
            "sent": self.counters.sent.load(Ordering::Relaxed),
            "failures": self.counters.failures.load(Ordering::Relaxed),
            "last_error": *self.last_error.lock().unwrap_or_else(|p| p.into_inner()),
        })
    }
}

impl Drop for StatusReporter {
    fn drop(&mut self) {
        self.stop.stop();
    }
}

fn run(
    engine: &PolicyEngine,
    options: &StatusOptions,
    labels: &Map<String, Value>,
    stop: &Stop,
    counters: &Counters,
    last_error: &Mutex<Option<String>>,
) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let mut reported: Option<Value> = None;
    let mut last_sent = Instant::now();
    loop {
        let now = report(engine, labels);
        if reported.as_ref() != Some(&now) || last_sent.elapsed() >= options.interval {
            match crate::error::catch_panic(|| send(&agent, options, &now)) {
                Ok(()) => {
                    counters.sent.fetch_add(1, Ordering::Relaxed);
                    reported = Some(now);
                    last_sent = Instant::now();
                }
                Err(e) => {
                    counters.failures.fetch_add(1, Ordering::Relaxed);
                    *last_error.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some(e.message().to_string());
                }
            }
        }
        if stop.wait(options.check_interval) {
            return;
        }
    }
}

/// The status document (OPA's status API): labels, bundles, plugins.
pub(crate) fn report(engine: &PolicyEngine, labels: &Map<String, Value>) -> Value {
    let source = engine.source_status();
    let mut bundle = Map::new();
    bundle.insert("name".into(), "bundle".into());
    if let Some(revision) = engine.bundle_revision() {
        bundle.insert("active_revision".into(), revision.into());
    }
    if let Some(s) = &source {
        if let Some(ms) = s.last_success_unix_ms {
            let at = rfc3339_ms(ms);
            bundle.insert("last_successful_download".into(), at.clone().into());
            bundle.insert("last_successful_activation".into(), at.into());
        }
        if let (Some((code, message)), "failing") = (&s.last_error, s.state.as_str()) {
            bundle.insert("code".into(), "bundle_error".into());
            bundle.insert("message".into(), message.clone().into());
            bundle.insert(
                "errors".into(),
                json!([{ "code": code.as_str(), "message": message }]),
            );
        }
    }
    json!({
        "labels": labels,
        "bundles": { "bundle": bundle },
        "plugins": { "bundle": { "state": plugin_state(source.as_ref(), engine.revision()) } },
        "revision": engine.revision(),
    })
}

/// OPA's plugin states: `OK`, `NOT_READY` (nothing activated yet), `ERROR`.
fn plugin_state(source: Option<&SourceStatus>, revision: u64) -> &'static str {
    match source.map(|s| s.state.as_str()) {
        Some("failing") if revision == 0 => "ERROR",
        Some("failing") => "OK",
        Some("starting") => "NOT_READY",
        _ if revision == 0 => "NOT_READY",
        _ => "OK",
    }
}

fn rfc3339_ms(ms: u64) -> String {
    let at = UNIX_EPOCH + Duration::from_millis(ms);
    time::OffsetDateTime::from(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn send(agent: &ureq::Agent, options: &StatusOptions, report: &Value) -> Result<()> {
    let target = format!("{}/status", options.service_url.trim_end_matches('/'));
    let failed = |why: String| {
        Error::new(
            ErrorCode::SourceUnavailable,
            format!("POST {target}: {why}"),
        )
    };
    let mut request = agent
        .post(&target)
        .header("Content-Type", "application/json");
    let bearer = crate::credentials::bearer_authorization(
        options.bearer_token.as_deref(),
        options.bearer_token_file.as_ref(),
    )?;
    if let Some(value) = bearer {
        request = request.header("Authorization", &value);
    }
    let body = report.to_string();
    let response = request
        .send(body.as_bytes())
        .map_err(|e| failed(e.to_string()))?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(failed(format!("status {status}")))
    }
}

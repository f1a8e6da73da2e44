//! Shadow mode: sampled decisions are also asked of an OPA server, off the hot path, and
//! the answers compared. A team replacing an OPA sidecar runs both on live traffic and
//! watches the counts: CoreSDK's answer is never delayed or changed by the comparison.
//!
//! The evaluating thread only samples and pushes (path, input, result) into a bounded
//! queue (full: dropped and counted). The shadow's thread POSTs each to OPA's Data API
//! (`POST <url>/v1/data/<path>` with `{"input": ...}`) and compares the `result`s; a
//! disagreement is kept (the last 100) with both answers and the input, masked.

mod compare;

use crate::error::{Error, ErrorCode, Result};
use crate::mask::{MaskOptions, Masker};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How many disagreements are kept for [`Shadow::metrics`].
pub const KEPT_DISAGREEMENTS: usize = 100;

/// Options of a [`Shadow`].
#[derive(Debug, Clone)]
pub struct ShadowOptions {
    /// The OPA server's base URL (`http://127.0.0.1:8181`).
    pub opa_url: String,
    /// The share of decisions compared, 0 to 1. Default 1 (all).
    pub sample_rate: f64,
    /// Most decisions waiting for comparison; past it new ones are dropped and counted.
    /// Default 1,000.
    pub queue_size: usize,
    /// Time limit of one request to OPA. Default 5 s.
    pub timeout: Duration,
}

impl ShadowOptions {
    /// Options with the defaults, comparing with the OPA server at `opa_url`.
    pub fn new(opa_url: impl Into<String>) -> Self {
        Self {
            opa_url: opa_url.into(),
            sample_rate: 1.0,
            queue_size: 1_000,
            timeout: Duration::from_secs(5),
        }
    }
}

/// A decision waiting to be compared.
pub(crate) struct Job {
    pub path: String,
    pub input: Vec<u8>,
    pub result: Option<Value>,
    pub decision_id: String,
}

#[derive(Default)]
struct Counters {
    sampled: AtomicU64,
    agreed: AtomicU64,
    disagreed: AtomicU64,
    opa_errors: AtomicU64,
    dropped: AtomicU64,
}

struct Shared {
    options: ShadowOptions,
    queue: Mutex<VecDeque<Job>>,
    /// Signals new work (to the thread) and an empty queue (to `wait_idle`).
    changed: Condvar,
    busy: AtomicBool,
    stopped: AtomicBool,
    counters: Counters,
    disagreements: Mutex<VecDeque<Value>>,
    last_error: Mutex<Option<String>>,
    masker: Masker,
}

/// Compares sampled decisions with an OPA server on a background thread. `Send + Sync`.
pub struct Shadow {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Shadow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shadow")
            .field("opa_url", &self.shared.options.opa_url)
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shadow {
    /// Starts comparing. Errors: `INVALID_ARGUMENT` for a URL that is not http(s), a
    /// sample rate outside 0 to 1, or an empty queue.
    pub fn start(options: ShadowOptions) -> Result<Self> {
        let invalid = |why: String| Err(Error::new(ErrorCode::InvalidArgument, why));
        if !(options.opa_url.starts_with("http://") || options.opa_url.starts_with("https://")) {
            return invalid(format!(
                "OPA URL must be http(s), not {:?}",
                options.opa_url
            ));
        }
        if !(0.0..=1.0).contains(&options.sample_rate) {
            return invalid(format!(
                "sample rate must be between 0 and 1, not {}",
                options.sample_rate
            ));
        }
        if options.queue_size == 0 {
            return invalid("queue size must be at least 1".into());
        }
        let shared = Arc::new(Shared {
            options,
            queue: Mutex::new(VecDeque::new()),
            changed: Condvar::new(),
            busy: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
            counters: Counters::default(),
            disagreements: Mutex::new(VecDeque::new()),
            last_error: Mutex::new(None),
            masker: Masker::new(MaskOptions::default())?,
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("coresdk-shadow".into())
            .spawn(move || run(&worker))
            .map_err(|e| Error::new(ErrorCode::Internal, format!("shadow thread: {e}")))?;
        Ok(Self {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Offers a decision for comparison: sampled, then queued or dropped (never blocks).
    pub(crate) fn offer(&self, job: impl FnOnce() -> Job) {
        let shared = &self.shared;
        if shared.stopped.load(Ordering::Relaxed) || !sampled(shared.options.sample_rate) {
            return;
        }
        shared.counters.sampled.fetch_add(1, Ordering::Relaxed);
        let mut queue = lock(&shared.queue);
        if queue.len() >= shared.options.queue_size {
            shared.counters.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        queue.push_back(job());
        shared.changed.notify_all();
    }

    /// Waits until every queued decision has been compared, up to `timeout`; true when
    /// the queue is empty and nothing is in flight.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut queue = lock(&self.shared.queue);
        loop {
            if queue.is_empty() && !self.shared.busy.load(Ordering::SeqCst) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            let step = left.min(Duration::from_millis(20));
            queue = self
                .shared
                .changed
                .wait_timeout(queue, step)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Stops the thread; queued decisions are not compared. Idempotent.
    pub fn stop(&self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        self.shared.changed.notify_all();
        if let Some(thread) = lock(&self.thread).take() {
            let _ = thread.join();
        }
    }

    /// `sampled`, `agreed`, `disagreed`, `opa_errors`, `dropped`, `queued`, `last_error`,
    /// and `disagreements`: the last 100, each `{decision_id, path, input, coresdk, opa}`
    /// masked (`coresdk` / `opa` are `{"result": ...}` or `{}` when undefined).
    pub fn metrics(&self) -> Value {
        let c = &self.shared.counters;
        json!({
            "sampled": c.sampled.load(Ordering::Relaxed),
            "agreed": c.agreed.load(Ordering::Relaxed),
            "disagreed": c.disagreed.load(Ordering::Relaxed),
            "opa_errors": c.opa_errors.load(Ordering::Relaxed),
            "dropped": c.dropped.load(Ordering::Relaxed),
            "queued": lock(&self.shared.queue).len(),
            "last_error": *lock(&self.shared.last_error),
            "disagreements": Vec::from(lock(&self.shared.disagreements).clone()),
        })
    }
}

impl Drop for Shadow {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        self.shared.changed.notify_all();
    }
}

/// True for a share `rate` of calls (RandomState is seeded from the OS per instance).
fn sampled(rate: f64) -> bool {
    if rate >= 1.0 {
        return true;
    }
    if rate <= 0.0 {
        return false;
    }
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0);
    (hasher.finish() as f64 / u64::MAX as f64) < rate
}

fn run(shared: &Shared) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(shared.options.timeout))
        .http_status_as_error(false)
        .build()
        .into();
    loop {
        let job = {
            let mut queue = lock(&shared.queue);
            loop {
                if shared.stopped.load(Ordering::SeqCst) {
                    return;
                }
                if let Some(job) = queue.pop_front() {
                    shared.busy.store(true, Ordering::SeqCst);
                    break job;
                }
                queue = shared
                    .changed
                    .wait(queue)
                    .unwrap_or_else(|p| p.into_inner());
            }
        };
        // A panic while comparing is a failed comparison, not a dead thread.
        let outcome =
            crate::error::catch_panic(|| compare::ask_opa(&agent, &shared.options.opa_url, &job));
        record(shared, job, outcome);
        let _queue = lock(&shared.queue);
        shared.busy.store(false, Ordering::SeqCst);
        shared.changed.notify_all();
    }
}

fn record(shared: &Shared, job: Job, opa: Result<Option<Value>>) {
    let c = &shared.counters;
    match opa {
        Err(e) => {
            c.opa_errors.fetch_add(1, Ordering::Relaxed);
            *lock(&shared.last_error) = Some(e.message().to_string());
        }
        Ok(opa) if compare::same(job.result.as_ref(), opa.as_ref()) => {
            c.agreed.fetch_add(1, Ordering::Relaxed);
        }
        Ok(opa) => {
            c.disagreed.fetch_add(1, Ordering::Relaxed);
            let answer = |v: Option<Value>| v.map_or_else(|| json!({}), |r| json!({ "result": r }));
            let input = crate::json::parse(&job.input).unwrap_or(Value::Null);
            let record = json!({
                "decision_id": job.decision_id,
                "path": job.path,
                "input": input,
                "coresdk": answer(job.result),
                "opa": answer(opa),
            });
            let masked = shared.masker.mask_value(&record).unwrap_or_else(
                |_| json!({ "decision_id": record["decision_id"], "path": record["path"] }),
            );
            let mut kept = lock(&shared.disagreements);
            if kept.len() >= KEPT_DISAGREEMENTS {
                kept.pop_front();
            }
            kept.push_back(masked);
        }
    }
}

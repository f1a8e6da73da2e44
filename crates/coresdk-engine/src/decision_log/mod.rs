//! Decision logs in OPA's event format, sent off the hot path.
//!
//! An engine with a logger ([`crate::PolicyEngine::set_decision_logger`]) records each
//! decision (rule, query, authorized request; errors too) into a bounded buffer: a copy of
//! the input bytes and the result, nothing more on the evaluating thread. The logger's
//! thread turns them into OPA events (masked by the core masker, `erased` / `masked`
//! saying what was removed) and sends them to the sink every `min_delay`, backing off up
//! to `max_delay` while the sink fails. When the buffer is full the oldest events are
//! dropped and counted. [`DecisionLogger::close`] sends what is left.

mod event;
mod handler;
mod trace;
mod upload;

use crate::error::{Error, ErrorCode, Result};
use crate::mask::{MaskOptions, Masker};
use crate::stop::Stop;
use event::Shape;
pub(crate) use event::{Origin, Pending, Target};
pub use handler::EventHandler;
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
pub use trace::TraceContext;
use upload::Outbox;
pub use upload::Sink;

/// Options of a [`DecisionLogger`]; the defaults are OPA's where OPA has one.
#[derive(Debug, Clone)]
pub struct DecisionLogOptions {
    /// Where events go.
    pub sink: Sink,
    /// Labels added to every event (OPA's `labels`); `id` (this logger's instance id) and
    /// `version` (CoreSDK's) are set unless given here.
    pub labels: Map<String, Value>,
    /// JSON pointers removed from each event before it leaves (e.g. `/input/password`),
    /// listed in its `erased`.
    pub erase: Vec<String>,
    /// The masking applied to `input`, `result` and error messages (default: every
    /// built-in detector, redacted).
    pub mask: MaskOptions,
    /// Shortest delay between uploads. Default 5 s.
    pub min_delay: Duration,
    /// Longest delay between uploads while the sink fails (the backoff cap). Default 60 s.
    pub max_delay: Duration,
    /// Most bytes of JSON in one upload (OPA's `upload_size_limit_bytes`). Default 32 KiB.
    pub upload_size_limit: usize,
    /// Most events waiting, recorded or built and not yet delivered (OPA's event buffer);
    /// past it the oldest not already being sent are dropped. Default 10,000.
    pub buffer_size: usize,
}

impl DecisionLogOptions {
    /// Options with the defaults, sending to `sink`.
    pub fn new(sink: Sink) -> Self {
        Self {
            sink,
            labels: Map::new(),
            erase: Vec::new(),
            mask: MaskOptions::default(),
            min_delay: Duration::from_secs(5),
            max_delay: Duration::from_secs(60),
            upload_size_limit: 32 * 1024,
            buffer_size: 10_000,
        }
    }
}

/// The options as the bindings pass them: each absent field takes its default.
#[derive(Debug, Clone, Default)]
pub struct DecisionLogParts {
    /// An OPA-compatible decision-log service's base URL (events go to `<url>/logs`).
    pub service_url: Option<String>,
    /// A bearer token for the service.
    pub bearer_token: Option<String>,
    /// Or a file holding it (`chmod 600`), read for every upload.
    pub bearer_token_file: Option<String>,
    /// A JSON Lines file instead of a service (`-`: standard output).
    pub file: Option<String>,
    /// A function of the host's instead of a service or a file.
    pub handler: Option<EventHandler>,
    /// Labels as a JSON object of strings.
    pub labels_json: Option<String>,
    /// JSON pointers to erase.
    pub erase: Vec<String>,
    /// See [`DecisionLogOptions::min_delay`], in ms.
    pub min_delay_ms: Option<u64>,
    /// See [`DecisionLogOptions::max_delay`], in ms.
    pub max_delay_ms: Option<u64>,
    /// See [`DecisionLogOptions::upload_size_limit`].
    pub upload_size_limit_bytes: Option<u64>,
    /// See [`DecisionLogOptions::buffer_size`].
    pub buffer_size: Option<u64>,
    /// Time limit of one upload, or of one call of the handler, in ms (default 10 s).
    pub timeout_ms: Option<u64>,
}

impl DecisionLogOptions {
    /// Options from the bindings' parts. Errors: `INVALID_ARGUMENT` unless exactly one of
    /// `service_url`, `file` and `handler` is given, for a bearer token without a service,
    /// or labels that are not a JSON object of strings.
    pub fn from_parts(p: DecisionLogParts) -> Result<Self> {
        let invalid = |why: &str| Error::new(ErrorCode::InvalidArgument, why.to_string());
        let sink = match (p.service_url, p.file, p.handler) {
            (Some(url), None, None) => Sink::Service {
                url,
                bearer_token: p.bearer_token,
                bearer_token_file: p.bearer_token_file.map(Into::into),
                timeout: Duration::from_millis(p.timeout_ms.unwrap_or(10_000)),
            },
            (None, Some(_), None) | (None, None, Some(_))
                if p.bearer_token.is_some() || p.bearer_token_file.is_some() =>
            {
                return Err(invalid("a bearer token needs a service URL"))
            }
            (None, Some(file), None) => Sink::File(file.into()),
            (None, None, Some(handler)) => Sink::Handler(match p.timeout_ms {
                Some(ms) => handler.with_timeout(Duration::from_millis(ms)),
                None => handler,
            }),
            _ => return Err(invalid(
                "a decision logger needs a service URL, a file or a sink function (one of them)",
            )),
        };
        let mut options = Self::new(sink);
        if let Some(text) = p.labels_json {
            options.labels = labels_from_json(text.as_bytes())?;
        }
        options.erase = p.erase;
        let ms = Duration::from_millis;
        options.min_delay = p.min_delay_ms.map_or(options.min_delay, ms);
        options.max_delay = p.max_delay_ms.map_or(options.max_delay, ms);
        let size = |n: Option<u64>, default: usize| {
            n.map_or(default, |n| usize::try_from(n).unwrap_or(usize::MAX))
        };
        options.upload_size_limit = size(p.upload_size_limit_bytes, options.upload_size_limit);
        options.buffer_size = size(p.buffer_size, options.buffer_size);
        Ok(options)
    }
}

/// Labels (of decision-log events and status reports) as the bindings pass them: JSON text of an object of strings. Errors:
/// `INVALID_JSON`, or `INVALID_ARGUMENT` for anything but an object of strings.
pub fn labels_from_json(json_text: &[u8]) -> Result<Map<String, Value>> {
    match crate::json::parse(json_text)? {
        Value::Object(map) if map.values().all(Value::is_string) => Ok(map),
        _ => Err(Error::new(
            ErrorCode::InvalidArgument,
            "labels must be an object of strings",
        )),
    }
}

#[derive(Default)]
struct Counters {
    recorded: AtomicU64,
    delivered: AtomicU64,
    dropped_buffer_full: AtomicU64,
    dropped_too_large: AtomicU64,
    upload_failures: AtomicU64,
    /// Events built and waiting in the outbox; read without its lock, which a sending
    /// thread holds (a host's sink function may be waiting for the thread asking).
    outbox_len: AtomicU64,
}

struct Shared {
    options: DecisionLogOptions,
    shape: Shape,
    pending: Mutex<VecDeque<Pending>>,
    outbox: Mutex<Outbox>,
    counters: Counters,
    last_error: Mutex<Option<String>>,
    stop: Stop,
}

/// Sends decision logs to a sink on a background thread. `Send + Sync`; share it with
/// any number of engines.
pub struct DecisionLogger {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for DecisionLogger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecisionLogger")
            .field("sink", &self.shared.options.sink)
            .finish()
    }
}

impl DecisionLogger {
    /// Starts a logger. Errors: `INVALID_ARGUMENT` for an empty buffer or upload limit,
    /// `min_delay` over `max_delay`, a service URL that is not http(s), both a bearer
    /// token and a token file, an erase entry that is not a JSON pointer under `/input`
    /// or `/result`, or bad mask options; `KEY_UNAVAILABLE` for a token file that cannot
    /// be used.
    pub fn start(options: DecisionLogOptions) -> Result<Self> {
        validate(&options)?;
        let mut labels = Map::new();
        labels.insert("id".into(), uuid::Uuid::now_v7().to_string().into());
        labels.insert("version".into(), crate::VERSION.into());
        labels.extend(options.labels.clone());
        let shape = Shape {
            masker: Masker::new(options.mask.clone())?,
            erase: options.erase.clone(),
            labels,
        };
        let shared = Arc::new(Shared {
            outbox: Mutex::new(Outbox::new(&options.sink)),
            options,
            shape,
            pending: Mutex::new(VecDeque::new()),
            counters: Counters::default(),
            last_error: Mutex::new(None),
            stop: Stop::default(),
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("coresdk-decision-log".into())
            .spawn(move || run(&worker))
            .map_err(|e| Error::new(ErrorCode::Internal, format!("decision log thread: {e}")))?;
        Ok(Self {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Records one decision (the evaluating thread's whole cost: a push into the buffer).
    pub(crate) fn record(&self, pending: Pending) {
        let shared = &self.shared;
        if shared.stop.is_stopped() {
            shared
                .counters
                .dropped_buffer_full
                .fetch_add(1, Ordering::Relaxed);
            return;
        }
        let c = &shared.counters;
        c.recorded.fetch_add(1, Ordering::Relaxed);
        let mut queue = lock(&shared.pending);
        // The bound covers both queues: these and the events built and waiting to be sent.
        let built = usize::try_from(c.outbox_len.load(Ordering::Relaxed)).unwrap_or(usize::MAX);
        if queue.len().saturating_add(built) >= shared.options.buffer_size {
            c.dropped_buffer_full.fetch_add(1, Ordering::Relaxed);
            // The oldest are the built ones, unless a send holds them; then the oldest
            // recorded; with none recorded either, this newest one.
            if !drop_oldest_built(shared) && queue.pop_front().is_none() {
                return;
            }
        }
        queue.push_back(pending);
    }

    /// Sends everything recorded so far now, on the calling thread. Errors:
    /// `SOURCE_UNAVAILABLE` when the sink fails (the events stay for the next attempt).
    pub fn flush(&self) -> Result<()> {
        flush(&self.shared)
    }

    /// Stops the thread after a last send of everything recorded; what that send cannot
    /// deliver is dropped and counted. Later records are dropped. Idempotent.
    pub fn close(&self) -> Result<()> {
        self.shared.stop.stop();
        if let Some(thread) = lock(&self.thread).take() {
            let _ = thread.join();
        }
        let outcome = flush(&self.shared);
        let left = lock(&self.shared.outbox).events.drain(..).count() as u64;
        self.shared.counters.outbox_len.store(0, Ordering::Relaxed);
        self.shared
            .counters
            .dropped_buffer_full
            .fetch_add(left, Ordering::Relaxed);
        outcome
    }

    /// Counts since start: `recorded`, `delivered`, `dropped_buffer_full`,
    /// `dropped_too_large`, `upload_failures`, `buffered` (waiting now) and `last_error`.
    pub fn metrics(&self) -> Value {
        let c = &self.shared.counters;
        let buffered =
            lock(&self.shared.pending).len() as u64 + c.outbox_len.load(Ordering::Relaxed);
        json!({
            "recorded": c.recorded.load(Ordering::Relaxed),
            "delivered": c.delivered.load(Ordering::Relaxed),
            "dropped_buffer_full": c.dropped_buffer_full.load(Ordering::Relaxed),
            "dropped_too_large": c.dropped_too_large.load(Ordering::Relaxed),
            "upload_failures": c.upload_failures.load(Ordering::Relaxed),
            "buffered": buffered,
            "last_error": *lock(&self.shared.last_error),
        })
    }
}

impl Drop for DecisionLogger {
    /// Stops the thread without waiting or sending: call [`Self::close`] to send the rest.
    fn drop(&mut self) {
        self.shared.stop.stop();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn run(shared: &Shared) {
    let options = &shared.options;
    let mut failures = 0u32;
    loop {
        let delay = if failures == 0 {
            options.min_delay
        } else {
            crate::clock::backoff(options.min_delay, options.max_delay, failures)
        };
        if shared.stop.wait(delay) {
            return;
        }
        // A panic while building or sending must not end logging silently: a failed send.
        match crate::error::catch_panic(|| flush(shared)) {
            Ok(()) => failures = 0,
            Err(_) => failures = failures.saturating_add(1),
        }
    }
}

/// Turns pending decisions into events (masking them) and sends the outbox.
fn flush(shared: &Shared) -> Result<()> {
    let pending: Vec<Pending> = lock(&shared.pending).drain(..).collect();
    let mut outbox = lock(&shared.outbox);
    for p in pending {
        if outbox.events.len() >= shared.options.buffer_size {
            outbox.events.pop_front();
            shared
                .counters
                .dropped_buffer_full
                .fetch_add(1, Ordering::Relaxed);
        }
        outbox.events.push_back(shared.shape.event(p).to_string());
    }
    let c = &shared.counters;
    c.outbox_len
        .store(outbox.events.len() as u64, Ordering::Relaxed);
    trim_pending(shared, outbox.events.len());
    let (sent, outcome) = outbox.send(&shared.options.sink, shared.options.upload_size_limit);
    c.outbox_len
        .store(outbox.events.len() as u64, Ordering::Relaxed);
    c.delivered.fetch_add(sent.delivered, Ordering::Relaxed);
    c.dropped_too_large
        .fetch_add(sent.too_large, Ordering::Relaxed);
    if let Err(e) = &outcome {
        c.upload_failures.fetch_add(1, Ordering::Relaxed);
        *lock(&shared.last_error) = Some(e.message().to_string());
    }
    outcome
}

/// Drops the oldest built event unless a send holds the outbox (never waits for it); true
/// when one was dropped.
fn drop_oldest_built(shared: &Shared) -> bool {
    let Ok(mut outbox) = shared.outbox.try_lock() else {
        return false;
    };
    let dropped = outbox.events.pop_front().is_some();
    shared
        .counters
        .outbox_len
        .store(outbox.events.len() as u64, Ordering::Relaxed);
    dropped
}

/// Drops the oldest recorded events while they and the `built` ones are over the bound
/// (decisions recorded while the last ones were being built).
fn trim_pending(shared: &Shared, built: usize) {
    let mut queue = lock(&shared.pending);
    while !queue.is_empty() && queue.len() + built > shared.options.buffer_size {
        queue.pop_front();
        shared
            .counters
            .dropped_buffer_full
            .fetch_add(1, Ordering::Relaxed);
    }
}

fn validate(o: &DecisionLogOptions) -> Result<()> {
    let invalid = |why: String| Err(Error::new(ErrorCode::InvalidArgument, why));
    if o.buffer_size == 0 || o.upload_size_limit == 0 {
        return invalid("buffer_size and upload_size_limit must be at least 1".into());
    }
    if o.min_delay > o.max_delay {
        return invalid(format!(
            "min_delay {:?} is over max_delay {:?}",
            o.min_delay, o.max_delay
        ));
    }
    if let Sink::Service {
        url,
        bearer_token,
        bearer_token_file,
        ..
    } = &o.sink
    {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return invalid(format!(
                "decision log service URL must be http(s), not {url:?}"
            ));
        }
        crate::credentials::bearer_authorization(
            bearer_token.as_deref(),
            bearer_token_file.as_ref(),
        )?;
    }
    if let Some(bad) = o.erase.iter().find(|p| {
        !(p.starts_with("/input/")
            || p.starts_with("/result/")
            || *p == "/input"
            || *p == "/result")
    }) {
        return invalid(format!(
            "erase entry {bad:?} is not a JSON pointer under /input or /result"
        ));
    }
    Ok(())
}

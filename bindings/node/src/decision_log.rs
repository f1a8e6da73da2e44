//! Decision logs (the core's `decision_log` module): a native `DecisionLogger` an engine
//! sends its decisions to. Sending blocks on the network, so `flush` and `close` run on
//! the libuv pool: a decision-log service in this same process keeps answering.

use crate::error::{call, Result};
use crate::policy::PolicyEngine;
use crate::task::Work;
use napi::bindgen_prelude::AsyncTask;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use napi_derive::napi;
use std::sync::Arc;

/// The host's sink function, given each batch as JSON text; weak, so a logger never keeps
/// Node running, and called without waiting: the batch counts as delivered once queued
/// for the JavaScript thread (the TypeScript layer catches what the sink throws).
type SinkFunction = ThreadsafeFunction<String, (), String, Status, false, true>;

fn handler(sink: SinkFunction) -> coresdk_engine::EventHandler {
    coresdk_engine::EventHandler::new(move |batch| {
        match sink.call(batch.to_string(), ThreadsafeFunctionCallMode::NonBlocking) {
            Status::Ok => Ok(()),
            status => Err(coresdk_engine::Error::new(
                coresdk_engine::ErrorCode::SourceUnavailable,
                format!("the JavaScript sink is not taking events ({status})"),
            )),
        }
    })
}

/// Options of a [`DecisionLogger`]; the same names and defaults as Python's.
#[napi(object)]
pub struct DecisionLoggerOptions {
    /// An OPA-compatible decision-log service's base URL (events are POSTed to `<url>/logs`).
    pub service_url: Option<String>,
    /// A bearer token for the service.
    pub bearer_token: Option<String>,
    /// Or a file holding it (`chmod 600`), read for every upload.
    pub bearer_token_file: Option<String>,
    /// A JSON Lines file instead of a service (`-`: standard output).
    pub file: Option<String>,
    /// Labels added to every event, as JSON text of an object of strings.
    pub labels_json: Option<String>,
    /// JSON pointers removed before events leave (e.g. `/input/password`).
    pub erase: Option<Vec<String>>,
    /// Shortest delay between uploads in ms (default 5000).
    pub min_delay_ms: Option<u32>,
    /// Longest delay (backoff cap) in ms (default 60000).
    pub max_delay_ms: Option<u32>,
    /// Most bytes of JSON per upload (default 32768).
    pub upload_size_limit_bytes: Option<u32>,
    /// Most events waiting, recorded or built and not yet delivered; past it the oldest
    /// are dropped (default 10000).
    pub buffer_size: Option<u32>,
    /// Time limit of one upload in ms (default 10000).
    pub timeout_ms: Option<u32>,
}

/// Sends decision logs in OPA's event format from a background thread.
#[napi]
pub struct DecisionLogger {
    pub(crate) inner: Arc<coresdk_engine::DecisionLogger>,
}

#[napi]
impl DecisionLogger {
    /// Starts a logger sending to the service, the file or `sink` (one of them).
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "options: DecisionLoggerOptions, sink?: ((batchJson: string) => void) | undefined | null"
    )]
    pub fn new(options: DecisionLoggerOptions, sink: Option<SinkFunction>) -> Result<Self> {
        let o = options;
        let parts = coresdk_engine::DecisionLogParts {
            service_url: o.service_url,
            bearer_token: o.bearer_token,
            bearer_token_file: o.bearer_token_file,
            file: o.file,
            handler: sink.map(handler),
            labels_json: o.labels_json,
            erase: o.erase.unwrap_or_default(),
            min_delay_ms: o.min_delay_ms.map(u64::from),
            max_delay_ms: o.max_delay_ms.map(u64::from),
            upload_size_limit_bytes: o.upload_size_limit_bytes.map(u64::from),
            buffer_size: o.buffer_size.map(u64::from),
            timeout_ms: o.timeout_ms.map(u64::from),
        };
        call(|| {
            let options = coresdk_engine::DecisionLogOptions::from_parts(parts)?;
            let inner = coresdk_engine::DecisionLogger::start(options)?;
            Ok(Self {
                inner: Arc::new(inner),
            })
        })
    }

    /// Sends everything recorded so far, on the libuv pool.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn flush(&self) -> AsyncTask<Work<()>> {
        let inner = Arc::clone(&self.inner);
        AsyncTask::new(Work::new(move || inner.flush()))
    }

    /// Sends the rest and stops, on the libuv pool.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn close(&self) -> AsyncTask<Work<()>> {
        let inner = Arc::clone(&self.inner);
        AsyncTask::new(Work::new(move || inner.close()))
    }

    /// The counters as JSON text.
    #[napi(catch_unwind)]
    pub fn metrics_json(&self) -> Result<String> {
        call(|| Ok(self.inner.metrics().to_string()))
    }
}

#[napi]
impl PolicyEngine {
    /// Sends this engine's decisions to `logger`, or stops (`null`).
    #[napi(catch_unwind)]
    pub fn set_decision_logger(&self, logger: Option<&DecisionLogger>) -> Result<()> {
        call(|| {
            self.inner
                .set_decision_logger(logger.map(|l| Arc::clone(&l.inner)));
            Ok(())
        })
    }
}

//! A host function as a decision-log sink, and how it is called: on a thread of its own,
//! waited for at most its time limit, so a function that never returns can delay the
//! logger's thread, `flush` and `close` by that limit and no more.

use crate::error::{Error, ErrorCode, Result};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::sync::Arc;
use std::time::Duration;

/// Default time limit of one call of a sink function.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A function given each batch of events as the JSON text of an array (at most the upload
/// size limit). `Ok` counts them delivered; an error keeps them for the next attempt. It
/// runs on a thread of the logger's, never on an evaluating one. A call that has not
/// returned within the time limit (default 10 s) counts as a failed send: its batch is
/// kept and sent again, so a late return can deliver a batch twice (as a timed-out upload
/// can), and no other call starts until it has returned.
#[derive(Clone)]
pub struct EventHandler {
    f: Arc<HandlerFn>,
    timeout: Duration,
}

type HandlerFn = dyn Fn(&str) -> Result<()> + Send + Sync;

impl EventHandler {
    /// A handler calling `f`, with the default time limit.
    pub fn new(f: impl Fn(&str) -> Result<()> + Send + Sync + 'static) -> Self {
        Self {
            f: Arc::new(f),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The same handler with `timeout` as the time limit of one call.
    #[must_use]
    pub fn with_timeout(self, timeout: Duration) -> Self {
        Self { timeout, ..self }
    }

    /// The time limit of one call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

impl std::fmt::Debug for EventHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventHandler")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Two handlers are equal when they are the same function (clones of one handler) with
/// the same time limit.
impl PartialEq for EventHandler {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.f, &other.f) && self.timeout == other.timeout
    }
}

impl Eq for EventHandler {}

/// The calls of one logger's handler: at most one running at a time.
#[derive(Default)]
pub(crate) struct HandlerCall {
    /// The answer of a call that outlived its time limit, while it runs.
    overdue: Option<Receiver<Result<()>>>,
}

impl HandlerCall {
    /// Calls `handler` with `batch` on a new thread and waits for it at most the
    /// handler's time limit. Errors: `SOURCE_UNAVAILABLE` when the handler failed, panicked
    /// or did not return in time, or an earlier call still runs.
    pub(crate) fn call(&mut self, handler: &EventHandler, batch: String) -> Result<()> {
        let failed = |why: String| Error::new(ErrorCode::SourceUnavailable, why);
        if let Some(overdue) = &self.overdue {
            match overdue.try_recv() {
                Err(TryRecvError::Empty) => {
                    return Err(failed(
                        "the decision log sink has not returned from an earlier batch".into(),
                    ))
                }
                // Its batch was kept and is being sent again; what it answered is moot.
                Ok(_) | Err(TryRecvError::Disconnected) => self.overdue = None,
            }
        }
        let (answer, answered) = mpsc::channel();
        let f = Arc::clone(&handler.f);
        std::thread::Builder::new()
            .name("coresdk-log-sink".into())
            .spawn(move || {
                let _ = answer.send(crate::error::catch_panic(|| f(&batch)));
            })
            .map_err(|e| failed(format!("cannot start the decision log sink's thread: {e}")))?;
        match answered.recv_timeout(handler.timeout) {
            Ok(outcome) => outcome,
            Err(RecvTimeoutError::Timeout) => {
                self.overdue = Some(answered);
                Err(failed(format!(
                    "the decision log sink did not return within {} ms",
                    handler.timeout.as_millis()
                )))
            }
            Err(RecvTimeoutError::Disconnected) => Err(failed(
                "the decision log sink's thread ended without an answer".into(),
            )),
        }
    }
}

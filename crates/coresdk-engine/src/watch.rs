//! Watching a bundle directory: opt-in reloads when its files change.
//!
//! The directory is read as an OPA bundle (`.rego` files, `data.json` / `data.yaml`
//! placed at their directory path, an optional `.manifest`). File events are debounced
//! (an editor's save or a `git checkout` is a burst of events; one reload follows the
//! burst), then the whole directory is read again and activated as one change. A change
//! that does not parse or compile is rejected, the last good revision keeps serving, and
//! the failure shows in the engine's metrics until a later change fixes it.

use crate::bundle::Verification;
use crate::clock::now_unix_ms;
use crate::error::{Error, ErrorCode, Result};
use crate::metrics::SourceStatus;
use crate::policy::PolicyEngine;
use crate::poller::record_failure;
use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{new_debouncer, DebounceEventResult, Debouncer};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// A running directory watch. Stops on [`DirectoryWatch::stop`] or drop.
pub struct DirectoryWatch {
    engine: Arc<PolicyEngine>,
    debouncer: Option<Debouncer<RecommendedWatcher>>,
    /// Set by `stop`; a reload holds it while it runs, so `stop` waits for one under way
    /// and none starts after it (the engine and its status stay as `stop` left them).
    stopped: Arc<Mutex<bool>>,
}

impl std::fmt::Debug for DirectoryWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectoryWatch")
            .field("status", &self.engine.source_status())
            .finish()
    }
}

impl DirectoryWatch {
    /// The debounce of a watch whose host sets none: reload 100 ms after a burst of
    /// file events ends.
    pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(100);

    /// Loads the bundle directory at `path` into `engine`, then reloads it whenever its
    /// files change, `debounce` after the last event of a burst.
    ///
    /// Errors: `INVALID_ARGUMENT` when `path` is not a directory; the first load's
    /// errors (`BUNDLE_INVALID`, `POLICY_PARSE`, `INTEGRITY`, ...), in which case
    /// nothing is watched and the engine is unchanged.
    pub fn start(
        engine: Arc<PolicyEngine>,
        path: impl AsRef<Path>,
        debounce: Duration,
        verification: Option<Verification>,
    ) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if !path.is_dir() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("not a directory: {}", path.display()),
            ));
        }
        engine.load_bundle_path(&path, verification.as_ref())?;
        engine.metrics.update_source(|s| {
            *s = SourceStatus {
                kind: "directory".into(),
                location: path.display().to_string(),
                state: "ok".into(),
                updates: 1,
                last_success_unix_ms: Some(now_unix_ms()),
                ..Default::default()
            }
        });
        let stopped = Arc::new(Mutex::new(false));
        let handler = {
            let engine = Arc::clone(&engine);
            let path = path.clone();
            let stopped = Arc::clone(&stopped);
            move |events: DebounceEventResult| {
                let stopped = stopped.lock().unwrap_or_else(PoisonError::into_inner);
                if !*stopped {
                    reload(&engine, &path, verification.as_ref(), events);
                }
            }
        };
        let unavailable = |e: notify::Error| {
            Error::new(ErrorCode::SourceUnavailable, format!("cannot watch: {e}"))
        };
        let mut debouncer = new_debouncer(debounce, handler).map_err(unavailable)?;
        debouncer
            .watcher()
            .watch(&path, RecursiveMode::Recursive)
            .map_err(unavailable)?;
        Ok(Self {
            engine,
            debouncer: Some(debouncer),
            stopped,
        })
    }

    /// Stops watching. The revision serving stays; a reload under way finishes first, and
    /// none starts afterwards.
    pub fn stop(&mut self) {
        if let Some(debouncer) = self.debouncer.take() {
            *self.stopped.lock().unwrap_or_else(PoisonError::into_inner) = true;
            drop(debouncer);
            self.engine
                .metrics
                .update_source(|s| s.state = "stopped".into());
        }
    }
}

impl Drop for DirectoryWatch {
    fn drop(&mut self) {
        self.stop();
    }
}

fn reload(
    engine: &PolicyEngine,
    path: &PathBuf,
    verification: Option<&Verification>,
    events: DebounceEventResult,
) {
    if let Err(e) = events {
        record_failure(
            engine,
            Error::new(ErrorCode::SourceUnavailable, format!("watch: {e}")),
        );
        return;
    }
    match crate::error::catch_panic(|| engine.load_bundle_path(path, verification)) {
        Ok(_) => engine.metrics.update_source(|s| {
            s.state = "ok".into();
            s.updates += 1;
            s.consecutive_failures = 0;
            s.last_success_unix_ms = Some(now_unix_ms());
        }),
        Err(error) => record_failure(engine, error),
    }
}

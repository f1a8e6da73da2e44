//! The stop signal of a background thread (bundle poller, JWKS refresher): `stop()` wakes
//! a sleeping `wait` at once, so stopping never waits out a poll delay.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// Stop flag shared with a background thread; the condvar cuts a wait short.
#[derive(Default)]
pub(crate) struct Stop {
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl Stop {
    /// Sleeps up to `delay`; true when stopped meanwhile.
    pub(crate) fn wait(&self, delay: Duration) -> bool {
        let stopped = self.stopped.lock().unwrap_or_else(|p| p.into_inner());
        let (stopped, _) = self
            .wake
            .wait_timeout_while(stopped, delay, |stopped| !*stopped)
            .unwrap_or_else(|p| p.into_inner());
        *stopped
    }

    pub(crate) fn stop(&self) {
        *self.stopped.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.wake.notify_all();
    }

    pub(crate) fn is_stopped(&self) -> bool {
        *self.stopped.lock().unwrap_or_else(|p| p.into_inner())
    }
}

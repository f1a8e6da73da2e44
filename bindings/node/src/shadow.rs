//! Shadow mode (the core's `shadow` module): a native `Shadow` an engine offers sampled
//! decisions to, for comparison with an OPA server.

use crate::error::{call, Result};
use crate::policy::PolicyEngine;
use crate::task::Work;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use std::sync::Arc;
use std::time::Duration;

/// Options of a [`Shadow`]; the same names and defaults as Python's.
#[napi(object)]
pub struct ShadowOptions {
    /// The OPA server's base URL (`http://127.0.0.1:8181`).
    pub opa_url: String,
    /// The share of decisions compared, 0 to 1 (default 1).
    pub sample_rate: Option<f64>,
    /// Most decisions waiting; past it new ones are dropped and counted (default 1000).
    pub queue_size: Option<u32>,
    /// Time limit of one request to OPA in ms (default 5000).
    pub timeout_ms: Option<u32>,
}

/// Compares sampled decisions with an OPA server on a background thread.
#[napi]
pub struct Shadow {
    pub(crate) inner: Arc<coresdk_engine::Shadow>,
}

#[napi]
impl Shadow {
    /// Starts comparing.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: ShadowOptions) -> Result<Self> {
        let mut o = coresdk_engine::ShadowOptions::new(options.opa_url);
        o.sample_rate = options.sample_rate.unwrap_or(o.sample_rate);
        o.queue_size = options.queue_size.map_or(o.queue_size, |n| n as usize);
        o.timeout = options
            .timeout_ms
            .map_or(o.timeout, |ms| Duration::from_millis(ms.into()));
        call(|| {
            Ok(Self {
                inner: Arc::new(coresdk_engine::Shadow::start(o)?),
            })
        })
    }

    /// Resolves true once every queued decision is compared, false after `timeoutMs`.
    #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
    pub fn wait_idle(&self, timeout_ms: u32) -> AsyncTask<Work<bool>> {
        let inner = Arc::clone(&self.inner);
        AsyncTask::new(Work::new(move || {
            Ok(inner.wait_idle(Duration::from_millis(timeout_ms.into())))
        }))
    }

    /// Stops comparing.
    #[napi(catch_unwind)]
    pub fn stop(&self) -> Result<()> {
        call(|| {
            self.inner.stop();
            Ok(())
        })
    }

    /// The counters and the last disagreements as JSON text.
    #[napi(catch_unwind)]
    pub fn metrics_json(&self) -> Result<String> {
        call(|| Ok(self.inner.metrics().to_string()))
    }
}

#[napi]
impl PolicyEngine {
    /// Compares a sample of this engine's decisions with `shadow`'s OPA server, or stops (`null`).
    #[napi(catch_unwind)]
    pub fn set_shadow(&self, shadow: Option<&Shadow>) -> Result<()> {
        call(|| {
            self.inner.set_shadow(shadow.map(|s| Arc::clone(&s.inner)));
            Ok(())
        })
    }
}

//! Status reports (the core's `status` module): a native `StatusReporter` started from an
//! engine, reporting to an OPA-compatible status service.

use crate::error::{call, Result};
use crate::policy::PolicyEngine;
use napi_derive::napi;
use std::sync::Arc;
use std::time::Duration;

/// Options of a status reporter; the same names and defaults as Python's.
#[napi(object)]
pub struct StatusReporterOptions {
    /// The status service's base URL (reports are POSTed to `<url>/status`).
    pub service_url: String,
    /// A bearer token for the service.
    pub bearer_token: Option<String>,
    /// Or a file holding it (`chmod 600`), read for every report.
    pub bearer_token_file: Option<String>,
    /// Labels of every report, as JSON text of an object of strings.
    pub labels_json: Option<String>,
    /// How often the status is checked for a change, in ms (default 1000).
    pub check_interval_ms: Option<u32>,
    /// Longest time between two reports, in ms (default 60000).
    pub interval_ms: Option<u32>,
    /// Time limit of one report, in ms (default 10000).
    pub timeout_ms: Option<u32>,
}

/// Reports an engine's status on a background thread.
#[napi]
pub struct StatusReporter {
    inner: coresdk_engine::StatusReporter,
}

#[napi]
impl StatusReporter {
    /// Stops reporting.
    #[napi(catch_unwind)]
    pub fn stop(&self) -> Result<()> {
        call(|| {
            self.inner.stop();
            Ok(())
        })
    }

    /// `sent`, `failures`, `last_error` as JSON text.
    #[napi(catch_unwind)]
    pub fn metrics_json(&self) -> Result<String> {
        call(|| Ok(self.inner.metrics().to_string()))
    }
}

#[napi]
impl PolicyEngine {
    /// Starts reporting this engine's status to an OPA-compatible status service.
    #[napi(catch_unwind)]
    pub fn start_status_reporter(&self, options: StatusReporterOptions) -> Result<StatusReporter> {
        let ms = |v: Option<u32>, default: Duration| {
            v.map_or(default, |ms| Duration::from_millis(ms.into()))
        };
        call(|| {
            let mut o = coresdk_engine::StatusOptions::new(options.service_url);
            o.bearer_token = options.bearer_token;
            o.bearer_token_file = options.bearer_token_file.map(Into::into);
            if let Some(text) = &options.labels_json {
                o.labels = coresdk_engine::labels_from_json(text.as_bytes())?;
            }
            o.check_interval = ms(options.check_interval_ms, o.check_interval);
            o.interval = ms(options.interval_ms, o.interval);
            o.timeout = ms(options.timeout_ms, o.timeout);
            let inner = coresdk_engine::StatusReporter::start(Arc::clone(&self.inner), o)?;
            Ok(StatusReporter { inner })
        })
    }
}

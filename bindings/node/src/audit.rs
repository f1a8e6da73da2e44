//! The audit log for Node: a native `AuditLog` over the core's, and `verifyAuditLog`.

use crate::error::{call, Result};
use crate::keys::KeyProviderBridge;
use crate::task::Work;
use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi_derive::napi;
use std::sync::Arc;

/// Options of an [`AuditLog`]; the same names and defaults as Python's.
#[napi(object)]
pub struct AuditLogOptions {
    /// Records between Merkle checkpoints (default 1000).
    pub checkpoint_every: Option<u32>,
    /// `"every_record"` (fsync each append, the default) or `"os_buffered"`.
    pub durability: Option<String>,
    /// Instead of a key: a key file (`chmod 600`) ...
    pub key_file: Option<String>,
    /// ... and the id of the HMAC key in it (default `"audit"`).
    pub key_id: Option<String>,
}

/// The decision fields a record holds.
#[napi(object)]
pub struct AuditDecision {
    /// The decision id.
    pub decision_id: String,
    /// The revision it was made against.
    pub revision: f64,
    /// The bundle revision, if any.
    pub bundle_revision: Option<String>,
    /// The result as JSON text; absent when undefined.
    pub result_json: Option<String>,
}

/// An append-only, hash-chained, HMAC'd audit log file.
#[napi]
pub struct AuditLog {
    inner: Arc<coresdk_engine::AuditLog>,
    /// True when the HMAC key comes from a JavaScript provider: such a log is opened and
    /// appended to off the JavaScript thread only.
    js_provider: bool,
}

fn durability(name: Option<&str>) -> coresdk_engine::Result<coresdk_engine::Durability> {
    match name {
        None | Some("every_record") => Ok(coresdk_engine::Durability::EveryRecord),
        Some("os_buffered") => Ok(coresdk_engine::Durability::OsBuffered),
        Some(other) => Err(coresdk_engine::Error::new(
            coresdk_engine::ErrorCode::InvalidArgument,
            format!("durability must be \"every_record\" or \"os_buffered\", not {other:?}"),
        )),
    }
}

#[napi]
impl AuditLog {
    /// Opens (or creates) the log at `path`, verifying what is there with `key`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        path: String,
        key: Option<Buffer>,
        options: Option<AuditLogOptions>,
    ) -> Result<Self> {
        call(|| open(&path, key.as_deref(), options, None)).map(|inner| Self {
            inner: Arc::new(inner),
            js_provider: false,
        })
    }

    /// Appends a decision on `query` for `inputJson` (masked before it is written);
    /// returns the new head hash.
    #[napi(catch_unwind)]
    pub fn append(
        &self,
        decision: AuditDecision,
        query: String,
        input_json: String,
    ) -> Result<String> {
        call(|| {
            if self.js_provider {
                return Err(coresdk_engine::Error::new(
                    coresdk_engine::ErrorCode::InvalidArgument,
                    "a log keyed by a JavaScript key provider appends with appendAsync",
                ));
            }
            append(&self.inner, decision, &query, &input_json)
        })
    }

    /// `append` on the libuv pool (the only way for a log keyed by a JavaScript provider).
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn append_async(
        &self,
        decision: AuditDecision,
        query: String,
        input_json: String,
    ) -> AsyncTask<Work<String>> {
        let log = Arc::clone(&self.inner);
        AsyncTask::new(Work::new(move || {
            append(&log, decision, &query, &input_json)
        }))
    }

    /// The hash of the last record.
    #[napi(getter, catch_unwind)]
    pub fn head(&self) -> Result<String> {
        call(|| Ok(self.inner.head()))
    }
}

/// Opens (or creates) the log at `path` on the libuv pool, its HMAC key from `key`, the
/// options' key file, or `keyProvider` (exactly one).
#[napi(catch_unwind, ts_return_type = "Promise<AuditLog>")]
pub fn open_audit_log_async(
    path: String,
    key: Option<Buffer>,
    options: Option<AuditLogOptions>,
    key_provider: Option<&KeyProviderBridge>,
) -> AsyncTask<Work<AuditLog>> {
    let key = key.map(|k| k.to_vec());
    let keys = key_provider.map(KeyProviderBridge::provider);
    let js_provider = keys.is_some();
    AsyncTask::new(Work::new(move || {
        open(&path, key.as_deref(), options, keys).map(|inner| AuditLog {
            inner: Arc::new(inner),
            js_provider,
        })
    }))
}

fn open(
    path: &str,
    key: Option<&[u8]>,
    options: Option<AuditLogOptions>,
    provider: Option<Arc<dyn coresdk_engine::KeyProvider>>,
) -> coresdk_engine::Result<coresdk_engine::AuditLog> {
    let mut core = coresdk_engine::AuditOptions::default();
    let (mut key_file, mut key_id) = (None, None);
    if let Some(o) = options {
        if let Some(n) = o.checkpoint_every {
            core.checkpoint_every = u64::from(n);
        }
        core.durability = durability(o.durability.as_deref())?;
        key_file = o.key_file;
        key_id = o.key_id;
    }
    let (keys, id) = crate::keys::host_or_js_key(
        key,
        key_file.as_deref(),
        key_id.as_deref(),
        provider,
        coresdk_engine::audit::DEFAULT_KEY_ID,
    )?;
    coresdk_engine::AuditLog::open_with_provider(path, keys, &id, core)
}

fn append(
    log: &coresdk_engine::AuditLog,
    decision: AuditDecision,
    query: &str,
    input_json: &str,
) -> coresdk_engine::Result<String> {
    let result = decision
        .result_json
        .map(|text| coresdk_engine::json::parse(text.as_bytes()))
        .transpose()?;
    let decision = coresdk_engine::Decision {
        result,
        revision: decision.revision as u64,
        bundle_revision: decision.bundle_revision,
        decision_id: decision.decision_id,
        duration_us: 0,
        cached: false,
        prints: Vec::new(),
    };
    log.append(&decision, query, input_json.as_bytes())
}

/// Verifies a log's bytes with `key`, or with key `keyId` of the key file `keyFile` (as
/// `AuditLog` opens one; exactly one of the two), and, given `expectedHead`, that nothing
/// was cut from the end; the report as JSON text.
#[napi(catch_unwind)]
pub fn verify_audit_log(
    log: Buffer,
    key: Option<Buffer>,
    expected_head: Option<String>,
    key_file: Option<String>,
    key_id: Option<String>,
) -> Result<String> {
    call(|| {
        let report = coresdk_engine::audit::verify_host_key(
            &log,
            key.as_deref(),
            key_file.as_deref().map(std::path::Path::new),
            key_id.as_deref(),
            expected_head.as_deref(),
        )?;
        Ok(coresdk_engine::json::to_string(&report.to_json()))
    })
}

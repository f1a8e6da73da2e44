//! OPA bundles for Node: verification keys, the HTTP bundle poller and directory watching
//! as native classes over the core's `BundlePoller` / `DirectoryWatch`.
//!
//! Stopping never blocks the JS thread: the core's `stop()` signals the background thread
//! and returns, so a poll answered by an HTTP server on this same event loop cannot
//! deadlock with it.

use crate::error::{call, Result};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// How bundle signatures are verified (OPA's `.signatures.json`). Give `publicKey` (PEM)
/// for RS*/PS*/ES*/EdDSA or `secret` for HS*.
#[napi(object)]
pub struct BundleVerification {
    /// The JWT algorithm, e.g. `"RS256"` or `"HS256"`.
    pub algorithm: String,
    /// A PEM public key.
    pub public_key: Option<String>,
    /// An HMAC secret.
    pub secret: Option<Buffer>,
    /// The expected `keyid`, if any.
    pub key_id: Option<String>,
    /// The expected `scope`, if any.
    pub scope: Option<String>,
}

/// AWS Signature Version 4 for bundles in S3-compatible stores.
#[napi(object)]
pub struct AwsSigningOptions {
    /// The region (else `AWS_REGION`, else `AWS_DEFAULT_REGION`).
    pub region: Option<String>,
    /// The service in the signature's scope (default `s3`).
    pub service: Option<String>,
    /// The access key id; with neither key given, the keys come from the environment.
    pub access_key_id: Option<String>,
    /// The secret access key.
    pub secret_access_key: Option<String>,
    /// A session token (temporary credentials).
    pub session_token: Option<String>,
}

/// Options of the HTTP bundle poller; the same names and defaults as Python's.
#[napi(object)]
pub struct BundlePollerOptions {
    /// The bundle URL (`http://` or `https://`).
    pub url: String,
    /// Shortest delay between polls in ms (default 60000).
    pub min_delay_ms: Option<u32>,
    /// Longest delay between polls and cap of the failure backoff in ms (default 120000).
    pub max_delay_ms: Option<u32>,
    /// Time limit of one request in ms (default 30000).
    pub timeout_ms: Option<u32>,
    /// Extra request headers.
    pub headers: Option<HashMap<String, String>>,
    /// A file holding a bearer token (`chmod 600`), read for every poll.
    pub bearer_token_file: Option<String>,
    /// Sign each request with AWS Signature Version 4.
    pub aws_signing: Option<AwsSigningOptions>,
    /// Verify bundle signatures with this key.
    pub verification: Option<BundleVerification>,
    /// Persist each activated bundle to this file (HMAC'd with `lastKnownGoodKey`).
    pub last_known_good_path: Option<String>,
    /// The HMAC key of the last-known-good file.
    pub last_known_good_key: Option<Buffer>,
    /// Or: a key file (`chmod 600`) holding it ...
    pub last_known_good_key_file: Option<String>,
    /// ... under this key id (default `"last-known-good"`).
    pub last_known_good_key_id: Option<String>,
    /// Serve the persisted bundle when the server is down at start (default true).
    pub restore_last_known_good: Option<bool>,
}

/// The core verification settings for `v`.
pub(crate) fn verification(
    v: Option<BundleVerification>,
) -> coresdk_engine::Result<Option<coresdk_engine::bundle::Verification>> {
    v.map(|v| {
        coresdk_engine::bundle::Verification::from_parts(
            &v.algorithm,
            v.public_key.as_deref(),
            v.secret.as_deref(),
            v.key_id,
            v.scope,
        )
    })
    .transpose()
}

/// The core poller options for `o`.
pub(crate) fn poller_options(
    o: BundlePollerOptions,
    key_provider: Option<&crate::keys::KeyProviderBridge>,
) -> coresdk_engine::Result<coresdk_engine::PollerOptions> {
    let mut options = coresdk_engine::PollerOptions::new(o.url);
    let ms = |v: u32| Duration::from_millis(u64::from(v));
    if let Some(v) = o.min_delay_ms {
        options.min_delay = ms(v);
    }
    if let Some(v) = o.max_delay_ms {
        options.max_delay = ms(v);
    }
    if let Some(v) = o.timeout_ms {
        options.timeout = ms(v);
    }
    if let Some(headers) = o.headers {
        options.headers = headers.into_iter().collect();
    }
    options.bearer_token_file = o.bearer_token_file.map(Into::into);
    options.aws_signing = o
        .aws_signing
        .map(|a| {
            coresdk_engine::AwsSigning::from_parts(
                a.region,
                a.service,
                a.access_key_id,
                a.secret_access_key,
                a.session_token,
            )
        })
        .transpose()?;
    options.verification = verification(o.verification)?;
    options.last_known_good = match o.last_known_good_path {
        Some(path) => {
            let (keys, id) = crate::keys::host_or_js_key(
                o.last_known_good_key.as_deref(),
                o.last_known_good_key_file.as_deref(),
                o.last_known_good_key_id.as_deref(),
                key_provider.map(crate::keys::KeyProviderBridge::provider),
                "last-known-good",
            )?;
            Some(coresdk_engine::LastKnownGood::with_provider(
                path, keys, &id,
            ))
        }
        None => None,
    };
    if let Some(restore) = o.restore_last_known_good {
        options.restore_last_known_good = restore;
    }
    Ok(options)
}

/// A running HTTP bundle poller. Its state shows in the engine's `metrics().source`.
#[napi]
pub struct BundlePoller {
    inner: Mutex<Option<coresdk_engine::BundlePoller>>,
}

impl BundlePoller {
    pub(crate) fn new(inner: coresdk_engine::BundlePoller) -> Self {
        Self {
            inner: Mutex::new(Some(inner)),
        }
    }
}

#[napi]
impl BundlePoller {
    /// Stops polling (returns at once; the revision serving stays). Idempotent.
    #[napi(catch_unwind)]
    pub fn stop(&self) -> Result<()> {
        call(|| {
            let taken = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
            if let Some(mut poller) = taken {
                poller.stop();
            }
            Ok(())
        })
    }
}

/// A running watch of a bundle directory. Its state shows in `metrics().source`.
#[napi]
pub struct DirectoryWatch {
    inner: Mutex<Option<coresdk_engine::DirectoryWatch>>,
}

impl DirectoryWatch {
    pub(crate) fn new(inner: coresdk_engine::DirectoryWatch) -> Self {
        Self {
            inner: Mutex::new(Some(inner)),
        }
    }
}

#[napi]
impl DirectoryWatch {
    /// Stops watching (the revision serving stays). Idempotent.
    #[napi(catch_unwind)]
    pub fn stop(&self) -> Result<()> {
        call(|| {
            let taken = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
            if let Some(mut watch) = taken {
                watch.stop();
            }
            Ok(())
        })
    }
}

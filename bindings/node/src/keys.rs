//! A `KeyProvider` written in JavaScript: the core asks it for HMACs (and signatures,
//! verifications, decryptions) from its own threads, so keys can live in a KMS the host
//! program talks to.
//!
//! The core thread cannot call JavaScript itself. It files a request with a ticket number
//! through a (weak) thread-safe function and waits on a channel; the TypeScript layer runs
//! the provider's method (sync or `async`) on the JavaScript thread and hands the answer
//! back with `resolve(ticket, ...)`. A request made on the JavaScript thread itself would
//! wait for that thread forever, so it is refused with `KEY_UNAVAILABLE` at once; a
//! provider that never answers fails the request after `timeoutMs`. Nothing hangs.

use coresdk_engine::{Error, ErrorCode, KeyProvider};
use napi::bindgen_prelude::{Buffer, FnArgs};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::Duration;

/// `(ticket, method, keyId, data, extra)`, spread as five arguments: `extra` is the
/// signature for `verify`.
type Request = FnArgs<(u32, String, String, Buffer, Option<Buffer>)>;

/// The JavaScript dispatcher; weak, so a pending provider never keeps Node running.
type Dispatcher = ThreadsafeFunction<Request, (), Request, Status, false, true>;

type Answer = std::result::Result<Vec<u8>, String>;

struct Bridge {
    dispatch: Dispatcher,
    pending: Mutex<HashMap<u32, SyncSender<Answer>>>,
    next_ticket: AtomicU32,
    timeout: Duration,
    js_thread: ThreadId,
}

fn unavailable(method: &str, key_id: &str, why: &str) -> Error {
    Error::new(
        ErrorCode::KeyUnavailable,
        format!("key provider {method}({key_id:?}) failed: {why}"),
    )
}

impl Bridge {
    fn request(
        &self,
        method: &str,
        key_id: &str,
        data: &[u8],
        extra: Option<&[u8]>,
    ) -> coresdk_engine::Result<Vec<u8>> {
        if std::thread::current().id() == self.js_thread {
            return Err(unavailable(
                method,
                key_id,
                "a JavaScript key provider cannot be called on the JavaScript thread; \
                 use the async API (AuditLog.openAsync, appendAsync)",
            ));
        }
        let ticket = self.next_ticket.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = sync_channel(1);
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(ticket, sender);
        let request = FnArgs::from((
            ticket,
            method.to_string(),
            key_id.to_string(),
            Buffer::from(data.to_vec()),
            extra.map(|e| Buffer::from(e.to_vec())),
        ));
        let status = self
            .dispatch
            .call(request, ThreadsafeFunctionCallMode::NonBlocking);
        let answer = if status == Status::Ok {
            receiver.recv_timeout(self.timeout)
        } else {
            Err(RecvTimeoutError::Disconnected)
        };
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&ticket);
        match answer {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(message)) => Err(unavailable(method, key_id, &message)),
            Err(RecvTimeoutError::Timeout) => Err(unavailable(
                method,
                key_id,
                &format!("no answer within {} ms", self.timeout.as_millis()),
            )),
            Err(RecvTimeoutError::Disconnected) => Err(unavailable(
                method,
                key_id,
                "the JavaScript thread is not taking calls (shutting down?)",
            )),
        }
    }
}

/// The JavaScript side of a key provider; the TypeScript `KeyProvider` wraps it.
#[napi]
pub struct KeyProviderBridge {
    inner: Arc<Bridge>,
}

#[napi]
impl KeyProviderBridge {
    /// `dispatch(ticket, method, keyId, data, extra)` runs the provider's method and calls
    /// `resolve(ticket, ...)` with its answer; a request gets `timeoutMs` (default: the core's
    /// `DEFAULT_KEY_PROVIDER_TIMEOUT`, 10 s).
    #[napi(
        constructor,
        ts_args_type = "dispatch: (ticket: number, method: string, keyId: string, data: Buffer, extra: Buffer | null | undefined) => void, timeoutMs?: number | undefined | null"
    )]
    pub fn new(dispatch: Dispatcher, timeout_ms: Option<u32>) -> Self {
        Self {
            inner: Arc::new(Bridge {
                dispatch,
                pending: Mutex::new(HashMap::new()),
                next_ticket: AtomicU32::new(1),
                timeout: timeout_ms.map_or(coresdk_engine::DEFAULT_KEY_PROVIDER_TIMEOUT, |ms| {
                    Duration::from_millis(u64::from(ms.max(1)))
                }),
                js_thread: std::thread::current().id(),
            }),
        }
    }

    /// Answers request `ticket` with `result` bytes or an `error` message; false when the
    /// request is no longer waiting (it timed out).
    #[napi(catch_unwind)]
    pub fn resolve(&self, ticket: u32, result: Option<Buffer>, error: Option<String>) -> bool {
        let sender = self
            .inner
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&ticket);
        let answer = match (result, error) {
            (Some(bytes), None) => Ok(bytes.to_vec()),
            (_, Some(message)) => Err(message),
            (None, None) => Err("the provider returned nothing".to_string()),
        };
        sender.is_some_and(|s| s.send(answer).is_ok())
    }
}

impl KeyProviderBridge {
    /// The bridge as a core key provider.
    pub fn provider(&self) -> Arc<dyn KeyProvider> {
        Arc::new(JsKeyProvider(Arc::clone(&self.inner)))
    }
}

struct JsKeyProvider(Arc<Bridge>);

impl KeyProvider for JsKeyProvider {
    fn hmac(&self, key_id: &str, data: &[u8]) -> coresdk_engine::Result<Vec<u8>> {
        self.0.request("hmac", key_id, data, None)
    }

    fn sign(&self, key_id: &str, data: &[u8]) -> coresdk_engine::Result<Vec<u8>> {
        self.0.request("sign", key_id, data, None)
    }

    fn verify(&self, key_id: &str, data: &[u8], signature: &[u8]) -> coresdk_engine::Result<bool> {
        let answer = self.0.request("verify", key_id, data, Some(signature))?;
        match answer.as_slice() {
            [1] => Ok(true),
            [0] => Ok(false),
            _ => Err(unavailable("verify", key_id, "did not answer a boolean")),
        }
    }

    fn decrypt(&self, key_id: &str, ciphertext: &[u8]) -> coresdk_engine::Result<Vec<u8>> {
        self.0.request("decrypt", key_id, ciphertext, None)
    }
}

/// The provider a Node caller names: raw `key`, `keyFile` (+ `keyId`) or a
/// [`KeyProviderBridge`] (+ `keyId`), exactly one; ids default to `default_id`.
pub fn host_or_js_key(
    key: Option<&[u8]>,
    key_file: Option<&str>,
    key_id: Option<&str>,
    provider: Option<Arc<dyn KeyProvider>>,
    default_id: &str,
) -> coresdk_engine::Result<(Arc<dyn KeyProvider>, String)> {
    coresdk_engine::host_key_or_provider(
        key,
        key_file.map(std::path::Path::new),
        key_id,
        provider,
        default_id,
    )
}

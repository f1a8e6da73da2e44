//! Node.js binding of CoreSDK (napi-rs v3): the `@coresdk/native` addon.
//!
//! An adapter only: values are converted here and core errors mapped in `error.rs`; every
//! rule lives in `coresdk-engine`. Every export is `#[napi(catch_unwind)]` and every core
//! call goes through `coresdk_engine::catch_panic` (`error::call`), including inside
//! `Task::compute` (`task.rs`), which napi does not wrap (SPEC.md principle 7).
//!
//! Modules mirror the core: `policy`, `mask`, `canonical`, `secret_scan`; `error` maps
//! errors and `task` schedules work on the libuv pool.

mod audit;
mod bundle;
mod canonical;
mod decision_log;
mod error;
mod http;
mod keys;
mod mask;
mod policy;
mod secret_scan;
mod shadow;
mod status;
mod task;
mod token;

pub use audit::*;
pub use bundle::*;
pub use canonical::*;
pub use decision_log::*;
pub use http::*;
pub use keys::*;
pub use mask::*;
pub use policy::*;
pub use secret_scan::*;
pub use shadow::*;
pub use status::*;
pub use token::*;

use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;

/// Counts what each thread allocates, so evaluations are held to their memory budget
/// (`PolicyOptions::memory_limit`).
#[global_allocator]
static ALLOCATOR: coresdk_engine::CountingAllocator = coresdk_engine::CountingAllocator;
use task::Work;

/// Panics inside the core on purpose; tests use it to prove a panic becomes a
/// `CoreSdkError` with code `INTERNAL` and the process survives.
#[napi(catch_unwind)]
pub fn panic_probe() -> error::Result<()> {
    error::call(coresdk_engine::error::panic_probe)
}

/// The async variant of [`panic_probe`]: the panic happens on a libuv worker thread.
#[napi(catch_unwind, ts_return_type = "Promise<void>")]
pub fn panic_probe_async() -> AsyncTask<Work<()>> {
    AsyncTask::new(Work::new(coresdk_engine::error::panic_probe))
}

/// The stable error codes of the core, in declaration order (the one list every
/// language checks its own against).
#[napi(catch_unwind)]
pub fn error_codes() -> Vec<String> {
    coresdk_engine::ErrorCode::ALL
        .iter()
        .map(|code| code.as_str().to_string())
        .collect()
}

/// The core's `DEFAULT_KEY_PROVIDER_TIMEOUT` in milliseconds (JavaScript's
/// `DEFAULT_KEY_PROVIDER_TIMEOUT_MS` reads it from here).
#[napi(catch_unwind)]
pub fn default_key_provider_timeout_ms() -> u32 {
    u32::try_from(coresdk_engine::DEFAULT_KEY_PROVIDER_TIMEOUT.as_millis()).unwrap_or(u32::MAX)
}

/// The version of the native addon (the one CoreSDK version).
#[napi(catch_unwind)]
pub fn native_version() -> String {
    coresdk_engine::VERSION.to_string()
}

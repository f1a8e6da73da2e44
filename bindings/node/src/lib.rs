//! Node.js binding of CoreSDK (napi-rs v3): the `@coresdk/native` addon.
//!
//! An adapter only: values are converted here and core errors mapped in `error.rs`; every
//! rule lives in `coresdk-engine`. Every export is `#[napi(catch_unwind)]` and every core
//! call goes through `coresdk_engine::catch_panic`, including inside `Task::compute`,
//! which napi does not wrap (SPEC.md principle 7).

mod canonical;
mod error;
mod mask;
mod policy;

pub use canonical::*;
pub use mask::*;
pub use policy::*;

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

/// Panics inside the core on purpose; tests use it to prove a panic becomes a
/// `CoreSdkError` with code `INTERNAL` and the process survives.
#[napi(catch_unwind)]
pub fn panic_probe() -> napi::Result<()> {
    error::call(coresdk_engine::error::panic_probe)
}

/// Work of [`panic_probe_async`] on the libuv pool.
pub struct PanicProbe;

impl Task for PanicProbe {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<()> {
        error::call(coresdk_engine::error::panic_probe)
    }

    fn resolve(&mut self, _env: Env, _output: ()) -> napi::Result<()> {
        Ok(())
    }
}

/// The async variant of [`panic_probe`]: the panic happens on a libuv worker thread.
#[napi(catch_unwind)]
pub fn panic_probe_async() -> AsyncTask<PanicProbe> {
    AsyncTask::new(PanicProbe)
}

/// The version of the native addon (the one CoreSDK version).
#[napi(catch_unwind)]
pub fn native_version() -> String {
    coresdk_engine::VERSION.to_string()
}

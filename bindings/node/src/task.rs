//! Core work on the libuv thread pool, returned to JavaScript as a Promise.
//!
//! napi does not wrap `Task::compute` in `catch_unwind`, so the core call runs through
//! `coresdk_engine::catch_panic` here: a panic on a pool thread rejects with `INTERNAL`
//! instead of aborting the process. A failure rejects with the same error shape a sync
//! call throws (`error::rejection`).

use crate::error;
use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{Env, Task};

type Job<T> = Box<dyn FnOnce() -> coresdk_engine::Result<T> + Send>;

/// One core call to run off the JS thread (wrap it in `AsyncTask`).
pub struct Work<T> {
    job: Option<Job<T>>,
}

impl<T> Work<T> {
    /// Work that runs `job` once on a pool thread.
    pub fn new(job: impl FnOnce() -> coresdk_engine::Result<T> + Send + 'static) -> Self {
        Self {
            job: Some(Box::new(job)),
        }
    }
}

impl<T: ToNapiValue + TypeName + Send + 'static> Task for Work<T> {
    type Output = coresdk_engine::Result<T>;
    type JsValue = T;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let job = self.job.take();
        Ok(coresdk_engine::catch_panic(move || match job {
            Some(job) => job(),
            None => Err(coresdk_engine::Error::new(
                coresdk_engine::ErrorCode::Internal,
                "pool work ran twice",
            )),
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<T> {
        output.map_err(|e| error::rejection(&env, e))
    }
}

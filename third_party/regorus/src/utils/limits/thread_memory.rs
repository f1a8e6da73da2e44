// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! A memory check the host publishes to the current thread, for builds without the
//! `allocator-memory-limits` feature.
//!
//! That feature makes regorus's own allocator the global one and bounds the whole
//! process. A host with its own global allocator (one that counts what each thread
//! allocates, say) can instead hold one evaluation to a budget: it publishes a check
//! here for the duration of the evaluation, and the points where regorus checks its
//! memory limit (interpreter loops, builtins building values, the parser) call it.

use super::error::LimitError;

/// A host's check: `Err` once the evaluation on this thread is over its budget.
pub type ThreadMemoryCheck = fn() -> Result<(), LimitError>;

#[cfg(feature = "std")]
std::thread_local! {
    static THREAD_MEMORY_CHECK: core::cell::Cell<Option<ThreadMemoryCheck>> =
        const { core::cell::Cell::new(None) };
}

/// Keeps a memory check published to this thread; restores the previous one when
/// dropped.
#[derive(Debug)]
#[must_use = "the check is withdrawn when the guard is dropped"]
pub struct ThreadMemoryCheckGuard {
    #[cfg(feature = "std")]
    previous: Option<ThreadMemoryCheck>,
}

impl Drop for ThreadMemoryCheckGuard {
    fn drop(&mut self) {
        #[cfg(feature = "std")]
        THREAD_MEMORY_CHECK.with(|check| check.set(self.previous));
    }
}

/// Publishes `check` to the current thread until the guard is dropped.
pub fn publish_thread_memory_check(check: ThreadMemoryCheck) -> ThreadMemoryCheckGuard {
    #[cfg(feature = "std")]
    {
        ThreadMemoryCheckGuard {
            previous: THREAD_MEMORY_CHECK.with(|current| current.replace(Some(check))),
        }
    }
    #[cfg(not(feature = "std"))]
    {
        let _ = check;
        ThreadMemoryCheckGuard {}
    }
}

/// Runs the check published to this thread, if any.
#[inline]
pub fn check_thread_memory() -> Result<(), LimitError> {
    #[cfg(feature = "std")]
    {
        if let Some(check) = THREAD_MEMORY_CHECK.with(core::cell::Cell::get) {
            return check();
        }
    }
    Ok(())
}

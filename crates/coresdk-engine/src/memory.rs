//! Memory budgets per evaluation.
//!
//! [`CountingAllocator`] wraps the system allocator and keeps, per thread, the bytes
//! allocated minus the bytes freed. An evaluation notes that count when it starts and
//! publishes a check to regorus (`publish_thread_memory_check`), which regorus calls
//! where it checks its memory limit: in interpreter loops, once per element in builtins
//! that build values (`numbers.range`, `concat`, comprehensions, ...). Past the budget the
//! evaluation fails with `LIMIT_EXCEEDED` and the engine keeps serving.
//!
//! The count only exists where the allocator is the global one: the Node addon and the
//! Python extension install it; a Rust program installs it with
//!
//! ```
//! #[global_allocator]
//! static ALLOCATOR: coresdk_engine::CountingAllocator = coresdk_engine::CountingAllocator;
//! ```
//!
//! and [`memory_budgets_enforced`] says whether it did.

use regorus::utils::limits::{publish_thread_memory_check, LimitError, ThreadMemoryCheckGuard};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

/// The system allocator, counting per thread the bytes it hands out and takes back.
#[derive(Debug, Default, Clone, Copy)]
pub struct CountingAllocator;

static INSTALLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Bytes allocated minus bytes freed on this thread (negative when it frees what
    /// others allocated). Const-initialised and without a destructor, so the allocator
    /// can use it at any point of a thread's life.
    static LIVE: Cell<i64> = const { Cell::new(0) };
    /// The budget of the evaluation running on this thread: its start count and limit.
    static BUDGET: Cell<Option<(i64, u64)>> = const { Cell::new(None) };
}

fn count(delta: i64) {
    let _ = LIVE.try_with(|live| live.set(live.get().wrapping_add(delta)));
}

fn size(layout: Layout) -> i64 {
    i64::try_from(layout.size()).unwrap_or(i64::MAX)
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged and only
// adds bookkeeping in a thread-local cell, which never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as received; the caller upholds `GlobalAlloc::alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            count(size(layout));
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            count(size(layout));
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, that is from `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        count(-size(layout));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`; the caller upholds `realloc`'s contract on `new_size`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            count(i64::try_from(new_size).unwrap_or(i64::MAX) - size(layout));
        }
        new
    }
}

impl CountingAllocator {
    /// Marks the allocator installed; the bindings call it when they load, a Rust program
    /// that installs the allocator may too (the first evaluation with a budget also finds
    /// out by itself).
    pub fn mark_installed() {
        INSTALLED.store(true, Ordering::Relaxed);
    }
}

/// True when [`CountingAllocator`] is the global allocator, so that evaluations are held
/// to `PolicyOptions::memory_limit`.
pub fn memory_budgets_enforced() -> bool {
    if !INSTALLED.load(Ordering::Relaxed) {
        // A boxed value moves this thread's count only when the allocator counts.
        let before = LIVE.with(Cell::get);
        let probe = std::hint::black_box(Box::new([0_u8; 64]));
        let counted = LIVE.with(Cell::get) != before;
        drop(probe);
        if counted {
            INSTALLED.store(true, Ordering::Relaxed);
        }
    }
    INSTALLED.load(Ordering::Relaxed)
}

/// The budget of one evaluation on this thread, from creation until dropped.
pub(crate) struct Budget {
    previous: Option<(i64, u64)>,
    _check: ThreadMemoryCheckGuard,
}

impl Budget {
    /// Starts holding this thread to `limit` bytes more than it holds now; `None` when
    /// there is no limit.
    pub fn start(limit: Option<u64>) -> Option<Self> {
        let limit = limit?;
        let start = LIVE.with(Cell::get);
        Some(Self {
            previous: BUDGET.with(|budget| budget.replace(Some((start, limit)))),
            _check: publish_thread_memory_check(check),
        })
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        BUDGET.with(|budget| budget.set(self.previous));
    }
}

/// The check regorus calls: over budget once this thread holds more than `limit` bytes
/// beyond what it held when the evaluation started.
fn check() -> Result<(), LimitError> {
    let Some((start, limit)) = BUDGET.with(Cell::get) else {
        return Ok(());
    };
    let used = u64::try_from(LIVE.with(Cell::get).saturating_sub(start)).unwrap_or(0);
    if used > limit {
        return Err(LimitError::MemoryLimitExceeded { usage: used, limit });
    }
    Ok(())
}

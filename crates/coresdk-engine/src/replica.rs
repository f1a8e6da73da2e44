//! Per-thread replicas of a policy snapshot.
//!
//! Cloning a prepared `regorus::Engine` is cheap because the clone shares the compiled
//! policy and the data document through `Arc`s. That sharing has a price under load: every
//! evaluation on every core bumps the same atomic reference counts while it walks the
//! data, and the cache lines bounce between cores. Measured on the 2-core machine with a
//! 5,000-user data walk (`examples/scaling.rs`): two threads sharing one prepared engine
//! reach 1.3-1.4x the decisions/s of one thread; two threads with engines built
//! separately reach 1.9-2.0x.
//!
//! So each thread evaluates on its own replica of the snapshot, rebuilt from the
//! snapshot's sources (module texts and the data document re-parsed from JSON, so no `Arc`
//! is shared with other threads), once per thread and revision. A thread keeps the
//! replicas of its few most recently used engines; a replica is taken out of the cache for
//! the duration of an evaluation, so a panic inside regorus drops it instead of leaving a
//! half-updated engine behind.

use crate::error::Result;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many replicas (of distinct engines) one thread keeps.
const REPLICAS_PER_THREAD: usize = 4;

static NEXT_ENGINE_ID: AtomicU64 = AtomicU64::new(1);

/// A process-unique id for a `PolicyEngine`, so replicas of different engines never mix.
pub(crate) fn new_engine_id() -> u64 {
    NEXT_ENGINE_ID.fetch_add(1, Ordering::Relaxed)
}

struct Replica {
    engine_id: u64,
    revision: u64,
    engine: regorus::Engine,
}

thread_local! {
    static REPLICAS: RefCell<Vec<Replica>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on this thread's replica of revision `revision` of engine `engine_id`,
/// building it with `build` when the thread has none.
pub(crate) fn with_replica<T>(
    engine_id: u64,
    revision: u64,
    build: impl FnOnce() -> regorus::Engine,
    f: impl FnOnce(&mut regorus::Engine) -> Result<T>,
) -> Result<T> {
    let cached = REPLICAS.with(|cell| {
        let mut replicas = cell.borrow_mut();
        let at = replicas
            .iter()
            .position(|r| r.engine_id == engine_id && r.revision == revision);
        at.map(|i| replicas.remove(i))
    });
    let mut replica = cached.unwrap_or_else(|| Replica {
        engine_id,
        revision,
        engine: build(),
    });
    let out = f(&mut replica.engine);
    REPLICAS.with(|cell| {
        let mut replicas = cell.borrow_mut();
        // Older revisions of this engine will not be asked for again.
        replicas.retain(|r| r.engine_id != engine_id);
        replicas.insert(0, replica);
        replicas.truncate(REPLICAS_PER_THREAD);
    });
    out
}

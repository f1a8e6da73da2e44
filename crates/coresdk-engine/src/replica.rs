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
//! So each thread evaluates on an engine of its own, a clone of one of the snapshot's
//! [`Copies`]: copy 0 is the snapshot's own engine (no thread evaluates on the snapshot
//! itself, so the first thread costs no copy and no rebuild), the others are replicas
//! rebuilt from the snapshot's sources (module texts and the data document re-parsed from
//! JSON, so no `Arc` is shared between copies). There are as many copies as the machine
//! runs threads at once ([`std::thread::available_parallelism`]): more would add memory and
//! no parallelism, so threads beyond that share a copy (and its counters) with an earlier
//! thread. Each thread gets its engine once per revision and keeps those of its few most
//! recently used `PolicyEngine`s; an engine is taken out of the thread's cache for
//! the duration of an evaluation, so a panic inside regorus drops it instead of leaving a
//! half-updated engine behind.

use crate::error::Result;
use std::cell::RefCell;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;

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

/// The copies of one snapshot's engine that threads evaluate on (see the module docs).
/// A clone (the candidate of the next revision) starts with none built.
pub(crate) struct Copies {
    /// How many threads asked so far.
    asked: AtomicUsize,
    /// Copies 1.. (copy 0 is the snapshot's own engine), built when first needed.
    replicas: Box<[OnceLock<regorus::Engine>]>,
}

impl Copies {
    /// As many copies as threads run at once on this machine.
    pub(crate) fn new() -> Self {
        Self::up_to(std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
    }

    /// At most `copies` copies (at least one).
    pub(crate) fn up_to(copies: usize) -> Self {
        Self {
            asked: AtomicUsize::new(0),
            replicas: (1..copies.max(1)).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The engine for the next thread that has none: a clone of `own` or of a replica
    /// (made with `replicate` when it is the first to need it), in turn.
    pub(crate) fn engine_for_thread(
        &self,
        own: &regorus::Engine,
        replicate: impl FnOnce() -> regorus::Engine,
    ) -> regorus::Engine {
        let turn = self.asked.fetch_add(1, Ordering::Relaxed) % (self.replicas.len() + 1);
        match turn.checked_sub(1) {
            None => own.clone(),
            Some(i) => self.replicas[i].get_or_init(replicate).clone(),
        }
    }
}

impl Clone for Copies {
    fn clone(&self) -> Self {
        Self::up_to(self.replicas.len() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_take_the_copies_in_turn_and_each_replica_is_built_once() {
        let copies = Copies::up_to(3);
        let built = AtomicUsize::new(0);
        let own = regorus::Engine::new();
        for _ in 0..7 {
            copies.engine_for_thread(&own, || {
                built.fetch_add(1, Ordering::Relaxed);
                regorus::Engine::new()
            });
        }
        assert_eq!(built.load(Ordering::Relaxed), 2);
        assert_eq!(copies.asked.load(Ordering::Relaxed), 7);
        let fresh = copies.clone();
        assert_eq!(fresh.asked.load(Ordering::Relaxed), 0);
        assert!(fresh.replicas.iter().all(|r| r.get().is_none()));
        assert_eq!(Copies::up_to(0).replicas.len(), 0);
    }
}

//! The copies of a policy snapshot's engine that evaluations run on.
//!
//! Cloning a prepared `regorus::Engine` is cheap because the clone shares the compiled
//! policy and the data document through `Arc`s. That sharing has a price under load: every
//! evaluation on every core bumps the same atomic reference counts while it walks the
//! data, and the cache lines bounce between cores. Measured on the 2-core machine with a
//! 5,000-user data walk (`examples/scaling.rs`): two threads sharing one prepared engine
//! reach 1.3-1.4x the decisions/s of one thread; two threads with engines built
//! separately reach 1.9-2.0x.
//!
//! So a snapshot keeps [`Copies`]: as many engines as the machine runs threads at once
//! ([`std::thread::available_parallelism`]), each used by one evaluation at a time. Copy 0
//! is a clone of the snapshot's own engine (nothing evaluates on the snapshot itself, so it
//! costs no second copy of the data and no rebuild); the others are replicas that share no
//! `Arc` with it (modules re-added from their text, data deep-copied), built when first
//! needed. An evaluation takes a free copy that is built, trying the one its thread used
//! last first, else builds one (copy 0 first: it is only a clone); when more
//! evaluations run at once than there are copies (more threads than cores), the extra ones
//! run on a clone of the snapshot's engine kept by their thread: they share its `Arc`s,
//! but no more memory is spent where no more parallelism is to be had.
//!
//! A copy is taken out of its slot for the evaluation, so a panic inside regorus drops it
//! (it is rebuilt when next needed) instead of leaving a half-updated engine behind.
//!
//! A copy also keeps the register VMs of the rule paths compiled for it
//! (policy/compiled.rs), each loaded with the copy's own data.

use crate::error::Result;
use std::cell::{Cell, RefCell};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, TryLockError};

/// How many clones (of distinct engines) one thread keeps for the overflow.
const CLONES_PER_THREAD: usize = 4;

static NEXT_ENGINE_ID: AtomicU64 = AtomicU64::new(1);

/// A process-unique id for a `PolicyEngine`, so clones of different engines never mix.
pub(crate) fn new_engine_id() -> u64 {
    NEXT_ENGINE_ID.fetch_add(1, Ordering::Relaxed)
}

/// The copies of one snapshot's engine (see the module docs). A clone (the candidate of
/// the next revision) starts with none built.
pub(crate) struct Copies {
    slots: Box<[Slot]>,
}

/// One copy, on a cache line of its own; `None` until built (or after a panic).
#[repr(align(128))]
struct Slot(Mutex<Option<Copy>>);

/// One copy of a snapshot's engine and what evaluations on it keep.
pub(crate) struct Copy {
    /// The interpreter's engine.
    pub engine: regorus::Engine,
    /// The rule paths asked of this copy, each with the register VM holding this copy's
    /// data that answers it, or `None` where the interpreter does (policy/compiled.rs).
    pub vms: Vec<(String, Option<regorus::rvm::RegoVM>)>,
}

impl Copy {
    fn of(engine: regorus::Engine) -> Self {
        Self {
            engine,
            vms: Vec::new(),
        }
    }
}

impl Copies {
    /// As many copies as threads run at once on this machine.
    pub(crate) fn new() -> Self {
        Self::up_to(std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
    }

    /// At most `copies` copies (at least one).
    pub(crate) fn up_to(copies: usize) -> Self {
        Self {
            slots: (0..copies.max(1)).map(|_| Slot(Mutex::new(None))).collect(),
        }
    }

    /// Runs `f` on a copy no other evaluation is using: copy 0 is a clone of `own`, the
    /// others are made by `replicate`. `engine_id` and `revision` name the snapshot for
    /// the overflow clones kept per thread.
    pub(crate) fn run<T>(
        &self,
        (engine_id, revision): (u64, u64),
        own: &regorus::Engine,
        replicate: impl FnOnce() -> regorus::Engine,
        f: impl FnOnce(&mut Copy) -> Result<T>,
    ) -> Result<T> {
        let n = self.slots.len();
        let home = HOME.with(Cell::get).unwrap_or(0) % n;
        // A built copy, the thread's last one first; else an empty slot to build, copy 0
        // (a cheap clone) first.
        let built = (0..n).map(|k| ((home + k) % n, true));
        let empty = (0..n).map(|i| (i, false));
        for (i, want_built) in built.chain(empty) {
            let mut slot = match self.slots[i].0.try_lock() {
                Ok(slot) => slot,
                // A panic during an evaluation left the slot empty, not inconsistent.
                Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => continue,
            };
            if want_built && slot.is_none() {
                continue;
            }
            let mut copy = slot
                .take()
                .unwrap_or_else(|| Copy::of(if i == 0 { own.clone() } else { replicate() }));
            HOME.with(|h| h.set(Some(i)));
            let out = f(&mut copy);
            *slot = Some(copy);
            return out;
        }
        with_thread_clone(engine_id, revision, || own.clone(), f)
    }
}

impl Clone for Copies {
    fn clone(&self) -> Self {
        Self::up_to(self.slots.len())
    }
}

thread_local! {
    /// The slot this thread used last, tried first next time: a thread keeps to one copy.
    static HOME: Cell<Option<usize>> = const { Cell::new(None) };
}

struct ThreadClone {
    engine_id: u64,
    revision: u64,
    copy: Copy,
}

thread_local! {
    static CLONES: RefCell<Vec<ThreadClone>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on this thread's clone of revision `revision` of engine `engine_id`, making
/// it with `build` when the thread has none.
fn with_thread_clone<T>(
    engine_id: u64,
    revision: u64,
    build: impl FnOnce() -> regorus::Engine,
    f: impl FnOnce(&mut Copy) -> Result<T>,
) -> Result<T> {
    let cached = CLONES.with(|cell| {
        let mut clones = cell.borrow_mut();
        let at = clones
            .iter()
            .position(|c| c.engine_id == engine_id && c.revision == revision);
        at.map(|i| clones.remove(i))
    });
    let mut clone = cached.unwrap_or_else(|| ThreadClone {
        engine_id,
        revision,
        copy: Copy::of(build()),
    });
    let out = f(&mut clone.copy);
    CLONES.with(|cell| {
        let mut clones = cell.borrow_mut();
        // Older revisions of this engine will not be asked for again.
        clones.retain(|c| c.engine_id != engine_id);
        clones.insert(0, clone);
        clones.truncate(CLONES_PER_THREAD);
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn own() -> regorus::Engine {
        let mut engine = regorus::Engine::new();
        engine
            .add_policy("p.rego".into(), "package p\nx := 1\n".into())
            .unwrap();
        engine
    }

    #[test]
    fn evaluations_at_once_take_distinct_copies_and_each_replica_is_built_once() {
        let (copies, own, built) = (Copies::up_to(2), own(), AtomicUsize::new(0));
        let replicate = || {
            built.fetch_add(1, Ordering::Relaxed);
            own.clone()
        };
        let id = (new_engine_id(), 1);
        let x = |c: &mut Copy| Ok(c.engine.eval_rule("data.p.x".into()).unwrap());
        // Three evaluations at once on one thread: two copies, then the thread's clone.
        let nested = copies.run(id, &own, replicate, |_| {
            copies.run(id, &own, replicate, |_| copies.run(id, &own, replicate, x))
        });
        assert_eq!(nested.unwrap(), regorus::Value::from(1));
        assert_eq!(built.load(Ordering::Relaxed), 1);
        assert!(copies.slots.iter().all(|s| s.0.lock().unwrap().is_some()));
        for _ in 0..3 {
            copies.run(id, &own, replicate, x).unwrap();
        }
        assert_eq!(built.load(Ordering::Relaxed), 1);
        assert!(copies
            .clone()
            .slots
            .iter()
            .all(|s| s.0.lock().unwrap().is_none()));
    }

    #[test]
    fn a_panic_drops_the_copy_and_the_next_evaluation_rebuilds_it() {
        let (copies, own) = (Copies::up_to(1), own());
        let id = (new_engine_id(), 1);
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            copies.run(
                id,
                &own,
                || unreachable!(),
                |_| -> Result<()> { panic!("in regorus") },
            )
        }));
        assert!(panicked.is_err());
        assert!(copies.slots[0]
            .0
            .lock()
            .is_err_and(|p| p.into_inner().is_none()));
        let x = copies.run(
            id,
            &own,
            || unreachable!(),
            |c| Ok(c.engine.eval_rule("data.p.x".into()).unwrap()),
        );
        assert_eq!(x.unwrap(), regorus::Value::from(1));
    }
}

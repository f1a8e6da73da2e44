//! Rego policy evaluation on `regorus`.
//!
//! Policies and data form one immutable snapshot with a revision, published through
//! `arc-swap` (SPEC.md principles 2-4). Readers never take a lock: each evaluation loads
//! the current snapshot and evaluates on this thread's replica of it (replica.rs).
//! Writers (`add_module`, `add_data`, `load_bundle`, ...) build a candidate off to the
//! side, prepare it, and swap it in only if it compiles; a broken change never replaces
//! the snapshot that is serving. Every change publishes a new revision, empties the
//! decision cache and is counted in the metrics.

mod compiled;
mod decision;
mod deep_copy;
mod errors;
mod evaluate;
mod load;
mod log;
mod options;
mod snapshot;
mod vm_support;

use crate::bundle::{Bundle, Verification};
use crate::cache::{Cached, DecisionCache, Key, Kind};
use crate::error::{Error, ErrorCode, Result};
use crate::json;
use crate::metrics::{Gauges, Metrics, SourceStatus};
use crate::replica;
use arc_swap::{ArcSwap, ArcSwapOption};
pub use compiled::Evaluator;
pub use decision::{Decision, QueryDecision};
use errors::{eval_error, query_error};
pub use options::{memory_limit, PolicyOptions, RegoModule, RegoVersion, DEFAULT_MEMORY_LIMIT};
pub(crate) use snapshot::ModuleText;
use snapshot::Snapshot;
pub use snapshot::{MAX_POLICY_BYTES, MAX_POLICY_COLUMNS, MAX_POLICY_LINES};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// An in-process Rego policy engine. `Send + Sync`; share it across threads.
pub struct PolicyEngine {
    /// Process-unique id, keying this engine's per-thread replicas (replica.rs).
    id: u64,
    snapshot: ArcSwap<Snapshot>,
    /// Serialises writers only; evaluation never touches it.
    writer: Mutex<()>,
    options: PolicyOptions,
    cache: Option<DecisionCache>,
    /// Where decisions are logged, if anywhere (set at any time; read lock-free).
    decision_log: ArcSwapOption<crate::decision_log::DecisionLogger>,
    /// The OPA server sampled decisions are compared with, if any (shadow/).
    shadow: ArcSwapOption<crate::shadow::Shadow>,
    pub(crate) metrics: Metrics,
}

impl std::fmt::Debug for PolicyEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyEngine")
            .field("revision", &self.revision())
            .field("options", &self.options)
            .finish()
    }
}

impl Default for PolicyEngine {
    fn default() -> Self {
        Self::new(PolicyOptions::default())
    }
}

/// Input after the cache has been consulted.
enum Prepared {
    Hit(Cached),
    Miss {
        input: regorus::Value,
        key: Option<Key>,
    },
}

impl PolicyEngine {
    /// An engine with no policies and empty data (revision 0).
    pub fn new(options: PolicyOptions) -> Self {
        Self {
            id: replica::new_engine_id(),
            snapshot: ArcSwap::from_pointee(Snapshot::empty(&options)),
            writer: Mutex::new(()),
            cache: options.cache.as_ref().map(DecisionCache::new),
            options,
            decision_log: ArcSwapOption::empty(),
            shadow: ArcSwapOption::empty(),
            metrics: Metrics::default(),
        }
    }

    /// The options this engine was made with.
    pub fn options(&self) -> &PolicyOptions {
        &self.options
    }

    /// The revision currently serving (0 before anything is loaded; +1 per change).
    pub fn revision(&self) -> u64 {
        self.snapshot.load().revision
    }

    /// The manifest revision of the bundle serving, if the policy came from a bundle.
    pub fn bundle_revision(&self) -> Option<String> {
        self.snapshot.load().bundle_revision.clone()
    }

    /// The packages loaded, e.g. `["data.rbac"]`.
    pub fn packages(&self) -> Vec<String> {
        self.snapshot.load().packages.clone()
    }

    /// The metrics as a structured snapshot (field names in docs/METRICS.md).
    pub fn metrics(&self) -> serde_json::Value {
        let snapshot = self.snapshot.load();
        self.metrics.snapshot(&self.gauges(&snapshot))
    }

    /// The same metrics in Prometheus text exposition format.
    pub fn metrics_prometheus(&self) -> String {
        let snapshot = self.snapshot.load();
        self.metrics.prometheus(&self.gauges(&snapshot))
    }

    /// The status of the source feeding this engine (poller or watched directory), if any.
    pub fn source_status(&self) -> Option<SourceStatus> {
        self.metrics.source()
    }

    fn gauges<'a>(&self, snapshot: &'a Snapshot) -> Gauges<'a> {
        Gauges {
            revision: snapshot.revision,
            bundle_revision: snapshot.bundle_revision.as_deref(),
            cache_enabled: self.cache.is_some(),
            cache_entries: self.cache.as_ref().map_or(0, DecisionCache::len),
        }
    }

    /// Builds a candidate from the serving snapshot, applies `change`, prepares it, and
    /// publishes it as the next revision. On any error the serving snapshot is untouched.
    fn update(&self, change: impl FnOnce(&mut Snapshot) -> Result<()>) -> Result<u64> {
        let _writer = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let current = self.snapshot.load_full();
        let mut candidate = Snapshot::clone(&current);
        let outcome = change(&mut candidate).and_then(|()| candidate.prepare());
        self.metrics.reload(outcome.is_ok());
        outcome?;
        if self.options.evaluator == Evaluator::Compiled {
            // The paths asked of the serving revision are compiled here, on the writer's
            // thread, not by the first evaluation of the new one.
            for path in current.programs.paths() {
                candidate
                    .programs
                    .get(&path, &candidate.engine, &self.options);
            }
        }
        candidate.revision = current.revision + 1;
        let revision = candidate.revision;
        self.snapshot.store(Arc::new(candidate));
        if let Some(cache) = &self.cache {
            cache.clear();
        }
        Ok(revision)
    }
}

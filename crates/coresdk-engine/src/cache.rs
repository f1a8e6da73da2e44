//! The opt-in decision cache: bounded, TTL'd and safe under concurrent use (`moka`).
//!
//! A key is the SHA-256 of (snapshot revision, kind, rule path or query, RFC 8785
//! canonical input), so two inputs that differ only in key order or number spelling share
//! an entry, and a decision can never be served for a revision it was not made against.
//! Publishing a new revision also empties the cache, so old entries do not hold memory.

use crate::canonical;
use crate::error::Result;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// Options of the decision cache.
#[derive(Debug, Clone, PartialEq)]
pub struct CacheOptions {
    /// Most entries kept (least recently used beyond that are evicted). Default 10,000.
    pub max_entries: u64,
    /// How long an entry lives after it is written. Default 60 s.
    pub ttl: Duration,
}

impl Default for CacheOptions {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            ttl: Duration::from_secs(60),
        }
    }
}

/// What a cache entry answers: a rule's value or a query's rows.
#[derive(Debug, Clone)]
pub(crate) enum Cached {
    Rule(Option<serde_json::Value>),
    Rows(Vec<serde_json::Value>),
}

/// Whether an entry is for `evaluate` (a rule path) or `query` (a query text); part of
/// the key so a path and a query with the same text never collide.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Rule = 1,
    Query = 2,
}

pub(crate) type Key = [u8; 32];

/// The cache itself.
pub(crate) struct DecisionCache {
    entries: moka::sync::Cache<Key, Cached>,
}

impl DecisionCache {
    pub fn new(options: &CacheOptions) -> Self {
        Self {
            entries: moka::sync::Cache::builder()
                .max_capacity(options.max_entries)
                // A zero TTL would make every entry dead on arrival; 1 ms is the floor.
                .time_to_live(options.ttl.max(Duration::from_millis(1)))
                .build(),
        }
    }

    /// The key of a decision on `revision` for `target` (path or query) and `input`.
    pub fn key(revision: u64, kind: Kind, target: &str, input: &serde_json::Value) -> Result<Key> {
        let canonical = canonical::canonicalize(input)?;
        let mut hasher = Sha256::new();
        hasher.update(revision.to_le_bytes());
        hasher.update([kind as u8]);
        hasher.update((target.len() as u64).to_le_bytes());
        hasher.update(target.as_bytes());
        hasher.update(canonical.as_bytes());
        Ok(hasher.finalize().into())
    }

    pub fn get(&self, key: &Key) -> Option<Cached> {
        self.entries.get(key)
    }

    pub fn insert(&self, key: Key, value: Cached) {
        self.entries.insert(key, value);
    }

    pub fn clear(&self) {
        self.entries.invalidate_all();
    }

    /// Entries now held (moka counts lazily; pending work is run first).
    pub fn len(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }
}

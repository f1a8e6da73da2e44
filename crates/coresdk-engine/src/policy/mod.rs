//! Rego policy evaluation on `regorus`.
//!
//! Policies and data form one immutable snapshot with a revision, published through
//! `arc-swap` (SPEC.md principles 2-4). Readers never take a lock: each evaluation loads
//! the current snapshot and evaluates on this thread's replica of it (replica.rs).
//! Writers (`add_module`, `add_data`, `load_bundle`, ...) build a candidate off to the
//! side, prepare it, and swap it in only if it compiles; a broken change never replaces
//! the snapshot that is serving. Every change publishes a new revision, empties the
//! decision cache and is counted in the metrics.

mod errors;
mod snapshot;

use crate::bundle::{Bundle, Verification};
use crate::cache::{CacheOptions, Cached, DecisionCache, Key, Kind};
use crate::error::{Error, ErrorCode, Result};
use crate::json;
use crate::metrics::{Gauges, Metrics, SourceStatus};
use crate::replica;
use arc_swap::ArcSwap;
use errors::{eval_error, query_error};
pub(crate) use snapshot::ModuleText;
use snapshot::Snapshot;
pub use snapshot::{MAX_POLICY_BYTES, MAX_POLICY_COLUMNS, MAX_POLICY_LINES};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Options of a [`PolicyEngine`].
#[derive(Debug, Clone)]
pub struct PolicyOptions {
    /// Wall-clock limit of one evaluation; past it the evaluation fails with
    /// `EVAL_TIMEOUT` and the engine keeps serving. Default 1 s.
    pub timeout: Duration,
    /// When true, a builtin error raises `EVAL_ERROR`; when false (the default, as in
    /// OPA) the expression is undefined.
    pub strict_builtin_errors: bool,
    /// What [`PolicyEngine::allowed`] answers when evaluation fails: `false` (the
    /// default, fail closed) or `true` (fail open).
    pub fail_open: bool,
    /// The decision cache; `None` (the default) turns it off.
    pub cache: Option<CacheOptions>,
    /// The Rego syntax modules are parsed as unless a module or its bundle manifest says
    /// otherwise: v1 (the default, as OPA 1.x) or v0 (OPA's `--v0-compatible`).
    pub rego_version: RegoVersion,
    /// Most bytes one evaluation may hold beyond what its thread held when it started;
    /// past it the evaluation fails with `LIMIT_EXCEEDED` and the engine keeps serving.
    /// Default [`DEFAULT_MEMORY_LIMIT`]; `None`: no limit. Enforced where
    /// [`crate::CountingAllocator`] is the global allocator (the Node and Python packages
    /// install it; see [`crate::memory_budgets_enforced`]).
    pub memory_limit: Option<u64>,
}

/// The default memory budget of one evaluation: 1 GiB.
pub const DEFAULT_MEMORY_LIMIT: u64 = 1 << 30;

/// The memory limit a binding's `memoryLimitBytes` / `memory_limit_bytes` option means:
/// 0 is no limit.
///
/// Errors: `INVALID_ARGUMENT` for a negative number.
pub fn memory_limit(bytes: i64) -> Result<Option<u64>> {
    match u64::try_from(bytes) {
        Ok(0) => Ok(None),
        Ok(bytes) => Ok(Some(bytes)),
        Err(_) => Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("memory limit must be 0 (no limit) or a number of bytes, not {bytes}"),
        )),
    }
}

/// A Rego language version: the syntax a module is parsed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegoVersion {
    /// Rego v0 (OPA before 1.0, `--v0-compatible`): `if`/`contains` optional, `p[x] { }`
    /// partial rules, `future.keywords` imports.
    V0,
    /// Rego v1 (OPA 1.x).
    #[default]
    V1,
}

impl RegoVersion {
    /// The version numbered `n` as OPA numbers them (`rego_version` in a manifest).
    ///
    /// Errors: `INVALID_ARGUMENT` for anything but 0 and 1.
    pub fn from_number(n: i64) -> Result<Self> {
        match n {
            0 => Ok(Self::V0),
            1 => Ok(Self::V1),
            _ => Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("rego version must be 0 or 1, not {n}"),
            )),
        }
    }
}

/// One Rego module to load: its name (used in error locations), its text, and the version
/// it is written in (`None`: the engine's [`PolicyOptions::rego_version`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegoModule {
    /// The name used in error locations, usually a file name.
    pub name: String,
    /// The Rego source text.
    pub source: String,
    /// The syntax to parse it as; `None` follows the engine's option.
    pub rego_version: Option<RegoVersion>,
}

impl From<(String, String)> for RegoModule {
    fn from((name, source): (String, String)) -> Self {
        Self {
            name,
            source,
            rego_version: None,
        }
    }
}

impl From<&(String, String)> for RegoModule {
    fn from((name, source): &(String, String)) -> Self {
        Self::from((name.clone(), source.clone()))
    }
}

impl Default for PolicyOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(1),
            strict_builtin_errors: false,
            fail_open: false,
            cache: None,
            rego_version: RegoVersion::V1,
            memory_limit: Some(DEFAULT_MEMORY_LIMIT),
        }
    }
}

/// The outcome of evaluating a rule path.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The rule's value, or `None` when it is undefined (distinct from `false`/`null`).
    pub result: Option<serde_json::Value>,
    /// The snapshot revision the decision was made against.
    pub revision: u64,
    /// The manifest revision of the bundle serving; `None` when the policy did not come
    /// from a bundle or its bundle names no revision (no `.manifest`, or no `revision`).
    pub bundle_revision: Option<String>,
    /// A unique, time-ordered id (UUIDv7, random bits from the OS CSPRNG).
    pub decision_id: String,
    /// Time spent deciding, in microseconds.
    pub duration_us: u64,
    /// True when the result came from the decision cache.
    pub cached: bool,
    /// Lines written by `print()` during evaluation (`<file>:<line>: <text>`), in order.
    /// Empty for cached decisions: nothing was evaluated.
    pub prints: Vec<String>,
}

/// The outcome of an ad-hoc query: OPA's result rows.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryDecision {
    /// One row per solution: `{"expressions": [...], "bindings": {...}}`. Empty when the
    /// query is undefined.
    pub rows: Vec<serde_json::Value>,
    /// The snapshot revision the query was evaluated against.
    pub revision: u64,
    /// The manifest revision of the bundle serving, if any.
    pub bundle_revision: Option<String>,
    /// A unique, time-ordered id.
    pub decision_id: String,
    /// Time spent deciding, in microseconds.
    pub duration_us: u64,
    /// True when the rows came from the decision cache.
    pub cached: bool,
    /// Lines written by `print()` during evaluation.
    pub prints: Vec<String>,
}

/// An in-process Rego policy engine. `Send + Sync`; share it across threads.
pub struct PolicyEngine {
    /// Process-unique id, keying this engine's per-thread replicas (replica.rs).
    id: u64,
    snapshot: ArcSwap<Snapshot>,
    /// Serialises writers only; evaluation never touches it.
    writer: Mutex<()>,
    options: PolicyOptions,
    cache: Option<DecisionCache>,
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

    /// Adds one Rego module under `name` (used in error locations), parsed as the
    /// engine's [`PolicyOptions::rego_version`].
    ///
    /// Errors: `POLICY_PARSE` with file, line and column; `LIMIT_EXCEEDED` past the policy
    /// size limits ([`MAX_POLICY_BYTES`], [`MAX_POLICY_LINES`], [`MAX_POLICY_COLUMNS`]).
    pub fn add_module(&self, name: &str, source: &str) -> Result<u64> {
        self.add_modules(&[(name.to_string(), source.to_string())])
    }

    /// Adds several modules as one change: all compile and are published as one new
    /// revision, or none is. Takes `(name, source)` pairs or [`RegoModule`]s (which may
    /// name their Rego version).
    pub fn add_modules<M: Into<RegoModule> + Clone>(&self, modules: &[M]) -> Result<u64> {
        let modules = self.rego_modules(modules);
        self.update(|candidate| candidate.add_modules(module_texts(&modules)))
    }

    /// Modules with their Rego version settled (a module's own, else the engine's).
    fn rego_modules<M: Into<RegoModule> + Clone>(&self, modules: &[M]) -> Vec<RegoModule> {
        modules
            .iter()
            .map(|m| {
                let mut module: RegoModule = m.clone().into();
                module.rego_version =
                    Some(module.rego_version.unwrap_or(self.options.rego_version));
                module
            })
            .collect()
    }

    /// Replaces every loaded module with `modules` (data is kept), as one change: the
    /// new set compiles and is published as one new revision, or the old set keeps
    /// serving.
    pub fn replace_modules<M: Into<RegoModule> + Clone>(&self, modules: &[M]) -> Result<u64> {
        let modules = self.rego_modules(modules);
        self.update(|candidate| {
            let mut fresh = Snapshot::empty(&self.options);
            fresh.add_modules(module_texts(&modules))?;
            fresh.add_data(candidate.engine.get_data())?;
            fresh.bundle_revision = candidate.bundle_revision.take();
            *candidate = fresh;
            Ok(())
        })
    }

    /// Replaces everything: the modules with `modules` and the data with `data` (JSON text
    /// of an object; `None` = empty), as one change published as one revision, or rejected
    /// whole while the old snapshot keeps serving.
    ///
    /// Errors: as [`Self::add_modules`] and [`Self::add_data_json`].
    pub fn reload<M: Into<RegoModule> + Clone>(
        &self,
        modules: &[M],
        data: Option<&[u8]>,
    ) -> Result<u64> {
        let data = data.map(data_document).transpose()?;
        let modules = self.rego_modules(modules);
        self.update(|candidate| {
            let mut fresh = Snapshot::empty(&self.options);
            fresh.add_modules(module_texts(&modules))?;
            if let Some(data) = data {
                fresh.add_data(data)?;
            }
            *candidate = fresh;
            Ok(())
        })
    }

    /// Activates an OPA bundle: its modules and data replace every module and all data
    /// loaded before, as one change, and decisions report its manifest revision.
    pub fn load_bundle(&self, bundle: &Bundle) -> Result<u64> {
        let data: regorus::Value = serde_json::from_value(bundle.data.clone())
            .map_err(|e| Error::new(ErrorCode::BundleInvalid, format!("bundle data: {e}")))?;
        self.update(|candidate| {
            let mut fresh = Snapshot::empty(&self.options);
            fresh.add_modules(bundle.modules.iter().map(|m| ModuleText {
                name: &m.path,
                source: &m.source,
                version: m.rego_version.unwrap_or(self.options.rego_version),
            }))?;
            fresh.add_data(data)?;
            // A bundle without a manifest, or whose manifest names no revision, has none:
            // `None` in every language (never an empty string).
            fresh.bundle_revision =
                Some(bundle.manifest.revision.clone()).filter(|revision| !revision.is_empty());
            *candidate = fresh;
            Ok(())
        })
    }

    /// Parses a `.tar.gz` bundle (verifying its signature when `verification` is set)
    /// and activates it. Errors: `BUNDLE_INVALID`, `INTEGRITY`, `LIMIT_EXCEEDED`, and
    /// the policy errors of its modules; on any error the serving snapshot is kept.
    pub fn load_bundle_bytes(
        &self,
        bytes: &[u8],
        verification: Option<&Verification>,
    ) -> Result<u64> {
        let outcome = Bundle::from_tar_gz(bytes, verification);
        self.metrics_on_bundle_error(&outcome);
        self.load_bundle(&outcome?)
    }

    /// Loads a bundle from a `.tar.gz` file or a bundle directory and activates it.
    /// Errors as [`Self::load_bundle_bytes`], plus `SOURCE_UNAVAILABLE` when the path
    /// cannot be read.
    pub fn load_bundle_path(
        &self,
        path: impl AsRef<Path>,
        verification: Option<&Verification>,
    ) -> Result<u64> {
        let path = path.as_ref();
        if path.is_dir() {
            let outcome = Bundle::from_dir(path, verification);
            self.metrics_on_bundle_error(&outcome);
            return self.load_bundle(&outcome?);
        }
        let bytes = std::fs::read(path).map_err(|e| {
            Error::new(
                ErrorCode::SourceUnavailable,
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        self.load_bundle_bytes(&bytes, verification)
    }

    /// A bundle that fails to parse or verify is a failed reload.
    fn metrics_on_bundle_error(&self, outcome: &Result<Bundle>) {
        if outcome.is_err() {
            self.metrics.reload(false);
        }
    }

    /// Adds a `.rego` file, or every `.rego` file below a directory (recursively, in
    /// path order), as one change. Module names are the file paths.
    ///
    /// Errors: `SOURCE_UNAVAILABLE` when the path cannot be read, `INVALID_ARGUMENT` when
    /// a directory holds no `.rego` file, `POLICY_PARSE` as for [`Self::add_module`].
    pub fn add_path(&self, path: impl AsRef<Path>) -> Result<u64> {
        let path = path.as_ref();
        let mut files = Vec::new();
        collect_rego_files(path, &mut files)?;
        if files.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("no .rego files under {}", path.display()),
            ));
        }
        files.sort();
        let mut modules = Vec::with_capacity(files.len());
        for file in files {
            let bytes = std::fs::read(&file).map_err(|e| {
                Error::new(
                    ErrorCode::SourceUnavailable,
                    format!("cannot read {}: {e}", file.display()),
                )
            })?;
            let source = json::text(&bytes)?.to_string();
            modules.push((file.display().to_string(), source));
        }
        self.add_modules(&modules)
    }

    /// Merges a JSON data document (an object) into `data`.
    ///
    /// Errors: `INVALID_JSON` / `LIMIT_EXCEEDED` for bad text, `INVALID_ARGUMENT` when the
    /// document is not an object, `POLICY_CONFLICT` when it collides with data already
    /// loaded.
    pub fn add_data_json(&self, bytes: &[u8]) -> Result<u64> {
        let data = data_document(bytes)?;
        self.update(|candidate| candidate.add_data(data))
    }

    /// Evaluates a rule path such as `data.rbac.allow` against `input` (JSON text; any
    /// JSON value, as in OPA).
    ///
    /// Errors: `INVALID_JSON` / `LIMIT_EXCEEDED` for the input, `POLICY_NOT_FOUND` when
    /// the path names no loaded package, `INVALID_ARGUMENT` for a path that is not a rule
    /// path, `EVAL_ERROR`, `EVAL_TIMEOUT`. A rule that exists in a loaded package but
    /// produces no value is undefined (`result: None`), not an error.
    pub fn evaluate(&self, path: &str, input: &[u8]) -> Result<Decision> {
        let started = Instant::now();
        let outcome = self.evaluate_at(path, input, started);
        self.metrics
            .record(started.elapsed(), outcome.as_ref().err().map(Error::code));
        outcome
    }

    fn evaluate_at(&self, path: &str, input: &[u8], started: Instant) -> Result<Decision> {
        let snapshot = self.snapshot.load_full();
        check_rule_path(path, &snapshot)?;
        let (result, prints, cached) = match self.prepare(&snapshot, Kind::Rule, path, input)? {
            Prepared::Hit(Cached::Rule(result)) => (result, Vec::new(), true),
            Prepared::Hit(Cached::Rows(_)) => {
                return Err(Error::new(
                    ErrorCode::Internal,
                    "cache entry of the wrong kind",
                ))
            }
            Prepared::Miss { input, key } => {
                let (result, prints) = self.with_engine(&snapshot, |engine| {
                    engine.set_input(input);
                    let result = evaluate_path(engine, path);
                    let prints = engine.take_prints().unwrap_or_default();
                    result.map(|r| (r, prints))
                })?;
                self.remember(key, || Cached::Rule(result.clone()));
                (result, prints, false)
            }
        };
        Ok(Decision {
            result,
            revision: snapshot.revision,
            bundle_revision: snapshot.bundle_revision.clone(),
            decision_id: new_decision_id(),
            duration_us: elapsed_us(started),
            cached,
            prints,
        })
    }

    /// Parses the input and, with the cache on, looks the decision up.
    fn prepare(
        &self,
        snapshot: &Snapshot,
        kind: Kind,
        target: &str,
        input: &[u8],
    ) -> Result<Prepared> {
        let Some(cache) = &self.cache else {
            return Ok(Prepared::Miss {
                input: json::parse_as(input)?,
                key: None,
            });
        };
        let value = json::parse(input)?;
        let key = DecisionCache::key(snapshot.revision, kind, target, &value)?;
        if let Some(hit) = cache.get(&key) {
            self.metrics.cache_hit();
            return Ok(Prepared::Hit(hit));
        }
        self.metrics.cache_miss();
        let input = serde_json::from_value(value)
            .map_err(|e| Error::new(ErrorCode::InvalidJson, format!("input: {e}")))?;
        Ok(Prepared::Miss {
            input,
            key: Some(key),
        })
    }

    fn remember(&self, key: Option<Key>, value: impl FnOnce() -> Cached) {
        if let (Some(cache), Some(key)) = (&self.cache, key) {
            cache.insert(key, value());
        }
    }

    /// Runs `f` on this thread's own replica of `snapshot` (replica.rs explains why).
    fn with_engine<T>(
        &self,
        snapshot: &Snapshot,
        f: impl FnOnce(&mut regorus::Engine) -> Result<T>,
    ) -> Result<T> {
        let limit = self.options.memory_limit;
        replica::with_replica(
            self.id,
            snapshot.revision,
            || snapshot.replicate(&self.options),
            |engine| {
                // The replica is the thread's, made before; the budget covers evaluating.
                let _budget = crate::memory::Budget::start(limit);
                f(engine)
            },
        )
    }

    /// Verifies `token` with `verifier`, then evaluates `path` against `input` (JSON text
    /// of an object; empty text = `{}`) with the verified claims added as `input.claims`.
    ///
    /// Errors: `TOKEN_INVALID` / `TOKEN_EXPIRED` (nothing is evaluated),
    /// `INVALID_ARGUMENT` when the input is not an object or already has `claims`, and
    /// as [`Self::evaluate`].
    pub fn authorize(
        &self,
        verifier: &crate::token::TokenVerifier,
        token: &str,
        path: &str,
        input: &[u8],
    ) -> Result<Decision> {
        let claims = verifier.verify(token)?;
        let mut input = if input.is_empty() {
            serde_json::Value::Object(serde_json::Map::new())
        } else {
            json::parse(input)?
        };
        let Some(fields) = input.as_object_mut() else {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "authorize needs an object input (the claims are added as input.claims)",
            ));
        };
        if fields.contains_key("claims") {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "input already has a `claims` field; authorize adds the verified claims there",
            ));
        }
        fields.insert("claims".into(), serde_json::Value::Object(claims));
        self.evaluate(path, json::to_string(&input).as_bytes())
    }

    /// A yes/no decision: `true` only when the rule at `path` is `true`. `false` or
    /// undefined is `false`. When evaluation fails (bad input, timeout, unknown path, ...)
    /// or the rule's value is not a boolean, the configured fail mode answers
    /// ([`PolicyOptions::fail_open`], closed by default) and [`Self::fail_mode_count`]
    /// goes up.
    pub fn allowed(&self, path: &str, input: &[u8]) -> bool {
        match self.evaluate(path, input).map(|d| d.result) {
            Ok(Some(serde_json::Value::Bool(b))) => b,
            Ok(None) => false,
            Ok(Some(_)) | Err(_) => {
                self.metrics.fail_mode();
                self.options.fail_open
            }
        }
    }

    /// How many times [`Self::allowed`] has answered with the fail mode.
    pub fn fail_mode_count(&self) -> u64 {
        self.metrics.fail_mode_count()
    }

    /// Evaluates an arbitrary Rego query (e.g. `x := data.rbac.allow; x == true`) and
    /// returns OPA's result rows. Errors as [`Self::evaluate`], plus `POLICY_PARSE` for
    /// a query that does not parse.
    pub fn query(&self, query: &str, input: &[u8]) -> Result<QueryDecision> {
        let started = Instant::now();
        let outcome = self.query_at(query, input, started);
        self.metrics
            .record(started.elapsed(), outcome.as_ref().err().map(Error::code));
        outcome
    }

    fn query_at(&self, query: &str, input: &[u8], started: Instant) -> Result<QueryDecision> {
        let snapshot = self.snapshot.load_full();
        let (rows, prints, cached) = match self.prepare(&snapshot, Kind::Query, query, input)? {
            Prepared::Hit(Cached::Rows(rows)) => (rows, Vec::new(), true),
            Prepared::Hit(Cached::Rule(_)) => {
                return Err(Error::new(
                    ErrorCode::Internal,
                    "cache entry of the wrong kind",
                ))
            }
            Prepared::Miss { input, key } => {
                let (rows, prints) = self.with_engine(&snapshot, |engine| {
                    engine.set_input(input);
                    let results = engine.eval_query(query.to_string(), false);
                    let prints = engine.take_prints().unwrap_or_default();
                    let rows = query_rows(&results.map_err(|e| query_error(&e))?)?;
                    Ok((rows, prints))
                })?;
                self.remember(key, || Cached::Rows(rows.clone()));
                (rows, prints, false)
            }
        };
        Ok(QueryDecision {
            rows,
            revision: snapshot.revision,
            bundle_revision: snapshot.bundle_revision.clone(),
            decision_id: new_decision_id(),
            duration_us: elapsed_us(started),
            cached,
            prints,
        })
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
        candidate.revision = current.revision + 1;
        let revision = candidate.revision;
        self.snapshot.store(Arc::new(candidate));
        if let Some(cache) = &self.cache {
            cache.clear();
        }
        Ok(revision)
    }
}

/// A data document: JSON text of an object.
fn data_document(bytes: &[u8]) -> Result<regorus::Value> {
    let data: regorus::Value = json::parse_as(bytes)?;
    if data.as_object().is_err() {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "data must be a JSON object",
        ));
    }
    Ok(data)
}

fn module_texts(modules: &[RegoModule]) -> impl Iterator<Item = ModuleText<'_>> {
    modules.iter().map(|m| ModuleText {
        name: &m.name,
        source: &m.source,
        version: m.rego_version.unwrap_or_default(),
    })
}

/// OPA's result rows from regorus's query results.
/// OPA's result rows of a query, as regorus gives them (patch 31: a row holds a `false`
/// expression only where OPA captures the value of a query's one expression, as in
/// `data.t.x == 2`; a false expression fails every other query).
fn query_rows(results: &regorus::QueryResults) -> Result<Vec<serde_json::Value>> {
    let mut rows = Vec::with_capacity(results.result.len());
    for row in &results.result {
        let expressions = row
            .expressions
            .iter()
            .map(|expr| Ok(to_json(&expr.value)?.unwrap_or(serde_json::Value::Null)))
            .collect::<Result<Vec<_>>>()?;
        let bindings = to_json(&row.bindings)?.unwrap_or_else(|| serde_json::json!({}));
        rows.push(serde_json::json!({ "expressions": expressions, "bindings": bindings }));
    }
    Ok(rows)
}

/// Evaluates a rule path on an engine whose input is set.
fn evaluate_path(engine: &mut regorus::Engine, path: &str) -> Result<Option<serde_json::Value>> {
    match engine.eval_rule(path.to_string()) {
        Ok(value) => to_json(&value),
        // eval_rule only takes paths that end at a rule. A path to a whole package, or to a
        // rule the loaded package does not define, is answered like OPA's data API: the
        // document at that path, or undefined.
        Err(e) if format!("{e}").contains("not a valid rule path") => {
            let results = engine
                .eval_query(path.to_string(), false)
                .map_err(|e| eval_error(&e))?;
            match results
                .result
                .first()
                .and_then(|row| row.expressions.first())
            {
                Some(expr) => to_json(&expr.value),
                None => Ok(None),
            }
        }
        Err(e) => Err(eval_error(&e)),
    }
}

fn collect_rego_files(path: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::new(
            ErrorCode::SourceUnavailable,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let entries = std::fs::read_dir(path).map_err(|e| {
        Error::new(
            ErrorCode::SourceUnavailable,
            format!("cannot list {}: {e}", path.display()),
        )
    })?;
    for entry in entries.flatten() {
        let child = entry.path();
        if child.is_dir() {
            collect_rego_files(&child, out)?;
        } else if child.extension().is_some_and(|ext| ext == "rego") {
            out.push(child);
        }
    }
    Ok(())
}

/// A rule path is `data` followed by dotted identifiers naming a loaded package (or a
/// rule in one, or a prefix of one) or a path under a top-level document of the base data,
/// as OPA's data API serves both. Anything else is `POLICY_NOT_FOUND` (where OPA answers
/// undefined): a typo in a package name is an error, not a silent deny.
fn check_rule_path(path: &str, snapshot: &Snapshot) -> Result<()> {
    let packages = &snapshot.packages;
    let mut parts = path.split('.');
    let valid = parts.next() == Some("data")
        && path.len() > "data.".len()
        && parts.all(|p| {
            !p.is_empty()
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !p.starts_with(|c: char| c.is_ascii_digit())
        });
    if !valid {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("not a rule path (expected data.<package>.<rule>): {path:?}"),
        ));
    }
    let known = packages.iter().any(|p| {
        path == p || path.starts_with(&format!("{p}.")) || p.starts_with(&format!("{path}."))
    });
    // Only on the miss path: the data is looked at when no package matches.
    if known || snapshot.has_data_at(path) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::PolicyNotFound,
            format!("no loaded package or data document is at {path}"),
        ))
    }
}

fn to_json(value: &regorus::Value) -> Result<Option<serde_json::Value>> {
    if *value == regorus::Value::Undefined {
        return Ok(None);
    }
    serde_json::to_value(value).map(Some).map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("result not representable as JSON: {e}"),
        )
    })
}

fn elapsed_us(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX)
}

fn new_decision_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

//! Rego policy evaluation on `regorus`.
//!
//! Policies and data form one immutable [`Snapshot`] with a revision, published through
//! `arc-swap` (SPEC.md principles 2-4). Readers never take a lock: each evaluation loads
//! the current snapshot and evaluates on its own clone of the snapshot's prepared engine
//! (cloning a prepared `regorus::Engine` shares the compiled policy, so it is cheap).
//! Writers (`add_module`, `add_data`, ...) build a new candidate engine off to the side,
//! prepare it, and swap it in only if it compiles; a broken change never replaces the
//! snapshot that is serving.

use crate::error::{Error, ErrorCode, Result, SourceLocation};
use crate::json;
use crate::replica;
use arc_swap::ArcSwap;
use std::num::{NonZeroU32, NonZeroUsize};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
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
}

impl Default for PolicyOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(1),
            strict_builtin_errors: false,
            fail_open: false,
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
    /// A unique, time-ordered id (UUIDv7, random bits from the OS CSPRNG).
    pub decision_id: String,
    /// Time spent evaluating, in microseconds.
    pub duration_us: u64,
}

/// The outcome of an ad-hoc query: OPA's result rows.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryDecision {
    /// One row per solution: `{"expressions": [...], "bindings": {...}}`. Empty when the
    /// query is undefined.
    pub rows: Vec<serde_json::Value>,
    /// The snapshot revision the query was evaluated against.
    pub revision: u64,
    /// A unique, time-ordered id.
    pub decision_id: String,
    /// Time spent evaluating, in microseconds.
    pub duration_us: u64,
}

/// One immutable, prepared set of policies and data.
struct Snapshot {
    engine: regorus::Engine,
    revision: u64,
    /// The packages loaded, as `data.x.y`, to tell an unknown package from an undefined rule.
    packages: Vec<String>,
}

/// An in-process Rego policy engine. `Send + Sync`; share it across threads.
pub struct PolicyEngine {
    /// Process-unique id, keying this engine's per-thread replicas (replica.rs).
    id: u64,
    snapshot: ArcSwap<Snapshot>,
    /// Serialises writers only; evaluation never touches it.
    writer: Mutex<()>,
    options: PolicyOptions,
    /// How many times [`PolicyEngine::allowed`] answered with the fail mode.
    fail_mode_count: AtomicU64,
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

impl PolicyEngine {
    /// An engine with no policies and empty data (revision 0).
    pub fn new(options: PolicyOptions) -> Self {
        let mut engine = base_engine(&options);
        // An empty engine prepares without error; the result is irrelevant.
        let _ = engine.eval_bool_query("true".to_string(), false);
        Self {
            id: replica::new_engine_id(),
            snapshot: ArcSwap::from_pointee(Snapshot {
                engine,
                revision: 0,
                packages: Vec::new(),
            }),
            writer: Mutex::new(()),
            options,
            fail_mode_count: AtomicU64::new(0),
        }
    }

    /// The revision currently serving (0 before anything is loaded; +1 per change).
    pub fn revision(&self) -> u64 {
        self.snapshot.load().revision
    }

    /// The packages loaded, e.g. `["data.rbac"]`.
    pub fn packages(&self) -> Vec<String> {
        self.snapshot.load().packages.clone()
    }

    /// Adds one Rego module (v1 syntax) under `name` (used in error locations).
    ///
    /// Errors: `POLICY_PARSE` with file, line and column; `LIMIT_EXCEEDED` past the policy
    /// size limits ([`MAX_POLICY_BYTES`], [`MAX_POLICY_LINES`], [`MAX_POLICY_COLUMNS`]).
    pub fn add_module(&self, name: &str, source: &str) -> Result<u64> {
        self.add_modules(&[(name.to_string(), source.to_string())])
    }

    /// Adds several modules as one change: all compile and are published as one new
    /// revision, or none is.
    pub fn add_modules(&self, modules: &[(String, String)]) -> Result<u64> {
        self.update(|engine, packages| {
            for (name, source) in modules {
                let package = engine
                    .add_policy(name.clone(), source.clone())
                    .map_err(|e| policy_error(&e, name))?;
                if !packages.contains(&package) {
                    packages.push(package);
                }
            }
            Ok(())
        })
    }

    /// Replaces every loaded module with `modules` (data is kept), as one change: the
    /// new set compiles and is published as one new revision, or the old set keeps
    /// serving.
    pub fn replace_modules(&self, modules: &[(String, String)]) -> Result<u64> {
        let options = self.options.clone();
        self.update(|current, packages| {
            let mut engine = base_engine(&options);
            packages.clear();
            for (name, source) in modules {
                let package = engine
                    .add_policy(name.clone(), source.clone())
                    .map_err(|e| policy_error(&e, name))?;
                if !packages.contains(&package) {
                    packages.push(package);
                }
            }
            engine
                .add_data(current.get_data())
                .map_err(|e| Error::new(ErrorCode::PolicyConflict, format!("data: {e}")))?;
            *current = engine;
            Ok(())
        })
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
        let data: regorus::Value = json::parse_as(bytes)?;
        if data.as_object().is_err() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "data must be a JSON object",
            ));
        }
        self.update(|engine, _| {
            engine
                .add_data(data.clone())
                .map_err(|e| Error::new(ErrorCode::PolicyConflict, format!("data: {e}")))
        })
    }

    /// Evaluates a rule path such as `data.rbac.allow` against `input` (JSON text; any
    /// JSON value, as in OPA).
    ///
    /// Errors: `INVALID_JSON` / `LIMIT_EXCEEDED` for the input, `POLICY_NOT_FOUND` when
    /// the path names no loaded package, `INVALID_ARGUMENT` for a path that is not a rule
    /// path, `EVAL_ERROR`, `EVAL_TIMEOUT`. A rule that exists in a loaded package but
    /// produces no value is undefined (`result: None`), not an error.
    pub fn evaluate(&self, path: &str, input: &[u8]) -> Result<Decision> {
        let snapshot = self.snapshot.load_full();
        let started = Instant::now();
        check_rule_path(path, &snapshot.packages)?;
        let input: regorus::Value = json::parse_as(input)?;
        let result = self.with_engine(&snapshot, |engine| {
            engine.set_input(input);
            evaluate_path(engine, path)
        })?;
        Ok(Decision {
            result,
            revision: snapshot.revision,
            decision_id: new_decision_id(),
            duration_us: elapsed_us(started),
        })
    }

    /// Runs `f` on this thread's own replica of `snapshot` (replica.rs explains why).
    fn with_engine<T>(
        &self,
        snapshot: &Snapshot,
        f: impl FnOnce(&mut regorus::Engine) -> Result<T>,
    ) -> Result<T> {
        replica::with_replica(
            self.id,
            snapshot.revision,
            || replicate(&snapshot.engine, &self.options),
            f,
        )
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
                self.fail_mode_count.fetch_add(1, Ordering::Relaxed);
                self.options.fail_open
            }
        }
    }

    /// How many times [`Self::allowed`] has answered with the fail mode.
    pub fn fail_mode_count(&self) -> u64 {
        self.fail_mode_count.load(Ordering::Relaxed)
    }

    /// Evaluates an arbitrary Rego query (e.g. `x := data.rbac.allow; x == true`) and
    /// returns OPA's result rows. Errors as [`Self::evaluate`], plus `POLICY_PARSE` for
    /// a query that does not parse.
    pub fn query(&self, query: &str, input: &[u8]) -> Result<QueryDecision> {
        let snapshot = self.snapshot.load_full();
        let started = Instant::now();
        let input: regorus::Value = json::parse_as(input)?;
        let results = self.with_engine(&snapshot, |engine| {
            engine.set_input(input);
            engine
                .eval_query(query.to_string(), false)
                .map_err(|e| query_error(&e))
        })?;
        let mut rows = Vec::with_capacity(results.result.len());
        // regorus reports a single false expression as a row holding `false`; in OPA an
        // expression that is false fails the query, so such a row is no solution.
        let solutions = results.result.iter().filter(|row| {
            !row.expressions
                .iter()
                .any(|e| e.value == regorus::Value::Bool(false))
        });
        for row in solutions {
            let expressions = row
                .expressions
                .iter()
                .map(|expr| Ok(to_json(&expr.value)?.unwrap_or(serde_json::Value::Null)))
                .collect::<Result<Vec<_>>>()?;
            let bindings = to_json(&row.bindings)?.unwrap_or_else(|| serde_json::json!({}));
            rows.push(serde_json::json!({ "expressions": expressions, "bindings": bindings }));
        }
        Ok(QueryDecision {
            rows,
            revision: snapshot.revision,
            decision_id: new_decision_id(),
            duration_us: elapsed_us(started),
        })
    }

    /// Builds a candidate from the serving snapshot, applies `change`, prepares it, and
    /// publishes it as the next revision. On any error the serving snapshot is untouched.
    fn update(
        &self,
        change: impl FnOnce(&mut regorus::Engine, &mut Vec<String>) -> Result<()>,
    ) -> Result<u64> {
        let _writer = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let current = self.snapshot.load_full();
        let mut engine = current.engine.clone();
        let mut packages = current.packages.clone();
        change(&mut engine, &mut packages)?;
        // Preparing (scheduling, rule gathering) happens on the first evaluation; do it
        // here so compile errors reject the change and clones on the hot path are cheap.
        engine
            .eval_bool_query("true".to_string(), false)
            .map_err(|e| compile_error(&e))?;
        let revision = current.revision + 1;
        self.snapshot.store(Arc::new(Snapshot {
            engine,
            revision,
            packages,
        }));
        Ok(revision)
    }
}

/// A fresh regorus engine configured from `options`.
fn base_engine(options: &PolicyOptions) -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(options.strict_builtin_errors);
    // print() output is gathered instead of written to the host's stdout.
    engine.set_gather_prints(true);
    // Check the clock every 64 units of work: frequent enough to stop a loop within a
    // few milliseconds of the limit, rare enough not to show in the hot path.
    let check_interval = NonZeroU32::new(64).unwrap_or(NonZeroU32::MIN);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: options.timeout,
        check_interval,
    });
    // regorus refuses lines over 1,024 columns by default; generated policies (and 45 of
    // OPA's own conformance cases) have longer ones. Keep a bound, a generous one.
    engine.set_policy_length_config(regorus::utils::limits::PolicyLengthConfig {
        max_col: NonZeroU32::new(MAX_POLICY_COLUMNS).unwrap_or(NonZeroU32::MIN),
        max_file_bytes: NonZeroUsize::new(MAX_POLICY_BYTES).unwrap_or(NonZeroUsize::MIN),
        max_lines: NonZeroUsize::new(MAX_POLICY_LINES).unwrap_or(NonZeroUsize::MIN),
    });
    engine
}

/// Longest accepted line of a policy module, in columns.
pub const MAX_POLICY_COLUMNS: u32 = 65_536;
/// Largest accepted policy module, in bytes.
pub const MAX_POLICY_BYTES: usize = 4 * 1024 * 1024;
/// Most lines accepted in one policy module.
pub const MAX_POLICY_LINES: usize = 100_000;

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

/// A prepared engine equal to `prototype` that shares no `Arc` with it: modules are
/// re-added from their text and data re-parsed from JSON (replica.rs says why). Falls
/// back to a plain clone should that ever fail, since the prototype compiled already.
fn replicate(prototype: &regorus::Engine, options: &PolicyOptions) -> regorus::Engine {
    let rebuild = || -> anyhow::Result<regorus::Engine> {
        let mut engine = base_engine(options);
        for source in prototype.get_policies()? {
            engine.add_policy(source.file().clone(), source.contents().clone())?;
        }
        let data = serde_json::to_string(&prototype.get_data())?;
        engine.add_data_json(&data)?;
        engine.eval_bool_query("true".to_string(), false)?;
        Ok(engine)
    };
    rebuild().unwrap_or_else(|_| prototype.clone())
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

/// A rule path is `data` followed by dotted identifiers; the package part must be loaded.
fn check_rule_path(path: &str, packages: &[String]) -> Result<()> {
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
    if known {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::PolicyNotFound,
            format!("no loaded package defines {path}"),
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

fn is_timeout(message: &str) -> bool {
    message.contains("exceeded time limit")
}

/// Errors from regorus are `anyhow` errors whose text begins `<file>:<line>:<col>: error:`
/// for source problems; the location is lifted into [`SourceLocation`].
fn located(message: &str) -> Option<SourceLocation> {
    for line in message.lines() {
        let mut parts = line.splitn(4, ':');
        let (Some(file), Some(l), Some(c)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if let (Ok(line), Ok(column)) = (l.trim().parse::<u32>(), c.trim().parse::<u32>()) {
            return Some(SourceLocation {
                file: file.trim().trim_start_matches("-->").trim().to_string(),
                line,
                column,
            });
        }
    }
    None
}

fn with_location(error: Error, message: &str) -> Error {
    match located(message) {
        Some(location) => error.with_location(location),
        None => error,
    }
}

/// regorus error text, without the leading blank line of its source excerpts.
fn error_text(e: &anyhow::Error) -> String {
    format!("{e:#}").trim_start().to_string()
}

fn policy_error(e: &anyhow::Error, name: &str) -> Error {
    let message = error_text(e);
    // regorus's policy length checks say "... exceeds maximum ...".
    if message.contains("exceeds maximum") {
        return Error::new(ErrorCode::LimitExceeded, format!("{name}: {message}"));
    }
    let error = Error::new(ErrorCode::PolicyParse, message.clone());
    match located(&message) {
        Some(location) => error.with_location(location),
        None => error.with_location(SourceLocation {
            file: name.to_string(),
            line: 1,
            column: 1,
        }),
    }
}

fn compile_error(e: &anyhow::Error) -> Error {
    let message = error_text(e);
    let code = if message.contains("conflict") {
        ErrorCode::PolicyConflict
    } else {
        ErrorCode::PolicyParse
    };
    with_location(Error::new(code, message.clone()), &message)
}

fn eval_error(e: &anyhow::Error) -> Error {
    let message = error_text(e);
    let code = if is_timeout(&message) {
        ErrorCode::EvalTimeout
    } else if message.contains("conflict") {
        ErrorCode::PolicyConflict
    } else {
        ErrorCode::EvalError
    };
    with_location(Error::new(code, message.clone()), &message)
}

fn query_error(e: &anyhow::Error) -> Error {
    let message = error_text(e);
    // A query that does not parse is reported by the parser against the `<query.rego>`
    // pseudo-file; everything else is an evaluation error.
    if message.contains("<query") && !is_timeout(&message) && message.contains("error:") {
        return with_location(
            Error::new(ErrorCode::PolicyParse, message.clone()),
            &message,
        );
    }
    eval_error(e)
}

//! Evaluating: rule paths, queries and token-authorized decisions on the snapshot
//! serving, through the decision cache and the snapshot's engine copies (replica.rs).

use super::*;
use crate::decision_log::{Origin, TraceContext};
use compiled::Evaluator;

impl PolicyEngine {
    /// Evaluates a rule path such as `data.rbac.allow` against `input` (JSON text; any
    /// JSON value, as in OPA).
    ///
    /// Errors: `INVALID_JSON` / `LIMIT_EXCEEDED` for the input, `POLICY_NOT_FOUND` when
    /// the path names no loaded package, `INVALID_ARGUMENT` for a path that is not a rule
    /// path, `EVAL_ERROR`, `EVAL_TIMEOUT`. A rule that exists in a loaded package but
    /// produces no value is undefined (`result: None`), not an error.
    pub fn evaluate(&self, path: &str, input: &[u8]) -> Result<Decision> {
        self.evaluate_from(path, input, Origin::default())
    }

    /// [`Self::evaluate`] in a span, for the decision log's `trace_id` and `span_id`.
    /// Errors: as [`Self::evaluate`].
    pub fn evaluate_traced(
        &self,
        path: &str,
        input: &[u8],
        trace: &TraceContext,
    ) -> Result<Decision> {
        let origin = Origin {
            requested_by: None,
            trace: Some(trace),
        };
        self.evaluate_from(path, input, origin)
    }

    /// [`Self::evaluate`] for a caller and span the decision log names.
    pub(crate) fn evaluate_from(
        &self,
        path: &str,
        input: &[u8],
        origin: Origin<'_>,
    ) -> Result<Decision> {
        let started = Instant::now();
        let mut outcome = self.evaluate_at(path, input);
        // One clock read for the decision's duration and the metrics.
        let elapsed = started.elapsed();
        if let Ok(decision) = &mut outcome {
            decision.duration_us = micros(elapsed);
        }
        self.metrics
            .record(elapsed, outcome.as_ref().err().map(Error::code));
        self.log_decision(path, input, &outcome, origin, started);
        outcome
    }

    /// The decision without its duration, which the caller measures.
    pub(super) fn evaluate_at(&self, path: &str, input: &[u8]) -> Result<Decision> {
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
                let (result, prints) = self.with_engine(&snapshot, |copy| {
                    if self.options.evaluator == Evaluator::Compiled {
                        let (programs, own) = (&snapshot.programs, &snapshot.engine);
                        if let Some(vm) = compiled::vm(copy, path, programs, own, &self.options)? {
                            self.metrics.evaluated_by(true);
                            let value = compiled::evaluate(vm, input)?;
                            return Ok((to_json(&value)?, Vec::new()));
                        }
                    }
                    self.metrics.evaluated_by(false);
                    let engine = &mut copy.engine;
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
            duration_us: 0,
            cached,
            prints,
        })
    }

    /// Parses the input and, with the cache on, looks the decision up.
    pub(super) fn prepare(
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

    pub(super) fn remember(&self, key: Option<Key>, value: impl FnOnce() -> Cached) {
        if let (Some(cache), Some(key)) = (&self.cache, key) {
            cache.insert(key, value());
        }
    }

    /// Runs `f` on a copy of `snapshot`'s engine no other evaluation is using (replica.rs
    /// explains why).
    pub(super) fn with_engine<T>(
        &self,
        snapshot: &Snapshot,
        f: impl FnOnce(&mut crate::replica::Copy) -> Result<T>,
    ) -> Result<T> {
        let limit = self.options.memory_limit;
        snapshot.with_copy(self.id, &self.options, |copy| {
            // The copy is made before; the budget covers evaluating.
            let _budget = crate::memory::Budget::start(limit);
            f(copy)
        })
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
        self.log_query(query, input, &outcome, started);
        outcome
    }

    pub(super) fn query_at(
        &self,
        query: &str,
        input: &[u8],
        started: Instant,
    ) -> Result<QueryDecision> {
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
                let (rows, prints) = self.with_engine(&snapshot, |copy| {
                    self.metrics.evaluated_by(false);
                    let engine = &mut copy.engine;
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
}

/// OPA's result rows from regorus's query results.
/// OPA's result rows of a query, as regorus gives them (patch 31: a row holds a `false`
/// expression only where OPA captures the value of a query's one expression, as in
/// `data.t.x == 2`; a false expression fails every other query).
pub(super) fn query_rows(results: &regorus::QueryResults) -> Result<Vec<serde_json::Value>> {
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
pub(super) fn evaluate_path(
    engine: &mut regorus::Engine,
    path: &str,
) -> Result<Option<serde_json::Value>> {
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

/// A rule path is `data` followed by dotted identifiers naming a loaded package (or a
/// rule in one, or a prefix of one) or a path under a top-level document of the base data,
/// as OPA's data API serves both. Anything else is `POLICY_NOT_FOUND` (where OPA answers
/// undefined): a typo in a package name is an error, not a silent deny.
pub(super) fn check_rule_path(path: &str, snapshot: &Snapshot) -> Result<()> {
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
    // `path` is a package, inside one, or a prefix of one (no allocation: this runs on
    // every decision).
    let below = |inner: &str, outer: &str| {
        inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    };
    let known = packages.iter().any(|p| below(path, p) || below(p, path));
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

pub(super) fn to_json(value: &regorus::Value) -> Result<Option<serde_json::Value>> {
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

pub(super) fn elapsed_us(started: Instant) -> u64 {
    micros(started.elapsed())
}

/// Whole microseconds of `elapsed`, saturating.
fn micros(elapsed: std::time::Duration) -> u64 {
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}

pub(super) fn new_decision_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

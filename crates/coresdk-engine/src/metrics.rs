//! Policy metrics: counters, a latency histogram and source status, as a structured
//! snapshot and as Prometheus text exposition.
//!
//! The names are the contract: every language reads the same snapshot from the core, so
//! a dashboard built on Node's metrics works unchanged on Python's. Counters are relaxed
//! atomics; recording a decision costs a few uncontended increments.

use crate::error::ErrorCode;
use serde_json::{json, Map, Value};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Upper bounds of the latency histogram buckets, in seconds (Prometheus `le`).
pub const LATENCY_BUCKETS_SECONDS: [f64; 16] = [
    0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
    0.05, 0.1, 0.25, 0.5, 1.0,
];

/// Status of the source that feeds an engine new revisions (an HTTP bundle poller or a
/// watched directory), as reported in metrics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceStatus {
    /// `"http"` or `"directory"`.
    pub kind: String,
    /// Where the source reads from: the URL or the directory path.
    pub location: String,
    /// `"starting"` (no attempt finished yet), `"ok"` (the last attempt succeeded),
    /// `"failing"` (the last attempt failed; the last good revision keeps serving) or
    /// `"stopped"`.
    pub state: String,
    /// Attempts that activated a new bundle.
    pub updates: u64,
    /// Polls answered `304 Not Modified`.
    pub not_modified: u64,
    /// Attempts that failed (unreachable, bad status, invalid or unverified bundle).
    pub failures: u64,
    /// Failures since the last success.
    pub consecutive_failures: u64,
    /// Unix time (ms) of the last successful attempt, if any.
    pub last_success_unix_ms: Option<u64>,
    /// Code and message of the last failure, if any.
    pub last_error: Option<(ErrorCode, String)>,
    /// The `ETag` of the bundle serving (HTTP only).
    pub etag: Option<String>,
    /// The last-known-good cache (HTTP only, when configured): `"stored"` (the bundle
    /// serving is persisted), `"restored"` (the source was unreachable at start and the
    /// persisted bundle is serving), `"rejected"` (the persisted bundle failed its
    /// integrity check and was not used), `"write_failed"`, or `None`.
    pub last_known_good: Option<String>,
}

impl SourceStatus {
    /// The status as a JSON object (the `source` field of the snapshot).
    pub fn to_json(&self) -> Value {
        json!({
            "kind": self.kind,
            "location": self.location,
            "state": self.state,
            "updates": self.updates,
            "not_modified": self.not_modified,
            "failures": self.failures,
            "consecutive_failures": self.consecutive_failures,
            "last_success_unix_ms": self.last_success_unix_ms,
            "last_error": self.last_error.as_ref().map(|(code, message)| json!({
                "code": code.as_str(), "message": message,
            })),
            "etag": self.etag,
            "last_known_good": self.last_known_good,
        })
    }
}

/// The live counters of one policy engine.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    evaluations: AtomicU64,
    errors: [AtomicU64; ErrorCode::ALL.len()],
    latency_buckets: [AtomicU64; LATENCY_BUCKETS_SECONDS.len()],
    latency_sum_ns: AtomicU64,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
    fail_mode: AtomicU64,
    /// Rule-path evaluations answered by the register VM and by the interpreter.
    compiled: AtomicU64,
    interpreted: AtomicU64,
    source: Mutex<Option<SourceStatus>>,
}

/// Values the engine knows at snapshot time (not counters).
pub(crate) struct Gauges<'a> {
    pub revision: u64,
    pub bundle_revision: Option<&'a str>,
    pub cache_enabled: bool,
    pub cache_entries: u64,
}

impl Metrics {
    /// Records one finished evaluation (successful or not) and its wall time.
    pub fn record(&self, elapsed: std::time::Duration, error: Option<ErrorCode>) {
        self.evaluations.fetch_add(1, Ordering::Relaxed);
        if let Some(code) = error {
            self.errors[code_index(code)].fetch_add(1, Ordering::Relaxed);
        }
        let seconds = elapsed.as_secs_f64();
        // Buckets are stored non-cumulative; the exposition sums them.
        if let Some(i) = LATENCY_BUCKETS_SECONDS.iter().position(|le| seconds <= *le) {
            self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        let ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.latency_sum_ns.fetch_add(ns, Ordering::Relaxed);
    }

    pub fn cache_hit(&self) {
        self.cache_hits.fetch_add(1, Ordering::Relaxed);
    }

    pub fn cache_miss(&self) {
        self.cache_misses.fetch_add(1, Ordering::Relaxed);
    }

    pub fn reload(&self, ok: bool) {
        let counter = if ok {
            &self.reloads_ok
        } else {
            &self.reloads_failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one evaluation by the evaluator that answered it (`true`: the VM).
    pub fn evaluated_by(&self, compiled: bool) {
        let counter = if compiled {
            &self.compiled
        } else {
            &self.interpreted
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn fail_mode(&self) {
        self.fail_mode.fetch_add(1, Ordering::Relaxed);
    }

    pub fn fail_mode_count(&self) -> u64 {
        self.fail_mode.load(Ordering::Relaxed)
    }

    /// Updates the source status in place (creating it from `Default` first).
    pub fn update_source(&self, f: impl FnOnce(&mut SourceStatus)) {
        let mut source = self.source.lock().unwrap_or_else(|p| p.into_inner());
        f(source.get_or_insert_with(SourceStatus::default));
    }

    pub fn source(&self) -> Option<SourceStatus> {
        self.source
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The structured snapshot (see docs/METRICS.md for every field).
    pub fn snapshot(&self, gauges: &Gauges<'_>) -> Value {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut errors = Map::new();
        for code in ErrorCode::ALL {
            let n = load(&self.errors[code_index(code)]);
            if n > 0 {
                errors.insert(code.as_str().to_string(), json!(n));
            }
        }
        let mut cumulative = 0;
        let buckets: Vec<Value> = LATENCY_BUCKETS_SECONDS
            .iter()
            .zip(&self.latency_buckets)
            .map(|(le, count)| {
                cumulative += load(count);
                json!({ "le": le, "count": cumulative })
            })
            .collect();
        json!({
            "evaluations": load(&self.evaluations),
            "errors": errors,
            "latency": {
                "count": load(&self.evaluations),
                "sum_seconds": load(&self.latency_sum_ns) as f64 / 1e9,
                "buckets": buckets,
            },
            "cache": {
                "enabled": gauges.cache_enabled,
                "hits": load(&self.cache_hits),
                "misses": load(&self.cache_misses),
                "entries": gauges.cache_entries,
            },
            "reloads": { "success": load(&self.reloads_ok), "failure": load(&self.reloads_failed) },
            "revision": gauges.revision,
            "bundle_revision": gauges.bundle_revision,
            "fail_mode": load(&self.fail_mode),
            "evaluator": { "compiled": load(&self.compiled), "interpreter": load(&self.interpreted) },
            "source": self.source().map(|s| s.to_json()),
        })
    }

    /// Prometheus text exposition format 0.0.4 of the same values.
    pub fn prometheus(&self, gauges: &Gauges<'_>) -> String {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed) as f64;
        let mut out = String::new();
        let plain = |value: f64| vec![(String::new(), String::new(), value)];
        family(
            &mut out,
            "coresdk_policy_evaluations_total",
            "counter",
            "Policy evaluations and queries, successful or not.",
            plain(load(&self.evaluations)),
        );
        let errors = ErrorCode::ALL
            .iter()
            .map(|code| {
                let labels = format!("code=\"{}\"", code.as_str());
                (String::new(), labels, load(&self.errors[code_index(*code)]))
            })
            .collect();
        family(
            &mut out,
            "coresdk_policy_errors_total",
            "counter",
            "Failed evaluations by error code.",
            errors,
        );
        let mut cumulative = 0.0;
        let mut histogram: Vec<_> = LATENCY_BUCKETS_SECONDS
            .iter()
            .zip(&self.latency_buckets)
            .map(|(le, count)| {
                cumulative += load(count);
                ("_bucket".to_string(), format!("le=\"{le}\""), cumulative)
            })
            .collect();
        let count = load(&self.evaluations);
        histogram.push(("_bucket".into(), "le=\"+Inf\"".into(), count));
        histogram.push((
            "_sum".into(),
            String::new(),
            load(&self.latency_sum_ns) / 1e9,
        ));
        histogram.push(("_count".into(), String::new(), count));
        family(
            &mut out,
            "coresdk_policy_evaluation_duration_seconds",
            "histogram",
            "Wall time of one evaluation.",
            histogram,
        );
        let evaluators = [
            ("compiled", &self.compiled),
            ("interpreter", &self.interpreted),
        ]
        .iter()
        .map(|(name, n)| (String::new(), format!("evaluator=\"{name}\""), load(n)))
        .collect();
        family(
            &mut out,
            "coresdk_policy_evaluator_total",
            "counter",
            "Evaluations by the evaluator that answered (compiled: regorus's register VM).",
            evaluators,
        );
        for (name, help, value) in [
            (
                "coresdk_policy_cache_hits_total",
                "Decisions answered from the decision cache.",
                &self.cache_hits,
            ),
            (
                "coresdk_policy_cache_misses_total",
                "Cacheable decisions that had to be evaluated.",
                &self.cache_misses,
            ),
            (
                "coresdk_policy_fail_mode_total",
                "Times allowed() answered with the configured fail mode.",
                &self.fail_mode,
            ),
        ] {
            family(&mut out, name, "counter", help, plain(load(value)));
        }
        let reloads = vec![
            (
                String::new(),
                "result=\"success\"".into(),
                load(&self.reloads_ok),
            ),
            (
                String::new(),
                "result=\"failure\"".into(),
                load(&self.reloads_failed),
            ),
        ];
        family(
            &mut out,
            "coresdk_policy_reloads_total",
            "counter",
            "Policy or data changes, by result.",
            reloads,
        );
        family(
            &mut out,
            "coresdk_policy_cache_entries",
            "gauge",
            "Entries in the decision cache.",
            plain(gauges.cache_entries as f64),
        );
        family(
            &mut out,
            "coresdk_policy_revision",
            "gauge",
            "Revision of the snapshot serving.",
            plain(gauges.revision as f64),
        );
        let bundle = gauges
            .bundle_revision
            .map(|r| (String::new(), format!("revision=\"{}\"", escape(r)), 1.0))
            .into_iter()
            .collect();
        family(
            &mut out,
            "coresdk_policy_bundle_info",
            "gauge",
            "The bundle serving, labelled with its manifest revision (always 1).",
            bundle,
        );
        if let Some(source) = self.source() {
            let labels = format!(
                "kind=\"{}\",location=\"{}\"",
                escape(&source.kind),
                escape(&source.location)
            );
            let up = if source.state == "failing" { 0.0 } else { 1.0 };
            let last_success = source.last_success_unix_ms.unwrap_or(0) as f64 / 1e3;
            let restored = if source.last_known_good.as_deref() == Some("restored") {
                1.0
            } else {
                0.0
            };
            for (name, kind, help, value) in [
                (
                    "coresdk_policy_source_up",
                    "gauge",
                    "0 while the last attempt to read the policy source failed (the last good revision keeps serving), else 1.",
                    up,
                ),
                (
                    "coresdk_policy_source_updates_total",
                    "counter",
                    "New bundles activated from the source.",
                    source.updates as f64,
                ),
                (
                    "coresdk_policy_source_not_modified_total",
                    "counter",
                    "Polls answered 304 Not Modified.",
                    source.not_modified as f64,
                ),
                (
                    "coresdk_policy_source_failures_total",
                    "counter",
                    "Failed attempts to read or activate the source.",
                    source.failures as f64,
                ),
                (
                    "coresdk_policy_source_consecutive_failures",
                    "gauge",
                    "Failures since the last success.",
                    source.consecutive_failures as f64,
                ),
                (
                    "coresdk_policy_source_last_success_timestamp_seconds",
                    "gauge",
                    "Unix time of the last successful attempt (0 = none yet).",
                    last_success,
                ),
                (
                    "coresdk_policy_source_last_known_good_serving",
                    "gauge",
                    "1 while the bundle restored from the last-known-good cache is serving.",
                    restored,
                ),
            ] {
                let sample = vec![(String::new(), labels.clone(), value)];
                family(&mut out, name, kind, help, sample);
            }
        }
        out
    }
}

/// Writes one metric family: its HELP and TYPE lines, then each sample as
/// `(name suffix, labels, value)`.
fn family(
    out: &mut String,
    name: &str,
    kind: &str,
    help: &str,
    samples: Vec<(String, String, f64)>,
) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    for (suffix, labels, value) in samples {
        if labels.is_empty() {
            let _ = writeln!(out, "{name}{suffix} {}", number(value));
        } else {
            let _ = writeln!(out, "{name}{suffix}{{{labels}}} {}", number(value));
        }
    }
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// Escapes a Prometheus label value (backslash, quote, newline).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn code_index(code: ErrorCode) -> usize {
    ErrorCode::ALL.iter().position(|c| *c == code).unwrap_or(0)
}

//! Handing decisions to the engine's decision logger (decision_log/) and to its shadow
//! comparison with OPA (shadow/), when it has them.

use super::*;
use crate::decision_log::{DecisionLogger, Origin, Pending, Target};
use std::time::SystemTime;

impl PolicyEngine {
    /// Sends this engine's decisions (rules, queries, authorized requests; failures too)
    /// to `logger`, or stops sending them (`None`). Takes effect for the next decision.
    pub fn set_decision_logger(&self, logger: Option<Arc<DecisionLogger>>) {
        self.decision_log.store(logger);
    }

    /// Compares a sample of this engine's rule decisions with an OPA server (`shadow`),
    /// or stops (`None`). Takes effect for the next decision; answers never wait for it.
    pub fn set_shadow(&self, shadow: Option<Arc<crate::shadow::Shadow>>) {
        self.shadow.store(shadow);
    }

    /// Hands a rule decision to the shadow and the logger, if set; without them it
    /// costs two atomic loads and allocates nothing.
    pub(super) fn log_decision(
        &self,
        path: &str,
        input: &[u8],
        outcome: &Result<Decision>,
        origin: Origin<'_>,
        started: Instant,
    ) {
        if let (Some(shadow), Ok(d)) = (self.shadow.load_full(), outcome) {
            shadow.offer(|| crate::shadow::Job {
                path: path.to_string(),
                input: input.to_vec(),
                result: d.result.clone(),
                decision_id: d.decision_id.clone(),
            });
        }
        let Some(logger) = self.decision_log.load_full() else {
            return;
        };
        let target = Target::Rule(path.to_string());
        let pending = match outcome {
            Ok(d) => Pending {
                result: d.result.clone(),
                error: None,
                decision_id: d.decision_id.clone(),
                bundle_revision: d.bundle_revision.clone(),
                duration_us: d.duration_us,
                ..pending(target, input, origin, started)
            },
            Err(e) => Pending {
                error: Some((e.code(), e.message().to_string())),
                ..pending(target, input, origin, started)
            },
        };
        logger.record(pending);
    }

    pub(super) fn log_query(
        &self,
        query: &str,
        input: &[u8],
        outcome: &Result<QueryDecision>,
        started: Instant,
    ) {
        let Some(logger) = self.decision_log.load_full() else {
            return;
        };
        let target = Target::Query(query.to_string());
        let pending = match outcome {
            Ok(q) => Pending {
                result: Some(serde_json::Value::Array(q.rows.clone())),
                decision_id: q.decision_id.clone(),
                bundle_revision: q.bundle_revision.clone(),
                duration_us: q.duration_us,
                ..pending(target, input, Origin::default(), started)
            },
            Err(e) => Pending {
                error: Some((e.code(), e.message().to_string())),
                ..pending(target, input, Origin::default(), started)
            },
        };
        logger.record(pending);
    }
}

/// A record with what every decision has; the outcome's fields are filled by the caller.
fn pending(target: Target, input: &[u8], origin: Origin<'_>, started: Instant) -> Pending {
    Pending {
        target,
        input: input.to_vec(),
        result: None,
        error: None,
        decision_id: evaluate::new_decision_id(),
        bundle_revision: None,
        duration_us: evaluate::elapsed_us(started),
        requested_by: origin.requested_by.map(str::to_string),
        trace: origin.trace.cloned(),
        at: SystemTime::now(),
    }
}

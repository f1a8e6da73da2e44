//! What an evaluation returns: a decision for a rule path, rows for a query.

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

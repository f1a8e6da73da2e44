//! The options of a policy engine and of the modules it loads, with their defaults.

use crate::error::{Error, ErrorCode, Result};
use std::time::Duration;

use super::compiled::Evaluator;
use crate::cache::CacheOptions;

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
    /// Which evaluator answers rule paths: [`Evaluator::Compiled`] (regorus's register VM
    /// where it compiles the path, the interpreter elsewhere) or
    /// [`Evaluator::Interpreter`] (the default).
    pub evaluator: Evaluator,
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
            evaluator: Evaluator::default(),
        }
    }
}

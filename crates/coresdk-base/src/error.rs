//! The one error type of the core, with the stable codes every language shares.
//!
//! Codes are the cross-language contract (SPEC.md, "Error codes"): the same bad input
//! gives the same [`ErrorCode`] in Rust, Node and Python. Messages are for people and may
//! change; never match on them. Codes are never renamed or reused.

use std::fmt;

/// A stable, machine-readable error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// An argument is of the wrong type, out of range, or not valid UTF-8 text.
    InvalidArgument,
    /// A JSON document could not be parsed (syntax, invalid UTF-8, number out of range).
    InvalidJson,
    /// A Rego module could not be parsed or compiled; the error carries file, line and column.
    PolicyParse,
    /// Two modules or data documents define the same thing in conflicting ways.
    PolicyConflict,
    /// The evaluated rule path names no loaded package or rule.
    PolicyNotFound,
    /// Evaluation failed at run time (type error, builtin error, conflict in values).
    EvalError,
    /// Evaluation ran past its time limit.
    EvalTimeout,
    /// An OPA bundle is malformed.
    BundleInvalid,
    /// A policy or key source could not be reached.
    SourceUnavailable,
    /// An HMAC, hash or signature did not verify.
    Integrity,
    /// A token is malformed or its signature or claims are invalid.
    TokenInvalid,
    /// A token is past its expiry.
    TokenExpired,
    /// A key could not be obtained from the key provider.
    KeyUnavailable,
    /// A size or depth limit was exceeded.
    LimitExceeded,
    /// A bug: a caught panic or a broken invariant.
    Internal,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 15] = [
        ErrorCode::InvalidArgument,
        ErrorCode::InvalidJson,
        ErrorCode::PolicyParse,
        ErrorCode::PolicyConflict,
        ErrorCode::PolicyNotFound,
        ErrorCode::EvalError,
        ErrorCode::EvalTimeout,
        ErrorCode::BundleInvalid,
        ErrorCode::SourceUnavailable,
        ErrorCode::Integrity,
        ErrorCode::TokenInvalid,
        ErrorCode::TokenExpired,
        ErrorCode::KeyUnavailable,
        ErrorCode::LimitExceeded,
        ErrorCode::Internal,
    ];

    /// The stable string form, e.g. `"POLICY_PARSE"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::InvalidJson => "INVALID_JSON",
            ErrorCode::PolicyParse => "POLICY_PARSE",
            ErrorCode::PolicyConflict => "POLICY_CONFLICT",
            ErrorCode::PolicyNotFound => "POLICY_NOT_FOUND",
            ErrorCode::EvalError => "EVAL_ERROR",
            ErrorCode::EvalTimeout => "EVAL_TIMEOUT",
            ErrorCode::BundleInvalid => "BUNDLE_INVALID",
            ErrorCode::SourceUnavailable => "SOURCE_UNAVAILABLE",
            ErrorCode::Integrity => "INTEGRITY",
            ErrorCode::TokenInvalid => "TOKEN_INVALID",
            ErrorCode::TokenExpired => "TOKEN_EXPIRED",
            ErrorCode::KeyUnavailable => "KEY_UNAVAILABLE",
            ErrorCode::LimitExceeded => "LIMIT_EXCEEDED",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in a policy source an error was found (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    /// The file or module name the policy was loaded under.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// A core error: a stable [`ErrorCode`], a message for people, and for policy errors the
/// source location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    location: Option<SourceLocation>,
}

impl Error {
    /// A new error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            location: None,
        }
    }

    /// The same error, carrying a source location.
    pub fn with_location(mut self, location: SourceLocation) -> Self {
        self.location = Some(location);
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable message (no stability guarantee).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The policy source location, for `POLICY_PARSE` and some `EVAL_ERROR`s.
    pub fn location(&self) -> Option<&SourceLocation> {
        self.location.as_ref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// The result type of the core.
pub type Result<T> = std::result::Result<T, Error>;

/// Runs `f`, turning a panic into an `INTERNAL` error. Bindings call every core entry point
/// through this, so no panic unwinds across the FFI boundary (SPEC.md, principle 7).
pub fn catch_panic<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_string());
            Err(Error::new(
                ErrorCode::Internal,
                format!("internal error (caught panic): {detail}"),
            ))
        }
    }
}

/// Panics on purpose. Bindings expose it (as `__panicProbe` / `_panic_probe`) so tests can
/// prove that a panic inside the core surfaces as `INTERNAL` and never aborts the host.
pub fn panic_probe() -> Result<()> {
    panic!("coresdk panic probe")
}

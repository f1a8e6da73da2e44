//! Error codes and the panic guard.

use coresdk_engine::{catch_panic, error::panic_probe, ErrorCode};

#[test]
fn codes_are_stable_strings() {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        codes,
        [
            "INVALID_ARGUMENT",
            "INVALID_JSON",
            "POLICY_PARSE",
            "POLICY_CONFLICT",
            "POLICY_NOT_FOUND",
            "EVAL_ERROR",
            "EVAL_TIMEOUT",
            "BUNDLE_INVALID",
            "SOURCE_UNAVAILABLE",
            "INTEGRITY",
            "TOKEN_INVALID",
            "TOKEN_EXPIRED",
            "KEY_UNAVAILABLE",
            "LIMIT_EXCEEDED",
            "INTERNAL",
        ]
    );
}

#[test]
fn a_panic_becomes_internal() {
    let err = catch_panic(panic_probe).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Internal);
    // The process (and this thread) carries on.
    assert_eq!(catch_panic(|| Ok(7)).unwrap(), 7);
}

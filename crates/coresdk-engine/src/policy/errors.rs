//! Turning regorus's `anyhow` errors into the core's stable codes.
//!
//! regorus reports everything as text; the codes here are decided from that text in one
//! place, so a wording change upstream shows up as one failing test, not many.

use crate::error::{Error, ErrorCode, SourceLocation};

fn is_timeout(message: &str) -> bool {
    message.contains("exceeded time limit")
}

fn is_over_memory_budget(message: &str) -> bool {
    message.contains("exceeded memory limit")
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

pub(super) fn policy_error(e: &anyhow::Error, name: &str) -> Error {
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

pub(super) fn compile_error(e: &anyhow::Error) -> Error {
    let message = error_text(e);
    let code = if message.contains("conflict") {
        ErrorCode::PolicyConflict
    } else {
        ErrorCode::PolicyParse
    };
    with_location(Error::new(code, message.clone()), &message)
}

pub(super) fn eval_error(e: &anyhow::Error) -> Error {
    let message = error_text(e);
    let code = if is_timeout(&message) {
        ErrorCode::EvalTimeout
    } else if is_over_memory_budget(&message) {
        ErrorCode::LimitExceeded
    } else if message.contains("conflict") {
        ErrorCode::PolicyConflict
    } else {
        ErrorCode::EvalError
    };
    with_location(Error::new(code, message.clone()), &message)
}

pub(super) fn query_error(e: &anyhow::Error) -> Error {
    let message = error_text(e);
    // A query that does not parse is reported by the parser against the `<query.rego>`
    // pseudo-file; everything else is an evaluation error.
    if message.contains("<query")
        && !is_timeout(&message)
        && !is_over_memory_budget(&message)
        && message.contains("error:")
    {
        return with_location(
            Error::new(ErrorCode::PolicyParse, message.clone()),
            &message,
        );
    }
    eval_error(e)
}

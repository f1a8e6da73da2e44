//! The one place core errors become JavaScript errors.
//!
//! napi's `AsyncTask` rejects with `napi::Error<Status>`, so the stable code cannot ride in
//! the error's status. Instead every error carries a JSON reason
//! `{"code", "message", "location"}` that the TypeScript layer (`src/error.ts` of
//! `coresdk`) turns into a typed `CoreSdkError`; the same path serves sync and async calls.

use coresdk_engine::{catch_panic, Error, ErrorCode};
use napi::bindgen_prelude::{Buffer, Either};
use serde_json::json;

/// Maps a core error to a napi error with a JSON reason.
pub fn to_napi(error: &Error) -> napi::Error {
    let location = error
        .location()
        .map(|l| json!({ "file": l.file, "line": l.line, "column": l.column }));
    let reason = json!({
        "code": error.code().as_str(),
        "message": error.message(),
        "location": location,
    });
    napi::Error::new(napi::Status::GenericFailure, reason.to_string())
}

/// Runs a core call with panics caught and errors mapped.
pub fn call<T>(f: impl FnOnce() -> coresdk_engine::Result<T>) -> napi::Result<T> {
    catch_panic(f).map_err(|e| to_napi(&e))
}

/// An `INVALID_ARGUMENT` error for a value the binding cannot convert.
pub fn invalid_argument(message: impl Into<String>) -> napi::Error {
    to_napi(&Error::new(ErrorCode::InvalidArgument, message))
}

/// JSON or text given as a JS string or a Buffer, as owned bytes (Buffers are checked
/// for UTF-8 by the core, so invalid bytes get the core's code).
pub fn bytes(input: Either<String, Buffer>) -> Vec<u8> {
    match input {
        Either::A(text) => text.into_bytes(),
        Either::B(buffer) => buffer.to_vec(),
    }
}

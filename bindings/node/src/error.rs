//! The one place core errors become JavaScript errors.
//!
//! A core error is thrown as a JS `Error` whose `code` is the stable code string
//! (`"POLICY_PARSE"`, ...) and whose `message` is JSON text
//! `{"message": ..., "location": {"file","line","column"} | null}`, from which the
//! TypeScript layer (`coresdk`'s `src/error.ts`) rebuilds a typed `CoreSdkError`.
//! Sync calls and Promises from the libuv pool (`task.rs`) throw the same shape.

use coresdk_engine::{catch_panic, Error, ErrorCode};
use napi::bindgen_prelude::{Buffer, Either, JsObjectValue};
use napi::{Env, JsValue};
use serde_json::json;

/// A stable error code in napi's error-status slot: it becomes the JS error's `code`.
pub struct Code(ErrorCode);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

/// The result of a binding call: a failure carries the core's stable code.
pub type Result<T> = napi::Result<T, Code>;

/// The JSON message of a JS error: the core's message and, for policy errors, where.
fn reason(error: &Error) -> String {
    let location = error
        .location()
        .map(|l| json!({ "file": l.file, "line": l.line, "column": l.column }));
    json!({ "message": error.message(), "location": location }).to_string()
}

/// Maps a core error to the napi error a sync export throws.
pub fn to_napi(error: Error) -> napi::Error<Code> {
    napi::Error::new(Code(error.code()), reason(&error))
}

/// Runs a core call with panics caught (`INTERNAL`) and errors mapped.
pub fn call<T>(f: impl FnOnce() -> coresdk_engine::Result<T>) -> Result<T> {
    catch_panic(f).map_err(to_napi)
}

/// The error a Promise rejects with, built on the JS thread (`Task::resolve`).
///
/// napi's `Task` only carries `napi::Error<Status>`, whose `code` would be the status
/// name, so the JS error object is made here with the stable code and handed to napi
/// as a retained value, which it rejects with unchanged.
pub fn rejection(env: &Env, error: Error) -> napi::Error {
    let code = error.code().as_str();
    let built = env
        .create_error(napi::Error::from_reason(reason(&error)))
        .and_then(|mut object| {
            object.set_named_property("code", code)?;
            Ok(object)
        });
    match built {
        Ok(object) => napi::Error::from(object.to_unknown()),
        Err(e) => e,
    }
}

/// JSON or text given as a JS string or a Buffer, as owned bytes (Buffers are checked
/// for UTF-8 by the core, so invalid bytes get the core's code).
pub fn bytes(input: Either<String, Buffer>) -> Vec<u8> {
    match input {
        Either::A(text) => text.into_bytes(),
        Either::B(buffer) => buffer.to_vec(),
    }
}

//! RFC 8785 canonical JSON and its SHA-256, over JSON text.

use crate::error::{bytes, call, Result};
use coresdk_engine::canonical;
use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;

/// The RFC 8785 canonical form of JSON text (a string or UTF-8 bytes).
#[napi(catch_unwind)]
pub fn canonicalize_json(json: Either<String, Buffer>) -> Result<String> {
    let json = bytes(json);
    call(|| canonical::canonicalize_json(&json))
}

/// Lowercase hex SHA-256 of the RFC 8785 canonical form of JSON text.
#[napi(catch_unwind)]
pub fn hash_json(json: Either<String, Buffer>) -> Result<String> {
    let json = bytes(json);
    call(|| canonical::hash_json(&json))
}

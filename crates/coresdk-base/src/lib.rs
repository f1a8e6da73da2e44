//! # coresdk-base
//!
//! What every CoreSDK crate shares and nothing more: the one error type with its stable
//! codes ([`error`]) and JSON text in and out with the limits every entry point applies
//! ([`json`]). It depends on serde_json alone, so the leaf crates (masking, canonical
//! hashing) build without the policy engine. Users import `coresdk-engine`, which
//! re-exports both modules at the same paths.

pub mod error;
pub mod json;

pub use error::{catch_panic, Error, ErrorCode, Result, SourceLocation};

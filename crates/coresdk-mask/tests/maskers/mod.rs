//! The maskers every test file of this crate builds.
#![allow(dead_code)] // each test crate uses a different subset

use coresdk_mask::{MaskOptions, Masker, Strategy};

/// A masker with the default (redact) strategy.
pub fn redactor() -> Masker {
    Masker::new(MaskOptions::default()).expect("default masker")
}

/// A masker that pseudonymizes with `key`.
pub fn pseudonymizer(key: &str) -> Masker {
    Masker::new(MaskOptions {
        strategy: Strategy::Pseudonymize {
            key: key.as_bytes().to_vec(),
        },
        sensitive_keys: Vec::new(),
        ..Default::default()
    })
    .expect("pseudonymizing masker")
}

/// A well-formed HS256 JWT (jwt.io's example token).
pub const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

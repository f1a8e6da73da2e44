//! The maskers every test file of this crate builds.
#![allow(dead_code)] // each test crate uses a different subset

use coresdk_mask::{MaskOptions, Masker, Strategy};
use std::path::Path;

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

/// The `mask_text` fixture texts that use the default options.
pub fn fixture_texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/mask");
    let mut texts = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/mask")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for file in files {
        let cases: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
        for case in cases.as_array().into_iter().flatten() {
            let args = &case["args"];
            if case["op"] == "mask_text" && args.get("options").is_none() {
                texts.push(args["text"].as_str().expect("text").to_owned());
            }
        }
    }
    assert!(texts.len() > 100, "only {} fixture texts", texts.len());
    texts
}

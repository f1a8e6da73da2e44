//! Fingerprints, and the baseline: the findings a team has accepted, left out of later
//! scans.
//!
//! A fingerprint is the lowercase hex SHA-256 of `type NUL file NUL value` (UTF-8; the
//! NULs keep `("A", "bc")` and `("Ab", "c")` apart). It names a finding without the
//! line, so an entry survives the value moving within its file, and never shows the
//! value. It is not a secret-free hash of a secret, though: for a value with little
//! entropy (a card number, a US SSN) whoever knows the type and the file can confirm a
//! guess. Keep scan outputs where the code is, not in public places.
//!
//! A baseline is the NDJSON output of an earlier scan (`ndjson.rs`): one JSON object per
//! line with a `"fingerprint"` of 64 lowercase hex digits; other fields are ignored and
//! blank lines allowed. The same value twice in one file has one fingerprint: both are
//! accepted together.

use crate::canonical::sha256_hex;
use crate::error::{Error, ErrorCode, Result};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// The fingerprint of a value of type `kind` in `file`.
pub(super) fn fingerprint(kind: &str, file: &str, value: &str) -> String {
    let mut bytes = Vec::with_capacity(kind.len() + file.len() + value.len() + 2);
    for (i, part) in [kind, file, value].into_iter().enumerate() {
        if i > 0 {
            bytes.push(0);
        }
        bytes.extend_from_slice(part.as_bytes());
    }
    sha256_hex(&bytes)
}

fn malformed(message: String) -> Error {
    Error::new(ErrorCode::InvalidArgument, message)
}

/// The fingerprints of a baseline's text. Messages name the line, never its content (a
/// wrong file given as the baseline may hold the very values being scanned for).
///
/// Errors: `INVALID_ARGUMENT` for text that is not UTF-8 or a non-blank line that is not
/// a JSON object with a `"fingerprint"` of 64 lowercase hex digits.
pub fn parse_baseline(bytes: &[u8]) -> Result<BTreeSet<String>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| malformed("the baseline is not UTF-8 text".to_string()))?;
    let mut fingerprints = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let n = index + 1;
        let record: Value = serde_json::from_str(line)
            .map_err(|_| malformed(format!("baseline line {n} is not a JSON object")))?;
        let fingerprint = record
            .as_object()
            .ok_or_else(|| malformed(format!("baseline line {n} is not a JSON object")))?
            .get("fingerprint")
            .and_then(Value::as_str)
            .filter(|f| f.len() == 64 && f.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .ok_or_else(|| {
                malformed(format!(
                    "baseline line {n} has no \"fingerprint\" of 64 lowercase hex digits"
                ))
            })?;
        fingerprints.insert(fingerprint.to_string());
    }
    Ok(fingerprints)
}

/// The fingerprints of the baseline file at `path` ([`parse_baseline`]).
///
/// Errors: `INVALID_ARGUMENT` for a file that does not exist or is malformed;
/// `SOURCE_UNAVAILABLE` when it cannot be read.
pub fn read_baseline(path: &Path) -> Result<BTreeSet<String>> {
    let bytes = std::fs::read(path).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            ErrorCode::InvalidArgument
        } else {
            ErrorCode::SourceUnavailable
        };
        Error::new(
            code,
            format!("cannot read the baseline {}: {e}", path.display()),
        )
    })?;
    parse_baseline(&bytes)
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn the_separators_keep_fields_apart() {
        assert_ne!(fingerprint("A", "bc", "v"), fingerprint("Ab", "c", "v"));
        assert_eq!(
            fingerprint("EMAIL", "a.txt", "bob@example.com"),
            crate::canonical::sha256_hex(b"EMAIL\0a.txt\0bob@example.com")
        );
    }
}

//! SARIF 2.1.0 output (OASIS), as GitHub code scanning and other CI dashboards read it.
//!
//! One run: `tool.driver` is `coresdk` at this version, with one rule per detector type
//! found (sorted; `ruleIndex` points into them). Each result has `ruleId`, `level`
//! `"error"`, a message naming the type (never the value), one location (the file as a
//! relative URI, or a `file://` URI for an absolute path, and the region in 1-based lines
//! and Unicode code point columns, `columnKind` `unicodeCodePoints`, end exclusive) and
//! `partialFingerprints["coresdk/v1"]`, the finding's fingerprint. The run's
//! `properties` hold the counts of the report. Printed with two-space indentation.

use super::ScanReport;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The SARIF schema this output follows.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// `file` as a URI reference: RFC 3986 path characters kept, others percent-encoded
/// (a space is `%20`); an absolute path becomes a `file://` URI.
fn uri(file: &str) -> String {
    let mut out = String::with_capacity(file.len());
    if file.starts_with('/') {
        out.push_str("file://");
    } else if file.as_bytes().get(1) == Some(&b':') {
        out.push_str("file:///"); // a Windows drive, C:/...
    }
    for &b in file.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The SARIF log of `report`.
pub(super) fn render(report: &ScanReport) -> String {
    let kinds: BTreeSet<&str> = report.findings.iter().map(|f| f.kind.as_str()).collect();
    let kinds: Vec<&str> = kinds.into_iter().collect();
    let rules: Vec<Value> = kinds
        .iter()
        .map(|kind| {
            json!({
                "id": kind,
                "shortDescription": { "text": format!("A value of type {kind} in a file") },
                "defaultConfiguration": { "level": "error" },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.kind,
                "ruleIndex": kinds.binary_search(&f.kind.as_str()).unwrap_or_default(),
                "level": "error",
                "message": { "text": format!("{} found (the value is not shown)", f.kind) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.file) },
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                        },
                    },
                }],
                "partialFingerprints": { "coresdk/v1": f.fingerprint },
            })
        })
        .collect();
    let s = &report.skipped;
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "coresdk",
                    "version": crate::VERSION,
                    "informationUri": "https://github.com/coresdk/coresdk",
                    "rules": rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {
                "suppressed": report.suppressed,
                "filesScanned": report.files_scanned,
                "filesLossy": report.files_lossy,
                "skipped": {
                    "binary": s.binary,
                    "tooLarge": s.too_large,
                    "links": s.links,
                    "duplicates": s.duplicates,
                    "special": s.special,
                    "dirs": s.dirs,
                },
            },
        }],
    });
    // Serialising a serde_json::Value cannot fail.
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("src/a.txt"), "src/a.txt");
        assert_eq!(uri("my file%.txt"), "my%20file%25.txt");
        assert_eq!(uri("/tmp/a b"), "file:///tmp/a%20b");
        assert_eq!(uri("C:/x"), "file:///C:/x");
        assert_eq!(uri("é"), "%C3%A9");
    }
}

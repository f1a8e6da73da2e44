//! NDJSON output: one compact JSON object per finding and line, in the order given
//! (sorted by file, line, column), each line ending in `\n`; no findings, no text.
//!
//! `{"type":"EMAIL","file":"src/a.txt","line":3,"column":7,"end_line":3,"end_column":22,"fingerprint":"<64 hex>"}`
//!
//! The keys always come in this order. The same text is a baseline (`baseline.rs`).

use super::ScanFinding;
use serde_json::json;

/// One finding as a JSON object (no value: there is none to show).
pub(super) fn record(f: &ScanFinding) -> serde_json::Value {
    json!({
        "type": f.kind,
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "fingerprint": f.fingerprint,
    })
}

/// The NDJSON text of `findings`.
pub(super) fn render(findings: &[ScanFinding]) -> String {
    let mut out = String::new();
    for finding in findings {
        out.push_str(&crate::json::to_string(&record(finding)));
        out.push('\n');
    }
    out
}

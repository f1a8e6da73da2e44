//! Scanning files and directories for PII and secrets (the core's `secret_scan`).

use crate::error::{call, Result};
use napi_derive::napi;

/// The outcome of `scanPaths`: the rendered output and the core's counts.
#[napi(object)]
pub struct NativeScanResult {
    /// The findings in the format asked (NDJSON: empty when there are none).
    pub output: String,
    /// One line of counts for a log (`findings=2 suppressed=0 files=3 ...`).
    pub summary: String,
    /// Findings reported (not in the baseline).
    pub findings: f64,
    /// Findings left out because the baseline holds their fingerprint.
    pub suppressed: f64,
    /// Files read and scanned.
    pub files_scanned: f64,
    /// Of those, files that were not valid UTF-8 (read lossily).
    pub files_lossy: f64,
    /// Files skipped as binary (a NUL byte in the first 8 KiB).
    pub skipped_binary: f64,
    /// Files skipped as larger than the size limit.
    pub skipped_too_large: f64,
    /// Symbolic links met while walking (never followed).
    pub skipped_links: f64,
    /// Files already scanned under another root.
    pub skipped_duplicates: f64,
    /// Entries that are neither files nor directories.
    pub skipped_special: f64,
    /// Directories not entered (`.git`, `node_modules`, `target`).
    pub skipped_dirs: f64,
}

/// Scans files and directories; `optionsJson` is the core's scan options as JSON text
/// (`format`, `baseline`, `max_file_bytes`, `allow`, `custom_detectors`).
#[napi(catch_unwind)]
pub fn scan_paths(paths: Vec<String>, options_json: Option<String>) -> Result<NativeScanResult> {
    call(|| {
        let run = coresdk_engine::scan_paths_json(&paths, options_json.as_deref())?;
        let r = &run.report;
        // Counts are f64 in JavaScript; exact up to 2^53.
        let n = |count: u64| count as f64;
        Ok(NativeScanResult {
            summary: r.summary(),
            findings: n(r.findings.len() as u64),
            suppressed: n(r.suppressed),
            files_scanned: n(r.files_scanned),
            files_lossy: n(r.files_lossy),
            skipped_binary: n(r.skipped.binary),
            skipped_too_large: n(r.skipped.too_large),
            skipped_links: n(r.skipped.links),
            skipped_duplicates: n(r.skipped.duplicates),
            skipped_special: n(r.skipped.special),
            skipped_dirs: n(r.skipped.dirs),
            output: run.output,
        })
    })
}

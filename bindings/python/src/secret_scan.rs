//! `coresdk._native.scan_paths` and `ScanResult`: the core's scan of files and
//! directories (`secret_scan`). `coresdk.secret_scan` builds the options JSON.

use crate::conversion;
use crate::error::detached;
use pyo3::prelude::*;

/// The outcome of a scan of files and directories: the rendered output and the counts.
///
/// Attributes:
///     output: The findings in the format asked (NDJSON: empty when there are none).
///     summary: One line of counts for a log (``findings=2 suppressed=0 files=3 ...``).
///     findings: Findings reported (not in the baseline).
///     suppressed: Findings left out because the baseline holds their fingerprint.
///     files_scanned: Files read and scanned.
///     files_lossy: Of those, files that were not valid UTF-8 (read lossily).
///     skipped_binary: Files skipped as binary (a NUL byte in the first 8 KiB).
///     skipped_too_large: Files skipped as larger than the size limit.
///     skipped_links: Symbolic links met while walking (never followed).
///     skipped_duplicates: Files already scanned under another root.
///     skipped_special: Entries that are neither files nor directories.
///     skipped_dirs: Directories not entered (``.git``, ``node_modules``, ``target``).
#[pyclass(frozen, get_all, module = "coresdk._native")]
pub struct ScanResult {
    output: String,
    summary: String,
    findings: u64,
    suppressed: u64,
    files_scanned: u64,
    files_lossy: u64,
    skipped_binary: u64,
    skipped_too_large: u64,
    skipped_links: u64,
    skipped_duplicates: u64,
    skipped_special: u64,
    skipped_dirs: u64,
}

#[pymethods]
impl ScanResult {
    fn __repr__(&self) -> String {
        format!(
            "ScanResult(findings={}, suppressed={}, files_scanned={}, summary={:?})",
            self.findings, self.suppressed, self.files_scanned, self.summary
        )
    }
}

/// Scans files and directories; `options_json` is the core's scan options as JSON text
/// (`format`, `baseline`, `max_file_bytes`, `allow`, `custom_detectors`).
#[pyfunction]
#[pyo3(signature = (paths, options_json = None))]
pub fn scan_paths(
    py: Python<'_>,
    #[pyo3(from_py_with = conversion::strings)] paths: Vec<String>,
    options_json: Option<String>,
) -> PyResult<ScanResult> {
    detached(py, || {
        let run = coresdk_engine::scan_paths_json(&paths, options_json.as_deref())?;
        let r = &run.report;
        Ok(ScanResult {
            summary: r.summary(),
            findings: r.findings.len() as u64,
            suppressed: r.suppressed,
            files_scanned: r.files_scanned,
            files_lossy: r.files_lossy,
            skipped_binary: r.skipped.binary,
            skipped_too_large: r.skipped.too_large,
            skipped_links: r.skipped.links,
            skipped_duplicates: r.skipped.duplicates,
            skipped_special: r.skipped.special,
            skipped_dirs: r.skipped.dirs,
            output: run.output,
        })
    })
}

//! Scanning files and directories for PII and secrets, for CI pipelines (the job
//! gitleaks does), with the detectors of [`Masker::scan`].
//!
//! - `walk.rs`: which files are read (directories recursively; what is skipped, counted).
//! - `position.rs`: byte offsets to 1-based lines and columns in Unicode code points.
//! - `baseline.rs`: fingerprints, and the baseline file that suppresses known findings.
//! - `ndjson.rs`, `sarif.rs`: the two output formats.
//! - `options.rs`: the options as JSON text, the one entry point of the bindings.
//!
//! # What is read
//!
//! Each path given is a root: a file is scanned; a directory is walked recursively, its
//! entries in byte order of their names. Skipped, each counted in [`ScanSkipped`]:
//!
//! - directories named `.git`, `node_modules` or `target` below a root (a root itself is
//!   always walked: `scan target/` scans it);
//! - symbolic links met while walking: never followed. A link whose target is inside
//!   the root names a file the walk reaches at its own path; one that leaves the root
//!   (or dangles) would read outside what was asked. A root that is a link is followed;
//! - binary files: a NUL byte in the first 8 KiB;
//! - files larger than [`ScanOptions::max_file_bytes`] (default 10 MiB);
//! - files that are not regular files (FIFOs, sockets, devices), which could block;
//! - a file already scanned under another root (`scan . src`): scanned once.
//!
//! A file that is not valid UTF-8 (Latin-1, say) is read lossily, each invalid
//! sequence becoming U+FFFD, and counted in [`ScanReport::files_lossy`]: a secret in an
//! ASCII line of such a file is still found, and columns still count one per character
//! the reader sees. A leading UTF-8 byte order mark is not part of line 1. A file that
//! cannot be read fails the scan with `SOURCE_UNAVAILABLE`: a CI gate must not pass
//! because it could not look.
//!
//! # What a finding says
//!
//! Never the value, nor any part of it: its type, its file (the root as given, `/`-
//! separated, without `./`, joined with the path below it: `scan .` and `scan src`
//! both report `src/a.txt`), its start and end as 1-based lines and columns, and a
//! fingerprint (`baseline.rs`). Columns count Unicode code points from 1, so an editor
//! showing characters agrees; `end_line`/`end_column` is the position just after the
//! value (exclusive, as SARIF's `endColumn`). Lines are split at `\n` only.

mod baseline;
mod ndjson;
mod options;
mod position;
mod sarif;
mod walk;

use crate::error::{Error, ErrorCode, Result};
use crate::Masker;
use std::collections::BTreeSet;
use std::path::Path;

pub use baseline::{parse_baseline, read_baseline};
pub use options::{scan_paths_json, ScanRun};

/// The default size limit of one file: 10 MiB.
pub const DEFAULT_MAX_SCAN_FILE_BYTES: u64 = 10 << 20;

/// Options of [`scan_paths`].
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Files larger than this many bytes are skipped and counted
    /// ([`ScanSkipped::too_large`]). Default [`DEFAULT_MAX_SCAN_FILE_BYTES`].
    pub max_file_bytes: u64,
    /// Fingerprints of known findings ([`read_baseline`]): not reported, counted in
    /// [`ScanReport::suppressed`]. Default empty.
    pub baseline: BTreeSet<String>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            max_file_bytes: DEFAULT_MAX_SCAN_FILE_BYTES,
            baseline: BTreeSet::new(),
        }
    }
}

/// One value found in a file: where, of what type, and its fingerprint; never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanFinding {
    /// The detector type, e.g. `"EMAIL"`.
    pub kind: String,
    /// The file, `/`-separated: the root as given joined with the path below it.
    pub file: String,
    /// 1-based line of the first character.
    pub line: u64,
    /// 1-based column of the first character, in Unicode code points.
    pub column: u64,
    /// 1-based line of the position just after the value.
    pub end_line: u64,
    /// 1-based column just after the value (exclusive), in Unicode code points.
    pub end_column: u64,
    /// Lowercase hex SHA-256 of the type, the file and the value, NUL-separated.
    pub fingerprint: String,
}

/// What a scan left out, by reason (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanSkipped {
    /// Files with a NUL byte in their first 8 KiB.
    pub binary: u64,
    /// Files over [`ScanOptions::max_file_bytes`].
    pub too_large: u64,
    /// Symbolic links met while walking (never followed).
    pub links: u64,
    /// Files already scanned under another root.
    pub duplicates: u64,
    /// Entries that are neither files nor directories (FIFOs, sockets, devices).
    pub special: u64,
    /// Directories not entered: `.git`, `node_modules`, `target`.
    pub dirs: u64,
}

/// The outcome of a scan: the findings reported and every count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanReport {
    /// Findings not in the baseline, sorted by file, line and column.
    pub findings: Vec<ScanFinding>,
    /// Findings left out because their fingerprint is in the baseline.
    pub suppressed: u64,
    /// Files read and scanned.
    pub files_scanned: u64,
    /// Of those, files that were not valid UTF-8 and were read lossily.
    pub files_lossy: u64,
    /// What was not scanned, by reason.
    pub skipped: ScanSkipped,
}

/// An output format of [`ScanReport::render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScanFormat {
    /// One JSON object per finding and line (`ndjson.rs`); nothing when there are none.
    #[default]
    Ndjson,
    /// A SARIF 2.1.0 log (`sarif.rs`).
    Sarif,
}

impl ScanFormat {
    /// The format named `name`: `"ndjson"` or `"sarif"`.
    ///
    /// Errors: `INVALID_ARGUMENT` for any other name.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "ndjson" => Ok(Self::Ndjson),
            "sarif" => Ok(Self::Sarif),
            other => Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("format must be \"ndjson\" or \"sarif\", not {other:?}"),
            )),
        }
    }
}

impl ScanReport {
    /// The report in `format`, ending with a newline unless empty.
    pub fn render(&self, format: ScanFormat) -> String {
        match format {
            ScanFormat::Ndjson => ndjson::render(&self.findings),
            ScanFormat::Sarif => sarif::render(self),
        }
    }

    /// One line of counts for a log, e.g. `findings=2 suppressed=0 files=3 lossy=0
    /// skipped: binary=1 too_large=0 links=0 duplicates=0 special=0 dirs=0`.
    pub fn summary(&self) -> String {
        let s = &self.skipped;
        format!(
            "findings={} suppressed={} files={} lossy={} skipped: binary={} too_large={} \
             links={} duplicates={} special={} dirs={}",
            self.findings.len(),
            self.suppressed,
            self.files_scanned,
            self.files_lossy,
            s.binary,
            s.too_large,
            s.links,
            s.duplicates,
            s.special,
            s.dirs,
        )
    }
}

/// Scans files and directories with `masker`'s detectors (module docs: what is read,
/// what a finding says). Findings whose fingerprint is in `options.baseline` are left
/// out and counted.
///
/// Errors: `INVALID_ARGUMENT` for no path or a path that does not exist;
/// `SOURCE_UNAVAILABLE` when a directory or file cannot be read.
pub fn scan_paths<P: AsRef<Path>>(
    paths: &[P],
    masker: &Masker,
    options: &ScanOptions,
) -> Result<ScanReport> {
    if paths.is_empty() {
        return Err(Error::new(ErrorCode::InvalidArgument, "no path to scan"));
    }
    let mut report = ScanReport::default();
    let mut walk = walk::Walk::new(options.max_file_bytes, paths.len() > 1);
    for path in paths {
        walk.root(path.as_ref(), &mut report.skipped, &mut |file| {
            report.files_scanned += 1;
            report.files_lossy += u64::from(file.lossy);
            for finding in scan_text(masker, &file.name, &file.text) {
                if options.baseline.contains(&finding.fingerprint) {
                    report.suppressed += 1;
                } else {
                    report.findings.push(finding);
                }
            }
        })?;
    }
    // Roots come in argument order and may overlap in name order; sort once, at the end.
    report
        .findings
        .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    Ok(report)
}

/// The findings in the text of one file, `name` as reported.
fn scan_text(masker: &Masker, name: &str, text: &str) -> Vec<ScanFinding> {
    let mut positions = position::Positions::new(text);
    masker
        .scan(text)
        .into_iter()
        .map(|f| {
            let (line, column) = positions.at(f.start);
            let (end_line, end_column) = positions.at(f.end);
            let value = text.get(f.start..f.end).unwrap_or_default();
            ScanFinding {
                kind: f.kind.to_string(),
                file: name.to_string(),
                line,
                column,
                end_line,
                end_column,
                fingerprint: baseline::fingerprint(f.kind, name, value),
            }
        })
        .collect()
}

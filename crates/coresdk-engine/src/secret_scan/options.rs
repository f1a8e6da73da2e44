//! The options of a scan as JSON text: what the Node and Python bindings pass, so every
//! default and check lives here.
//!
//! ```json
//! {"format": "sarif", "baseline": "coresdk-baseline.ndjson", "max_file_bytes": 1048576,
//!  "allow": ["support@example.com"],
//!  "custom_detectors": [{"type": "EMPLOYEE_ID", "pattern": "EMP-[0-9]{6}"}]}
//! ```
//!
//! Every field is optional: `format` `"ndjson"` (default) or `"sarif"`; `baseline` the
//! path of a baseline file (none by default); `max_file_bytes` a positive integer
//! (default [`DEFAULT_MAX_SCAN_FILE_BYTES`](super::DEFAULT_MAX_SCAN_FILE_BYTES)); `allow` and
//! `custom_detectors` as the masker takes them (the default masker otherwise). The
//! masking strategy plays no part in a scan, so it is not an option.

use super::{read_baseline, scan_paths, ScanFormat, ScanOptions, ScanReport};
use crate::error::{Error, ErrorCode, Result};
use crate::{MaskOptions, Masker};
use serde_json::{Map, Value};
use std::path::Path;

/// A scan rendered: the report and its text in the format asked.
#[derive(Debug, Clone)]
pub struct ScanRun {
    /// The report (counts and findings).
    pub report: ScanReport,
    /// The report rendered ([`ScanReport::render`]).
    pub output: String,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidArgument, message)
}

/// Scans `paths` with the options given as JSON text (module docs; `None`: every
/// default) and renders the report.
///
/// Errors: `INVALID_JSON` for options that are not JSON; `INVALID_ARGUMENT` for options
/// that are not an object, an unknown field, a wrong value, a bad detector, a baseline
/// that does not exist or is malformed, and as [`scan_paths`]; `SOURCE_UNAVAILABLE` as
/// [`scan_paths`] and for a baseline that cannot be read.
pub fn scan_paths_json(paths: &[String], options_json: Option<&str>) -> Result<ScanRun> {
    let config = match options_json {
        Some(text) => crate::json::parse(text.as_bytes())?,
        None => Value::Object(Map::new()),
    };
    let fields = config
        .as_object()
        .ok_or_else(|| invalid("scan options are a JSON object"))?;
    let mut format = ScanFormat::default();
    let mut options = ScanOptions::default();
    let mut masking = Map::new();
    for (name, value) in fields {
        match name.as_str() {
            "format" => {
                let name = value
                    .as_str()
                    .ok_or_else(|| invalid("\"format\" is \"ndjson\" or \"sarif\""))?;
                format = ScanFormat::from_name(name)?;
            }
            "baseline" => {
                let path = value
                    .as_str()
                    .ok_or_else(|| invalid("\"baseline\" is the path of a baseline file"))?;
                options.baseline = read_baseline(Path::new(path))?;
            }
            "max_file_bytes" => {
                options.max_file_bytes = value
                    .as_u64()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| invalid("\"max_file_bytes\" is a positive integer"))?;
            }
            "allow" | "custom_detectors" => {
                masking.insert(name.clone(), value.clone());
            }
            other => return Err(invalid(format!("unknown scan option {other:?}"))),
        }
    }
    let mut mask_options = MaskOptions::default();
    mask_options.apply_json(&Value::Object(masking), &[])?;
    let masker = Masker::new(mask_options)?;
    let report = scan_paths(paths, &masker, &options)?;
    let output = report.render(format);
    Ok(ScanRun { report, output })
}

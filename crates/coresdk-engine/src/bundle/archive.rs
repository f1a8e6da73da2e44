//! Reading a bundle's files out of a gzipped tarball or a directory, with limits.
//!
//! Sizes are counted while reading (a tar header's size is never trusted on its own), so
//! a gzip bomb stops at the limit instead of filling memory.

use crate::error::{Error, ErrorCode, Result};
use std::io::Read;
use std::path::Path;

/// Most files a bundle may hold.
pub const MAX_FILES: usize = 10_000;
/// Most bytes a bundle may hold once unpacked (all files together).
pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;

/// The limits one read enforces (the constants above, smaller in tests).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub files: usize,
    pub bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            files: MAX_FILES,
            bytes: MAX_UNPACKED_BYTES,
        }
    }
}

/// One file of a bundle: its normalised path (`a/b/data.json`, no leading slash) and bytes.
#[derive(Debug, Clone)]
pub(crate) struct File {
    pub path: String,
    pub bytes: Vec<u8>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::BundleInvalid, message)
}

/// `path` as a bundle path: `/`-separated, no leading `/` or `./`, no `.` parts; `..`
/// anywhere is refused (an archive must not name files outside itself).
pub(crate) fn normalise(path: &str) -> Result<String> {
    let mut parts = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return Err(invalid(format!("path escapes the bundle: {path:?}"))),
            part => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err(invalid(format!("empty path in bundle: {path:?}")));
    }
    Ok(parts.join("/"))
}

/// Running totals against the limits.
struct Budget {
    limits: Limits,
    files: usize,
    bytes: u64,
}

impl Budget {
    fn file(&mut self) -> Result<()> {
        self.files += 1;
        if self.files > self.limits.files {
            return Err(Error::new(
                ErrorCode::LimitExceeded,
                format!("bundle holds more than {} files", self.limits.files),
            ));
        }
        Ok(())
    }

    /// Reads `reader` to the end, counting against the byte budget.
    fn read(&mut self, reader: impl Read, name: &str) -> Result<Vec<u8>> {
        let remaining = self.limits.bytes - self.bytes;
        let mut bytes = Vec::new();
        reader
            .take(remaining + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| invalid(format!("cannot read {name}: {e}")))?;
        self.bytes += bytes.len() as u64;
        if self.bytes > self.limits.bytes {
            return Err(Error::new(
                ErrorCode::LimitExceeded,
                format!("bundle is larger than {} bytes unpacked", self.limits.bytes),
            ));
        }
        Ok(bytes)
    }
}

/// The regular files of a `.tar.gz`. Directories are skipped; links, devices and paths
/// that escape the archive are `BUNDLE_INVALID`.
pub(crate) fn read_tar_gz(bytes: &[u8], limits: Limits) -> Result<Vec<File>> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let entries = archive
        .entries()
        .map_err(|e| invalid(format!("not a gzipped tarball: {e}")))?;
    let mut budget = Budget {
        limits,
        files: 0,
        bytes: 0,
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| invalid(format!("not a gzipped tarball: {e}")))?;
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            return Err(invalid(format!(
                "bundle entry {raw_path:?} is not a regular file ({kind:?})"
            )));
        }
        let path = normalise(&raw_path)?;
        budget.file()?;
        let bytes = budget.read(entry, &path)?;
        files.push(File { path, bytes });
    }
    Ok(files)
}

/// The files below `root`, with paths relative to it. Symbolic links are refused, as in
/// an archive.
pub(crate) fn read_dir(root: &Path, limits: Limits) -> Result<Vec<File>> {
    let unavailable = |path: &Path, e: std::io::Error| {
        Error::new(
            ErrorCode::SourceUnavailable,
            format!("cannot read {}: {e}", path.display()),
        )
    };
    let mut budget = Budget {
        limits,
        files: 0,
        bytes: 0,
    };
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| unavailable(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| unavailable(&dir, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| unavailable(&path, e))?;
            if kind.is_symlink() {
                return Err(invalid(format!(
                    "bundle entry {} is a link",
                    path.display()
                )));
            }
            if kind.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let name = normalise(&relative.to_string_lossy())?;
            budget.file()?;
            let handle = std::fs::File::open(&path).map_err(|e| unavailable(&path, e))?;
            let bytes = budget.read(handle, &name)?;
            files.push(File { path: name, bytes });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

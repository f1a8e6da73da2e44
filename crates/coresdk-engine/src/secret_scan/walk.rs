//! Which files a scan reads: roots, directories walked in name order, and every skip
//! counted (the rules are in the module docs of `secret_scan`).

use super::ScanSkipped;
use crate::error::{Error, ErrorCode, Result};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fs;
use std::io::{ErrorKind, Read};
use std::path::{Component, Path, PathBuf};

/// Directories never entered below a root: VCS metadata, dependencies, build output.
pub(super) const SKIPPED_DIRS: [&str; 3] = [".git", "node_modules", "target"];

/// How much of a file is searched for a NUL byte (as git and gitleaks do, 8 KiB).
const BINARY_PROBE: usize = 8 << 10;

/// One file to scan: its name as reported and its text.
pub(super) struct TextFile<'a> {
    /// The root as given joined with the path below it, `/`-separated.
    pub(super) name: String,
    /// The text, without a leading byte order mark.
    pub(super) text: Cow<'a, str>,
    /// True when the bytes were not valid UTF-8 (read lossily).
    pub(super) lossy: bool,
}

/// The state of a scan across its roots.
pub(super) struct Walk {
    max_file_bytes: u64,
    /// Canonical paths of the files scanned, kept only when there are several roots
    /// (one root, links never followed: no file is reached twice).
    seen: Option<HashSet<PathBuf>>,
}

fn unavailable(path: &Path, what: &str, e: &std::io::Error) -> Error {
    Error::new(
        ErrorCode::SourceUnavailable,
        format!("cannot {what} {}: {e}", path.display()),
    )
}

/// `path` as reported: components joined with `/`, without `.` components.
fn display(path: &Path) -> String {
    let mut parts: Vec<Cow<'_, str>> = Vec::new();
    let (mut prefix, mut absolute) = (Cow::Borrowed(""), false);
    for component in path.components() {
        match component {
            Component::Prefix(p) => prefix = p.as_os_str().to_string_lossy(),
            Component::RootDir => absolute = true,
            Component::CurDir => {}
            Component::ParentDir => parts.push(Cow::Borrowed("..")),
            Component::Normal(name) => parts.push(name.to_string_lossy()),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("{prefix}/{joined}")
    } else {
        format!("{prefix}{joined}")
    }
}

fn child_name(parent: &str, name: &str) -> String {
    match parent {
        "" => name.to_string(),
        "/" => format!("/{name}"),
        _ => format!("{parent}/{name}"),
    }
}

impl Walk {
    pub(super) fn new(max_file_bytes: u64, several_roots: bool) -> Self {
        Self {
            max_file_bytes,
            seen: several_roots.then(HashSet::new),
        }
    }

    /// Scans the root `path`: `visit` gets each file read.
    pub(super) fn root(
        &mut self,
        path: &Path,
        skipped: &mut ScanSkipped,
        visit: &mut dyn FnMut(TextFile<'_>),
    ) -> Result<()> {
        let meta = fs::metadata(path).map_err(|e| match e.kind() {
            ErrorKind::NotFound | ErrorKind::NotADirectory => Error::new(
                ErrorCode::InvalidArgument,
                format!("no such file or directory: {}", path.display()),
            ),
            _ => unavailable(path, "read", &e),
        })?;
        let canonical = fs::canonicalize(path).map_err(|e| unavailable(path, "read", &e))?;
        let name = display(path);
        if meta.is_dir() {
            self.dir(path, &canonical, &name, skipped, visit)
        } else {
            self.file(path, &meta, &canonical, name, skipped, visit)
        }
    }

    /// Walks a directory: entries in byte order of their names.
    fn dir(
        &mut self,
        path: &Path,
        canonical: &Path,
        name: &str,
        skipped: &mut ScanSkipped,
        visit: &mut dyn FnMut(TextFile<'_>),
    ) -> Result<()> {
        let mut entries = fs::read_dir(path)
            .map_err(|e| unavailable(path, "list", &e))?
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| unavailable(path, "list", &e))?;
        entries.sort_by_key(|entry| entry.file_name());
        for entry in entries {
            let child = entry.path();
            let file_name = entry.file_name();
            let shown = child_name(name, &file_name.to_string_lossy());
            let kind = entry
                .file_type()
                .map_err(|e| unavailable(&child, "read", &e))?;
            if kind.is_symlink() {
                skipped.links += 1;
            } else if kind.is_dir() {
                if SKIPPED_DIRS.iter().any(|skip| file_name == *skip) {
                    skipped.dirs += 1;
                } else {
                    // No link is followed below a root, so canonical paths extend by name.
                    let below = canonical.join(&file_name);
                    self.dir(&child, &below, &shown, skipped, visit)?;
                }
            } else {
                let meta = entry
                    .metadata()
                    .map_err(|e| unavailable(&child, "read", &e))?;
                let below = canonical.join(&file_name);
                self.file(&child, &meta, &below, shown, skipped, visit)?;
            }
        }
        Ok(())
    }

    /// Reads one file unless a skip rule applies.
    fn file(
        &mut self,
        path: &Path,
        meta: &fs::Metadata,
        canonical: &Path,
        name: String,
        skipped: &mut ScanSkipped,
        visit: &mut dyn FnMut(TextFile<'_>),
    ) -> Result<()> {
        if !meta.is_file() {
            skipped.special += 1;
            return Ok(());
        }
        if let Some(seen) = &mut self.seen {
            if !seen.insert(canonical.to_path_buf()) {
                skipped.duplicates += 1;
                return Ok(());
            }
        }
        if meta.len() > self.max_file_bytes {
            skipped.too_large += 1;
            return Ok(());
        }
        let mut bytes = Vec::new();
        // One byte past the limit tells a file that grew since its metadata was read.
        fs::File::open(path)
            .and_then(|f| {
                f.take(self.max_file_bytes.saturating_add(1))
                    .read_to_end(&mut bytes)
            })
            .map_err(|e| unavailable(path, "read", &e))?;
        if bytes.len() as u64 > self.max_file_bytes {
            skipped.too_large += 1;
            return Ok(());
        }
        if bytes[..bytes.len().min(BINARY_PROBE)].contains(&0) {
            skipped.binary += 1;
            return Ok(());
        }
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let text = String::from_utf8_lossy(body);
        let lossy = matches!(text, Cow::Owned(_));
        visit(TextFile { name, text, lossy });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::display;
    use std::path::Path;

    #[test]
    fn paths_are_reported_with_slashes_and_without_dot_components() {
        assert_eq!(display(Path::new("./src/./a.txt")), "src/a.txt");
        assert_eq!(display(Path::new(".")), "");
        assert_eq!(display(Path::new("src//lib/")), "src/lib");
        assert_eq!(display(Path::new("/tmp/x")), "/tmp/x");
        assert_eq!(display(Path::new("../up")), "../up");
    }
}

//! The last-known-good bundle cache: the bundle serving, persisted to disk with an HMAC,
//! so an engine that starts while its bundle server is unreachable can serve the last
//! bundle it had (fail open on partition) but never one that was tampered with (fail
//! closed on integrity).
//!
//! One file: a JSON header line `{"v":1,"etag":...,"revision":...,"len":n,"hmac":...}`
//! followed by the `n` bytes of the `.tar.gz`. The HMAC (SHA-256) covers the ETag, the
//! revision and the bytes. Writes go to a temporary file in the same directory, are
//! fsync'd, then renamed over the old file (and the directory fsync'd), so a crash
//! mid-write leaves the old cache or the new one, never a torn mix.

use crate::error::{Error, ErrorCode, Result};
use crate::keys::{KeyProvider, SoftwareKeyStore};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where and with which key the last good bundle is kept.
#[derive(Clone)]
pub struct LastKnownGood {
    path: PathBuf,
    keys: Arc<dyn KeyProvider>,
    key_id: String,
}

impl std::fmt::Debug for LastKnownGood {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LastKnownGood")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// A restored cache entry.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedBundle {
    /// The bundle's `.tar.gz` bytes.
    pub bundle: Vec<u8>,
    /// The ETag it was served with, if any.
    pub etag: Option<String>,
    /// Its manifest revision.
    pub revision: String,
}

impl LastKnownGood {
    /// A cache at `path` whose HMAC key is `key` (`INVALID_ARGUMENT` when empty).
    pub fn new(path: impl Into<PathBuf>, key: &[u8]) -> Result<Self> {
        let store = SoftwareKeyStore::new().with_hmac_key("last-known-good", key)?;
        Ok(Self::with_provider(
            path,
            Arc::new(store),
            "last-known-good",
        ))
    }

    /// A cache at `path` whose HMAC key is `key_id` of a [`KeyProvider`].
    pub fn with_provider(
        path: impl Into<PathBuf>,
        keys: Arc<dyn KeyProvider>,
        key_id: &str,
    ) -> Self {
        Self {
            path: path.into(),
            keys,
            key_id: key_id.to_string(),
        }
    }

    /// The cache file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn mac(&self, etag: Option<&str>, revision: &str, bundle: &[u8]) -> Result<String> {
        // Length-prefixed fields: no two different entries feed the same bytes.
        let mut data = Vec::with_capacity(bundle.len() + 64);
        for part in [etag.unwrap_or("").as_bytes(), revision.as_bytes(), bundle] {
            data.extend_from_slice(&(part.len() as u64).to_le_bytes());
            data.extend_from_slice(part);
        }
        Ok(self
            .keys
            .hmac(&self.key_id, &data)?
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect())
    }
}

fn integrity(path: &Path, why: &str) -> Error {
    Error::new(
        ErrorCode::Integrity,
        format!("last-known-good cache {} rejected: {why}", path.display()),
    )
}

impl LastKnownGood {
    /// Persists `entry` atomically. Errors: `SOURCE_UNAVAILABLE` when it cannot be written
    /// (the previous cache is left as it was).
    pub fn store(&self, entry: &CachedBundle) -> Result<()> {
        let unavailable = |e: std::io::Error| {
            Error::new(
                ErrorCode::SourceUnavailable,
                format!("cannot write {}: {e}", self.path.display()),
            )
        };
        let header = json!({
            "v": 1,
            "etag": entry.etag,
            "revision": entry.revision,
            "len": entry.bundle.len(),
            "hmac": self.mac(entry.etag.as_deref(), &entry.revision, &entry.bundle)?,
        });
        let dir = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = dir.join(format!(
            ".{}.tmp-{}",
            self.path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("lkg"),
            std::process::id()
        ));
        {
            let mut file = std::fs::File::create(&tmp).map_err(unavailable)?;
            file.write_all(format!("{header}\n").as_bytes())
                .and_then(|()| file.write_all(&entry.bundle))
                .and_then(|()| file.sync_all())
                .map_err(unavailable)?;
        }
        std::fs::rename(&tmp, &self.path).map_err(unavailable)?;
        // The rename itself is durable once the directory is synced (best effort: not
        // every platform lets a directory be opened for it).
        if let Ok(handle) = std::fs::File::open(dir) {
            let _ = handle.sync_all();
        }
        Ok(())
    }

    /// Reads and verifies the cache. `Ok(None)` when there is none; `INTEGRITY` when it
    /// exists but is truncated, malformed or its HMAC does not verify (the whole entry is
    /// rejected); `SOURCE_UNAVAILABLE` when it cannot be read.
    pub fn load(&self) -> Result<Option<CachedBundle>> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::new(
                    ErrorCode::SourceUnavailable,
                    format!("cannot read {}: {e}", self.path.display()),
                ))
            }
        };
        let Some(newline) = bytes.iter().position(|b| *b == b'\n') else {
            return Err(integrity(&self.path, "no header"));
        };
        let header: Value = serde_json::from_slice(&bytes[..newline])
            .map_err(|_| integrity(&self.path, "malformed header"))?;
        let bundle = &bytes[newline + 1..];
        if header["v"] != json!(1) || header["len"].as_u64() != Some(bundle.len() as u64) {
            return Err(integrity(&self.path, "truncated or wrong length"));
        }
        let etag = header["etag"].as_str().map(str::to_string);
        let revision = header["revision"].as_str().unwrap_or_default().to_string();
        let expected = self.mac(etag.as_deref(), &revision, bundle)?;
        let given = header["hmac"].as_str().unwrap_or_default();
        let same = given.len() == expected.len()
            && given
                .bytes()
                .zip(expected.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !same {
            return Err(integrity(&self.path, "HMAC does not verify"));
        }
        Ok(Some(CachedBundle {
            bundle: bundle.to_vec(),
            etag,
            revision,
        }))
    }
}

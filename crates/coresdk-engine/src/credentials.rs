//! Credentials read from files, as OPA's `bearer.token_path` reads them: the file is read
//! for every request, so a token rotated on disk (a Kubernetes projected token, a CI
//! secret) is used from the next request on, without a restart.

use crate::error::{Error, ErrorCode, Result};
use std::path::{Path, PathBuf};

/// Most bytes a token file may hold.
const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

/// The bearer token in the file at `path`, surrounding whitespace removed.
///
/// Errors: `KEY_UNAVAILABLE` when the file cannot be read, is larger than 64 KiB, is
/// empty, or (on Unix) group or others may read or write it (`chmod 600`).
pub(crate) fn bearer_token_from_file(path: &Path) -> Result<String> {
    let shown = path.display();
    let unavailable = |why: String| {
        Error::new(
            ErrorCode::KeyUnavailable,
            format!("token file {shown}: {why}"),
        )
    };
    let meta = std::fs::metadata(path).map_err(|e| unavailable(e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(unavailable(format!(
                "accessible to group or others (mode {:o}); chmod 600 it",
                mode & 0o777
            )));
        }
    }
    if meta.len() > MAX_TOKEN_FILE_BYTES {
        return Err(unavailable(format!(
            "larger than {MAX_TOKEN_FILE_BYTES} bytes"
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| unavailable(e.to_string()))?;
    let token = text.trim();
    if token.is_empty() || token.contains(['\r', '\n']) {
        return Err(unavailable("not one token on one line".into()));
    }
    Ok(token.to_string())
}

/// The `Authorization` value for a service given a bearer `token` or a token `file` (read
/// now), or `None` for neither. Errors: `INVALID_ARGUMENT` for both; as
/// [`bearer_token_from_file`] for the file.
pub(crate) fn bearer_authorization(
    token: Option<&str>,
    file: Option<&PathBuf>,
) -> Result<Option<String>> {
    match (token, file) {
        (Some(_), Some(_)) => Err(Error::new(
            ErrorCode::InvalidArgument,
            "give a bearer token or a bearer token file, not both",
        )),
        (Some(token), None) => Ok(Some(format!("Bearer {token}"))),
        (None, Some(path)) => Ok(Some(format!("Bearer {}", bearer_token_from_file(path)?))),
        (None, None) => Ok(None),
    }
}

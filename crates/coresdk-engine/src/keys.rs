//! Keys: the [`KeyProvider`] interface the core asks for HMACs and signatures, and the
//! default software implementation, [`SoftwareKeyStore`].
//!
//! The audit log and the last-known-good cache take their HMAC key from a provider, so a
//! deployment can keep keys in an HSM or a cloud KMS by implementing the trait. The
//! software store holds keys in memory, loaded from a file only the owner can read or
//! passed in by the host program; it never reads environment variables.

use crate::error::{Error, ErrorCode, Result};
use base64::Engine as _;
use hmac::{Mac, SimpleHmac};
use std::collections::BTreeMap;
use std::path::Path;

/// Where keys live. Implementations must be `Send + Sync`: the poller and audit appends
/// call them from background threads.
pub trait KeyProvider: Send + Sync {
    /// HMAC-SHA256 of `data` with key `key_id`.
    fn hmac(&self, key_id: &str, data: &[u8]) -> Result<Vec<u8>>;

    /// A signature of `data` with key `key_id` (Ed25519 in the software store).
    fn sign(&self, key_id: &str, data: &[u8]) -> Result<Vec<u8>>;

    /// True when `signature` is a valid signature of `data` by key `key_id`.
    fn verify(&self, key_id: &str, data: &[u8], signature: &[u8]) -> Result<bool>;

    /// `ciphertext` decrypted with key `key_id`. The software store holds no encryption
    /// keys and answers `KEY_UNAVAILABLE`; a KMS-backed provider implements it.
    fn decrypt(&self, key_id: &str, ciphertext: &[u8]) -> Result<Vec<u8>>;
}

enum Material {
    Hmac(Vec<u8>),
    Ed25519(ed25519_dalek::SigningKey),
}

/// Keys held in memory: HMAC secrets and Ed25519 signing keys, by id.
#[derive(Default)]
pub struct SoftwareKeyStore {
    keys: BTreeMap<String, Material>,
}

impl std::fmt::Debug for SoftwareKeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Key ids only: key material never reaches a log line.
        f.debug_struct("SoftwareKeyStore")
            .field("key_ids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn unavailable(key_id: &str, why: &str) -> Error {
    Error::new(ErrorCode::KeyUnavailable, format!("key {key_id:?}: {why}"))
}

impl SoftwareKeyStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an HMAC secret under `key_id` (`INVALID_ARGUMENT` when empty).
    pub fn with_hmac_key(mut self, key_id: &str, secret: &[u8]) -> Result<Self> {
        if secret.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "an HMAC key must not be empty",
            ));
        }
        self.keys
            .insert(key_id.to_string(), Material::Hmac(secret.to_vec()));
        Ok(self)
    }

    /// Adds an Ed25519 signing key (its 32-byte seed) under `key_id`.
    pub fn with_ed25519_seed(mut self, key_id: &str, seed: &[u8]) -> Result<Self> {
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| Error::new(ErrorCode::InvalidArgument, "an Ed25519 seed is 32 bytes"))?;
        self.keys.insert(
            key_id.to_string(),
            Material::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed)),
        );
        Ok(self)
    }

    /// Loads a key file: JSON `{"keys": {"<id>": {"type": "hmac" | "ed25519", "base64":
    /// "<secret or 32-byte seed>"}}}`.
    ///
    /// Errors: `KEY_UNAVAILABLE` when the file cannot be read or (on Unix) group or others
    /// may read or write it (`chmod 600`); `INVALID_JSON` / `INVALID_ARGUMENT` for a file
    /// that is not a key file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| unavailable(&shown, &e.to_string()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(unavailable(
                    &shown,
                    &format!(
                        "key file is accessible to group or others (mode {:o}); chmod 600 it",
                        mode & 0o777
                    ),
                ));
            }
        }
        #[cfg(not(unix))]
        let _ = meta;
        let bytes = std::fs::read(path).map_err(|e| unavailable(&shown, &e.to_string()))?;
        let doc = crate::json::parse(&bytes)?;
        let keys = doc
            .get("keys")
            .and_then(serde_json::Value::as_object)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidArgument,
                    "a key file holds {\"keys\": {...}}",
                )
            })?;
        let mut store = Self::new();
        for (id, entry) in keys {
            let material = entry
                .get("base64")
                .and_then(serde_json::Value::as_str)
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidArgument,
                        format!("key {id:?}: base64 missing or invalid"),
                    )
                })?;
            store = match entry.get("type").and_then(serde_json::Value::as_str) {
                Some("hmac") => store.with_hmac_key(id, &material)?,
                Some("ed25519") => store.with_ed25519_seed(id, &material)?,
                _ => {
                    return Err(Error::new(
                        ErrorCode::InvalidArgument,
                        format!("key {id:?}: type must be \"hmac\" or \"ed25519\""),
                    ))
                }
            };
        }
        Ok(store)
    }

    fn get(&self, key_id: &str) -> Result<&Material> {
        self.keys
            .get(key_id)
            .ok_or_else(|| unavailable(key_id, "no such key"))
    }
}

impl KeyProvider for SoftwareKeyStore {
    fn hmac(&self, key_id: &str, data: &[u8]) -> Result<Vec<u8>> {
        let Material::Hmac(secret) = self.get(key_id)? else {
            return Err(unavailable(key_id, "not an HMAC key"));
        };
        let mut mac = <SimpleHmac<sha2::Sha256> as hmac::digest::KeyInit>::new_from_slice(secret)
            .map_err(|e| unavailable(key_id, &e.to_string()))?;
        mac.update(data);
        Ok(mac.finalize().into_bytes().to_vec())
    }

    fn sign(&self, key_id: &str, data: &[u8]) -> Result<Vec<u8>> {
        let Material::Ed25519(key) = self.get(key_id)? else {
            return Err(unavailable(key_id, "not a signing key"));
        };
        use ed25519_dalek::Signer;
        Ok(key.sign(data).to_bytes().to_vec())
    }

    fn verify(&self, key_id: &str, data: &[u8], signature: &[u8]) -> Result<bool> {
        let Material::Ed25519(key) = self.get(key_id)? else {
            return Err(unavailable(key_id, "not a signing key"));
        };
        let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
            return Ok(false);
        };
        use ed25519_dalek::Verifier;
        Ok(key.verifying_key().verify(data, &signature).is_ok())
    }

    fn decrypt(&self, key_id: &str, _ciphertext: &[u8]) -> Result<Vec<u8>> {
        Err(unavailable(
            key_id,
            "the software key store holds no decryption keys",
        ))
    }
}

/// The key a host names: raw `key` bytes (held under `default_id`), or key `key_id`
/// (default `default_id`) of the key file `key_file`. Exactly one of `key` and `key_file`.
///
/// Errors: `INVALID_ARGUMENT` for neither or both, and as [`SoftwareKeyStore::from_file`].
pub fn host_key(
    key: Option<&[u8]>,
    key_file: Option<&Path>,
    key_id: Option<&str>,
    default_id: &str,
) -> Result<(std::sync::Arc<dyn KeyProvider>, String)> {
    let id = key_id.unwrap_or(default_id).to_string();
    let store = match (key, key_file) {
        (Some(key), None) => SoftwareKeyStore::new().with_hmac_key(&id, key)?,
        (None, Some(file)) => SoftwareKeyStore::from_file(file)?,
        _ => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "give a key or a key file, exactly one",
            ))
        }
    };
    Ok((std::sync::Arc::new(store), id))
}

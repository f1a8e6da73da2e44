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
use std::time::Duration;

/// How long the core waits for a host's key provider (a KMS call made from JavaScript or
/// Python) when the host sets no limit: 10 s, then `KEY_UNAVAILABLE`.
pub const DEFAULT_KEY_PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// Where keys live. Implementations must be `Send + Sync`: the poller and audit appends
/// call them from background threads.
pub trait KeyProvider: Send + Sync {
    /// HMAC-SHA256 of `data` with key `key_id`.
    fn hmac(&self, key_id: &str, data: &[u8]) -> Result<Vec<u8>>;

    /// A signature of `data` with key `key_id` (Ed25519 in the software store).
    fn sign(&self, key_id: &str, data: &[u8]) -> Result<Vec<u8>>;

    /// True when `signature` is a valid signature of `data` by key `key_id`.
    fn verify(&self, key_id: &str, data: &[u8], signature: &[u8]) -> Result<bool>;

    /// `ciphertext` decrypted with key `key_id`. In the software store: AES-256-GCM, the
    /// ciphertext being the 12-byte nonce, then the encrypted bytes and the 16-byte tag
    /// (as [`SoftwareKeyStore::encrypt`] writes it); a ciphertext that fails its tag is
    /// `INTEGRITY`.
    fn decrypt(&self, key_id: &str, ciphertext: &[u8]) -> Result<Vec<u8>>;
}

enum Material {
    Hmac(Vec<u8>),
    Ed25519(ed25519_dalek::SigningKey),
    Aes256Gcm(Box<aes_gcm::Aes256Gcm>),
}

/// Length of the AES-GCM nonce that starts a software-store ciphertext.
const NONCE_LEN: usize = 12;

/// Keys held in memory: HMAC secrets, Ed25519 signing keys and AES-256-GCM keys, by id.
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

    /// Adds an AES-256-GCM key (32 bytes) under `key_id`, for [`KeyProvider::decrypt`].
    pub fn with_aes256gcm_key(mut self, key_id: &str, key: &[u8]) -> Result<Self> {
        use aes_gcm::KeyInit;
        let cipher = aes_gcm::Aes256Gcm::new_from_slice(key).map_err(|_| {
            Error::new(ErrorCode::InvalidArgument, "an AES-256-GCM key is 32 bytes")
        })?;
        self.keys
            .insert(key_id.to_string(), Material::Aes256Gcm(Box::new(cipher)));
        Ok(self)
    }

    /// `plaintext` encrypted with AES-256-GCM key `key_id` under a fresh random nonce, in
    /// the layout [`KeyProvider::decrypt`] reads (nonce, ciphertext, tag).
    pub fn encrypt(&self, key_id: &str, plaintext: &[u8]) -> Result<Vec<u8>> {
        use aes_gcm::aead::{Aead, AeadCore, OsRng};
        let Material::Aes256Gcm(cipher) = self.get(key_id)? else {
            return Err(unavailable(key_id, "not an encryption key"));
        };
        let nonce = aes_gcm::Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(&nonce, plaintext)
            .map_err(|_| unavailable(key_id, "encryption failed"))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// Loads a key file: JSON `{"keys": {"<id>": {"type": "hmac" | "ed25519" |
    /// "aes256gcm", "base64": "<secret, 32-byte seed or 32-byte key>"}}}`.
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
                Some("aes256gcm") => store.with_aes256gcm_key(id, &material)?,
                _ => {
                    return Err(Error::new(
                        ErrorCode::InvalidArgument,
                        format!("key {id:?}: type must be \"hmac\", \"ed25519\" or \"aes256gcm\""),
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

    fn decrypt(&self, key_id: &str, ciphertext: &[u8]) -> Result<Vec<u8>> {
        use aes_gcm::aead::Aead;
        let Material::Aes256Gcm(cipher) = self.get(key_id)? else {
            return Err(unavailable(key_id, "not an encryption key"));
        };
        let integrity = || {
            Error::new(
                ErrorCode::Integrity,
                format!("key {key_id:?}: ciphertext is truncated or fails its tag"),
            )
        };
        if ciphertext.len() < NONCE_LEN {
            return Err(integrity());
        }
        let (nonce, sealed) = ciphertext.split_at(NONCE_LEN);
        cipher
            .decrypt(aes_gcm::Nonce::from_slice(nonce), sealed)
            .map_err(|_| integrity())
    }
}

/// A lookup for [`crate::mask::unmask_text`] over a key provider: the SIV key of key id
/// `id` is the provider's HMAC of [`crate::mask::TOKENIZE_CONTEXT`], the same bytes
/// [`crate::mask::tokenization_key`] gives for the raw key, so tokens made from a raw key
/// unmask through a provider (a KMS) holding it, and the key never leaves the provider.
pub fn provider_keys(provider: &dyn KeyProvider) -> impl FnMut(&str) -> Result<[u8; 32]> + '_ {
    move |id| {
        let mac = provider.hmac(id, crate::mask::TOKENIZE_CONTEXT)?;
        mac.try_into().map_err(|_| {
            Error::new(
                ErrorCode::KeyUnavailable,
                format!("key {id:?} is not an HMAC-SHA256 key"),
            )
        })
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
    host_key_or_provider(key, key_file, key_id, None, default_id)
}

/// As [`host_key`], with a third choice: key `key_id` (default `default_id`) of a
/// `provider` the host implemented (in Rust, JavaScript or Python). Exactly one of `key`,
/// `key_file` and `provider`.
pub fn host_key_or_provider(
    key: Option<&[u8]>,
    key_file: Option<&Path>,
    key_id: Option<&str>,
    provider: Option<std::sync::Arc<dyn KeyProvider>>,
    default_id: &str,
) -> Result<(std::sync::Arc<dyn KeyProvider>, String)> {
    let id = key_id.unwrap_or(default_id).to_string();
    let keys: std::sync::Arc<dyn KeyProvider> = match (key, key_file, provider) {
        (Some(key), None, None) => {
            std::sync::Arc::new(SoftwareKeyStore::new().with_hmac_key(&id, key)?)
        }
        (None, Some(file), None) => std::sync::Arc::new(SoftwareKeyStore::from_file(file)?),
        (None, None, Some(provider)) => provider,
        _ => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "give a key, a key file or a key provider, exactly one",
            ))
        }
    };
    Ok((keys, id))
}

//! JWT verification for Node: a native `TokenVerifier` over the core's, and the key
//! material it is built from.

use crate::error::{bytes, call, Result};
use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;
use std::time::Duration;

/// One verification key: a PEM public key (RS*, PS*, ES*, EdDSA) or a secret (HS*).
#[napi(object)]
pub struct TokenKey {
    /// The algorithm the key verifies, e.g. `"RS256"`.
    pub algorithm: String,
    /// PEM public key.
    pub public_key: Option<String>,
    /// HMAC secret.
    pub secret: Option<Buffer>,
    /// The `kid` tokens name this key by.
    pub key_id: Option<String>,
}

/// Options of a [`TokenVerifier`]; the same names and defaults as Python's.
#[napi(object)]
pub struct TokenVerifierOptions {
    /// A JWKS document (`{"keys": [...]}`) as JSON text.
    pub jwks_json: Option<Either<String, Buffer>>,
    /// Keys given one by one.
    pub keys: Option<Vec<TokenKey>>,
    /// Accepted issuers (`iss`); empty = any.
    pub issuers: Option<Vec<String>>,
    /// Accepted audiences (`aud`); empty = not checked.
    pub audiences: Option<Vec<String>>,
    /// Clock skew allowed on `exp` / `nbf` in seconds (default 60).
    pub leeway_seconds: Option<u32>,
    /// Claims that must be present.
    pub required_claims: Option<Vec<String>>,
}

/// Verifies JWTs (the core's `TokenVerifier`).
#[napi]
pub struct TokenVerifier {
    pub(crate) inner: coresdk_engine::TokenVerifier,
}

fn verifier(o: TokenVerifierOptions) -> coresdk_engine::Result<coresdk_engine::TokenVerifier> {
    let mut keys = match o.jwks_json {
        Some(json) => coresdk_engine::KeySet::from_jwks_json(&bytes(json))?,
        None => coresdk_engine::KeySet::new(),
    };
    for key in o.keys.unwrap_or_default() {
        keys = match (key.public_key, key.secret) {
            (Some(pem), None) => {
                keys.with_public_pem(key.key_id.as_deref(), &key.algorithm, &pem)?
            }
            (None, Some(secret)) => {
                keys.with_secret(key.key_id.as_deref(), &key.algorithm, &secret)?
            }
            _ => {
                return Err(coresdk_engine::Error::new(
                    coresdk_engine::ErrorCode::InvalidArgument,
                    "a key needs exactly one of publicKey and secret",
                ))
            }
        };
    }
    let mut options = coresdk_engine::TokenOptions {
        issuers: o.issuers.unwrap_or_default(),
        audiences: o.audiences.unwrap_or_default(),
        required_claims: o.required_claims.unwrap_or_default(),
        ..Default::default()
    };
    if let Some(seconds) = o.leeway_seconds {
        options.leeway = Duration::from_secs(u64::from(seconds));
    }
    Ok(coresdk_engine::TokenVerifier::new(keys, options))
}

#[napi]
impl TokenVerifier {
    /// A verifier over the given keys.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: TokenVerifierOptions) -> Result<Self> {
        call(|| verifier(options)).map(|inner| Self { inner })
    }

    /// The verified claims of `token` as JSON text.
    #[napi(catch_unwind)]
    pub fn authenticate_json(&self, token: String) -> Result<String> {
        call(|| {
            let claims = self.inner.verify(&token)?;
            Ok(coresdk_engine::json::to_string(&serde_json::Value::Object(
                claims,
            )))
        })
    }
}

//! JWT verification for Node: a native `TokenVerifier` over the core's, and the key
//! material it is built from.

use crate::error::{bytes, call, Result};
use crate::task::Work;
use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
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
    /// Fetch the JWKS from this URL and refresh it in the background (instead of
    /// `jwksJson` / `keys`).
    pub jwks_url: Option<String>,
    /// Seconds between background refreshes of `jwksUrl` (default 300).
    pub jwks_refresh_seconds: Option<u32>,
    /// Shortest seconds between refetches triggered by unknown `kid`s (default 30).
    pub jwks_min_refetch_seconds: Option<u32>,
    /// Time limit of one JWKS request in ms (default 10000).
    pub jwks_timeout_ms: Option<u32>,
}

/// Verifies JWTs (the core's `TokenVerifier`).
#[napi]
pub struct TokenVerifier {
    pub(crate) inner: coresdk_engine::TokenVerifier,
}

fn verifier(o: TokenVerifierOptions) -> coresdk_engine::Result<coresdk_engine::TokenVerifier> {
    let mut options = coresdk_engine::TokenOptions {
        issuers: o.issuers.unwrap_or_default(),
        audiences: o.audiences.unwrap_or_default(),
        required_claims: o.required_claims.unwrap_or_default(),
        ..Default::default()
    };
    if let Some(seconds) = o.leeway_seconds {
        options.leeway = Duration::from_secs(u64::from(seconds));
    }
    let jwks_url = o.jwks_url.map(|url| {
        let mut jwks = coresdk_engine::JwksOptions::new(url);
        if let Some(s) = o.jwks_refresh_seconds {
            jwks.refresh_interval = Duration::from_secs(u64::from(s));
        }
        if let Some(s) = o.jwks_min_refetch_seconds {
            jwks.min_refetch_interval = Duration::from_secs(u64::from(s));
        }
        if let Some(ms) = o.jwks_timeout_ms {
            jwks.timeout = Duration::from_millis(u64::from(ms));
        }
        jwks
    });
    let keys = o
        .keys
        .unwrap_or_default()
        .into_iter()
        .map(|key| coresdk_engine::KeySpec {
            algorithm: key.algorithm,
            public_key_pem: key.public_key,
            secret: key.secret.map(|secret| secret.to_vec()),
            key_id: key.key_id,
        });
    let sources = coresdk_engine::KeySources {
        jwks_json: o.jwks_json.map(bytes),
        keys: keys.collect(),
        jwks_url,
    };
    coresdk_engine::TokenVerifier::from_sources(sources, options)
}

/// A verifier over the JWKS at `options.jwksUrl`, fetched on the libuv pool (the JS
/// thread never waits for the network).
#[napi(catch_unwind, ts_return_type = "Promise<TokenVerifier>")]
pub fn token_verifier_from_jwks_url(
    options: TokenVerifierOptions,
) -> AsyncTask<Work<TokenVerifier>> {
    AsyncTask::new(Work::new(move || {
        if options.jwks_url.is_none() {
            return Err(coresdk_engine::Error::new(
                coresdk_engine::ErrorCode::InvalidArgument,
                "jwksUrl is required",
            ));
        }
        verifier(options).map(|inner| TokenVerifier { inner })
    }))
}

#[napi]
impl TokenVerifier {
    /// A verifier over the given keys (a JWKS URL goes through `tokenVerifierFromJwksUrl`,
    /// which fetches off the JS thread).
    #[napi(constructor, catch_unwind)]
    pub fn new(options: TokenVerifierOptions) -> Result<Self> {
        call(|| {
            if options.jwks_url.is_some() {
                return Err(coresdk_engine::Error::new(
                    coresdk_engine::ErrorCode::InvalidArgument,
                    "a JWKS URL is fetched asynchronously: use TokenVerifier.fromJwksUrl",
                ));
            }
            verifier(options)
        })
        .map(|inner| Self { inner })
    }

    /// `authenticateJson` on the libuv pool (an unknown `kid` may refetch the JWKS).
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn authenticate_json_async(&self, token: String) -> AsyncTask<Work<String>> {
        let verifier = self.inner.clone();
        AsyncTask::new(Work::new(move || {
            let claims = verifier.verify(&token)?;
            Ok(coresdk_engine::json::to_string(&serde_json::Value::Object(
                claims,
            )))
        }))
    }

    /// The remote JWKS status as JSON text (`null` for fixed keys).
    #[napi(catch_unwind)]
    pub fn key_source_status_json(&self) -> Result<String> {
        call(|| {
            let status = self.inner.key_source_status().map(|s| s.to_json());
            Ok(coresdk_engine::json::to_string(&status.unwrap_or_default()))
        })
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

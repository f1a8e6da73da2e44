//! JWT verification: signature, `exp` / `nbf` with leeway, issuer, audience and required
//! claims, against a key set (a JWKS document, PEM public keys or HMAC secrets).
//!
//! Errors are `TOKEN_EXPIRED` (past `exp` + leeway) or `TOKEN_INVALID` with a reason;
//! neither ever contains the token or a claim value, only what was wrong.

use crate::error::{Error, ErrorCode, Result};
use crate::jwks::{JwksOptions, RemoteJwks};
pub use crate::key_set::KeySet;
use crate::key_set::{invalid_argument, token_invalid};
use crate::metrics::SourceStatus;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::Validation;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// The most bytes a token may have; longer input is `TOKEN_INVALID` before any parsing.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// What a verified token must also satisfy.
#[derive(Debug, Clone)]
pub struct TokenOptions {
    /// Accepted `iss` values; empty = any.
    pub issuers: Vec<String>,
    /// Accepted `aud` values (one must be in the token); empty = `aud` not checked.
    pub audiences: Vec<String>,
    /// Clock skew allowed on `exp` and `nbf`. Default 60 s.
    pub leeway: Duration,
    /// Claims that must be present (e.g. `sub`); `exp` is always required.
    pub required_claims: Vec<String>,
}

impl Default for TokenOptions {
    fn default() -> Self {
        Self {
            issuers: Vec::new(),
            audiences: Vec::new(),
            leeway: Duration::from_secs(60),
            required_claims: Vec::new(),
        }
    }
}

/// One key given on its own: a PEM public key (RS*, PS*, ES*, EdDSA) or a secret (HS*).
#[derive(Debug, Clone, Default)]
pub struct KeySpec {
    /// The algorithm the key verifies, e.g. `"RS256"`.
    pub algorithm: String,
    /// A PEM public key (exactly one of this and `secret`).
    pub public_key_pem: Option<String>,
    /// An HMAC secret (exactly one of this and `public_key_pem`).
    pub secret: Option<Vec<u8>>,
    /// The `kid` tokens name this key by.
    pub key_id: Option<String>,
}

/// The key sources of a [`TokenVerifier`] as a host configures them; see
/// [`TokenVerifier::from_sources`] for the rules.
#[derive(Debug, Clone, Default)]
pub struct KeySources {
    /// A JWKS document (`{"keys": [...]}`) as JSON text.
    pub jwks_json: Option<Vec<u8>>,
    /// Keys given one by one (added after the document's).
    pub keys: Vec<KeySpec>,
    /// Fetch the JWKS from a URL instead, and refresh it in the background.
    pub jwks_url: Option<JwksOptions>,
}

/// Where a verifier's keys come from.
#[derive(Clone)]
enum Keys {
    Fixed(Arc<KeySet>),
    Remote(Arc<RemoteJwks>),
}

/// Verifies JWTs against a key set. `Send + Sync`; clones share the keys.
#[derive(Clone)]
pub struct TokenVerifier {
    keys: Keys,
    options: TokenOptions,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("keys", &self.keys())
            .field("options", &self.options)
            .finish()
    }
}

impl TokenVerifier {
    /// A verifier over `keys` with `options`.
    pub fn new(keys: KeySet, options: TokenOptions) -> Self {
        Self {
            keys: Keys::Fixed(Arc::new(keys)),
            options,
        }
    }

    /// A verifier over the JWKS at `jwks.url`, fetched now and refreshed in the
    /// background (jwks.rs).
    ///
    /// Errors: `INVALID_ARGUMENT` for a bad URL or options, `SOURCE_UNAVAILABLE` when the
    /// first fetch fails, `INVALID_JSON` / `INVALID_ARGUMENT` for a bad document.
    pub fn from_jwks_url(jwks: JwksOptions, options: TokenOptions) -> Result<Self> {
        Ok(Self {
            keys: Keys::Remote(RemoteJwks::start(jwks)?),
            options,
        })
    }

    /// A verifier over the key sources a host configured: a JWKS document and/or keys
    /// given one by one, or a JWKS URL. This is where every binding builds its verifier,
    /// so the rules hold the same in every language.
    ///
    /// Errors: `INVALID_ARGUMENT` when no source is given (a verifier without keys would
    /// refuse every token), when a JWKS URL is given with a document or keys, or when a
    /// key has not exactly one of a public key and a secret; as [`KeySet`]'s builders and
    /// [`TokenVerifier::from_jwks_url`] otherwise.
    pub fn from_sources(sources: KeySources, options: TokenOptions) -> Result<Self> {
        let fixed = sources.jwks_json.is_some() || !sources.keys.is_empty();
        match sources.jwks_url {
            Some(_) if fixed => Err(invalid_argument(
                "give a JWKS URL or a JWKS document and keys, not both",
            )),
            Some(jwks) => Self::from_jwks_url(jwks, options),
            None if !fixed => Err(invalid_argument(
                "no keys: give a JWKS document, keys or a JWKS URL (a verifier without keys would refuse every token)",
            )),
            None => {
                let mut set = match sources.jwks_json {
                    Some(json) => KeySet::from_jwks_json(&json)?,
                    None => KeySet::new(),
                };
                for key in sources.keys {
                    let id = key.key_id.as_deref();
                    set = match (key.public_key_pem, key.secret) {
                        (Some(pem), None) => set.with_public_pem(id, &key.algorithm, &pem)?,
                        (None, Some(secret)) => set.with_secret(id, &key.algorithm, &secret)?,
                        _ => {
                            return Err(invalid_argument(
                                "a key needs exactly one of a public key and a secret",
                            ))
                        }
                    };
                }
                Ok(Self::new(set, options))
            }
        }
    }

    /// The status of the remote JWKS (kind `"jwks"`), or `None` for fixed keys.
    pub fn key_source_status(&self) -> Option<SourceStatus> {
        match &self.keys {
            Keys::Fixed(_) => None,
            Keys::Remote(remote) => Some(remote.status()),
        }
    }

    /// The key set serving now.
    pub fn keys(&self) -> Arc<KeySet> {
        match &self.keys {
            Keys::Fixed(set) => Arc::clone(set),
            Keys::Remote(remote) => remote.current(),
        }
    }

    /// The verified claims of `token`.
    ///
    /// Errors: `TOKEN_EXPIRED` past `exp` + leeway; `TOKEN_INVALID` for anything else (not
    /// a JWT, `alg: none` or an algorithm no key serves, bad signature, unknown `kid`,
    /// `nbf` in the future, wrong issuer or audience, a required claim missing).
    pub fn verify(&self, token: &str) -> Result<Map<String, Value>> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(token_invalid(format!(
                "longer than {MAX_TOKEN_BYTES} bytes"
            )));
        }
        let header = jsonwebtoken::decode_header(token).map_err(|e| match header_alg(token) {
            // jsonwebtoken reads an unknown `alg` as bad JSON; say what is wrong instead.
            Some(alg) if alg.eq_ignore_ascii_case("none") => {
                token_invalid("unsigned (alg: none): never accepted")
            }
            Some(_) => token_invalid("unknown algorithm"),
            None => token_invalid(reason(&e)),
        })?;
        let kid = header.kid.as_deref();
        let mut set = self.keys();
        if let (Keys::Remote(remote), Some(kid)) = (&self.keys, kid) {
            // Keys may have rotated since the last refresh: one rate-limited refetch.
            if !set.contains_id(kid) && remote.refetch_for_unknown_kid() {
                set = remote.current();
            }
        }
        let key = set.select(kid, header.alg)?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = self.options.leeway.as_secs();
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp"]);
        if !self.options.issuers.is_empty() {
            validation.set_issuer(&self.options.issuers);
        }
        if self.options.audiences.is_empty() {
            validation.validate_aud = false;
        } else {
            validation.set_audience(&self.options.audiences);
        }
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => {
                    Error::new(ErrorCode::TokenExpired, "token has expired")
                }
                _ => token_invalid(reason(&e)),
            })?
            .claims;
        if let Some(missing) = self
            .options
            .required_claims
            .iter()
            .find(|c| !claims.contains_key(*c))
        {
            return Err(token_invalid(format!(
                "required claim {missing:?} is missing"
            )));
        }
        Ok(claims)
    }
}

/// A reason fit for an error message: the kind of failure, never token content.
fn reason(e: &jsonwebtoken::errors::Error) -> String {
    match e.kind() {
        ErrorKind::InvalidToken => "not a compact JWS (header.payload.signature)".into(),
        ErrorKind::InvalidSignature => "signature does not verify".into(),
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => {
            "algorithm not accepted for this key".into()
        }
        ErrorKind::InvalidAlgorithmName => "unknown algorithm".into(),
        ErrorKind::ImmatureSignature => "not valid yet (nbf)".into(),
        ErrorKind::InvalidIssuer => "issuer not accepted".into(),
        ErrorKind::InvalidAudience => "audience not accepted".into(),
        ErrorKind::InvalidSubject => "subject not accepted".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("required claim {claim:?} is missing"),
        ErrorKind::InvalidClaimFormat(claim) => format!("claim {claim:?} has the wrong type"),
        ErrorKind::Base64(_) => "not base64url".into(),
        ErrorKind::Json(_) | ErrorKind::Utf8(_) => "header or payload is not JSON".into(),
        _ => "cannot be verified".into(),
    }
}

/// The `alg` of a token whose header is base64url JSON, whatever its value.
fn header_alg(token: &str) -> Option<String> {
    use base64::Engine as _;
    let header = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    Some(value.get("alg")?.as_str()?.to_string())
}

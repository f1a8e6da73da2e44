//! JWT verification: signature, `exp` / `nbf` with leeway, issuer, audience and required
//! claims, against a key set (a JWKS document, PEM public keys or HMAC secrets).
//!
//! Errors are `TOKEN_EXPIRED` (past `exp` + leeway) or `TOKEN_INVALID` with a reason;
//! neither ever contains the token or a claim value, only what was wrong.

use crate::error::{Error, ErrorCode, Result};
use crate::jwks::{JwksOptions, RemoteJwks};
use crate::metrics::SourceStatus;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The most bytes a token may have; longer input is `TOKEN_INVALID` before any parsing.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// One verification key and the algorithms it may verify.
#[derive(Clone)]
struct Key {
    id: Option<String>,
    algorithms: Vec<Algorithm>,
    key: DecodingKey,
}

/// The keys a [`TokenVerifier`] accepts.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: Vec<Key>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<_> = self.keys.iter().map(|k| (&k.id, &k.algorithms)).collect();
        f.debug_struct("KeySet").field("keys", &ids).finish()
    }
}

fn invalid_argument(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidArgument, message)
}

fn algorithm(name: &str) -> Result<Algorithm> {
    Algorithm::from_str(name)
        .map_err(|_| invalid_argument(format!("unsupported JWT algorithm {name:?}")))
}

fn is_hmac(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

impl KeySet {
    /// An empty set (every token fails until keys are added).
    pub fn new() -> Self {
        Self::default()
    }

    /// The keys of a JWKS document (`{"keys": [...]}`). A key's `alg`, when present,
    /// limits it to that algorithm; otherwise it serves every algorithm of its family.
    ///
    /// Errors: `INVALID_JSON` for bad text, `INVALID_ARGUMENT` for a document that is not
    /// a JWKS or holds a key that cannot be used.
    pub fn from_jwks_json(bytes: &[u8]) -> Result<Self> {
        let value = crate::json::parse(bytes)?;
        let set: JwkSet = serde_json::from_value(value)
            .map_err(|e| invalid_argument(format!("not a JWKS document: {e}")))?;
        let mut keys = Vec::new();
        for jwk in &set.keys {
            let algorithms = match jwk.common.key_algorithm {
                // Encryption keys (RSA-OAEP, ...) may share a JWKS; they verify nothing.
                Some(alg) => match algorithm(&format!("{alg:?}")) {
                    Ok(alg) => vec![alg],
                    Err(_) => continue,
                },
                None => family_of(&jwk.algorithm),
            };
            if matches!(
                jwk.common.public_key_use,
                Some(jsonwebtoken::jwk::PublicKeyUse::Encryption)
            ) {
                continue;
            }
            let key = DecodingKey::from_jwk(jwk)
                .map_err(|e| invalid_argument(format!("unusable JWK: {e}")))?;
            keys.push(Key {
                id: jwk.common.key_id.clone(),
                algorithms,
                key,
            });
        }
        Ok(Self { keys })
    }

    /// Adds a PEM public key (RSA, EC or Ed25519) for `algorithm` (RS*, PS*, ES*, EdDSA).
    pub fn with_public_pem(
        mut self,
        key_id: Option<&str>,
        algorithm_name: &str,
        pem: &str,
    ) -> Result<Self> {
        let alg = algorithm(algorithm_name)?;
        let bad = |e: jsonwebtoken::errors::Error| {
            invalid_argument(format!("unusable {algorithm_name} key: {e}"))
        };
        let key = match alg {
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => DecodingKey::from_rsa_pem(pem.as_bytes()).map_err(bad)?,
            Algorithm::ES256 | Algorithm::ES384 => {
                DecodingKey::from_ec_pem(pem.as_bytes()).map_err(bad)?
            }
            Algorithm::EdDSA => DecodingKey::from_ed_pem(pem.as_bytes()).map_err(bad)?,
            _ => {
                return Err(invalid_argument(format!(
                    "{algorithm_name} takes a secret, not a public key"
                )))
            }
        };
        self.keys.push(Key {
            id: key_id.map(str::to_string),
            algorithms: vec![alg],
            key,
        });
        Ok(self)
    }

    /// Adds an HMAC secret for `algorithm` (HS256, HS384, HS512).
    pub fn with_secret(
        mut self,
        key_id: Option<&str>,
        algorithm_name: &str,
        secret: &[u8],
    ) -> Result<Self> {
        let alg = algorithm(algorithm_name)?;
        if !is_hmac(alg) {
            return Err(invalid_argument(format!(
                "{algorithm_name} takes a public key, not a secret"
            )));
        }
        self.keys.push(Key {
            id: key_id.map(str::to_string),
            algorithms: vec![alg],
            key: DecodingKey::from_secret(secret),
        });
        Ok(self)
    }

    /// How many keys the set holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the set holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// True when a key with this id is in the set.
    pub fn contains_id(&self, key_id: &str) -> bool {
        self.keys.iter().any(|k| k.id.as_deref() == Some(key_id))
    }

    /// The key for a token: by `kid` when the token names one, else the only key that
    /// serves the token's algorithm.
    fn select(&self, kid: Option<&str>, alg: Algorithm) -> std::result::Result<&Key, Error> {
        let candidates: Vec<&Key> = self
            .keys
            .iter()
            .filter(|k| k.algorithms.contains(&alg))
            .filter(|k| kid.is_none() || k.id.as_deref() == kid)
            .collect();
        match candidates.as_slice() {
            [one] => Ok(one),
            [] if kid.is_some() => Err(token_invalid("no key with the token's key id (kid)")),
            [] => Err(token_invalid("no key for the token's algorithm")),
            _ => Err(token_invalid(
                "several keys fit and the token names no key id (kid)",
            )),
        }
    }
}

/// Every algorithm of the family of a JWK without `alg`.
fn family_of(params: &jsonwebtoken::jwk::AlgorithmParameters) -> Vec<Algorithm> {
    use jsonwebtoken::jwk::{AlgorithmParameters as P, EllipticCurve};
    match params {
        P::RSA(_) => vec![
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
        ],
        P::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => vec![Algorithm::ES256],
            EllipticCurve::P384 => vec![Algorithm::ES384],
            _ => Vec::new(),
        },
        P::OctetKeyPair(_) => vec![Algorithm::EdDSA],
        P::OctetKey(_) => vec![Algorithm::HS256, Algorithm::HS384, Algorithm::HS512],
    }
}

fn token_invalid(reason: impl Into<String>) -> Error {
    Error::new(
        ErrorCode::TokenInvalid,
        format!("token is invalid: {}", reason.into()),
    )
}

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
        let header = jsonwebtoken::decode_header(token).map_err(|e| token_invalid(reason(&e)))?;
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

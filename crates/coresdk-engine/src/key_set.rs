//! The keys a token verifier accepts: JWKS documents, PEM public keys and HMAC secrets,
//! each limited to the algorithms it may verify. Shared by [`crate::token`] (fixed keys)
//! and [`crate::jwks`] (keys fetched from a JWKS URL), which is why it is its own module.

use crate::error::{Error, ErrorCode, Result};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey};
use std::str::FromStr;

/// One verification key and the algorithms it may verify.
#[derive(Clone)]
pub(crate) struct Key {
    pub(crate) id: Option<String>,
    pub(crate) algorithms: Vec<Algorithm>,
    pub(crate) key: DecodingKey,
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

pub(crate) fn invalid_argument(message: impl Into<String>) -> Error {
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
    pub(crate) fn select(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> std::result::Result<&Key, Error> {
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

/// A `TOKEN_INVALID` error with `reason` (never token content).
pub(crate) fn token_invalid(reason: impl Into<String>) -> Error {
    Error::new(
        ErrorCode::TokenInvalid,
        format!("token is invalid: {}", reason.into()),
    )
}

//! Verifying a bundle's `.signatures.json` (OPA's format): one JWS whose payload lists
//! every file of the bundle with its digest. The JWS must verify with the configured key
//! and algorithm, its `keyid` and `scope` must match the configuration, and the files
//! listed must be exactly the files present, each with a matching digest.

use super::archive::File;
use super::digest;
use super::{Verification, VerificationKey};
use crate::error::{Error, ErrorCode, Result};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::str::FromStr;

/// The file holding the signatures, at the bundle root.
pub(crate) const SIGNATURES_FILE: &str = ".signatures.json";

#[derive(Deserialize)]
struct Signatures {
    signatures: Vec<String>,
}

#[derive(Deserialize)]
struct Payload {
    files: Vec<FileDigest>,
    #[serde(default)]
    keyid: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct FileDigest {
    name: String,
    hash: String,
    /// OPA requires it; an empty one fails as an unsupported algorithm.
    #[serde(default)]
    algorithm: String,
}

fn integrity(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::Integrity, message)
}

/// The algorithm names a verification accepts.
pub(crate) fn algorithm(name: &str) -> Option<Algorithm> {
    Algorithm::from_str(name).ok()
}

fn decoding_key(verification: &Verification, algorithm: Algorithm) -> Result<DecodingKey> {
    let bad_key = |e: jsonwebtoken::errors::Error| {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("bundle verification key for {algorithm:?} is not usable: {e}"),
        )
    };
    match (&verification.key, algorithm) {
        (VerificationKey::Hmac(secret), Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) => {
            Ok(DecodingKey::from_secret(secret))
        }
        (
            VerificationKey::PublicPem(pem),
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512,
        ) => DecodingKey::from_rsa_pem(pem.as_bytes()).map_err(bad_key),
        (VerificationKey::PublicPem(pem), Algorithm::ES256 | Algorithm::ES384) => {
            DecodingKey::from_ec_pem(pem.as_bytes()).map_err(bad_key)
        }
        (VerificationKey::PublicPem(pem), Algorithm::EdDSA) => {
            DecodingKey::from_ed_pem(pem.as_bytes()).map_err(bad_key)
        }
        _ => Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("the verification key does not fit algorithm {algorithm:?}"),
        )),
    }
}

/// Verifies `files` (every file of the bundle, `.signatures.json` included) against the
/// signature, or fails with `INTEGRITY` (`BUNDLE_INVALID` for a malformed signatures file,
/// `INVALID_ARGUMENT` for a key that cannot be used). The token is never echoed.
pub(crate) fn verify(files: &[File], verification: &Verification) -> Result<()> {
    let algorithm = algorithm(&verification.algorithm).ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("unsupported signing algorithm {:?}", verification.algorithm),
        )
    })?;
    let key = decoding_key(verification, algorithm)?;
    let signatures = files
        .iter()
        .find(|f| f.path == SIGNATURES_FILE)
        .ok_or_else(|| integrity("bundle is not signed (no .signatures.json)"))?;
    let signatures: Signatures = serde_json::from_slice(&signatures.bytes)
        .map_err(|e| Error::new(ErrorCode::BundleInvalid, format!(".signatures.json: {e}")))?;
    let token = match signatures.signatures.as_slice() {
        [] => return Err(integrity(".signatures.json holds no signature")),
        [one] => one,
        _ => {
            return Err(Error::new(
                ErrorCode::BundleInvalid,
                ".signatures.json: more than one signature (OPA expects exactly one)",
            ))
        }
    };
    let header = jsonwebtoken::decode_header(token)
        .map_err(|e| integrity(format!("bundle signature is malformed: {e}")))?;
    let mut validation = Validation::new(algorithm);
    validation.required_spec_claims = HashSet::new();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    let payload = jsonwebtoken::decode::<Payload>(token, &key, &validation)
        .map_err(|e| integrity(format!("bundle signature does not verify: {e}")))?
        .claims;

    if let Some(expected) = &verification.key_id {
        let presented = header.kid.as_ref().or(payload.keyid.as_ref());
        if presented.is_some_and(|kid| kid != expected) {
            return Err(integrity("bundle was signed with another key id"));
        }
    }
    // As in OPA, the signed scope must equal the configured one (absent = empty).
    if payload.scope.as_deref().unwrap_or("") != verification.scope.as_deref().unwrap_or("") {
        return Err(integrity("bundle signature scope does not match"));
    }

    let mut listed: BTreeMap<String, FileDigest> = BTreeMap::new();
    for file in payload.files {
        let name = super::archive::normalise(&file.name)
            .map_err(|_| integrity(format!("signature lists a bad path {:?}", file.name)))?;
        listed.insert(name, file);
    }
    for file in files.iter().filter(|f| f.path != SIGNATURES_FILE) {
        let Some(expected) = listed.remove(&file.path) else {
            return Err(integrity(format!(
                "{} is not covered by the signature",
                file.path
            )));
        };
        let normal = digest::normal_form(&file.path, &file.bytes)?;
        let actual = digest::hash(&expected.algorithm, &normal)?;
        if !hex_eq(&expected.hash, &actual) {
            return Err(integrity(format!(
                "{}: digest does not match the signature",
                file.path
            )));
        }
    }
    if let Some(missing) = listed.keys().next() {
        return Err(integrity(format!(
            "{missing} is signed but not in the bundle"
        )));
    }
    Ok(())
}

fn hex_eq(hex: &str, bytes: &[u8]) -> bool {
    hex.len() == bytes.len() * 2
        && bytes.iter().zip(hex.as_bytes().chunks(2)).all(|(b, pair)| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                == Some(*b)
        })
}

//! Private JWKs (RFC 7517/7518) as signing keys, for `io.jwt.encode_sign*`: `oct`
//! secrets, `RSA` keys with their private members, `EC` P-256/P-384 keys and `OKP`
//! Ed25519 keys. Each is turned into the DER form `jsonwebtoken` signs with.

use anyhow::{anyhow, bail, Context, Result};
use base64::Engine as _;
use jsonwebtoken::EncodingKey;
use serde_json::Value;

fn member(jwk: &Value, name: &str) -> Result<Vec<u8>> {
    let text = jwk
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("JWK member {name:?} is missing"))?;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .with_context(|| format!("JWK member {name:?} is not base64url"))
}

/// The signing key a private JWK holds.
///
/// Errors: a JWK of another `kty`, a curve other than P-256, P-384 or Ed25519, or missing
/// or malformed private members.
pub(crate) fn signing_key(jwk: &Value) -> Result<EncodingKey> {
    match jwk.get("kty").and_then(Value::as_str) {
        Some("oct") => Ok(EncodingKey::from_secret(&member(jwk, "k")?)),
        Some("RSA") => rsa_key(jwk),
        Some("EC") => ec_key(jwk),
        Some("OKP") => {
            if jwk.get("crv").and_then(Value::as_str) != Some("Ed25519") {
                bail!("only the Ed25519 OKP curve is supported");
            }
            let seed: [u8; 32] = member(jwk, "d")?
                .try_into()
                .map_err(|_| anyhow!("an Ed25519 private key is 32 bytes"))?;
            use ed25519_dalek::pkcs8::EncodePrivateKey;
            let der = ed25519_dalek::SigningKey::from_bytes(&seed)
                .to_pkcs8_der()
                .map_err(|e| anyhow!("Ed25519 key: {e}"))?;
            Ok(EncodingKey::from_ed_der(der.as_bytes()))
        }
        Some(other) => bail!("unsupported JWK key type {other:?}"),
        None => bail!("JWK has no \"kty\""),
    }
}

fn rsa_key(jwk: &Value) -> Result<EncodingKey> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    let int = |name: &str| member(jwk, name).map(|b| rsa::BigUint::from_bytes_be(&b));
    let key = rsa::RsaPrivateKey::from_components(
        int("n")?,
        int("e")?,
        int("d")?,
        vec![int("p")?, int("q")?],
    )
    .map_err(|e| anyhow!("RSA key: {e}"))?;
    let der = key.to_pkcs1_der().map_err(|e| anyhow!("RSA key: {e}"))?;
    Ok(EncodingKey::from_rsa_der(der.as_bytes()))
}

fn ec_key(jwk: &Value) -> Result<EncodingKey> {
    use p256::pkcs8::EncodePrivateKey;
    let d = member(jwk, "d")?;
    let der = match jwk.get("crv").and_then(Value::as_str) {
        Some("P-256") => p256::SecretKey::from_slice(&d)
            .map_err(|_| anyhow!("not a P-256 private key"))?
            .to_pkcs8_der(),
        Some("P-384") => p384::SecretKey::from_slice(&d)
            .map_err(|_| anyhow!("not a P-384 private key"))?
            .to_pkcs8_der(),
        other => bail!("unsupported EC curve {other:?}"),
    }
    .map_err(|e| anyhow!("EC key: {e}"))?;
    Ok(EncodingKey::from_ec_der(der.as_bytes()))
}

//! `io.jwt.*`: decode, verify (HS/RS/PS/ES/EdDSA), decode_verify, encode_sign(_raw).
//!
//! JWT signatures are checked by the same `jsonwebtoken` code as [`crate::TokenVerifier`].

use super::{hex, text, to_value, type_name, Builtin};
use anyhow::{anyhow, bail, Result};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey};
use regorus::Value;
use std::str::FromStr;

/// The `io.jwt.*` builtins.
pub(super) const BUILTINS: &[(&str, u8, Builtin)] = &[
    ("io.jwt.decode", 1, jwt_decode),
    ("io.jwt.decode_verify", 2, jwt_decode_verify),
    ("io.jwt.encode_sign", 3, jwt_encode_sign),
    ("io.jwt.encode_sign_raw", 3, |a| {
        encode_sign_raw(text(a, 0)?, text(a, 1)?, text(a, 2)?).map(Value::from)
    }),
    ("io.jwt.verify_hs256", 2, |a| {
        verify_with(a, Algorithm::HS256)
    }),
    ("io.jwt.verify_hs384", 2, |a| {
        verify_with(a, Algorithm::HS384)
    }),
    ("io.jwt.verify_hs512", 2, |a| {
        verify_with(a, Algorithm::HS512)
    }),
    ("io.jwt.verify_rs256", 2, |a| {
        verify_with(a, Algorithm::RS256)
    }),
    ("io.jwt.verify_rs384", 2, |a| {
        verify_with(a, Algorithm::RS384)
    }),
    ("io.jwt.verify_rs512", 2, |a| {
        verify_with(a, Algorithm::RS512)
    }),
    ("io.jwt.verify_ps256", 2, |a| {
        verify_with(a, Algorithm::PS256)
    }),
    ("io.jwt.verify_ps384", 2, |a| {
        verify_with(a, Algorithm::PS384)
    }),
    ("io.jwt.verify_ps512", 2, |a| {
        verify_with(a, Algorithm::PS512)
    }),
    ("io.jwt.verify_es256", 2, |a| {
        verify_with(a, Algorithm::ES256)
    }),
    ("io.jwt.verify_es384", 2, |a| {
        verify_with(a, Algorithm::ES384)
    }),
    ("io.jwt.verify_eddsa", 2, |a| {
        verify_with(a, Algorithm::EdDSA)
    }),
];

/// The three parts of a compact JWS, with header and payload decoded.
struct Parts<'a> {
    signing_input: &'a str,
    signature: &'a str,
    header: serde_json::Value,
    payload: serde_json::Value,
}

fn b64(part: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| anyhow!("JWT part is not base64url"))
}

fn split(token: &str) -> Result<Parts<'_>> {
    let mut pieces = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (pieces.next(), pieces.next(), pieces.next(), pieces.next())
    else {
        bail!("encoded JWT had no period separators");
    };
    let header: serde_json::Value =
        serde_json::from_slice(&b64(h)?).map_err(|_| anyhow!("JWT header is not JSON"))?;
    if header.get("enc").is_some() {
        bail!("JWT is a JWE object, which is not supported");
    }
    let payload: serde_json::Value =
        serde_json::from_slice(&b64(p)?).map_err(|_| anyhow!("JWT payload is not JSON"))?;
    Ok(Parts {
        signing_input: &token[..h.len() + 1 + p.len()],
        signature: s,
        header,
        payload,
    })
}

fn jwt_decode(args: &[Value]) -> Result<Value> {
    let parts = split(text(args, 0)?)?;
    let signature = hex(&b64(parts.signature)?);
    Ok(Value::from(vec![
        to_value(&parts.header)?,
        to_value(&parts.payload)?,
        signature,
    ]))
}

/// The keys a certificate/secret argument names: a JWKS or JWK (JSON), or a PEM key.
fn keys(material: &str, alg: Algorithm) -> Result<Vec<DecodingKey>> {
    use Algorithm::*;
    if matches!(alg, HS256 | HS384 | HS512) {
        return Ok(vec![DecodingKey::from_secret(material.as_bytes())]);
    }
    let trimmed = material.trim_start();
    if trimmed.starts_with('{') {
        let json: serde_json::Value = serde_json::from_str(trimmed)?;
        let jwks: Vec<serde_json::Value> = match json.get("keys") {
            Some(serde_json::Value::Array(keys)) => keys.clone(),
            _ => vec![json],
        };
        return jwks
            .into_iter()
            .map(|jwk| {
                let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk)?;
                Ok(DecodingKey::from_jwk(&jwk)?)
            })
            .collect();
    }
    let pem = material.as_bytes();
    Ok(vec![match alg {
        ES256 | ES384 => DecodingKey::from_ec_pem(pem)?,
        EdDSA => DecodingKey::from_ed_pem(pem)?,
        _ => DecodingKey::from_rsa_pem(pem)?,
    }])
}

fn signature_ok(parts: &Parts<'_>, material: &str, alg: Algorithm) -> Result<bool> {
    // As in OPA, unusable key material is an error before anything else is looked at.
    let keys = keys(material, alg)?;
    let header_alg = parts
        .header
        .get("alg")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    if Algorithm::from_str(header_alg).ok() != Some(alg) {
        return Ok(false);
    }
    for key in keys {
        if jsonwebtoken::crypto::verify(parts.signature, parts.signing_input.as_bytes(), &key, alg)
            .unwrap_or(false)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn verify_with(args: &[Value], alg: Algorithm) -> Result<Value> {
    let parts = split(text(args, 0)?)?;
    Ok(Value::Bool(signature_ok(&parts, text(args, 1)?, alg)?))
}

/// `io.jwt.decode_verify(jwt, constraints)`: `[valid, header, payload]`, `[false, {}, {}]`
/// when the signature, `alg`, `iss`, `aud`, `exp` or `nbf` does not hold.
fn jwt_decode_verify(args: &[Value]) -> Result<Value> {
    let parts = split(text(args, 0)?)?;
    let constraints: serde_json::Value =
        serde_json::to_value(args.get(1).ok_or_else(|| anyhow!("missing constraints"))?)?;
    let Some(constraints) = constraints.as_object() else {
        bail!("operand 2 must be object");
    };
    let invalid = || {
        Ok(Value::from(vec![
            Value::Bool(false),
            Value::new_object(),
            Value::new_object(),
        ]))
    };
    let header_alg = parts
        .header
        .get("alg")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    let Ok(alg) = Algorithm::from_str(header_alg) else {
        return invalid();
    };
    if let Some(expected) = constraints.get("alg").and_then(serde_json::Value::as_str) {
        if expected != header_alg {
            return invalid();
        }
    }
    let material = match (constraints.get("secret"), constraints.get("cert")) {
        (Some(serde_json::Value::String(secret)), None)
            if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) =>
        {
            secret
        }
        (None, Some(serde_json::Value::String(cert)))
            if !matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) =>
        {
            cert
        }
        (None, None) => bail!("io.jwt.decode_verify: no secret or cert in constraints"),
        _ => return invalid(),
    };
    if !signature_ok(&parts, material, alg)? {
        return invalid();
    }
    let claims = &parts.payload;
    if let Some(iss) = constraints.get("iss") {
        if claims.get("iss") != Some(iss) {
            return invalid();
        }
    }
    let audience = constraints.get("aud").and_then(serde_json::Value::as_str);
    match (claims.get("aud"), audience) {
        (None, None) => {}
        (Some(serde_json::Value::String(a)), Some(b)) if a == b => {}
        (Some(serde_json::Value::Array(list)), Some(b))
            if list.iter().any(|a| a.as_str() == Some(b)) => {}
        _ => return invalid(),
    }
    // OPA compares in seconds against `time` (ns since the epoch), default now.
    let now_ns = match constraints.get("time").and_then(serde_json::Value::as_f64) {
        Some(ns) => ns,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as f64)
            .unwrap_or(0.0),
    };
    let now = now_ns / 1e9;
    // As in OPA, an `exp` or `nbf` that is not a number is an error, not a failed check.
    let seconds = |name: &str| match claims.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| anyhow!("{name} value must be a number")),
    };
    if let Some(exp) = seconds("exp")? {
        if now >= exp {
            return invalid();
        }
    }
    if let Some(nbf) = seconds("nbf")? {
        if now < nbf {
            return invalid();
        }
    }
    Ok(Value::from(vec![
        Value::Bool(true),
        to_value(&parts.header)?,
        to_value(&parts.payload)?,
    ]))
}

/// `io.jwt.encode_sign_raw(header, payload, key)`: a JWS in compact form over the header
/// and payload texts exactly as given, signed with the private JWK `key` using the
/// header's `alg`. A payload must be JSON when the header's `typ` is `JWT`.
fn encode_sign_raw(header: &str, payload: &str, key: &str) -> Result<String> {
    let fields: serde_json::Value = serde_json::from_str(header)
        .map_err(|e| anyhow!("missing or invalid 'alg' header: cannot parse JSON: {e}"))?;
    let alg = fields
        .get("alg")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| anyhow!("missing or invalid 'alg' header: header \"alg\" not found"))?;
    let alg = Algorithm::from_str(alg).map_err(|_| anyhow!("unknown JWS algorithm: {alg}"))?;
    if fields.get("typ").and_then(serde_json::Value::as_str) == Some("JWT")
        && serde_json::from_str::<serde_json::Value>(payload).is_err()
    {
        bail!("type is JWT but payload is not JSON");
    }
    let jwk: serde_json::Value =
        serde_json::from_str(key).map_err(|e| anyhow!("key is not a JWK: {e}"))?;
    let key = crate::jwk::signing_key(&jwk)?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let signing_input = format!("{}.{}", b64.encode(header), b64.encode(payload));
    let signature = jsonwebtoken::crypto::sign(signing_input.as_bytes(), &key, alg)?;
    Ok(format!("{signing_input}.{signature}"))
}

/// `io.jwt.encode_sign(headers, payload, key)`: as `encode_sign_raw` over the objects'
/// compact JSON (keys sorted, sets as arrays, integral numbers without a fraction, as
/// OPA writes them).
fn jwt_encode_sign(args: &[Value]) -> Result<Value> {
    let mut parts = Vec::with_capacity(3);
    for (i, arg) in args.iter().enumerate().take(3) {
        if !matches!(arg, Value::Object(_)) {
            bail!(
                "operand {} must be object but got {}",
                i + 1,
                type_name(arg)
            );
        }
        parts.push(serde_json::to_string(&opa_json(serde_json::to_value(
            arg,
        )?))?);
    }
    let [header, payload, key] = parts.as_slice() else {
        bail!("io.jwt.encode_sign takes 3 operands");
    };
    Ok(Value::from(encode_sign_raw(header, payload, key)?))
}

/// `value` with integral floats as integers (`1678000000`, not `1678000000.0`).
fn opa_json(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        J::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 => J::from(f as i64),
            _ => J::Number(n),
        },
        J::Array(items) => J::Array(items.into_iter().map(opa_json).collect()),
        J::Object(map) => J::Object(map.into_iter().map(|(k, v)| (k, opa_json(v))).collect()),
        other => other,
    }
}

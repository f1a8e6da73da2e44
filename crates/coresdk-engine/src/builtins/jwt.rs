//! `io.jwt.*`: decode, verify (HS/RS/PS/ES/EdDSA), decode_verify, encode_sign(_raw).
//!
//! JWT signatures are checked by the same `jsonwebtoken` code as [`crate::TokenVerifier`].

use super::{hex, opa_json, text, to_value, type_name, Builtin};
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

/// A compact JWS split in three, its header decoded. The payload stays encoded: a nested
/// token's payload is another token, not JSON.
struct Jws<'a> {
    signing_input: &'a str,
    payload: &'a str,
    signature: &'a str,
    header: serde_json::Map<String, serde_json::Value>,
}

fn b64(part: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| anyhow!("JWT part is not base64url"))
}

fn json_object(bytes: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_slice(bytes) {
        Ok(serde_json::Value::Object(fields)) => Ok(fields),
        Ok(_) => bail!("decoded JSON type was not an Object"),
        Err(e) => bail!("invalid JSON: {e}"),
    }
}

/// The three sections of a compact JWS.
fn sections(token: &str) -> Result<[&str; 3]> {
    if !token.contains('.') {
        bail!("encoded JWT had no period separators");
    }
    let pieces: Vec<&str> = token.split('.').collect();
    match pieces.as_slice() {
        [h, p, s] => Ok([h, p, s]),
        _ => bail!("encoded JWT must have 3 sections, found {}", pieces.len()),
    }
}

fn parse(token: &str) -> Result<Jws<'_>> {
    let [h, p, s] = sections(token)?;
    let header = json_object(&b64(h)?).map_err(|e| anyhow!("bad JWT header: {e}"))?;
    if header.contains_key("enc") {
        bail!("JWT is a JWE object, which is not supported");
    }
    Ok(Jws {
        signing_input: &token[..h.len() + 1 + p.len()],
        payload: p,
        signature: s,
        header,
    })
}

impl Jws<'_> {
    fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(serde_json::Value::as_str)
    }

    fn payload_text(&self) -> Result<String> {
        String::from_utf8(b64(self.payload)?)
            .map_err(|_| anyhow!("JWT payload had invalid encoding: not UTF-8"))
    }

    /// As OPA (RFC 7515 4.1.11): `alg` must be present, and a parameter listed in `crit`
    /// that OPA does not understand makes the token invalid. Malformed parameters are
    /// errors.
    fn header_valid(&self) -> Result<bool> {
        const UNDERSTOOD: [&str; 5] = ["alg", "kid", "typ", "cty", "crit"];
        for name in ["alg", "kid", "typ", "cty"] {
            if self.header.get(name).is_some_and(|v| !v.is_string()) {
                bail!("{name}: must be a string");
            }
        }
        let critical: Vec<&str> = match self.header.get("crit") {
            None => Vec::new(),
            Some(serde_json::Value::Array(names)) => {
                let names: Option<Vec<&str>> = names.iter().map(|n| n.as_str()).collect();
                let names = names.ok_or_else(|| anyhow!("crit: must be a list of strings"))?;
                if names.is_empty() {
                    bail!("crit: must be a nonempty list");
                }
                names
            }
            Some(_) => bail!("crit: must be a list"),
        };
        let not_understood = |name: &&String| !UNDERSTOOD.contains(&name.as_str());
        let refused = self
            .header
            .keys()
            .filter(not_understood)
            .any(|name| critical.contains(&name.as_str()));
        Ok(!self.header_str("alg").unwrap_or("").is_empty() && !refused)
    }
}

fn jwt_decode(args: &[Value]) -> Result<Value> {
    let mut token = text(args, 0)?.to_string();
    loop {
        let jws = parse(&token)?;
        let payload = jws.payload_text()?;
        if jws.header_str("cty") == Some("JWT") {
            // A nested token, quoted as jwt.io writes it.
            token = payload.trim_matches(|c| c == '"' || c == '\'').to_string();
            continue;
        }
        let payload = json_object(payload.as_bytes())?;
        let signature = hex(&b64(jws.signature)?);
        return Ok(Value::from(vec![
            to_value(&serde_json::Value::Object(jws.header))?,
            to_value(&serde_json::Value::Object(payload))?,
            signature,
        ]));
    }
}

/// The family of keys an algorithm verifies with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Rsa,
    Ec,
    Ed,
}

fn family(alg: Algorithm) -> Option<Family> {
    use Algorithm::*;
    match alg {
        HS256 | HS384 | HS512 => None,
        ES256 | ES384 => Some(Family::Ec),
        EdDSA => Some(Family::Ed),
        _ => Some(Family::Rsa),
    }
}

/// A public key from a certificate argument, with the `alg` and `kid` a JWK names.
struct PublicKey {
    family: Family,
    key: DecodingKey,
    alg: Option<String>,
    kid: Option<String>,
}

/// The public keys a certificate argument holds: one PEM certificate or public key, or a
/// JWK or JWK set. As in OPA, data after the PEM block is an error, other PEM labels are
/// refused, and JWKs naming an algorithm OPA does not know are skipped.
fn public_keys(material: &str) -> Result<Vec<PublicKey>> {
    if let Some(begin) = material.find("-----BEGIN ") {
        let pem = &material[begin..];
        let label = pem["-----BEGIN ".len()..]
            .split("-----")
            .next()
            .unwrap_or("");
        let Some(end) = pem.find("-----END ") else {
            bail!("failed to extract a Key from the PEM certificate");
        };
        let rest = &pem[end..];
        let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
        if !rest[line_end..].is_empty() {
            bail!("extra data after a PEM certificate block");
        }
        if label != "CERTIFICATE" && label != "PUBLIC KEY" {
            bail!("failed to extract a Key from the PEM certificate");
        }
        let bytes = pem.as_bytes();
        let (family, key) = if let Ok(key) = DecodingKey::from_rsa_pem(bytes) {
            (Family::Rsa, key)
        } else if let Ok(key) = DecodingKey::from_ec_pem(bytes) {
            (Family::Ec, key)
        } else if let Ok(key) = DecodingKey::from_ed_pem(bytes) {
            (Family::Ed, key)
        } else {
            bail!("failed to parse a PEM certificate");
        };
        return Ok(vec![PublicKey {
            family,
            key,
            alg: None,
            kid: None,
        }]);
    }
    let json: serde_json::Value = serde_json::from_str(material.trim_start())
        .map_err(|e| anyhow!("failed to parse a JWK key (set): {e}"))?;
    let jwks: Vec<serde_json::Value> = match json.get("keys") {
        Some(serde_json::Value::Array(keys)) => keys.clone(),
        _ => vec![json],
    };
    let mut keys = Vec::with_capacity(jwks.len());
    for jwk in jwks {
        let field = |name: &str| jwk.get(name).and_then(serde_json::Value::as_str);
        let alg = field("alg").map(str::to_string);
        if alg
            .as_deref()
            .is_some_and(|a| Algorithm::from_str(a).is_err() && a != "ES512")
        {
            continue;
        }
        let family = match field("kty") {
            Some("EC") => Family::Ec,
            Some("OKP") => Family::Ed,
            _ => Family::Rsa,
        };
        let kid = field("kid").map(str::to_string);
        let parsed: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk)?;
        keys.push(PublicKey {
            family,
            key: DecodingKey::from_jwk(&parsed)?,
            alg,
            kid,
        });
    }
    Ok(keys)
}

/// Key material as a verify builtin or `decode_verify` takes it.
enum Material {
    Secret(String),
    Keys(Vec<PublicKey>),
}

impl Material {
    /// True when the material verifies `jws` with `alg`, choosing keys as OPA does: the
    /// key whose `kid` the header names if there is one, else any key whose `alg` (if it
    /// names one) is the header's. A key of another family than `alg` needs, or a secret
    /// for an asymmetric `alg`, verifies nothing.
    fn verifies(&self, jws: &Jws<'_>, alg: Algorithm) -> bool {
        let input = jws.signing_input.as_bytes();
        let check = |key: &DecodingKey| {
            jsonwebtoken::crypto::verify(jws.signature, input, key, alg).unwrap_or(false)
        };
        let keys = match (self, family(alg)) {
            (Material::Secret(secret), None) => {
                return check(&DecodingKey::from_secret(secret.as_bytes()))
            }
            (Material::Keys(keys), Some(_)) => keys,
            _ => return false,
        };
        let usable = |k: &PublicKey| Some(k.family) == family(alg) && check(&k.key);
        let header_kid = jws.header_str("kid").unwrap_or("");
        if !header_kid.is_empty() {
            if let Some(key) = keys.iter().find(|k| k.kid.as_deref() == Some(header_kid)) {
                return usable(key);
            }
        }
        let header_alg = jws.header_str("alg");
        keys.iter()
            .filter(|k| k.alg.is_none() || k.alg.as_deref() == header_alg)
            .any(usable)
    }
}

/// `io.jwt.verify_<alg>(jwt, key)`, as OPA: an HMAC is checked over the first two
/// sections as given, the header unread; a public-key signature with the keys chosen by
/// the header's `kid` and `alg` (a malformed header is an error). The header's `alg` need
/// not be the builtin's.
fn verify_with(args: &[Value], alg: Algorithm) -> Result<Value> {
    let token = text(args, 0)?;
    if family(alg).is_none() {
        let [h, p, signature] = sections(token)?;
        let key = DecodingKey::from_secret(text(args, 1)?.as_bytes());
        let input = &token[..h.len() + 1 + p.len()];
        let valid = jsonwebtoken::crypto::verify(signature, input.as_bytes(), &key, alg);
        return Ok(Value::Bool(valid.unwrap_or(false)));
    }
    sections(token)?;
    // As in OPA, unusable key material is an error before the header is looked at.
    let keys = Material::Keys(public_keys(text(args, 1)?)?);
    let jws = parse(token)?;
    jws.header_valid()?;
    Ok(Value::Bool(keys.verifies(&jws, alg)))
}

/// What `decode_verify`'s constraints ask.
struct Constraints {
    material: Material,
    alg: Option<String>,
    iss: Option<String>,
    aud: Option<String>,
    /// Seconds since the epoch.
    now: f64,
}

fn constraints(value: &Value) -> Result<Constraints> {
    let json = serde_json::to_value(value)?;
    let Some(fields) = json.as_object() else {
        bail!("operand 2 must be object but got {}", type_name(value));
    };
    let string = |name: &str, v: &serde_json::Value| {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("{name} constraint: must be a string"))
    };
    let (mut secret, mut keys, mut alg, mut iss, mut aud, mut time) =
        (None, None, None, None, None, None);
    for (name, v) in fields {
        match name.as_str() {
            "cert" => keys = Some(public_keys(&string("cert", v)?)?),
            "secret" => secret = Some(string("secret", v)?),
            "alg" => alg = Some(string("alg", v)?),
            "iss" => iss = Some(string("iss", v)?),
            "aud" => aud = Some(string("aud", v)?),
            "time" => match v.as_f64() {
                Some(t) if t >= 0.0 => time = Some(t),
                Some(_) => bail!("token time constraint: must not be negative"),
                None => bail!("token time constraint: must be a number"),
            },
            other => bail!("unknown token validation constraint: {other}"),
        }
    }
    let material = match (secret.filter(|s| !s.is_empty()), keys) {
        (Some(_), Some(_)) => bail!("duplicate key constraints"),
        (Some(secret), None) => Material::Secret(secret),
        (None, Some(keys)) => Material::Keys(keys),
        (None, None) => bail!("no key constraint"),
    };
    // OPA compares in seconds against `time` (ns since the epoch), default now.
    let now_ns = time.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as f64)
            .unwrap_or(0.0)
    });
    Ok(Constraints {
        material,
        alg,
        iss,
        aud: aud.filter(|a| !a.is_empty()),
        now: now_ns / 1e9,
    })
}

/// `io.jwt.decode_verify(jwt, constraints)`: `[valid, header, payload]`, `[false, {}, {}]`
/// when the header, signature, `alg`, `iss`, `aud`, `exp` or `nbf` does not hold. Nested
/// tokens (`cty: JWT`) are verified level by level, as in OPA.
fn jwt_decode_verify(args: &[Value]) -> Result<Value> {
    let constraints = constraints(args.get(1).ok_or_else(|| anyhow!("missing constraints"))?)?;
    let invalid = || {
        Ok(Value::from(vec![
            Value::Bool(false),
            Value::new_object(),
            Value::new_object(),
        ]))
    };
    let mut token = text(args, 0)?.to_string();
    let (header, payload) = loop {
        let jws = parse(&token)?;
        if !jws.header_valid()? {
            return invalid();
        }
        let header_alg = jws.header_str("alg").unwrap_or("");
        if constraints.alg.as_deref().is_some_and(|a| a != header_alg) {
            return invalid();
        }
        let Ok(alg) = Algorithm::from_str(header_alg) else {
            return invalid();
        };
        if !constraints.material.verifies(&jws, alg) {
            return invalid();
        }
        let payload = jws.payload_text()?;
        if jws
            .header_str("cty")
            .is_some_and(|cty| cty.eq_ignore_ascii_case("JWT"))
        {
            token = payload;
            continue;
        }
        break (jws.header, json_object(payload.as_bytes())?);
    };
    if let Some(wanted) = &constraints.iss {
        if payload.get("iss").and_then(serde_json::Value::as_str) != Some(wanted.as_str()) {
            return invalid();
        }
    }
    let audience_ok = match (payload.get("aud"), &constraints.aud) {
        (None, wanted) => wanted.is_none(),
        (Some(serde_json::Value::String(a)), Some(b)) => a == b,
        (Some(serde_json::Value::Array(list)), Some(b)) => {
            list.iter().any(|a| a.as_str() == Some(b.as_str()))
        }
        (Some(_), _) => false,
    };
    if !audience_ok {
        return invalid();
    }
    // As in OPA, an `exp` or `nbf` that is not a number is an error, not a failed check.
    let seconds = |name: &str| match payload.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| anyhow!("{name} value must be a number")),
    };
    if seconds("exp")?.is_some_and(|exp| constraints.now >= exp) {
        return invalid();
    }
    if seconds("nbf")?.is_some_and(|nbf| constraints.now < nbf) {
        return invalid();
    }
    Ok(Value::from(vec![
        Value::Bool(true),
        to_value(&serde_json::Value::Object(header))?,
        to_value(&serde_json::Value::Object(payload))?,
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

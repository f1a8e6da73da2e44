//! `providers.aws.sign_req`: AWS Signature Version 4 by the `Authorization` header, as
//! OPA computes it (the method as given, Go's escaped path and raw query, the request's
//! headers lower-cased and signed along with `host`, `x-amz-date`,
//! `x-amz-content-sha256` for S3 and Glacier, and `x-amz-security-token`).

use super::{opa_json, type_name, uri, Builtin};
use crate::sigv4::{hex, Canonical, Signer};
use anyhow::{anyhow, bail, Result};
use regorus::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The `providers.aws.*` builtins.
pub(super) const BUILTINS: &[(&str, u8, Builtin)] = &[("providers.aws.sign_req", 3, sign_req)];

/// Headers a proxy may change on the way, so never signed (as in the AWS SDK).
const UNSIGNED_HEADERS: [&str; 3] = ["authorization", "user-agent", "x-amzn-trace-id"];

fn object(value: &Value, operand: usize) -> Result<()> {
    match value {
        Value::Object(_) => Ok(()),
        other => bail!(
            "operand {operand} must be object but got {}",
            type_name(other)
        ),
    }
}

fn field<'a>(object: &'a Value, key: &str) -> Option<&'a Value> {
    match object {
        Value::Object(fields) => fields.get(&Value::from(key)),
        _ => None,
    }
}

fn string_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.to_string(),
        _ => String::new(),
    }
}

/// The body bytes: `raw_body` as given, else `body` as Go's `json.Marshal` writes it
/// (keys sorted, sets as arrays, `<`, `>` and `&` escaped).
fn body_bytes(request: &Value) -> Result<String> {
    if let Some(raw) = field(request, "raw_body") {
        return Ok(string_of(Some(raw)));
    }
    let Some(body) = field(request, "body") else {
        return Ok(String::new());
    };
    let json = serde_json::to_string(&opa_json(serde_json::to_value(body)?))?;
    Ok(json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029"))
}

/// UTC `(YYYYMMDD, YYYYMMDDTHHMMSSZ)` of a time in nanoseconds since the epoch.
fn timestamps(time_ns: &Value) -> Result<(String, String)> {
    let ns = match time_ns {
        Value::Number(n) => n.as_i64().ok_or_else(|| {
            anyhow!("operand 3 could not convert time_ns value into a unix timestamp")
        })?,
        other => bail!("operand 3 must be number but got {}", type_name(other)),
    };
    let time = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))?;
    Ok(crate::sigv4::timestamps(time))
}

/// `providers.aws.sign_req(request, aws_config, time_ns)`: `request` with its headers
/// extended by `Authorization` and the AWS signing headers.
fn sign_req(args: &[Value]) -> Result<Value> {
    let [request, config, time_ns] = args else {
        bail!("providers.aws.sign_req takes 3 operands");
    };
    object(request, 1)?;
    object(config, 2)?;
    let required = [
        "aws_access_key",
        "aws_region",
        "aws_secret_access_key",
        "aws_service",
    ];
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|k| field(config, k).is_none())
        .collect();
    if !missing.is_empty() {
        bail!("operand 2 missing required AWS config parameters(s): {missing:?}");
    }
    if required
        .iter()
        .any(|k| !matches!(field(config, k), Some(Value::String(_))))
    {
        bail!("operand 2 invalid values for required AWS config parameters(s)");
    }
    let get = |k: &str| string_of(field(config, k));
    let (access_key, secret_key, region, service) = (
        get("aws_access_key"),
        get("aws_secret_access_key"),
        get("aws_region"),
        get("aws_service"),
    );
    let session_token = get("aws_session_token");
    let (date, stamp) = timestamps(time_ns)?;
    let unsigned_payload = match field(config, "disable_payload_signing") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => bail!("operand 2 invalid value for 'disable_payload_signing' in AWS config"),
    };

    if field(request, "method").is_none() || field(request, "url").is_none() {
        bail!("operand 1 missing required request parameters(s)");
    }
    let (Some(Value::String(url)), Some(Value::String(method))) =
        (field(request, "url"), field(request, "method"))
    else {
        bail!("operand 1 invalid values for required request parameters(s)");
    };
    let headers: BTreeMap<String, String> = match field(request, "headers") {
        None => BTreeMap::new(),
        Some(Value::Object(fields)) => fields
            .iter()
            .map(|(k, v)| (string_of(Some(k)), string_of(Some(v))))
            .collect(),
        Some(other) => bail!(
            "operand 1 headers must be object but got {}",
            type_name(other)
        ),
    };
    let url = uri::parse(url)?;
    let body = body_bytes(request)?;
    let payload_hash = if unsigned_payload {
        "UNSIGNED-PAYLOAD".to_string()
    } else {
        hex(&Sha256::digest(body.as_bytes()))
    };

    let mut aws_headers = BTreeMap::from([
        ("host".to_string(), url.host.clone()),
        ("x-amz-date".to_string(), stamp.clone()),
    ]);
    if service == "s3" || service == "glacier" {
        aws_headers.insert("x-amz-content-sha256".into(), payload_hash.clone());
    }
    if !session_token.is_empty() {
        aws_headers.insert("x-amz-security-token".into(), session_token);
    }
    // The request's own headers win over the AWS ones in what is signed (OPA's order).
    let mut signed = aws_headers.clone();
    for (k, v) in &headers {
        let lower = k.to_lowercase();
        if !UNSIGNED_HEADERS.contains(&lower.as_str()) {
            signed.insert(lower, v.clone());
        }
    }
    let signer = Signer {
        secret_key: &secret_key,
        region: &region,
        service: &service,
    };
    let canonical = Canonical {
        method,
        path: &url.escaped_path(),
        query: &url.raw_query,
        headers: &signed,
        payload_hash: &payload_hash,
    };
    let crate::sigv4::Signed {
        scope,
        header_list,
        signature,
    } = signer.sign(&canonical, &date, &stamp);

    // The output headers: the request's as given, `Authorization`, then the AWS ones.
    let mut out_headers: BTreeMap<Value, Value> = headers
        .into_iter()
        .map(|(k, v)| (Value::from(k), Value::from(v)))
        .collect();
    out_headers.insert(
        Value::from("Authorization"),
        Value::from(format!(
            "AWS4-HMAC-SHA256 Credential={access_key}/{scope},SignedHeaders={header_list},Signature={signature}"
        )),
    );
    for (k, v) in aws_headers {
        out_headers.insert(Value::from(k), Value::from(v));
    }
    let mut out: BTreeMap<Value, Value> = match request {
        Value::Object(fields) => fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => BTreeMap::new(),
    };
    out.insert(Value::from("headers"), Value::from(out_headers));
    Ok(Value::from(out))
}

//! OPA builtins regorus lacks, supplied as regorus extensions with OPA's semantics, one
//! file per family: `crypto` (digests, HMACs), `jwt` (`io.jwt.*`), `net`
//! (`net.cidr_*`), `x509` (`crypto.x509.*`), `uri` (`uri.*`), `aws`
//! (`providers.aws.sign_req`) and `collections`
//! (`array.flatten`, `strings.split_n`). `scripts/builtins-inventory.py` reads the
//! `BUILTINS` tables of these files to list what CoreSDK supplies in
//! docs/COMPATIBILITY.md.
//!
//! As with every builtin, an error (a malformed token, a key that cannot be parsed) makes
//! the expression undefined unless strict builtin errors are on. Extensions are called in
//! OPA's `x := f(...)` form; regorus does not pass them output arguments
//! (`f(..., x)`), see docs/COMPATIBILITY.md.

use anyhow::{bail, Result};
use regorus::Value;

mod aws;
mod collections;
mod crypto;
mod jwt;
mod net;
mod uri;
mod x509;

/// A builtin: its operands in, its value out; an error is OPA's builtin error.
type Builtin = fn(&[Value]) -> Result<Value>;

/// Registers every builtin of this module on `engine`.
pub(crate) fn register(engine: &mut regorus::Engine, strict: bool) {
    let families: &[&[(&str, u8, Builtin)]] = &[
        crypto::BUILTINS,
        jwt::BUILTINS,
        net::BUILTINS,
        x509::BUILTINS,
        collections::BUILTINS,
        uri::BUILTINS,
        aws::BUILTINS,
    ];
    for (path, nargs, builtin) in families.iter().flat_map(|family| family.iter()) {
        let builtin = *builtin;
        let extension = move |args: Vec<Value>| match builtin(&args) {
            Ok(value) => Ok(value),
            Err(e) if strict => Err(e),
            Err(_) => Ok(Value::Undefined),
        };
        // Registration only fails for a name registered twice: not possible here.
        let _ = engine.add_extension((*path).to_string(), *nargs, Box::new(extension));
    }
    crate::graphql::register(engine, strict);
}

fn text(args: &[Value], i: usize) -> Result<&str> {
    match args.get(i) {
        Some(Value::String(s)) => Ok(s.as_ref()),
        Some(other) => bail!(
            "operand {} must be string but got {}",
            i + 1,
            type_name(other)
        ),
        None => bail!("missing operand {}", i + 1),
    }
}

/// OPA's name for the type of `value`, as its builtin errors say it.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Set(_) => "set",
        Value::Object(_) => "object",
        Value::Undefined => "undefined",
    }
}

fn hex(bytes: &[u8]) -> Value {
    Value::String(
        bytes
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
            .into(),
    )
}

fn to_value(json: &serde_json::Value) -> Result<Value> {
    Ok(serde_json::from_value(json.clone())?)
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

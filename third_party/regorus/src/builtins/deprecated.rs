// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! OPA's deprecated builtins (`any`, `all`, `re_match`, `set_diff`, `net.cidr_overlap`,
//! `cast_*`), which Rego v0 policies still call. OPA rejects them in Rego v1 modules at
//! compile time; `Engine::check_policy` does the same.

use crate::ast::{Expr, Ref};
use crate::builtins;
use crate::builtins::utils::{ensure_args_count, ensure_set};
use crate::lexer::Span;
use crate::value::Value;

use anyhow::{bail, Result};

/// The names of OPA's deprecated builtins.
pub const DEPRECATED: &[&str] = &[
    "any",
    "all",
    "re_match",
    "set_diff",
    "net.cidr_overlap",
    "cast_array",
    "cast_boolean",
    "cast_null",
    "cast_object",
    "cast_set",
    "cast_string",
];

/// Registers the deprecated builtins; the two that OPA defines as another builtin under an
/// old name (`re_match` as `regex.match`, `net.cidr_overlap` as `net.cidr_contains`) are
/// registered only when that builtin is.
pub fn register(m: &mut builtins::BuiltinsMap<&'static str, builtins::BuiltinFcn>) {
    m.insert("any", (any, 1));
    m.insert("all", (all, 1));
    m.insert("set_diff", (set_diff, 2));
    m.insert("cast_array", (cast_array, 1));
    m.insert("cast_boolean", (cast_boolean, 1));
    m.insert("cast_null", (cast_null, 1));
    m.insert("cast_object", (cast_object, 1));
    m.insert("cast_set", (cast_set, 1));
    m.insert("cast_string", (cast_string, 1));
    for (old, new) in [
        ("re_match", "regex.match"),
        ("net.cidr_overlap", "net.cidr_contains"),
    ] {
        if let Some(builtin) = m.get(new).copied() {
            m.insert(old, builtin);
        }
    }
}

/// The elements of an array or set operand.
fn elements<'a>(name: &str, v: &'a Value) -> Result<alloc::vec::Vec<&'a Value>> {
    Ok(match v {
        Value::Array(a) => a.iter().collect(),
        Value::Set(s) => s.iter().collect(),
        _ => bail!("{name}: operand 1 must be one of {{array, set}}"),
    })
}

fn any(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    ensure_args_count(span, "any", params, args, 1)?;
    let items = elements("any", &args[0])?;
    Ok(Value::Bool(items.iter().any(|v| **v == Value::Bool(true))))
}

fn all(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    ensure_args_count(span, "all", params, args, 1)?;
    let items = elements("all", &args[0])?;
    Ok(Value::Bool(items.iter().all(|v| **v == Value::Bool(true))))
}

fn set_diff(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    let name = "set_diff";
    ensure_args_count(span, name, params, args, 2)?;
    let left = ensure_set(name, &params[0], args[0].clone())?;
    let right = ensure_set(name, &params[1], args[1].clone())?;
    Ok(Value::from(left.difference(&right)))
}

fn cast_array(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    ensure_args_count(span, "cast_array", params, args, 1)?;
    match &args[0] {
        Value::Array(_) => Ok(args[0].clone()),
        Value::Set(s) => Ok(Value::from(
            s.iter().cloned().collect::<alloc::vec::Vec<_>>(),
        )),
        _ => bail!(span.error("cast_array: operand 1 must be one of {array, set}")),
    }
}

fn cast_set(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    ensure_args_count(span, "cast_set", params, args, 1)?;
    match &args[0] {
        Value::Set(_) => Ok(args[0].clone()),
        Value::Array(a) => Ok(Value::from_set(a.iter().cloned().collect())),
        _ => bail!(span.error("cast_set: operand 1 must be one of {array, set}")),
    }
}

/// `cast_boolean`, `cast_null`, `cast_object`, `cast_string`: the operand unchanged when
/// it already has the type, an error otherwise.
fn same_type(
    span: &Span,
    name: &'static str,
    params: &[Ref<Expr>],
    args: &[Value],
    matches: fn(&Value) -> bool,
) -> Result<Value> {
    ensure_args_count(span, name, params, args, 1)?;
    if matches(&args[0]) {
        Ok(args[0].clone())
    } else {
        bail!(span.error(&alloc::format!("{name}: operand 1 has the wrong type")))
    }
}

fn cast_boolean(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    same_type(span, "cast_boolean", params, args, |v| {
        matches!(v, Value::Bool(_))
    })
}

fn cast_null(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    same_type(span, "cast_null", params, args, |v| {
        matches!(v, Value::Null)
    })
}

fn cast_object(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    same_type(span, "cast_object", params, args, |v| {
        matches!(v, Value::Object(_))
    })
}

fn cast_string(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    same_type(span, "cast_string", params, args, |v| {
        matches!(v, Value::String(_))
    })
}

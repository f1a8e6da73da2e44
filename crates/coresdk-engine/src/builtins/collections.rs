//! Array and string builtins regorus lacks: `array.flatten`, `strings.split_n`.

use super::{text, type_name, Builtin};
use anyhow::{bail, Result};
use regorus::Value;

/// The array and string builtins.
pub(super) const BUILTINS: &[(&str, u8, Builtin)] = &[
    ("array.flatten", 1, array_flatten),
    ("strings.split_n", 3, split_n),
];

/// `array.flatten(arr)`: `arr` with its array elements spliced in, one level deep.
fn array_flatten(args: &[Value]) -> Result<Value> {
    let items = match args.first() {
        Some(Value::Array(items)) => items,
        Some(other) => bail!("operand 1 must be array but got {}", type_name(other)),
        None => bail!("missing operand 1"),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items.iter() {
        match item {
            Value::Array(inner) => out.extend(inner.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    Ok(Value::from(out))
}

/// `strings.split_n(x, delimiter, n)`: the first `n` parts of `x` split on `delimiter`
/// (the last `-n` when negative, none for 0, all when `|n|` exceeds their count). An
/// empty delimiter splits into characters, as Go's `strings.Split` does.
fn split_n(args: &[Value]) -> Result<Value> {
    let (x, delimiter) = (text(args, 0)?, text(args, 1)?);
    let n = match args.get(2) {
        Some(Value::Number(n)) => match n.as_i64() {
            Some(n) => n,
            None => bail!("operand 3 must be integer number but got floating-point number"),
        },
        Some(other) => bail!("operand 3 must be number but got {}", type_name(other)),
        None => bail!("missing operand 3"),
    };
    let parts: Vec<&str> = if delimiter.is_empty() {
        x.char_indices()
            .map(|(i, c)| &x[i..i + c.len_utf8()])
            .collect()
    } else {
        x.split(delimiter).collect()
    };
    let count = usize::try_from(n.unsigned_abs())
        .unwrap_or(usize::MAX)
        .min(parts.len());
    let chosen = if n >= 0 {
        &parts[..count]
    } else {
        &parts[parts.len() - count..]
    };
    Ok(Value::from(
        chosen.iter().map(|p| Value::from(*p)).collect::<Vec<_>>(),
    ))
}

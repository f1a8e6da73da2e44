//! The `.manifest` of a bundle, and the roots it claims.

use super::Manifest;
use crate::error::{Error, ErrorCode, Result};
use serde_json::Value;

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::BundleInvalid, message)
}

/// Parses `.manifest` (JSON). Unknown fields are ignored, as in OPA.
pub(crate) fn parse(bytes: &[u8]) -> Result<Manifest> {
    let value = crate::json::parse(bytes).map_err(|e| match e.code() {
        ErrorCode::LimitExceeded => e,
        _ => invalid(format!(".manifest: {}", e.message())),
    })?;
    let Value::Object(fields) = value else {
        return Err(invalid(".manifest must be a JSON object"));
    };
    let mut manifest = Manifest {
        roots: vec![String::new()],
        ..Manifest::default()
    };
    if let Some(revision) = fields.get("revision") {
        manifest.revision = revision
            .as_str()
            .ok_or_else(|| invalid(".manifest: revision must be a string"))?
            .to_string();
    }
    if let Some(roots) = fields.get("roots") {
        let roots = roots
            .as_array()
            .ok_or_else(|| invalid(".manifest: roots must be an array of strings"))?;
        manifest.roots = roots
            .iter()
            .map(|r| {
                r.as_str()
                    .map(|r| r.trim_matches('/').to_string())
                    .ok_or_else(|| invalid(".manifest: roots must be an array of strings"))
            })
            .collect::<Result<_>>()?;
    }
    if let Some(version) = fields.get("rego_version") {
        manifest.rego_version = Some(rego_version(version)?);
    }
    if let Some(per_file) = fields.get("file_rego_versions") {
        let per_file = per_file
            .as_object()
            .ok_or_else(|| invalid(".manifest: file_rego_versions must be an object"))?;
        for (path, version) in per_file {
            let path = path.trim_start_matches('/').to_string();
            manifest
                .file_rego_versions
                .insert(path, rego_version(version)?);
        }
    }
    if let Some(metadata) = fields.get("metadata") {
        manifest.metadata = metadata
            .as_object()
            .ok_or_else(|| invalid(".manifest: metadata must be an object"))?
            .clone();
    }
    check_roots_disjoint(&manifest.roots)?;
    Ok(manifest)
}

fn rego_version(value: &Value) -> Result<u8> {
    match value.as_u64() {
        Some(0) => Ok(0),
        Some(1) => Ok(1),
        _ => Err(invalid(".manifest: a rego_version must be 0 or 1")),
    }
}

/// The `/`-separated segments of a root or data path (`""` has none: everything).
fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// True when `path` is `root` or below it, segment by segment (`a/bc` is not under `a/b`).
pub(crate) fn under(path: &[&str], root: &str) -> bool {
    let root = segments(root);
    path.len() >= root.len() && path.iter().zip(&root).all(|(p, r)| p == r)
}

/// OPA refuses roots where one contains another.
fn check_roots_disjoint(roots: &[String]) -> Result<()> {
    for (i, a) in roots.iter().enumerate() {
        for b in roots.iter().skip(i + 1) {
            if under(&segments(a), b) || under(&segments(b), a) {
                return Err(invalid(format!(".manifest: roots {a:?} and {b:?} overlap")));
            }
        }
    }
    Ok(())
}

/// Checks that `path` (segments under `data`) lies under one of `roots`.
pub(crate) fn check_under_roots(path: &[&str], roots: &[String], what: &str) -> Result<()> {
    if roots.iter().any(|root| under(path, root)) {
        Ok(())
    } else {
        Err(invalid(format!(
            "{what} (data.{}) is outside the bundle roots {roots:?}",
            path.join(".")
        )))
    }
}

/// The package path of a module as segments (`package a.b["c"]` gives `a`, `b`, `c`),
/// read from its first `package` line. Only as much of Rego as a package reference
/// needs: dotted names and bracketed string keys.
pub(crate) fn package_path(source: &str, name: &str) -> Result<Vec<String>> {
    let line = source
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or_default();
    let Some(reference) = line.strip_prefix("package") else {
        return Err(invalid(format!("{name}: no package declaration")));
    };
    let reference = reference.split('#').next().unwrap_or_default().trim();
    if reference.is_empty() {
        return Err(invalid(format!("{name}: empty package declaration")));
    }
    let mut out = Vec::new();
    let mut rest = reference;
    while !rest.is_empty() {
        if let Some(tail) = rest.strip_prefix('[') {
            let close = tail
                .find(']')
                .ok_or_else(|| invalid(format!("{name}: malformed package {reference:?}")))?;
            out.push(tail[..close].trim().trim_matches('"').to_string());
            rest = tail[close + 1..].trim_start_matches('.');
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            out.push(rest[..end].trim().to_string());
            rest = rest[end..].trim_start_matches('.');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_paths() {
        let p = |s: &str| package_path(s, "m.rego").unwrap();
        assert_eq!(p("package a.b\n"), ["a", "b"]);
        assert_eq!(
            p("# comment\n\npackage a[\"b.c\"].d # why\n"),
            ["a", "b.c", "d"]
        );
        assert!(package_path("x := 1\n", "m.rego").is_err());
    }

    #[test]
    fn roots_are_compared_by_segment() {
        assert!(under(&["a", "b"], "a"));
        assert!(under(&["a"], ""));
        assert!(!under(&["ab"], "a"));
        assert!(!under(&["a"], "a/b"));
        assert!(check_roots_disjoint(&["a".into(), "ab".into()]).is_ok());
        assert!(check_roots_disjoint(&["a".into(), "a/b".into()]).is_err());
        assert!(check_roots_disjoint(&["".into(), "x".into()]).is_err());
    }
}

//! `uri.parse` and `uri.is_valid`, following Go's `net/url.Parse` (what OPA calls): the
//! same split into scheme, authority, path, query and fragment, the same escapes
//! checked, and the same characters refused in a host name.

use super::{text, Builtin};
use anyhow::{anyhow, bail, Result};
use regorus::Value;
use std::collections::BTreeMap;

/// The `uri.*` builtins.
pub(super) const BUILTINS: &[(&str, u8, Builtin)] = &[
    ("uri.parse", 1, |a| uri_parse(text(a, 0)?)),
    ("uri.is_valid", 1, |a| {
        Ok(Value::Bool(parse(text(a, 0)?).is_ok()))
    }),
];

/// The components `uri.parse` reports, as Go's `url.URL` holds them.
#[derive(Default)]
struct Uri {
    scheme: String,
    hostname: String,
    port: String,
    path: String,
    raw_path: String,
    raw_query: String,
    fragment: String,
}

/// `uri.parse(uri)`: the non-empty components of `uri`.
fn uri_parse(uri: &str) -> Result<Value> {
    let u = parse(uri)?;
    let mut out = BTreeMap::new();
    for (key, value) in [
        ("scheme", u.scheme),
        ("hostname", u.hostname),
        ("port", u.port),
        ("path", u.path),
        ("raw_path", u.raw_path),
        ("raw_query", u.raw_query),
        ("fragment", u.fragment),
    ] {
        if !value.is_empty() {
            out.insert(Value::from(key), Value::from(value));
        }
    }
    Ok(Value::from(out))
}

#[derive(Clone, Copy, PartialEq)]
enum Part {
    Host,
    Path,
    Fragment,
}

/// Go's `shouldEscape`: whether `c` must be percent-encoded in `part`.
fn should_escape(c: u8, part: Part) -> bool {
    if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') {
        return false;
    }
    if part == Part::Host && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            // A path may hold every reserved character but `?`; a fragment all of them.
            part == Part::Path && c == b'?'
        }
        b'!' | b'(' | b')' | b'*' => part != Part::Fragment,
        _ => true,
    }
}

/// Go's `unescape`: `%XX` decoded; a bad escape, or a host character that would need
/// escaping, is an error.
fn unescape(s: &str, part: Part) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = |j: usize| bytes.get(j).and_then(|b| (*b as char).to_digit(16));
                let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) else {
                    let end = (i + 3).min(bytes.len());
                    bail!(
                        "invalid URL escape {:?}",
                        String::from_utf8_lossy(&bytes[i..end])
                    );
                };
                // Go allows only %25 among the ASCII escapes of a host name.
                if part == Part::Host && hi < 8 && &s[i..i + 3] != "%25" {
                    bail!("invalid URL escape {:?}", &s[i..i + 3]);
                }
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            c if part == Part::Host && c < 0x80 && should_escape(c, part) => {
                bail!("invalid character {:?} in host name", c as char)
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| anyhow!("invalid UTF-8 in URL"))
}

/// Go's `escape` for a path: what `unescape` would give back unchanged.
fn escape_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if should_escape(c, Part::Path) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(c as char);
        }
    }
    out
}

/// Go's `getScheme`: a scheme is a letter then letters, digits, `+`, `-` or `.`, up to
/// the first `:`.
fn split_scheme(raw: &str) -> Result<(&str, &str)> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => bail!("missing protocol scheme"),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

/// Go's `validOptionalPort`: empty, or `:` and digits.
fn valid_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The host name and port of an authority's host part (Go's `parseHost`, then
/// `Hostname()` and `Port()`).
fn parse_host(host: &str) -> Result<(String, String)> {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let end = rest
            .find(']')
            .ok_or_else(|| anyhow!("missing ']' in host"))?;
        let port = &rest[end + 1..];
        if !valid_port(port) {
            bail!("invalid port {port:?} after host");
        }
        (&rest[..end], port)
    } else if let Some(i) = host.rfind(':') {
        let port = &host[i..];
        if !valid_port(port) {
            bail!("invalid port {port:?} after host");
        }
        (&host[..i], port)
    } else {
        (host, "")
    };
    Ok((
        unescape(name, Part::Host)?,
        port.trim_start_matches(':').to_string(),
    ))
}

fn parse(raw: &str) -> Result<Uri> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        bail!("net/url: invalid control character in URL");
    }
    let mut u = Uri::default();
    let (rest, fragment) = match raw.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (raw, None),
    };
    if let Some(fragment) = fragment {
        u.fragment = unescape(fragment, Part::Fragment)?;
    }
    let (scheme, rest) = split_scheme(rest)?;
    u.scheme = scheme.to_ascii_lowercase();
    let rest = match rest.split_once('?') {
        Some((rest, query)) => {
            u.raw_query = query.to_string();
            rest
        }
        None => rest,
    };
    if !rest.starts_with('/') {
        if !u.scheme.is_empty() {
            // An opaque URI (`mailto:bob@example.com`): nothing more is reported.
            return Ok(u);
        }
        if rest.split('/').next().is_some_and(|s| s.contains(':')) {
            bail!("first path segment in URL cannot contain colon");
        }
    }
    let mut path = rest;
    if let Some(after) = rest.strip_prefix("//") {
        if !u.scheme.is_empty() || !rest.starts_with("///") {
            let end = after.find('/').unwrap_or(after.len());
            let authority = &after[..end];
            path = &after[end..];
            let host = match authority.rfind('@') {
                Some(i) => {
                    let userinfo = &authority[..i];
                    if !userinfo.bytes().all(valid_userinfo) {
                        bail!("net/url: invalid userinfo");
                    }
                    unescape(userinfo, Part::Fragment)?;
                    &authority[i + 1..]
                }
                None => authority,
            };
            (u.hostname, u.port) = parse_host(host)?;
        }
    }
    u.path = unescape(path, Part::Path)?;
    u.raw_path = if escape_path(&u.path) == path {
        u.path.clone()
    } else {
        path.to_string()
    };
    Ok(u)
}

/// Go's `validUserinfo`: unreserved, sub-delims, `:` and `%`.
fn valid_userinfo(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&c)
}

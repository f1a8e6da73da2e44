//! File digests as OPA computes them for bundle signatures (`bundle/hash.go`).
//!
//! Raw files (`.rego`, anything else) are hashed as bytes. Structured files (`data.json`,
//! `data.yaml`, `.manifest`) are hashed over a normal form of their parsed value, so a
//! signature survives re-indentation: objects as `{` + members sorted by key (byte
//! order) as `"key":value` joined by `,` + `}`, arrays as `[` + values joined by `,` +
//! `]`, strings as Go's `encoding/json` writes them (HTML characters left alone), and
//! numbers as they were written in the file (OPA decodes them as `json.Number`).

use crate::error::{Error, ErrorCode, Result};
use sha2::Digest;

/// A digest algorithm named in a signature's file list.
pub(crate) fn hash(algorithm: &str, bytes: &[u8]) -> Result<Vec<u8>> {
    Ok(match algorithm {
        "SHA-256" => sha2::Sha256::digest(bytes).to_vec(),
        "SHA-384" => sha2::Sha384::digest(bytes).to_vec(),
        "SHA-512" => sha2::Sha512::digest(bytes).to_vec(),
        "SHA-224" => sha2::Sha224::digest(bytes).to_vec(),
        "SHA-512-224" => sha2::Sha512_224::digest(bytes).to_vec(),
        "SHA-512-256" => sha2::Sha512_256::digest(bytes).to_vec(),
        // MD5 and SHA-1 are accepted by OPA; they no longer resist forgery, so not here.
        other => {
            return Err(Error::new(
                ErrorCode::Integrity,
                format!("unsupported or weak file hash algorithm {other:?}"),
            ))
        }
    })
}

/// True for the files OPA hashes over their parsed form.
pub(crate) fn is_structured(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    matches!(
        base,
        "data.json" | "data.yaml" | ".manifest" | ".signatures.json"
    )
}

/// The bytes OPA's hasher sees for a file.
pub(crate) fn normal_form(path: &str, bytes: &[u8]) -> Result<Vec<u8>> {
    if !is_structured(path) {
        return Ok(bytes.to_vec());
    }
    if path.ends_with(".yaml") {
        // YAML has no number lexemes to keep: its parsed value is written like JSON.
        let text = crate::json::text(bytes)?;
        let value = regorus::Value::from_yaml_str(text)
            .map_err(|e| Error::new(ErrorCode::BundleInvalid, format!("{path}: {e}")))?;
        let json = serde_json::to_vec(&value)
            .map_err(|e| Error::new(ErrorCode::BundleInvalid, format!("{path}: {e}")))?;
        return normal_form("data.json", &json);
    }
    // Depth and syntax are checked by the shared parser first, so the walk below is on
    // well-formed JSON of bounded depth.
    crate::json::parse(bytes)?;
    let mut reader = Reader { bytes, at: 0 };
    let mut out = Vec::with_capacity(bytes.len());
    reader.value(&mut out)?;
    Ok(out)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn malformed(&self) -> Error {
        Error::new(
            ErrorCode::BundleInvalid,
            format!("malformed JSON at byte {}", self.at),
        )
    }

    fn skip_space(&mut self) {
        while self.at < self.bytes.len()
            && matches!(self.bytes[self.at], b' ' | b'\t' | b'\n' | b'\r')
        {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.bytes.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<()> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.malformed())
        }
    }

    fn value(&mut self, out: &mut Vec<u8>) -> Result<()> {
        match self.peek().ok_or_else(|| self.malformed())? {
            b'{' => self.object(out),
            b'[' => self.array(out),
            b'"' => {
                let s = self.string()?;
                write_go_string(&s, out);
                Ok(())
            }
            _ => {
                // true, false, null or a number: copied as written.
                let start = self.at;
                while self.at < self.bytes.len()
                    && !matches!(
                        self.bytes[self.at],
                        b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'
                    )
                {
                    self.at += 1;
                }
                out.extend_from_slice(&self.bytes[start..self.at]);
                Ok(())
            }
        }
    }

    fn object(&mut self, out: &mut Vec<u8>) -> Result<()> {
        self.expect(b'{')?;
        let mut members: Vec<(String, Vec<u8>)> = Vec::new();
        if self.peek() == Some(b'}') {
            self.at += 1;
        } else {
            loop {
                if self.peek() != Some(b'"') {
                    return Err(self.malformed());
                }
                let key = self.string()?;
                self.expect(b':')?;
                let mut value = Vec::new();
                self.value(&mut value)?;
                // A repeated key keeps its last value, as a Go map does.
                members.retain(|(k, _)| *k != key);
                members.push((key, value));
                match self.peek() {
                    Some(b',') => self.at += 1,
                    Some(b'}') => {
                        self.at += 1;
                        break;
                    }
                    _ => return Err(self.malformed()),
                }
            }
        }
        members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        out.push(b'{');
        for (i, (key, value)) in members.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_go_string(key, out);
            out.push(b':');
            out.extend_from_slice(value);
        }
        out.push(b'}');
        Ok(())
    }

    fn array(&mut self, out: &mut Vec<u8>) -> Result<()> {
        self.expect(b'[')?;
        out.push(b'[');
        if self.peek() == Some(b']') {
            self.at += 1;
        } else {
            let mut first = true;
            loop {
                if !first {
                    out.push(b',');
                }
                first = false;
                self.value(out)?;
                match self.peek() {
                    Some(b',') => self.at += 1,
                    Some(b']') => {
                        self.at += 1;
                        break;
                    }
                    _ => return Err(self.malformed()),
                }
            }
        }
        out.push(b']');
        Ok(())
    }

    /// A string literal, unescaped (the input is valid JSON, checked before).
    fn string(&mut self) -> Result<String> {
        self.expect(b'"')?;
        let start = self.at;
        let mut escaped = false;
        while self.at < self.bytes.len() {
            match self.bytes[self.at] {
                b'\\' if !escaped => escaped = true,
                b'"' if !escaped => break,
                _ => escaped = false,
            }
            self.at += 1;
        }
        let literal = &self.bytes[start - 1..=self.at.min(self.bytes.len() - 1)];
        self.at += 1;
        serde_json::from_slice::<String>(literal).map_err(|_| self.malformed())
    }
}

/// A string as Go's `encoding/json` encodes it with HTML escaping off.
fn write_go_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(json: &str) -> String {
        String::from_utf8(normal_form("data.json", json.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn objects_sorted_whitespace_dropped_numbers_kept() {
        assert_eq!(
            form(r#" { "b": [1.0, 2e3, -0], "a": {"y": null, "x": true} } "#),
            r#"{"a":{"x":true,"y":null},"b":[1.0,2e3,-0]}"#
        );
        assert_eq!(form(r#"{"a":1,"a":2}"#), r#"{"a":2}"#);
        assert_eq!(form("[]"), "[]");
        assert_eq!(form("{}"), "{}");
    }

    #[test]
    fn strings_as_go_writes_them() {
        assert_eq!(
            form(r#""<a&b>\u00e9\u2028\u0001\b\/""#),
            "\"<a&b>é\\u2028\\u0001\\b/\""
        );
        assert_eq!(form(r#"{"k\"ey":"v\\"}"#), r#"{"k\"ey":"v\\"}"#);
    }

    #[test]
    fn raw_files_are_hashed_as_bytes() {
        assert_eq!(normal_form("a/p.rego", b" x ").unwrap(), b" x ");
        assert!(is_structured("a/data.json") && is_structured(".manifest"));
        assert!(!is_structured("a/other.json"));
    }
}

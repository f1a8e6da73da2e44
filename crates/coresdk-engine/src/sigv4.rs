//! AWS Signature Version 4 by the `Authorization` header: the one signer behind the
//! `providers.aws.sign_req` builtin (which builds its canonical request as OPA does) and
//! the bundle poller's S3 signing (which builds it as S3 checks it).

use hmac::{Mac, SimpleHmac};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The SHA-256 of an empty payload, as S3 wants it in `x-amz-content-sha256` for a GET.
pub(crate) const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// What AWS leaves unencoded in canonical paths and queries (RFC 3986 unreserved).
const AWS_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], message: &str) -> Vec<u8> {
    // HMAC takes keys of any length.
    let mut mac = <SimpleHmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(key)
        .expect("HMAC accepts any key length");
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// UTC `(YYYYMMDD, YYYYMMDDTHHMMSSZ)` of `time`.
pub(crate) fn timestamps(time: time::OffsetDateTime) -> (String, String) {
    let time = time.to_offset(time::UtcOffset::UTC);
    let date = format!(
        "{:04}{:02}{:02}",
        time.year(),
        u8::from(time.month()),
        time.day()
    );
    let stamp = format!(
        "{date}T{:02}{:02}{:02}Z",
        time.hour(),
        time.minute(),
        time.second()
    );
    (date, stamp)
}

/// Who signs, and for what (the access key id goes into the `Credential` the caller
/// writes).
pub(crate) struct Signer<'a> {
    pub secret_key: &'a str,
    pub region: &'a str,
    pub service: &'a str,
}

/// A request as it is signed: path and query already in canonical form, the headers to
/// sign with lower-case names and values as they are signed (AWS trims them; OPA's
/// builtin does not).
pub(crate) struct Canonical<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a BTreeMap<String, String>,
    pub payload_hash: &'a str,
}

/// A signature and what it covers.
pub(crate) struct Signed {
    /// `<date>/<region>/<service>/aws4_request`.
    pub scope: String,
    /// The signed header names, `;`-separated.
    pub header_list: String,
    /// Lower-case hex.
    pub signature: String,
}

impl Signer<'_> {
    /// Signs `request` at `date` / `stamp` (from [`timestamps`]).
    pub(crate) fn sign(&self, request: &Canonical<'_>, date: &str, stamp: &str) -> Signed {
        let header_list = request
            .headers
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(";");
        let mut canonical = format!("{}\n{}\n{}\n", request.method, request.path, request.query);
        for (name, value) in request.headers {
            canonical.push_str(&format!("{name}:{value}\n"));
        }
        canonical.push_str(&format!("\n{header_list}\n{}", request.payload_hash));
        let scope = format!("{date}/{}/{}/aws4_request", self.region, self.service);
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{}",
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        let mut key = hmac(format!("AWS4{}", self.secret_key).as_bytes(), date);
        for part in [self.region, self.service, "aws4_request"] {
            key = hmac(&key, part);
        }
        Signed {
            signature: hex(&hmac(&key, &to_sign)),
            scope,
            header_list,
        }
    }
}

/// S3's canonical form of a URL path: each segment decoded, then encoded once (S3 does
/// not encode twice); `/` for an empty path.
pub(crate) fn s3_path(path: &str) -> String {
    if path.is_empty() {
        return "/".into();
    }
    path.split('/')
        .map(|segment| {
            let raw = percent_decode_str(segment).collect::<Vec<u8>>();
            percent_encoding::percent_encode(&raw, AWS_ENCODE).to_string()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The canonical query: each name and value decoded, encoded, the pairs sorted.
pub(crate) fn canonical_query(query: &str) -> String {
    let encode = |s: &str| {
        let decoded = percent_decode_str(s).decode_utf8_lossy().into_owned();
        utf8_percent_encode(&decoded, AWS_ENCODE).to_string()
    };
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            (encode(name), encode(value))
        })
        .collect();
    pairs.sort();
    pairs
        .into_iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNER: Signer<'static> = Signer {
        secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region: "us-east-1",
        service: "s3",
    };

    fn headers(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut h = BTreeMap::from([
            (
                "host".to_string(),
                "examplebucket.s3.amazonaws.com".to_string(),
            ),
            ("x-amz-date".to_string(), "20130524T000000Z".to_string()),
            (
                "x-amz-content-sha256".to_string(),
                EMPTY_PAYLOAD_SHA256.to_string(),
            ),
        ]);
        for (n, v) in extra {
            h.insert(n.to_string(), v.to_string());
        }
        h
    }

    /// AWS's published S3 examples ("Signature Calculations for the Authorization
    /// Header"): GET Object with a Range header, and ListObjects with a query.
    #[test]
    fn awss_published_s3_examples() {
        let get = headers(&[("range", "bytes=0-9")]);
        let signed = SIGNER.sign(
            &Canonical {
                method: "GET",
                path: &s3_path("/test.txt"),
                query: "",
                headers: &get,
                payload_hash: EMPTY_PAYLOAD_SHA256,
            },
            "20130524",
            "20130524T000000Z",
        );
        assert_eq!(
            signed.signature,
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        assert_eq!(
            signed.header_list,
            "host;range;x-amz-content-sha256;x-amz-date"
        );
        assert_eq!(signed.scope, "20130524/us-east-1/s3/aws4_request");

        let list = headers(&[]);
        let signed = SIGNER.sign(
            &Canonical {
                method: "GET",
                path: &s3_path(""),
                query: &canonical_query("prefix=J&max-keys=2"),
                headers: &list,
                payload_hash: EMPTY_PAYLOAD_SHA256,
            },
            "20130524",
            "20130524T000000Z",
        );
        assert_eq!(
            signed.signature,
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
        );
    }

    #[test]
    fn paths_and_queries_are_encoded_once() {
        assert_eq!(s3_path("/b/a b/ü.tar.gz"), "/b/a%20b/%C3%BC.tar.gz");
        assert_eq!(s3_path("/b/a%20b/%C3%BC.tar.gz"), "/b/a%20b/%C3%BC.tar.gz");
        assert_eq!(canonical_query("b=2&a=x%2Fy&c"), "a=x%2Fy&b=2&c=");
        assert_eq!(canonical_query(""), "");
    }

    #[test]
    fn timestamps_are_utc() {
        let t = time::OffsetDateTime::from_unix_timestamp(1_369_353_600).unwrap();
        assert_eq!(
            timestamps(t),
            ("20130524".to_string(), "20130524T000000Z".to_string())
        );
    }
}

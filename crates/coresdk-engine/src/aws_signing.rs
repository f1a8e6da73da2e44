//! Bundles from S3-compatible object stores (AWS S3, MinIO, ...): each bundle request is
//! signed with AWS Signature Version 4, as OPA's `credentials.s3_signing` does. Keys come
//! from the environment (OPA's `environment_credentials`: `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, read for every request so a refreshed
//! session is used from the next poll on) or are given.

use crate::error::{Error, ErrorCode, Result};
use crate::sigv4::{
    canonical_query, hex, s3_path, timestamps, Canonical, Signer, EMPTY_PAYLOAD_SHA256,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Where the signing keys come from.
#[derive(Clone, PartialEq, Eq)]
pub enum AwsCredentials {
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and (if set) `AWS_SESSION_TOKEN`,
    /// read for every request.
    Environment,
    /// Keys given in the configuration.
    Static {
        /// The access key id.
        access_key_id: String,
        /// The secret access key.
        secret_access_key: String,
        /// A session token (temporary credentials), sent as `X-Amz-Security-Token`.
        session_token: Option<String>,
    },
}

impl std::fmt::Debug for AwsCredentials {
    /// Never shows the secret or the session token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Environment => f.write_str("Environment"),
            Self::Static { access_key_id, .. } => f
                .debug_struct("Static")
                .field("access_key_id", access_key_id)
                .finish_non_exhaustive(),
        }
    }
}

/// AWS Signature Version 4 for bundle requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSigning {
    /// The region the store signs for (`us-east-1` for MinIO's default).
    pub region: String,
    /// The service name in the signature's scope. Default `s3`.
    pub service: String,
    /// Where the keys come from.
    pub credentials: AwsCredentials,
}

impl AwsSigning {
    /// The signing the bindings describe: `region` (else `AWS_REGION`, else
    /// `AWS_DEFAULT_REGION`), `service` (default `s3`), and keys given as a pair or,
    /// with neither given, from the environment.
    ///
    /// Errors: `INVALID_ARGUMENT` for one key of the pair without the other, a session
    /// token without keys, or no region anywhere; `KEY_UNAVAILABLE` when environment
    /// keys are wanted and not set.
    pub fn from_parts(
        region: Option<String>,
        service: Option<String>,
        access_key_id: Option<String>,
        secret_access_key: Option<String>,
        session_token: Option<String>,
    ) -> Result<Self> {
        let invalid = |why: &str| Error::new(ErrorCode::InvalidArgument, why.to_string());
        let credentials = match (access_key_id, secret_access_key) {
            (Some(access_key_id), Some(secret_access_key)) => AwsCredentials::Static {
                access_key_id,
                secret_access_key,
                session_token,
            },
            (None, None) if session_token.is_none() => AwsCredentials::Environment,
            (None, None) => return Err(invalid("a session token needs its access key pair")),
            _ => {
                return Err(invalid(
                    "give both access_key_id and secret_access_key, or neither",
                ))
            }
        };
        let region = region
            .or_else(|| env("AWS_REGION"))
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .ok_or_else(|| invalid("AWS signing needs a region (or AWS_REGION)"))?;
        let signing = Self {
            region,
            service: service.unwrap_or_else(|| "s3".into()),
            credentials,
        };
        signing.keys()?;
        Ok(signing)
    }

    /// `(access key id, secret, session token)` now.
    fn keys(&self) -> Result<(String, String, Option<String>)> {
        match &self.credentials {
            AwsCredentials::Static {
                access_key_id,
                secret_access_key,
                session_token,
            } => Ok((
                access_key_id.clone(),
                secret_access_key.clone(),
                session_token.clone(),
            )),
            AwsCredentials::Environment => {
                match (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
                    (Some(id), Some(secret)) => Ok((id, secret, env("AWS_SESSION_TOKEN"))),
                    _ => Err(Error::new(
                        ErrorCode::KeyUnavailable,
                        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set",
                    )),
                }
            }
        }
    }

    /// The headers that sign a `GET` of `url` now (what the bundle poller sends).
    pub(crate) fn sign_get(&self, url: &str) -> Result<Vec<(String, String)>> {
        self.sign("GET", url, b"")
    }

    /// The headers that sign a `method` request of `url` with body `payload` now:
    /// `Authorization`, `X-Amz-Date`, `X-Amz-Content-Sha256` and, with a session token,
    /// `X-Amz-Security-Token` (e.g. to publish a bundle to the store the poller reads).
    /// Errors: `KEY_UNAVAILABLE` when environment keys are gone, `INVALID_ARGUMENT` for a
    /// URL without a host.
    pub fn sign(&self, method: &str, url: &str, payload: &[u8]) -> Result<Vec<(String, String)>> {
        let uri: ureq::http::Uri = url
            .parse()
            .map_err(|e| Error::new(ErrorCode::InvalidArgument, format!("URL {url:?}: {e}")))?;
        let host = uri
            .authority()
            .map(|a| {
                a.as_str()
                    .rsplit('@')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
            .filter(|h| !h.is_empty())
            .ok_or_else(|| Error::new(ErrorCode::InvalidArgument, "the URL has no host"))?;
        let (access_key, secret_key, session_token) = self.keys()?;
        let (date, stamp) = timestamps(time::OffsetDateTime::now_utc());
        let payload_hash = if payload.is_empty() {
            EMPTY_PAYLOAD_SHA256.to_string()
        } else {
            hex(&Sha256::digest(payload))
        };
        let mut headers = BTreeMap::from([
            ("host".to_string(), host),
            ("x-amz-content-sha256".to_string(), payload_hash.clone()),
            ("x-amz-date".to_string(), stamp.clone()),
        ]);
        if let Some(token) = &session_token {
            headers.insert("x-amz-security-token".into(), token.clone());
        }
        let signer = Signer {
            secret_key: &secret_key,
            region: &self.region,
            service: &self.service,
        };
        let signed = signer.sign(
            &Canonical {
                method,
                path: &s3_path(uri.path()),
                query: &canonical_query(uri.query().unwrap_or_default()),
                headers: &headers,
                payload_hash: &payload_hash,
            },
            &date,
            &stamp,
        );
        let mut out = vec![(
            "Authorization".to_string(),
            format!(
                "AWS4-HMAC-SHA256 Credential={access_key}/{}, SignedHeaders={}, Signature={}",
                signed.scope, signed.header_list, signed.signature
            ),
        )];
        out.push(("X-Amz-Date".into(), stamp));
        out.push(("X-Amz-Content-Sha256".into(), payload_hash));
        if let Some(token) = session_token {
            out.push(("X-Amz-Security-Token".into(), token));
        }
        Ok(out)
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(id: Option<&str>, secret: Option<&str>, token: Option<&str>) -> Result<AwsSigning> {
        AwsSigning::from_parts(
            Some("eu-west-1".into()),
            None,
            id.map(Into::into),
            secret.map(Into::into),
            token.map(Into::into),
        )
    }

    #[test]
    fn keys_come_as_a_pair() {
        let s = given(Some("AKID"), Some("secret"), Some("tok")).unwrap();
        assert_eq!((s.region.as_str(), s.service.as_str()), ("eu-west-1", "s3"));
        assert!(!format!("{s:?}").contains("secret") && !format!("{s:?}").contains("tok"));
        for (id, secret, token) in [
            (Some("AKID"), None, None),
            (None, Some("secret"), None),
            (None, None, Some("tok")),
        ] {
            let e = given(id, secret, token).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument);
        }
    }

    #[test]
    fn a_get_is_signed_for_the_urls_host_path_and_query() {
        let s = given(Some("AKID"), Some("secret"), Some("tok")).unwrap();
        let headers = s
            .sign_get("http://127.0.0.1:9000/bundles/app%20one.tar.gz?versionId=3")
            .unwrap();
        let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "Authorization",
                "X-Amz-Date",
                "X-Amz-Content-Sha256",
                "X-Amz-Security-Token"
            ]
        );
        let auth = &headers[0].1;
        assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKID/"));
        assert!(auth.contains("/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature="));
        assert_eq!(headers[3].1, "tok");
    }
}

//! A JWKS fetched from a real HTTP server on loopback: rotation, rate-limited refetch on
//! unknown kid, stale-while-revalidate, shutdown.

mod support;

use coresdk_engine::{ErrorCode, JwksOptions, TokenOptions, TokenVerifier};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::{eventually, BundleServer, Reply};

fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// A JWKS of HS256 `oct` keys: (kid, secret).
fn jwks(keys: &[(&str, &str)]) -> Reply {
    let keys: Vec<_> = keys
        .iter()
        .map(|(kid, secret)| json!({"kty": "oct", "kid": kid, "alg": "HS256", "k": b64url(secret.as_bytes())}))
        .collect();
    Reply::Bundle {
        body: json!({ "keys": keys }).to_string().into_bytes(),
        etag: "\"jwks\"".into(),
    }
}

fn token(kid: &str, secret: &str) -> String {
    let exp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(
        &header,
        &json!({"sub": "alice", "exp": exp}),
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn options(url: &str, refresh: Duration, refetch: Duration) -> JwksOptions {
    JwksOptions {
        refresh_interval: refresh,
        min_refetch_interval: refetch,
        timeout: Duration::from_secs(2),
        ..JwksOptions::new(url)
    }
}

const LONG: Duration = Duration::from_secs(3600);

#[test]
fn rotation_is_picked_up_by_an_unknown_kid() {
    let server = BundleServer::start(jwks(&[("k1", "secret-one")]));
    let verifier = TokenVerifier::from_jwks_url(
        options(&server.url, LONG, Duration::ZERO),
        TokenOptions::default(),
    )
    .unwrap();
    assert_eq!(
        verifier.verify(&token("k1", "secret-one")).unwrap()["sub"],
        json!("alice")
    );
    server.set(jwks(&[("k2", "secret-two")]));
    assert_eq!(
        verifier.verify(&token("k2", "secret-two")).unwrap()["sub"],
        json!("alice")
    );
    let status = verifier.key_source_status().unwrap();
    assert_eq!(
        (status.kind.as_str(), status.state.as_str(), status.updates),
        ("jwks", "ok", 2)
    );
    // k1 was rotated out.
    assert_eq!(
        verifier
            .verify(&token("k1", "secret-one"))
            .unwrap_err()
            .code(),
        ErrorCode::TokenInvalid
    );
}

#[test]
fn unknown_kids_refetch_at_most_once_per_interval() {
    let server = BundleServer::start(jwks(&[("k1", "secret-one")]));
    let verifier =
        TokenVerifier::from_jwks_url(options(&server.url, LONG, LONG), TokenOptions::default())
            .unwrap();
    // The first fetch happened just now, so even the first unknown kid waits.
    for i in 0..50 {
        let err = verifier
            .verify(&token(&format!("made-up-{i}"), "x"))
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::TokenInvalid);
    }
    assert_eq!(server.seen().len(), 1, "no request per unknown kid");
}

#[test]
fn a_failing_refresh_keeps_the_last_good_keys() {
    let server = BundleServer::start(jwks(&[("k1", "secret-one")]));
    let verifier = TokenVerifier::from_jwks_url(
        options(&server.url, Duration::from_millis(30), LONG),
        TokenOptions::default(),
    )
    .unwrap();
    server.set(Reply::Status(503));
    assert!(eventually(Duration::from_secs(10), || verifier
        .key_source_status()
        .is_some_and(|s| s.consecutive_failures >= 2)));
    let status = verifier.key_source_status().unwrap();
    assert_eq!(status.state, "failing");
    assert_eq!(
        status.last_error.map(|e| e.0),
        Some(ErrorCode::SourceUnavailable)
    );
    assert!(
        verifier.verify(&token("k1", "secret-one")).is_ok(),
        "stale keys keep serving"
    );
    // A document that is not a JWKS is a failed refresh too.
    server.set(Reply::Bundle {
        body: b"{}".to_vec(),
        etag: "x".into(),
    });
    let failures = verifier.key_source_status().unwrap().failures;
    assert!(eventually(Duration::from_secs(10), || verifier
        .key_source_status()
        .unwrap()
        .failures
        > failures));
    assert!(verifier.verify(&token("k1", "secret-one")).is_ok());
    server.set(jwks(&[("k1", "secret-one")]));
    assert!(eventually(Duration::from_secs(10), || verifier
        .key_source_status()
        .unwrap()
        .state
        == "ok"));
}

#[test]
fn the_refresher_stops_with_the_last_clone() {
    let server = BundleServer::start(jwks(&[("k1", "secret-one")]));
    let verifier = TokenVerifier::from_jwks_url(
        options(&server.url, Duration::from_millis(20), LONG),
        TokenOptions::default(),
    )
    .unwrap();
    let clone = verifier.clone();
    drop(verifier);
    assert!(
        eventually(Duration::from_secs(10), || server.seen().len() >= 3),
        "clone keeps refreshing"
    );
    drop(clone);
    std::thread::sleep(Duration::from_millis(100));
    let after = server.seen().len();
    std::thread::sleep(Duration::from_millis(200));
    assert!(server.seen().len() <= after + 1);
}

#[test]
fn a_first_fetch_that_fails_is_an_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = format!("http://127.0.0.1:{port}/jwks.json");
    let err = TokenVerifier::from_jwks_url(options(&down, LONG, LONG), TokenOptions::default())
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::SourceUnavailable);
    let server = BundleServer::start(Reply::Bundle {
        body: b"{not json".to_vec(),
        etag: "x".into(),
    });
    let err =
        TokenVerifier::from_jwks_url(options(&server.url, LONG, LONG), TokenOptions::default())
            .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidJson);
    for bad in [
        options("ftp://x/jwks", LONG, LONG),
        options("http://127.0.0.1:1/j", Duration::ZERO, LONG),
    ] {
        let err = TokenVerifier::from_jwks_url(bad, TokenOptions::default()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
    }
}

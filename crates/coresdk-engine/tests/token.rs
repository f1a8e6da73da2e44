//! JWT verification and authorize(): keys, claims, time, and what errors never say.

use coresdk_engine::{
    ErrorCode, JwksOptions, KeySet, KeySources, KeySpec, PolicyEngine, TokenOptions, TokenVerifier,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SECRET: &[u8] = b"coresdk-test-secret";

fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/keys")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(keys_dir().join(name)).unwrap()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sign(alg: Algorithm, kid: Option<&str>, claims: Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    let key = match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => EncodingKey::from_secret(SECRET),
        Algorithm::ES256 => {
            EncodingKey::from_ec_pem(read("bundle-test-ec.pem").as_bytes()).unwrap()
        }
        Algorithm::EdDSA => {
            EncodingKey::from_ed_pem(read("bundle-test-ed25519.pem").as_bytes()).unwrap()
        }
        _ => EncodingKey::from_rsa_pem(read("bundle-test-rsa.pem").as_bytes()).unwrap(),
    };
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

fn claims() -> Value {
    json!({"sub": "alice", "iss": "https://issuer.test", "aud": "api", "exp": now() + 600, "role": "admin"})
}

fn jwks_verifier(options: TokenOptions) -> TokenVerifier {
    TokenVerifier::new(
        KeySet::from_jwks_json(read("test.jwks").as_bytes()).unwrap(),
        options,
    )
}

fn code(verifier: &TokenVerifier, token: &str) -> ErrorCode {
    verifier.verify(token).unwrap_err().code()
}

#[test]
fn verifies_with_a_jwks_by_kid() {
    let verifier = jwks_verifier(TokenOptions::default());
    assert_eq!(verifier.keys().len(), 2);
    let rs = verifier
        .verify(&sign(Algorithm::RS256, Some("rsa-1"), claims()))
        .unwrap();
    assert_eq!(rs["sub"], json!("alice"));
    let hs = verifier
        .verify(&sign(Algorithm::HS256, Some("hmac-1"), claims()))
        .unwrap();
    assert_eq!(hs["role"], json!("admin"));
    // The RSA key is pinned to RS256 by its `alg`: PS256 with the same key is refused.
    assert_eq!(
        code(&verifier, &sign(Algorithm::PS256, Some("rsa-1"), claims())),
        ErrorCode::TokenInvalid
    );
    assert_eq!(
        code(&verifier, &sign(Algorithm::RS256, Some("rsa-9"), claims())),
        ErrorCode::TokenInvalid
    );
}

#[test]
fn verifies_with_pem_keys_and_secrets() {
    let keys = KeySet::new()
        .with_public_pem(None, "ES256", &read("bundle-test-ec.pub.pem"))
        .unwrap()
        .with_public_pem(None, "EdDSA", &read("bundle-test-ed25519.pub.pem"))
        .unwrap()
        .with_public_pem(None, "PS512", &read("bundle-test-rsa.pub.pem"))
        .unwrap()
        .with_secret(None, "HS384", SECRET)
        .unwrap();
    let verifier = TokenVerifier::new(keys, TokenOptions::default());
    for alg in [
        Algorithm::ES256,
        Algorithm::EdDSA,
        Algorithm::PS512,
        Algorithm::HS384,
    ] {
        assert!(
            verifier.verify(&sign(alg, None, claims())).is_ok(),
            "{alg:?}"
        );
    }
    // No key serves RS256 here.
    assert_eq!(
        code(&verifier, &sign(Algorithm::RS256, None, claims())),
        ErrorCode::TokenInvalid
    );
}

#[test]
fn time_claims_with_leeway() {
    let verifier = jwks_verifier(TokenOptions {
        leeway: Duration::from_secs(30),
        ..Default::default()
    });
    let token = |exp: i64, nbf: Option<i64>| {
        let mut c = claims();
        c["exp"] = json!(exp);
        if let Some(nbf) = nbf {
            c["nbf"] = json!(nbf);
        }
        sign(Algorithm::HS256, Some("hmac-1"), c)
    };
    assert_eq!(
        code(&verifier, &token(now() - 120, None)),
        ErrorCode::TokenExpired
    );
    assert!(
        verifier.verify(&token(now() - 10, None)).is_ok(),
        "within leeway"
    );
    assert_eq!(
        code(&verifier, &token(now() + 600, Some(now() + 300))),
        ErrorCode::TokenInvalid
    );
    assert!(
        verifier
            .verify(&token(now() + 600, Some(now() + 10)))
            .is_ok(),
        "nbf within leeway"
    );
    let mut no_exp = claims();
    no_exp.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        code(&verifier, &sign(Algorithm::HS256, Some("hmac-1"), no_exp)),
        ErrorCode::TokenInvalid
    );
}

#[test]
fn issuer_audience_and_required_claims() {
    let verifier = jwks_verifier(TokenOptions {
        issuers: vec!["https://issuer.test".into()],
        audiences: vec!["api".into(), "admin".into()],
        required_claims: vec!["sub".into(), "role".into()],
        ..Default::default()
    });
    assert!(verifier
        .verify(&sign(Algorithm::HS256, Some("hmac-1"), claims()))
        .is_ok());
    for (field, value) in [("iss", json!("https://evil.test")), ("aud", json!("other"))] {
        let mut c = claims();
        c[field] = value;
        assert_eq!(
            code(&verifier, &sign(Algorithm::HS256, Some("hmac-1"), c)),
            ErrorCode::TokenInvalid,
            "{field}"
        );
    }
    let mut c = claims();
    c.as_object_mut().unwrap().remove("role");
    assert_eq!(
        code(&verifier, &sign(Algorithm::HS256, Some("hmac-1"), c)),
        ErrorCode::TokenInvalid
    );
}

#[test]
fn forged_and_malformed_tokens_are_invalid_and_never_echoed() {
    let verifier = jwks_verifier(TokenOptions::default());
    let good = sign(Algorithm::HS256, Some("hmac-1"), claims());
    let (head, _) = good.rsplit_once('.').unwrap();
    let forged = format!("{head}.{}", "A".repeat(43));
    // alg:none with the payload of a real token.
    let none = format!(
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
        good.split('.').nth(1).unwrap()
    );
    // An HS256 token "signed" with the RSA public key text: the classic confusion attack.
    let confused = {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("rsa-1".into());
        let key = EncodingKey::from_secret(read("bundle-test-rsa.pub.pem").as_bytes());
        jsonwebtoken::encode(&header, &claims(), &key).unwrap()
    };
    let huge = "a".repeat(70_000);
    for token in [
        forged.as_str(),
        none.as_str(),
        confused.as_str(),
        "",
        "a.b",
        "not a jwt",
        "a.b.c.d",
        huge.as_str(),
    ] {
        let err = verifier.verify(token).unwrap_err();
        assert_eq!(err.code(), ErrorCode::TokenInvalid, "{token:.40}");
        if token.len() > 8 {
            assert!(!err.message().contains(token), "the token is never echoed");
        }
        assert!(!err.message().contains("alice"), "claims are never echoed");
    }
    let err = verifier.verify(&none).unwrap_err();
    assert_eq!(
        err.message(),
        "token is invalid: unsigned (alg: none): never accepted"
    );
}

#[test]
fn key_sources_follow_one_set_of_rules() {
    let invalid = |sources: KeySources| {
        let err = TokenVerifier::from_sources(sources, TokenOptions::default()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
        err.message().to_string()
    };
    assert!(invalid(KeySources::default()).starts_with("no keys"));
    let secret = KeySpec {
        algorithm: "HS256".into(),
        secret: Some(SECRET.to_vec()),
        key_id: Some("hmac-2".into()),
        ..Default::default()
    };
    let both = KeySources {
        keys: vec![secret.clone()],
        jwks_url: Some(JwksOptions::new("http://127.0.0.1:1/jwks")),
        ..Default::default()
    };
    assert!(invalid(both).contains("not both"));
    let neither = KeySpec {
        secret: None,
        ..secret.clone()
    };
    let sources = KeySources {
        keys: vec![neither],
        ..Default::default()
    };
    assert!(invalid(sources).contains("exactly one"));

    let sources = KeySources {
        jwks_json: Some(read("test.jwks").into_bytes()),
        keys: vec![secret],
        ..Default::default()
    };
    let verifier = TokenVerifier::from_sources(sources, TokenOptions::default()).unwrap();
    for kid in ["hmac-1", "hmac-2"] {
        let token = sign(Algorithm::HS256, Some(kid), claims());
        assert_eq!(verifier.verify(&token).unwrap()["sub"], "alice", "{kid}");
    }
}

#[test]
fn bad_key_material_is_invalid_argument() {
    assert_eq!(
        KeySet::from_jwks_json(b"{").unwrap_err().code(),
        ErrorCode::InvalidJson
    );
    assert_eq!(
        KeySet::from_jwks_json(b"[]").unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        KeySet::new()
            .with_public_pem(None, "RS256", "not pem")
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        KeySet::new()
            .with_public_pem(None, "HS256", "x")
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        KeySet::new()
            .with_secret(None, "RS256", b"x")
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        KeySet::new()
            .with_secret(None, "none", b"x")
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn authorize_feeds_verified_claims_into_the_policy() {
    let engine = PolicyEngine::default();
    engine
        .add_module("authz.rego", "package authz\nallow if {\n input.claims.role == \"admin\"\n input.action == \"delete\"\n}\n")
        .unwrap();
    let verifier = jwks_verifier(TokenOptions::default());
    let token = sign(Algorithm::RS256, Some("rsa-1"), claims());
    let d = engine
        .authorize(
            &verifier,
            &token,
            "data.authz.allow",
            br#"{"action":"delete"}"#,
        )
        .unwrap();
    assert_eq!(d.result, Some(json!(true)));
    let d = engine
        .authorize(&verifier, &token, "data.authz.allow", b"")
        .unwrap();
    assert_eq!(d.result, None);
    let mut expired = claims();
    expired["exp"] = json!(now() - 3600);
    let err = engine
        .authorize(
            &verifier,
            &sign(Algorithm::RS256, Some("rsa-1"), expired),
            "data.authz.allow",
            b"{}",
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::TokenExpired);
    for bad in [&b"[1]"[..], br#"{"claims": {"role": "admin"}}"#] {
        let err = engine
            .authorize(&verifier, &token, "data.authz.allow", bad)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
    }
    assert_eq!(
        engine.metrics()["evaluations"],
        json!(2),
        "nothing is evaluated for a bad token"
    );
}

//! The OPA builtins CoreSDK adds to regorus (crypto.*, io.jwt.*), through policies.

use coresdk_engine::{ErrorCode, PolicyEngine, PolicyOptions};
use serde_json::{json, Value};

/// OPA's documented HS256 example token (jwt.io): secret "your-256-bit-secret".
const HS256: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

fn eval(expr: &str) -> Option<Value> {
    eval_with(expr, false).unwrap()
}

fn eval_with(expr: &str, strict: bool) -> Result<Option<Value>, coresdk_engine::Error> {
    let engine = PolicyEngine::new(PolicyOptions {
        strict_builtin_errors: strict,
        ..Default::default()
    });
    engine.add_module("b.rego", &format!("package b\nx := {expr}\n"))?;
    Ok(engine.evaluate("data.b.x", b"{}")?.result)
}

#[test]
fn crypto_digests_and_hmacs_match_known_vectors() {
    assert_eq!(
        eval(r#"crypto.md5("")"#),
        Some(json!("d41d8cd98f00b204e9800998ecf8427e"))
    );
    assert_eq!(
        eval(r#"crypto.sha1("abc")"#),
        Some(json!("a9993e364706816aba3e25717850c26c9cd0d89d"))
    );
    assert_eq!(
        eval(r#"crypto.sha256("abc")"#),
        Some(json!(
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        ))
    );
    // RFC 4231 test case 2.
    assert_eq!(
        eval(r#"crypto.hmac.sha256("what do ya want for nothing?", "Jefe")"#),
        Some(json!(
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ))
    );
    assert_eq!(
        eval(r#"crypto.hmac.sha512("what do ya want for nothing?", "Jefe")"#)
            .unwrap()
            .as_str()
            .unwrap()[..16],
        *"164b7a7bfcf819e2"
    );
    assert_eq!(
        eval(r#"crypto.hmac.equal("abc", "abc")"#),
        Some(json!(true))
    );
    assert_eq!(
        eval(r#"crypto.hmac.equal("abc", "abd")"#),
        Some(json!(false))
    );
}

#[test]
fn jwt_decode_and_verify() {
    let decoded = eval(&format!(r#"io.jwt.decode("{HS256}")"#)).unwrap();
    assert_eq!(decoded[0], json!({"alg": "HS256", "typ": "JWT"}));
    assert_eq!(decoded[1]["name"], json!("John Doe"));
    assert_eq!(
        decoded[2],
        json!("49f94ac7044948c78a285d904f87f0a4c7897f7e8f3a4eb2255fda750b2cc397")
    );
    assert_eq!(
        eval(&format!(
            r#"io.jwt.verify_hs256("{HS256}", "your-256-bit-secret")"#
        )),
        Some(json!(true))
    );
    assert_eq!(
        eval(&format!(r#"io.jwt.verify_hs256("{HS256}", "wrong")"#)),
        Some(json!(false))
    );
    assert_eq!(
        eval(&format!(
            r#"io.jwt.verify_rs256("{HS256}", "your-256-bit-secret")"#
        )),
        None,
        "not a PEM: a builtin error, undefined"
    );
}

#[test]
fn decode_verify_checks_signature_and_claims() {
    let ok = eval(&format!(
        r#"io.jwt.decode_verify("{HS256}", {{"secret": "your-256-bit-secret"}})"#
    ))
    .unwrap();
    assert_eq!(ok[0], json!(true));
    assert_eq!(ok[2]["sub"], json!("1234567890"));
    for constraints in [
        r#"{"secret": "wrong"}"#,
        r#"{"secret": "your-256-bit-secret", "alg": "RS256"}"#,
        r#"{"secret": "your-256-bit-secret", "iss": "someone"}"#,
        r#"{"secret": "your-256-bit-secret", "aud": "api"}"#,
    ] {
        let out = eval(&format!(
            r#"io.jwt.decode_verify("{HS256}", {constraints})"#
        ))
        .unwrap();
        assert_eq!(out, json!([false, {}, {}]), "{constraints}");
    }
}

#[test]
fn builtin_errors_are_undefined_unless_strict() {
    assert_eq!(eval(r#"io.jwt.decode("not-a-jwt")"#), None);
    let err = eval_with(r#"io.jwt.decode("not-a-jwt")"#, true).unwrap_err();
    assert_eq!(err.code(), ErrorCode::EvalError);
    assert_eq!(eval(r#"crypto.sha256(1)"#), None);
}

#[test]
fn encode_sign_refuses_unusable_keys_and_headers() {
    let payload = r#"{"iss": "joe"}"#;
    for (header, key) in [
        (r#"{"alg": "HS256"}"#, r#"{"kty": "oct"}"#), // no "k"
        (r#"{"alg": "HS256"}"#, r#"{"kty": "oct", "k": "%%%"}"#), // not base64url
        (
            r#"{"alg": "RS256"}"#,
            r#"{"kty": "RSA", "n": "AQAB", "e": "AQAB"}"#,
        ), // no private part
        (
            r#"{"alg": "ES256"}"#,
            r#"{"kty": "EC", "crv": "P-521", "d": "AQAB"}"#,
        ),
        (
            r#"{"alg": "EdDSA"}"#,
            r#"{"kty": "OKP", "crv": "X25519", "d": "AQAB"}"#,
        ),
        (
            r#"{"alg": "EdDSA"}"#,
            r#"{"kty": "OKP", "crv": "Ed25519", "d": "AQAB"}"#,
        ), // short seed
        (r#"{"alg": "HS256"}"#, r#"{"kty": "dsa"}"#),
        (r#"{"typ": "JWT"}"#, r#"{"kty": "oct", "k": "AQAB"}"#), // no alg
        (r#"{"alg": "none"}"#, r#"{"kty": "oct", "k": "AQAB"}"#),
    ] {
        let expr = format!("io.jwt.encode_sign({header}, {payload}, {key})");
        assert_eq!(eval(&expr), None, "{expr}");
        assert_eq!(
            eval_with(&expr, true).unwrap_err().code(),
            ErrorCode::EvalError,
            "{expr}"
        );
    }
    // Operands must be objects for encode_sign and strings for encode_sign_raw.
    assert_eq!(eval(r#"io.jwt.encode_sign("{}", {}, {})"#), None);
    assert_eq!(eval(r#"io.jwt.encode_sign_raw({}, "{}", "{}")"#), None);
}

#[test]
fn encoded_tokens_verify_and_decode() {
    // A P-384 key (x, y derived from d with pyca/cryptography).
    let private = r#"{"kty": "EC", "crv": "P-384", "d": "MYhftNMNDEfeBgCuPZfH7xSUi6aAf4t5zh19rCWI7Ca34lwJhBgfz0XlmBFJh9-o", "x": "9XDyzM_ufZwDxXv4H5Pja_TRl2Up7CHnaOeev9NLqGBdqik2dT7gw2mBYixA1M-i", "y": "Jzk6R7FymuRsM5fXD2ReBpwIeZQxlKR7QL7jMF-UGsFFYscYhjD0DwOHJfubzNjq"}"#;
    let public = r#"{"kty": "EC", "crv": "P-384", "x": "9XDyzM_ufZwDxXv4H5Pja_TRl2Up7CHnaOeev9NLqGBdqik2dT7gw2mBYixA1M-i", "y": "Jzk6R7FymuRsM5fXD2ReBpwIeZQxlKR7QL7jMF-UGsFFYscYhjD0DwOHJfubzNjq"}"#;
    let token = eval(&format!(
        r#"io.jwt.encode_sign({{"alg": "ES384"}}, {{"sub": "alice"}}, {private})"#
    ))
    .unwrap();
    let token = token.as_str().unwrap();
    assert_eq!(
        eval(&format!("io.jwt.verify_es384({token:?}, `{public}`)")),
        Some(json!(true))
    );
    assert_eq!(
        eval(&format!("io.jwt.decode({token:?})[1]")),
        Some(json!({"sub": "alice"}))
    );
    let mut tampered = token.to_string();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    assert_eq!(
        eval(&format!("io.jwt.verify_es384({tampered:?}, `{public}`)")),
        Some(json!(false))
    );
}

#[test]
fn decode_verify_errors_on_non_numeric_exp_or_nbf() {
    for claim in ["exp", "nbf"] {
        let expr = format!(
            r#"io.jwt.decode_verify(io.jwt.encode_sign({{"alg": "HS256"}}, {{"{claim}": null}}, {{"kty": "oct", "k": "NDI"}}), {{"secret": "42"}})"#
        );
        assert_eq!(eval(&expr), None, "{claim}");
        let err = eval_with(&expr, true).unwrap_err();
        assert_eq!(err.code(), ErrorCode::EvalError);
        assert!(
            err.to_string()
                .contains(&format!("{claim} value must be a number")),
            "{err}"
        );
    }
    let valid = r#"io.jwt.decode_verify(io.jwt.encode_sign({"alg": "HS256"}, {"exp": 4102444800}, {"kty": "oct", "k": "NDI"}), {"secret": "42"})[0]"#;
    assert_eq!(eval(valid), Some(json!(true)));
}

#[test]
fn x509_parse_certificates_never_panics_on_damaged_input() {
    use base64::Engine as _;
    let pem = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/keys/test-chain.pem"),
    )
    .unwrap();
    let count = format!("count(crypto.x509.parse_certificates({pem:?}))");
    assert_eq!(eval(&count), Some(json!(2)));
    for bad in [
        "",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
        "AAAA",
    ] {
        let expr = format!("crypto.x509.parse_certificates({bad:?})");
        assert_eq!(eval(&expr), None, "{bad:?}");
        assert_eq!(
            eval_with(&expr, true).unwrap_err().code(),
            ErrorCode::EvalError
        );
    }
    // Every truncation of the DER chain is an error or a shorter list, never a panic.
    let body: String = pem
        .lines()
        .take_while(|l| !l.starts_with("-----END"))
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    for cut in (0..der.len()).step_by(7) {
        let b64 = base64::engine::general_purpose::STANDARD.encode(&der[..cut]);
        let result = eval_with(&format!("crypto.x509.parse_certificates({b64:?})"), true);
        assert!(
            matches!(&result, Err(e) if e.code() == ErrorCode::EvalError),
            "cut {cut}: {result:?}"
        );
    }
}

//! The OPA builtins CoreSDK adds to regorus (crypto.*, io.jwt.*), through policies.

mod expr;

use coresdk_engine::ErrorCode;
use expr::eval_with;
use serde_json::{json, Value};

/// OPA's documented HS256 example token (jwt.io): secret "your-256-bit-secret".
const HS256: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

fn eval(expr: &str) -> Option<Value> {
    eval_with(expr, false).unwrap()
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

/// Each `(expression, OPA v1.22.2's value)`, `None` where OPA's is undefined (a builtin
/// error), checked in the non-strict mode and, for errors, in the strict one.
fn assert_opa(cases: &[(&str, Option<Value>)]) {
    for (expr, want) in cases {
        assert_eq!(&eval(expr), want, "{expr}");
        if want.is_none() {
            assert_eq!(
                eval_with(expr, true).unwrap_err().code(),
                ErrorCode::EvalError,
                "{expr}"
            );
        }
    }
}

#[test]
fn net_cidr_builtins_match_opa() {
    assert_opa(&[
        (
            r#"net.cidr_merge(["192.0.2.1"])"#,
            Some(json!(["192.0.2.1/24"])),
        ),
        (
            r#"net.cidr_merge(["192.0.2.1", "192.0.2.1"])"#,
            Some(json!(["192.0.2.0/24"])),
        ),
        (
            r#"net.cidr_merge(["10.1.2.3", "192.0.2.0/24"])"#,
            Some(json!(["10.1.2.3/8", "192.0.2.0/24"])),
        ),
        (
            r#"net.cidr_merge(["192.0.2.0/25", "192.0.2.128/25", "::ffff:192.0.3.0/120", "2001:db8::/33", "2001:db8:8000::/33"])"#,
            Some(json!(["192.0.2.0/24", "192.0.3.0/24", "2001:db8::/32"])),
        ),
        (
            r#"net.cidr_merge(["0.0.0.0/0", "::/0"])"#,
            Some(json!(["::/0"])),
        ),
        (
            r#"net.cidr_merge(["192.0.2.7/32", "192.0.2.8/29", "192.0.2.16/28", "192.0.2.32/32"])"#,
            Some(json!([
                "192.0.2.16/28",
                "192.0.2.32/32",
                "192.0.2.7/32",
                "192.0.2.8/29"
            ])),
        ),
        (r#"net.cidr_merge(set())"#, Some(json!([]))),
        (r#"net.cidr_merge(["2001:db8::1"])"#, None),
        (r#"net.cidr_merge(["1.2.3.4/33"])"#, None),
        (
            r#"net.cidr_intersects("::ffff:10.0.0.0/104", "10.1.0.0/16")"#,
            Some(json!(true)),
        ),
        (
            r#"net.cidr_intersects("::/0", "10.1.0.0/16")"#,
            Some(json!(false)),
        ),
        (
            r#"net.cidr_intersects("10.0.0.0/08", "10.0.0.0/8")"#,
            Some(json!(true)),
        ),
        (r#"net.cidr_intersects("10.0.0.0/+8", "10.0.0.0/8")"#, None),
        (
            r#"net.cidr_contains_matches({"a": "10.0.0.0/8", "b": ["192.168.0.0/16", "x"]}, {"10.1.2.3", "192.168.1.1", ["10.0.0.0/24"]})"#,
            Some(json!([
                ["a", "10.1.2.3"],
                ["a", ["10.0.0.0/24"]],
                ["b", "192.168.1.1"]
            ])),
        ),
        (
            r#"net.cidr_contains_matches("10.0.0.0/8", ["10.1.1.1", "11.0.0.0/8"])"#,
            Some(json!([["10.0.0.0/8", 0]])),
        ),
    ]);
}

#[test]
fn array_and_string_builtins_match_opa() {
    assert_opa(&[
        (
            "array.flatten([[[1], [2, 3, []]], [[4, 5]], 6])",
            Some(json!([[1], [2, 3, []], [4, 5], 6])),
        ),
        ("array.flatten([])", Some(json!([]))),
        (
            r#"strings.split_n("a,b,c,d", ",", 2)"#,
            Some(json!(["a", "b"])),
        ),
        (
            r#"strings.split_n("a,b,c,d", ",", -2)"#,
            Some(json!(["c", "d"])),
        ),
        (r#"strings.split_n("a,b,c,d", ",", 0)"#, Some(json!([]))),
        (
            r#"strings.split_n("a,b,c,d", ",", 9)"#,
            Some(json!(["a", "b", "c", "d"])),
        ),
        (r#"strings.split_n("abc", "", 2)"#, Some(json!(["a", "b"]))),
        (r#"strings.split_n("", ",", 1)"#, Some(json!([""]))),
        (r#"strings.split_n("a,b", ",", 1.5)"#, None),
        (r#"strings.split_n("a,b,c", ",", 1e20)"#, None),
    ]);
}

#[test]
fn uri_builtins_match_opa() {
    assert_opa(&[
        (
            r#"uri.parse("https://user:pw@Example.com:8080/a%20b/c?x=1&y=%2F#frag")"#,
            Some(
                json!({"fragment": "frag", "hostname": "Example.com", "path": "/a b/c", "port": "8080", "raw_path": "/a b/c", "raw_query": "x=1&y=%2F", "scheme": "https"}),
            ),
        ),
        (
            r#"uri.parse("mailto:bob@example.com")"#,
            Some(json!({"scheme": "mailto"})),
        ),
        (
            r#"uri.parse("/relative/path?q")"#,
            Some(json!({"path": "/relative/path", "raw_path": "/relative/path", "raw_query": "q"})),
        ),
        (
            r#"uri.parse("http://[::1]:80/")"#,
            Some(
                json!({"hostname": "::1", "path": "/", "port": "80", "raw_path": "/", "scheme": "http"}),
            ),
        ),
        (r#"uri.parse("")"#, Some(json!({}))),
        (
            r#"uri.parse("http://a/b%2fc")"#,
            Some(json!({"hostname": "a", "path": "/b/c", "raw_path": "/b%2fc", "scheme": "http"})),
        ),
        (
            r#"uri.parse("a b")"#,
            Some(json!({"path": "a b", "raw_path": "a b"})),
        ),
        (
            r#"uri.parse("//h/p")"#,
            Some(json!({"hostname": "h", "path": "/p", "raw_path": "/p"})),
        ),
        (
            r#"uri.parse("http://h/a?b#c%20d")"#,
            Some(
                json!({"fragment": "c d", "hostname": "h", "path": "/a", "raw_path": "/a", "raw_query": "b", "scheme": "http"}),
            ),
        ),
        (
            r#"uri.parse("HTTP://u@h")"#,
            Some(json!({"hostname": "h", "scheme": "http"})),
        ),
        (r#"uri.parse("http://exa mple.com")"#, None),
        (r#"uri.parse("%zz")"#, None),
        (r#"uri.parse("http://h:port/")"#, None),
        (r#"uri.parse("1http://x")"#, None),
        (r#"uri.is_valid("http://exa mple.com")"#, Some(json!(false))),
        (r#"uri.is_valid("%zz")"#, Some(json!(false))),
        (r#"uri.is_valid("urn:isbn:0451450523")"#, Some(json!(true))),
    ]);
}

/// OPA's conformance vectors (`providers-aws/aws-sign_req.yaml`): the `Authorization`
/// header and signing headers for fixed credentials at 2015-12-28T14:08:25Z.
#[test]
fn aws_sign_req_matches_opa_vectors() {
    let config = r#"{"aws_access_key": "MYAWSACCESSKEYGOESHERE", "aws_secret_access_key": "MYAWSSECRETACCESSKEYGOESHERE", "aws_service": "s3", "aws_region": "us-east-1"}"#;
    let sign = |request: &str, config: &str| {
        eval(&format!(
            "providers.aws.sign_req({request}, {config}, 1451311705000000000)"
        ))
    };
    let scope = "Credential=MYAWSACCESSKEYGOESHERE/20151228/us-east-1/s3/aws4_request";
    assert_eq!(
        sign(r#"{"method": "get", "url": "http://example.com"}"#, config),
        Some(json!({
            "headers": {
                "Authorization": format!("AWS4-HMAC-SHA256 {scope},SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=0047a7016c81e5c7f29cd522f97e911e04fc472fced0aee7916cbc287ad6c8e3"),
                "host": "example.com",
                "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "x-amz-date": "20151228T140825Z",
            },
            "method": "get",
            "url": "http://example.com",
        }))
    );
    let request = r#"{"method": "get", "url": "https://example.com", "headers": {"foo": "bar", "x-amz-content-sha256": "existing-value"}, "body": {"example": {1, 2, 3, 4}}}"#;
    let signed = sign(request, config).unwrap();
    assert_eq!(
        signed["headers"]["Authorization"],
        json!(format!("AWS4-HMAC-SHA256 {scope},SignedHeaders=foo;host;x-amz-content-sha256;x-amz-date,Signature=42bcac7fc6d170e09be72fdf38b62e59361265bc59d5f9156f0d6faf889e98ba"))
    );
    assert_eq!(
        signed["headers"]["x-amz-content-sha256"],
        json!("bacff6243c850423883052ac3c336fd645994442933408dfd3f9e858e69bda07")
    );
    let unsigned = config.replace('}', r#", "disable_payload_signing": true}"#);
    let signed = sign(request, &unsigned).unwrap();
    assert_eq!(
        signed["headers"]["Authorization"],
        json!(format!("AWS4-HMAC-SHA256 {scope},SignedHeaders=foo;host;x-amz-content-sha256;x-amz-date,Signature=edcd3ca3fd3acdfbcecad1a1d8062dbc6562d90352e294c336f9727397f9c383"))
    );
    assert_eq!(
        signed["headers"]["x-amz-content-sha256"],
        json!("UNSIGNED-PAYLOAD")
    );
    let bad_flag = config.replace('}', r#", "disable_payload_signing": "false"}"#);
    for (request, config) in [
        (
            r#"{"method": "get", "url": "http://example.com"}"#,
            bad_flag.as_str(),
        ),
        (r#"{"url": "http://example.com"}"#, config),
        (
            r#"{"method": "get", "url": "http://example.com"}"#,
            r#"{"aws_service": "s3"}"#,
        ),
    ] {
        assert_eq!(sign(request, config), None, "{request} {config}");
    }
}

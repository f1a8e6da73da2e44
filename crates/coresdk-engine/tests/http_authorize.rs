//! Request authorization beyond the shared fixtures (fixtures/http): no token text ever
//! reaches an answer, the fail mode is counted, prints and decisions come back, many
//! threads authorize at once, and requests of any shape get an answer.

use coresdk_engine::{
    HttpRequest, KeySet, PolicyEngine, PolicyOptions, RequestOptions, TokenOptions, TokenVerifier,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

const SECRET: &[u8] = b"http-authorize-test-secret";
const POLICY: &str = r#"package http
default allow := false
allow if {
	print("checked", input.claims.sub)
	input.parsed_path == ["accounts", input.claims.sub]
}
"#;

fn token(sub: &str, secret: &[u8], expires_in: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = json!({"sub": sub, "exp": now + expires_in});
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn setup(fail_open: bool) -> (PolicyEngine, TokenVerifier) {
    let engine = PolicyEngine::new(PolicyOptions {
        fail_open,
        ..PolicyOptions::default()
    });
    engine.add_module("http.rego", POLICY).unwrap();
    let keys = KeySet::new().with_secret(None, "HS256", SECRET).unwrap();
    (engine, TokenVerifier::new(keys, TokenOptions::default()))
}

fn get(target: &str, authorization: Option<&str>) -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        target: target.into(),
        headers: authorization
            .map(|a| vec![("Authorization".to_string(), a.to_string())])
            .unwrap_or_default(),
        client_address: None,
        trace: None,
    }
}

#[test]
fn no_answer_ever_contains_the_token() {
    let (engine, verifier) = setup(false);
    let good = token("bob", SECRET, 600);
    let tokens = [
        token("bob", b"another-secret", 600),
        token("bob", SECRET, -3600),
        format!("{good}x"),
        "not.a.jwt-but-distinctive-text".to_string(),
        "x".repeat(20_000),
        format!("{}.{}", good.split('.').next().unwrap(), "e30"),
    ];
    for tok in &tokens {
        let answer = engine.authorize_request(
            &verifier,
            "data.http.allow",
            &get("/accounts/bob", Some(&format!("Bearer {tok}"))),
            &RequestOptions::default(),
        );
        assert_eq!(answer.status, 401, "{tok:.40}");
        let everything = format!(
            "{} {} {:?}",
            answer.input,
            answer.problem.clone().unwrap(),
            answer.error.as_ref().map(|e| e.message().to_string())
        );
        // Each token's most distinctive part: the payload, or the whole text.
        let part = tok.split('.').nth(1).filter(|p| p.len() > 8).unwrap_or(tok);
        assert!(!everything.contains(part), "{everything:.300}");
    }
}

#[test]
fn the_fail_mode_is_counted_and_decisions_carry_their_prints() {
    let (engine, verifier) = setup(true);
    let bob = format!("Bearer {}", token("bob", SECRET, 600));
    let answer = engine.authorize_request(
        &verifier,
        "data.nothing.allow",
        &get("/", Some(&bob)),
        &RequestOptions::default(),
    );
    assert_eq!((answer.status, answer.allowed), (200, true));
    assert_eq!(engine.fail_mode_count(), 1);
    let allowed = engine.authorize_request(
        &verifier,
        "data.http.allow",
        &get("/accounts/bob", Some(&bob)),
        &RequestOptions::default(),
    );
    let decision = allowed.decision.unwrap();
    assert_eq!(decision.result, Some(json!(true)));
    assert_eq!(decision.prints.len(), 1);
    assert!(
        decision.prints[0].ends_with("checked bob"),
        "{:?}",
        decision.prints
    );
    assert_eq!(allowed.claims.unwrap()["sub"], json!("bob"));
    assert_eq!(engine.fail_mode_count(), 1);
}

#[test]
fn many_threads_authorize_at_once_and_agree() {
    let (engine, verifier) = setup(false);
    let (engine, verifier) = (Arc::new(engine), Arc::new(verifier));
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let (engine, verifier) = (Arc::clone(&engine), Arc::clone(&verifier));
            std::thread::spawn(move || {
                let sub = format!("user{i}");
                let bearer = format!("Bearer {}", token(&sub, SECRET, 600));
                (0..200)
                    .map(|n| {
                        let target = if n % 2 == 0 {
                            format!("/accounts/{sub}")
                        } else {
                            "/accounts/other".into()
                        };
                        engine
                            .authorize_request(
                                &verifier,
                                "data.http.allow",
                                &get(&target, Some(&bearer)),
                                &RequestOptions::default(),
                            )
                            .status
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for handle in handles {
        let statuses = handle.join().unwrap();
        assert!(statuses.iter().step_by(2).all(|s| *s == 200));
        assert!(statuses.iter().skip(1).step_by(2).all(|s| *s == 403));
    }
}

#[test]
fn requests_of_any_shape_get_an_answer() {
    let (engine, verifier) = setup(false);
    let bob = format!("Bearer {}", token("bob", SECRET, 600));
    let long = format!("/{}", "a/".repeat(50_000));
    let targets = [
        "",
        "*",
        "?",
        "#",
        "//",
        "/%",
        "/%zz/%FF%FE",
        "http://",
        "https://h",
        &long,
    ];
    for target in targets {
        let mut request = get(target, Some(&bob));
        request.method = " delete\t".into();
        request.headers.push(("".into(), "no name".into()));
        request.headers.push(("X-Big".into(), "v".repeat(1 << 20)));
        let answer = engine.authorize_request(
            &verifier,
            "data.http.allow",
            &request,
            &RequestOptions::default(),
        );
        assert_eq!(answer.status, 403, "{target:.40}");
        assert_eq!(answer.input["method"], json!("DELETE"));
        assert!(answer.input["headers"].get("").is_none());
        assert_eq!(
            answer.input["headers"]["x-big"].as_str().map(str::len),
            Some(1 << 20)
        );
    }
}

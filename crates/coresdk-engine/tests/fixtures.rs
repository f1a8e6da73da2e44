//! Runs every golden case in `fixtures/` against the core (SPEC.md, "Parity fixtures").
//! The Node and Python suites run the same files; `fixtures/expected-failures.json`
//! lists known gaps per language, and a listed case must still fail.

use coresdk_engine::audit;
use coresdk_engine::bundle::Verification;
use coresdk_engine::{
    canonical, Decision, Error, HttpRequest, KeySet, MaskOptions, Masker, PolicyEngine,
    PolicyOptions, RequestOptions, TokenOptions, TokenVerifier,
};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn load_cases() -> Vec<Value> {
    let mut files = Vec::new();
    for area in std::fs::read_dir(fixtures_dir()).expect("fixtures dir") {
        let area = area.expect("entry").path();
        // cli/ and host-values/ have their own formats and runners (the CLI tests,
        // docs/HOST-VALUES.md).
        let own_runner = area
            .file_name()
            .is_some_and(|n| n == "cli" || n == "host-values");
        if !area.is_dir() || own_runner {
            continue;
        }
        for file in std::fs::read_dir(&area).expect("area dir") {
            let file = file.expect("entry").path();
            if file.extension().is_some_and(|e| e == "json") {
                files.push(file);
            }
        }
    }
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("fixture text");
        match serde_json::from_str::<Value>(&text).expect("fixture JSON") {
            Value::Array(items) => cases.extend(items),
            one => cases.push(one),
        }
    }
    cases
}

fn error_value(e: &Error) -> Value {
    let mut out = json!({ "error": e.code().as_str() });
    if let Some(loc) = e.location() {
        out["location"] = json!({ "file": loc.file, "line": loc.line, "column": loc.column });
    }
    out
}

/// The masker a fixture names: `strategy`, `key`, `sensitive_keys`, and the rest of its
/// options as the JSON configuration every binding passes (`MaskOptions::from_parts`).
fn mask_options(args: &Value) -> Result<MaskOptions, Error> {
    let options = args["options"].as_object().cloned().unwrap_or_default();
    let mut config = options.clone();
    for part in ["strategy", "key", "sensitive_keys"] {
        config.remove(part);
    }
    let sensitive_keys = options
        .get("sensitive_keys")
        .and_then(Value::as_array)
        .map(|keys| {
            keys.iter()
                .filter_map(|k| k.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    MaskOptions::from_parts(
        options
            .get("strategy")
            .and_then(Value::as_str)
            .unwrap_or("redact"),
        options
            .get("key")
            .and_then(Value::as_str)
            .map(str::as_bytes),
        sensitive_keys,
        (!config.is_empty())
            .then(|| Value::Object(config).to_string())
            .as_deref(),
    )
}

fn load_engine(args: &Value) -> Result<PolicyEngine, Error> {
    let options = &args["options"];
    let mut policy_options = PolicyOptions::default();
    if let Some(ms) = options["timeout_ms"].as_u64() {
        policy_options.timeout = Duration::from_millis(ms);
    }
    if let Some(strict) = options["strict_builtin_errors"].as_bool() {
        policy_options.strict_builtin_errors = strict;
    }
    if let Some(open) = options["fail_open"].as_bool() {
        policy_options.fail_open = open;
    }
    let engine = PolicyEngine::new(policy_options);
    let modules: Vec<(String, String)> = args["modules"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    engine.add_modules(&modules)?;
    if let Some(data) = args.get("data") {
        engine.add_data_json(data.to_string().as_bytes())?;
    }
    Ok(engine)
}

fn input_text(args: &Value) -> String {
    match (args.get("input_json"), args.get("input")) {
        (Some(Value::String(raw)), _) => raw.clone(),
        (_, Some(input)) => input.to_string(),
        _ => "{}".to_string(),
    }
}

/// A decision in the shape of `expect`: `result` or `undefined`, plus `revision` and
/// `bundle_revision` when the case asks for them.
fn decision_value(d: Decision, expect: &Value) -> Value {
    let mut out = match d.result {
        Some(result) => json!({ "result": result }),
        None => json!({ "undefined": true }),
    };
    if expect.get("revision").is_some() {
        out["revision"] = json!(d.revision);
    }
    if expect.get("bundle_revision").is_some() {
        out["bundle_revision"] = json!(d.bundle_revision);
    }
    out
}

/// The verification settings of a `bundle_evaluate` case.
fn verification(args: &Value) -> Result<Option<Verification>, Error> {
    let Some(v) = args.get("verification") else {
        return Ok(None);
    };
    Verification::from_parts(
        v["algorithm"].as_str().unwrap_or_default(),
        v["public_key"].as_str(),
        v["secret"].as_str().map(str::as_bytes),
        v["key_id"].as_str().map(str::to_string),
        v["scope"].as_str().map(str::to_string),
    )
    .map(Some)
}

/// The verifier of an `authenticate` case.
fn token_verifier(args: &Value) -> Result<TokenVerifier, Error> {
    let mut keys = match args.get("jwks") {
        Some(jwks) => KeySet::from_jwks_json(jwks.to_string().as_bytes())?,
        None => KeySet::new(),
    };
    for key in args["keys"].as_array().into_iter().flatten() {
        let alg = key["algorithm"].as_str().unwrap_or_default();
        let kid = key["key_id"].as_str();
        keys = match (key["public_key"].as_str(), key["secret"].as_str()) {
            (Some(pem), _) => keys.with_public_pem(kid, alg, pem)?,
            (_, Some(secret)) => keys.with_secret(kid, alg, secret.as_bytes())?,
            _ => panic!("a key needs public_key or secret"),
        };
    }
    let strings = |name: &str| -> Vec<String> {
        args[name]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let mut options = TokenOptions {
        issuers: strings("issuers"),
        audiences: strings("audiences"),
        required_claims: strings("required_claims"),
        ..TokenOptions::default()
    };
    if let Some(seconds) = args["leeway_seconds"].as_u64() {
        options.leeway = Duration::from_secs(seconds);
    }
    Ok(TokenVerifier::new(keys, options))
}

/// Runs one case and returns what it produced, in the shape of `expect`.
fn run(case: &Value) -> Value {
    let args = &case["args"];
    let expect = &case["expect"];
    let outcome: Result<Value, Error> = match case["op"].as_str().unwrap_or_default() {
        "evaluate" => load_engine(args).and_then(|engine| {
            let path = args["path"].as_str().unwrap_or_default();
            engine
                .evaluate(path, input_text(args).as_bytes())
                .map(|d| decision_value(d, expect))
        }),
        "allowed" => load_engine(args).map(|engine| {
            let path = args["path"].as_str().unwrap_or_default();
            let allowed = engine.allowed(path, input_text(args).as_bytes());
            json!({ "allowed": allowed, "fail_mode_count": engine.fail_mode_count() })
        }),
        "bundle_evaluate" => verification(args).and_then(|v| {
            let engine = PolicyEngine::default();
            let file = fixtures_dir().join(args["bundle"].as_str().unwrap_or_default());
            engine.load_bundle_path(file, v.as_ref())?;
            let path = args["path"].as_str().unwrap_or_default();
            engine
                .evaluate(path, input_text(args).as_bytes())
                .map(|d| decision_value(d, expect))
        }),
        "authenticate" => token_verifier(args).and_then(|verifier| {
            let claims = verifier.verify(args["token"].as_str().unwrap_or_default())?;
            Ok(json!({ "claims": claims }))
        }),
        "authorize_request" => load_engine(args).and_then(|engine| {
            let verifier = token_verifier(args)?;
            Ok(authorize_request(&engine, &verifier, args, expect))
        }),
        "audit_verify" => {
            let log = std::fs::read(fixtures_dir().join(args["log"].as_str().unwrap_or_default()))
                .expect("audit fixture log");
            let key = args["key"].as_str().unwrap_or_default().as_bytes();
            Ok(audit::verify(&log, key, args["expected_head"].as_str()).to_json())
        }
        "query" => load_engine(args).and_then(|engine| {
            let query = args["query"].as_str().unwrap_or_default();
            engine
                .query(query, input_text(args).as_bytes())
                .map(|d| json!({ "rows": d.rows }))
        }),
        "mask_text" => mask_options(args)
            .and_then(Masker::new)
            .map(|m| json!({ "text": m.mask_text(args["text"].as_str().unwrap_or_default()) })),
        "mask_value" => mask_options(args)
            .and_then(Masker::new)
            .and_then(|m| m.mask_value(&args["value"]))
            .map(|value| json!({ "value": value })),
        "scan" => mask_options(args).and_then(Masker::new).map(|m| {
            let findings: Vec<Value> = m
                .scan(args["text"].as_str().unwrap_or_default())
                .iter()
                .map(|f| f.to_json())
                .collect();
            json!({ "findings": findings })
        }),
        "canonicalize" => {
            let text = args["json"].as_str().unwrap_or_default().as_bytes();
            canonical::canonicalize_json(text)
                .and_then(|c| Ok(json!({ "canonical": c, "sha256": canonical::hash_json(text)? })))
        }
        other => panic!("unknown op {other}"),
    };
    outcome.unwrap_or_else(|e| error_value(&e))
}

/// An `authorize_request` case's answer, with the keys `expect` names (status and
/// allowed always); a problem's random decision id is written `<decision id>`.
fn authorize_request(
    engine: &PolicyEngine,
    verifier: &TokenVerifier,
    args: &Value,
    expect: &Value,
) -> Value {
    let r = &args["request"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let request = HttpRequest {
        method: text(&r["method"]),
        target: text(&r["target"]),
        headers: r["headers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|pair| (text(&pair[0]), text(&pair[1])))
            .collect(),
        client_address: r["client_address"].as_str().map(str::to_string),
        trace: None,
    };
    let o = &args["request_options"];
    let options = RequestOptions {
        include_headers: o["include_headers"]
            .as_array()
            .map(|names| names.iter().map(text).collect()),
        token_optional: o["token_optional"].as_bool().unwrap_or(false),
    };
    let rule = args["rule"].as_str().unwrap_or_default();
    let answer = engine.authorize_request(verifier, rule, &request, &options);
    let mut problem = answer.problem.unwrap_or(Value::Null);
    if let Some(id) = problem.get_mut("decision_id") {
        *id = json!("<decision id>");
    }
    let all = json!({
        "status": answer.status,
        "allowed": answer.allowed,
        "result": answer.decision.and_then(|d| d.result),
        "claims": answer.claims,
        "input": answer.input,
        "problem": problem,
        "www_authenticate": answer.www_authenticate,
        "error": answer.error.map(|e| e.code().as_str()),
    });
    let wanted = expect.as_object().cloned().unwrap_or_default();
    Value::Object(
        all.as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| wanted.contains_key(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// Compares with JSON types respected and numbers compared as doubles (1 == 1.0), the
/// way JavaScript sees them.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn expected_failures() -> serde_json::Map<String, Value> {
    let path = fixtures_dir().join("expected-failures.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|_| "{}".into());
    let all: Value = serde_json::from_str(&text).expect("expected-failures.json");
    all["rust"].as_object().cloned().unwrap_or_default()
}

#[test]
fn every_fixture_matches_its_golden_expectation() {
    let cases = load_cases();
    assert!(cases.len() >= 150, "only {} cases", cases.len());
    let known = expected_failures();
    let mut failures = Vec::new();
    let mut stale = Vec::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap_or("<no id>");
        let got = run(case);
        let ok = same(&got, &case["expect"]);
        match (ok, known.contains_key(id)) {
            (false, false) => {
                failures.push(format!("{id}\n   want {}\n    got {got}", case["expect"]))
            }
            (true, true) => stale.push(id.to_string()),
            _ => {}
        }
    }
    println!(
        "{} fixture cases, {} expected failures",
        cases.len(),
        known.len()
    );
    assert!(
        stale.is_empty(),
        "expected failures that now pass: {stale:?}"
    );
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

//! OPA bundles: archive handling, manifest and roots, data placement, signatures.

mod support;

use coresdk_engine::bundle::{Bundle, Verification, VerificationKey};
use coresdk_engine::{ErrorCode, PolicyEngine};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use support::{tar_gz, tar_gz_bytes};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn code(bytes: &[u8], verification: Option<&Verification>) -> ErrorCode {
    Bundle::from_tar_gz(bytes, verification).unwrap_err().code()
}

#[test]
fn reads_manifest_modules_and_data_at_their_paths() {
    let bundle = Bundle::from_tar_gz(
        &tar_gz(&[
            (
                "/.manifest",
                r#"{"revision":"r7","roots":["a","c"],"metadata":{"team":"x"},"future_field":1}"#,
            ),
            ("./a/b/policy.rego", "package a.b\nallow := true\n"),
            ("a/b/data.json", r#"{"limit": 3}"#),
            ("a/data.yaml", "owners:\n  - alice\n"),
            ("c/data.json", "[1, 2]"),
            ("a/b/other.json", "not data, ignored"),
            ("README.md", "ignored"),
        ]),
        None,
    )
    .unwrap();
    assert_eq!(bundle.revision(), "r7");
    assert_eq!(bundle.manifest.roots, ["a", "c"]);
    assert_eq!(bundle.manifest.metadata["team"], json!("x"));
    assert_eq!(bundle.modules.len(), 1);
    assert_eq!(bundle.modules[0].path, "a/b/policy.rego");
    assert_eq!(bundle.modules[0].rego_version, None);
    assert_eq!(
        bundle.data,
        json!({"a": {"b": {"limit": 3}, "owners": ["alice"]}, "c": [1, 2]})
    );
}

#[test]
fn root_data_json_is_merged_at_the_top_and_must_respect_roots() {
    let ok = Bundle::from_tar_gz(
        &tar_gz(&[("data.json", r#"{"x": {"y": 1}}"#), ("x/z/data.json", "2")]),
        None,
    )
    .unwrap();
    assert_eq!(ok.data, json!({"x": {"y": 1, "z": 2}}));
    let outside = tar_gz(&[
        (".manifest", r#"{"roots":["x"]}"#),
        ("data.json", r#"{"q": 1}"#),
    ]);
    assert_eq!(code(&outside, None), ErrorCode::BundleInvalid);
    let conflict = tar_gz(&[("data.json", r#"{"x": 1}"#), ("x/data.json", r#"{"y": 2}"#)]);
    assert_eq!(code(&conflict, None), ErrorCode::BundleInvalid);
    let not_object = tar_gz(&[("data.json", "[1]")]);
    assert_eq!(code(&not_object, None), ErrorCode::BundleInvalid);
}

#[test]
fn roots_are_enforced() {
    let module_outside = tar_gz(&[
        (".manifest", r#"{"roots":["a"]}"#),
        ("p.rego", "package b\nx := 1\n"),
    ]);
    assert_eq!(code(&module_outside, None), ErrorCode::BundleInvalid);
    let prefix_is_not_a_root = tar_gz(&[
        (".manifest", r#"{"roots":["a"]}"#),
        ("p.rego", "package ab\nx := 1\n"),
    ]);
    assert_eq!(code(&prefix_is_not_a_root, None), ErrorCode::BundleInvalid);
    let data_outside = tar_gz(&[(".manifest", r#"{"roots":["a"]}"#), ("b/data.json", "{}")]);
    assert_eq!(code(&data_outside, None), ErrorCode::BundleInvalid);
    let overlapping = tar_gz(&[(".manifest", r#"{"roots":["a","a/b"]}"#)]);
    assert_eq!(code(&overlapping, None), ErrorCode::BundleInvalid);
    let nested_ok = tar_gz(&[
        (".manifest", r#"{"roots":["a/b"]}"#),
        ("p.rego", "package a.b.c\nx := 1\n"),
    ]);
    assert!(Bundle::from_tar_gz(&nested_ok, None).is_ok());
}

#[test]
fn malformed_parts_are_bundle_invalid() {
    for files in [
        vec![(".manifest", "{not json")],
        vec![(".manifest", r#"{"revision": 7}"#)],
        vec![(".manifest", r#"{"roots": "a"}"#)],
        vec![(".manifest", r#"{"rego_version": 2}"#)],
        vec![("a/data.json", "{bad")],
        vec![("a/data.yaml", "a: [1, 2")],
        vec![("p.rego", "x := 1\n")],
        vec![("../escape.rego", "package x\n")],
        vec![("a/../../escape.rego", "package x\n")],
    ] {
        assert_eq!(
            code(&tar_gz(&files), None),
            ErrorCode::BundleInvalid,
            "{files:?}"
        );
    }
    assert_eq!(code(b"plain bytes", None), ErrorCode::BundleInvalid);
    let mut truncated = tar_gz(&[("p.rego", "package x\nx := 1\n")]);
    truncated.truncate(truncated.len() / 2);
    assert_eq!(code(&truncated, None), ErrorCode::BundleInvalid);
}

#[test]
fn links_are_refused() {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_size(0);
    builder
        .append_link(&mut header, "p.rego", "/etc/passwd")
        .unwrap();
    let bytes = builder.into_inner().unwrap().finish().unwrap();
    assert_eq!(code(&bytes, None), ErrorCode::BundleInvalid);
}

#[test]
fn invalid_utf8_module_is_bundle_invalid() {
    let bytes = tar_gz_bytes(&[("p.rego", b"package x\n\xff\xfe := 1\n")]);
    assert_eq!(code(&bytes, None), ErrorCode::BundleInvalid);
}

#[test]
fn size_limits_stop_gzip_bombs_and_file_floods() {
    // 300 MiB of zeros compresses to ~300 KiB; reading stops at the 256 MiB limit.
    let zeros = vec![0u8; 300 * 1024 * 1024];
    let bomb = tar_gz_bytes(&[("big.bin", &zeros)]);
    drop(zeros);
    assert!(bomb.len() < 2 * 1024 * 1024);
    assert_eq!(code(&bomb, None), ErrorCode::LimitExceeded);

    let names: Vec<String> = (0..10_001).map(|i| format!("f/{i}.txt")).collect();
    let files: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "")).collect();
    assert_eq!(code(&tar_gz(&files), None), ErrorCode::LimitExceeded);
}

#[test]
fn deep_data_is_limit_exceeded() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let bundle = tar_gz(&[("a/data.json", &deep)]);
    assert_eq!(code(&bundle, None), ErrorCode::LimitExceeded);
}

#[test]
fn rego_v0_modules_load_per_the_manifest() {
    let engine = PolicyEngine::default();
    let bundle = tar_gz(&[
        (
            ".manifest",
            r#"{"rego_version": 0, "file_rego_versions": {"/v1.rego": 1}}"#,
        ),
        ("v0.rego", "package old\nallow { input.x == 1 }\n"),
        ("v1.rego", "package new\nallow if input.x == 1\n"),
    ]);
    engine.load_bundle_bytes(&bundle, None).unwrap();
    for path in ["data.old.allow", "data.new.allow"] {
        let d = engine.evaluate(path, br#"{"x":1}"#).unwrap();
        assert_eq!(d.result, Some(json!(true)), "{path}");
    }
}

// --- signatures -------------------------------------------------------------------------

const SECRET: &[u8] = b"coresdk-test-secret";

fn key(name: &str) -> String {
    std::fs::read_to_string(fixtures().join("keys").join(name)).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Signs `files` the way `opa sign` does: a JWS over the list of file digests (raw bytes
/// here: these files are not structured, except data.json given already in normal form).
fn signed(
    files: &[(&str, &str)],
    alg: Algorithm,
    key: &EncodingKey,
    extra: serde_json::Value,
) -> Vec<u8> {
    let listed: Vec<_> = files
        .iter()
        .map(|(name, body)| json!({"name": name, "hash": sha256_hex(body.as_bytes()), "algorithm": "SHA-256"}))
        .collect();
    let mut claims = json!({"files": listed});
    if let (Some(claims), Some(extra)) = (claims.as_object_mut(), extra.as_object()) {
        claims.extend(extra.clone());
    }
    let token = jsonwebtoken::encode(&Header::new(alg), &claims, key).unwrap();
    let signatures = json!({"signatures": [token]}).to_string();
    let mut all = files.to_vec();
    all.push((".signatures.json", &signatures));
    tar_gz(&all)
}

const FILES: &[(&str, &str)] = &[
    ("p.rego", "package p\nallow := true\n"),
    ("p/data.json", r#"{"a":1}"#),
];

/// Verification with the committed public key `file`.
fn public(algorithm: &str, file: &str) -> Verification {
    Verification::from_parts(algorithm, Some(&key(file)), None, None, None).unwrap()
}

fn hs256() -> Verification {
    Verification::from_parts("HS256", None, Some(SECRET), None, None).unwrap()
}

#[test]
fn every_algorithm_family_verifies() {
    let pem = |name: &str| key(name).into_bytes();
    let cases = [
        (Algorithm::HS256, EncodingKey::from_secret(SECRET), hs256()),
        (
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(&pem("bundle-test-rsa.pem")).unwrap(),
            public("RS256", "bundle-test-rsa.pub.pem"),
        ),
        (
            Algorithm::PS384,
            EncodingKey::from_rsa_pem(&pem("bundle-test-rsa.pem")).unwrap(),
            public("PS384", "bundle-test-rsa.pub.pem"),
        ),
        (
            Algorithm::ES256,
            EncodingKey::from_ec_pem(&pem("bundle-test-ec.pem")).unwrap(),
            public("ES256", "bundle-test-ec.pub.pem"),
        ),
        (
            Algorithm::EdDSA,
            EncodingKey::from_ed_pem(&pem("bundle-test-ed25519.pem")).unwrap(),
            public("EdDSA", "bundle-test-ed25519.pub.pem"),
        ),
    ];
    for (alg, signing, verification) in cases {
        let bundle = signed(FILES, alg, &signing, json!({}));
        let parsed = Bundle::from_tar_gz(&bundle, Some(&verification));
        assert!(parsed.is_ok(), "{alg:?}: {parsed:?}");
        // Another family's key never verifies it.
        let other = if alg == Algorithm::HS256 {
            public("RS256", "bundle-test-rsa.pub.pem")
        } else {
            hs256()
        };
        assert_eq!(code(&bundle, Some(&other)), ErrorCode::Integrity, "{alg:?}");
    }
}

#[test]
fn tampering_is_integrity() {
    let signing = EncodingKey::from_secret(SECRET);
    let good = signed(FILES, Algorithm::HS256, &signing, json!({}));
    assert!(Bundle::from_tar_gz(&good, Some(&hs256())).is_ok());

    // A changed file after signing: rebuild the archive with the same signature.
    let archive = |files: &[(&str, &str)]| {
        let mut entries = files.to_vec();
        let sig = signatures_of(&good);
        entries.push((".signatures.json", &sig));
        tar_gz(&entries)
    };
    let changed_rego = archive(&[("p.rego", "package p\nallow := false\n"), FILES[1]]);
    assert_eq!(code(&changed_rego, Some(&hs256())), ErrorCode::Integrity);
    let changed_data = archive(&[FILES[0], ("p/data.json", r#"{"a":2}"#)]);
    assert_eq!(code(&changed_data, Some(&hs256())), ErrorCode::Integrity);
    let extra_file = archive(&[FILES[0], FILES[1], ("q.rego", "package q\n")]);
    assert_eq!(code(&extra_file, Some(&hs256())), ErrorCode::Integrity);
    let missing_file = archive(&[FILES[0]]);
    assert_eq!(code(&missing_file, Some(&hs256())), ErrorCode::Integrity);
    // Re-indenting signed JSON keeps the signature valid (OPA hashes its normal form).
    let reindented = archive(&[FILES[0], ("p/data.json", "{ \"a\" : 1 }\n")]);
    assert!(Bundle::from_tar_gz(&reindented, Some(&hs256())).is_ok());

    let unsigned = tar_gz(FILES);
    assert_eq!(code(&unsigned, Some(&hs256())), ErrorCode::Integrity);
    assert!(Bundle::from_tar_gz(&unsigned, None).is_ok());
    let wrong_secret = Verification::from_parts("HS256", None, Some(b"other"), None, None).unwrap();
    assert_eq!(code(&good, Some(&wrong_secret)), ErrorCode::Integrity);
}

fn signatures_of(bundle: &[u8]) -> String {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bundle));
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap().to_string_lossy() == ".signatures.json" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
            return text;
        }
    }
    panic!("no signatures");
}

#[test]
fn key_id_and_scope_must_match() {
    let signing = EncodingKey::from_secret(SECRET);
    let bundle = signed(
        FILES,
        Algorithm::HS256,
        &signing,
        json!({"keyid": "k1", "scope": "write"}),
    );
    let with = |key_id: Option<&str>, scope: Option<&str>| {
        Verification::from_parts(
            "HS256",
            None,
            Some(SECRET),
            key_id.map(str::to_string),
            scope.map(str::to_string),
        )
        .unwrap()
    };
    assert!(Bundle::from_tar_gz(&bundle, Some(&with(Some("k1"), Some("write")))).is_ok());
    assert!(Bundle::from_tar_gz(&bundle, Some(&with(None, Some("write")))).is_ok());
    assert_eq!(
        code(&bundle, Some(&with(Some("k2"), Some("write")))),
        ErrorCode::Integrity
    );
    assert_eq!(
        code(&bundle, Some(&with(Some("k1"), None))),
        ErrorCode::Integrity
    );
}

#[test]
fn signature_file_shapes() {
    let two = json!({"signatures": ["a.b.c", "d.e.f"]}).to_string();
    let none = json!({"signatures": []}).to_string();
    let garbage = json!({"signatures": ["not-a-jwt"]}).to_string();
    let broken = "{".to_string();
    let cases = [
        (&two, ErrorCode::BundleInvalid),
        (&none, ErrorCode::Integrity),
        (&garbage, ErrorCode::Integrity),
        (&broken, ErrorCode::BundleInvalid),
    ];
    for (signatures, expected) in cases {
        let bundle = tar_gz(&[FILES[0], (".signatures.json", signatures)]);
        assert_eq!(code(&bundle, Some(&hs256())), expected, "{signatures}");
    }
}

#[test]
fn unusable_verification_settings_are_invalid_argument() {
    let pem = key("bundle-test-rsa.pub.pem");
    for (alg, public, secret) in [
        ("none", None, Some(SECRET)),
        ("HS999", None, Some(SECRET)),
        ("HS256", None, None),
        ("HS256", Some(pem.as_str()), None),
        ("RS256", None, Some(SECRET)),
        ("RS256", Some(pem.as_str()), Some(SECRET)),
    ] {
        let err = Verification::from_parts(alg, public, secret, None, None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument, "{alg}");
    }
    // A PEM that is not a key fails when used, as INVALID_ARGUMENT, not as a bad bundle.
    let junk = Verification {
        key: VerificationKey::PublicPem(
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".into(),
        ),
        algorithm: "RS256".into(),
        key_id: None,
        scope: None,
    };
    assert_eq!(
        code(&tar_gz(FILES), Some(&junk)),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn committed_fixture_bundles_verify_against_the_python_generator() {
    let dir = fixtures().join("bundles");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let hs = hs256();
    let rs = public("RS256", "bundle-test-rsa.pub.pem");
    assert_eq!(
        Bundle::from_tar_gz(&read("rbac-signed-hs256.tar.gz"), Some(&hs))
            .unwrap()
            .revision(),
        "rbac-v1"
    );
    assert!(Bundle::from_tar_gz(&read("rbac-signed-rs256.tar.gz"), Some(&rs)).is_ok());
    assert_eq!(
        code(&read("rbac-tampered.tar.gz"), Some(&hs)),
        ErrorCode::Integrity
    );
    assert_eq!(code(&read("rbac.tar.gz"), Some(&hs)), ErrorCode::Integrity);
    assert_eq!(
        code(&read("bad-roots.tar.gz"), None),
        ErrorCode::BundleInvalid
    );
    assert_eq!(
        code(&read("not-gzip.tar.gz"), None),
        ErrorCode::BundleInvalid
    );
}

#[test]
fn a_bundle_directory_reads_like_its_archive() {
    let dir = std::env::temp_dir().join(format!("coresdk-bundle-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join(".manifest"), r#"{"revision":"d1","roots":["a"]}"#).unwrap();
    std::fs::write(dir.join("a/p.rego"), "package a\nx := data.a.v\n").unwrap();
    std::fs::write(dir.join("a/data.json"), r#"{"v": 5}"#).unwrap();
    let bundle = Bundle::from_dir(&dir, None).unwrap();
    assert_eq!(
        (bundle.revision(), &bundle.data),
        ("d1", &json!({"a": {"v": 5}}))
    );
    let engine = PolicyEngine::default();
    engine.load_bundle_path(&dir, None).unwrap();
    assert_eq!(
        engine.evaluate("data.a.x", b"{}").unwrap().result,
        Some(json!(5))
    );
    assert_eq!(engine.bundle_revision().as_deref(), Some("d1"));
    let missing = Bundle::from_dir(&dir.join("nope"), None).unwrap_err();
    assert_eq!(missing.code(), ErrorCode::SourceUnavailable);

    // Without a .manifest the bundle names no revision: None, never "".
    std::fs::remove_file(dir.join(".manifest")).unwrap();
    engine.load_bundle_path(&dir, None).unwrap();
    assert_eq!(engine.bundle_revision(), None);
    let decision = engine.evaluate("data.a.x", b"{}").unwrap();
    assert_eq!(
        (decision.result, decision.bundle_revision),
        (Some(json!(5)), None)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_bundle_never_replaces_the_serving_one() {
    let engine = PolicyEngine::default();
    engine
        .load_bundle_bytes(
            &tar_gz(&[
                (".manifest", r#"{"revision":"good"}"#),
                ("p.rego", "package p\nx := 1\n"),
            ]),
            None,
        )
        .unwrap();
    for bad in [
        tar_gz(&[("p.rego", "package p\nx := \n")]),
        tar_gz(&[
            (".manifest", r#"{"roots":["q"]}"#),
            ("p.rego", "package p\nx := 2\n"),
        ]),
        b"junk".to_vec(),
    ] {
        assert!(engine.load_bundle_bytes(&bad, None).is_err());
    }
    assert_eq!(engine.bundle_revision().as_deref(), Some("good"));
    assert_eq!(
        engine.evaluate("data.p.x", b"{}").unwrap().result,
        Some(json!(1))
    );
    assert_eq!(
        engine.metrics()["reloads"],
        json!({"success": 1, "failure": 3})
    );
}

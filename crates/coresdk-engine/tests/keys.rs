//! The KeyProvider interface and the software key store: file permissions, key kinds,
//! and the audit log and last-known-good cache taking their keys from a provider.

use coresdk_engine::audit::{self, AuditLog, AuditOptions};
use coresdk_engine::{CachedBundle, LastKnownGood};
use coresdk_engine::{Decision, ErrorCode, KeyProvider, Result, SoftwareKeyStore};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

fn temp(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("coresdk-keys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

#[cfg(unix)]
fn write_with_mode(path: &std::path::Path, text: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn key_files_must_be_private() {
    // "Jefe" and an all-zero Ed25519 seed, base64.
    let text = r#"{"keys": {"mac": {"type": "hmac", "base64": "SmVmZQ=="}, "sig": {"type": "ed25519", "base64": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}}"#;
    let path = temp("file");
    write_with_mode(&path, text, 0o600);
    let store = SoftwareKeyStore::from_file(&path).unwrap();
    // RFC 4231 test case 2.
    let mac = store.hmac("mac", b"what do ya want for nothing?").unwrap();
    assert_eq!(mac[..4], [0x5b, 0xdc, 0xc1, 0x46]);
    let signature = store.sign("sig", b"hello").unwrap();
    assert!(store.verify("sig", b"hello", &signature).unwrap());
    assert!(!store.verify("sig", b"hellO", &signature).unwrap());
    assert!(
        !format!("{store:?}").contains("SmVm"),
        "Debug shows key ids only"
    );

    write_with_mode(&path, text, 0o644);
    assert_eq!(
        SoftwareKeyStore::from_file(&path).unwrap_err().code(),
        ErrorCode::KeyUnavailable
    );
    for bad in [
        r#"{"keys": {"k": {"type": "rsa", "base64": "AA=="}}}"#,
        r#"{"keys": {"k": {"type": "hmac"}}}"#,
        "[]",
    ] {
        write_with_mode(&path, bad, 0o600);
        assert_eq!(
            SoftwareKeyStore::from_file(&path).unwrap_err().code(),
            ErrorCode::InvalidArgument,
            "{bad}"
        );
    }
    write_with_mode(&path, "{", 0o600);
    assert_eq!(
        SoftwareKeyStore::from_file(&path).unwrap_err().code(),
        ErrorCode::InvalidJson
    );
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        SoftwareKeyStore::from_file(&path).unwrap_err().code(),
        ErrorCode::KeyUnavailable
    );
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn software_store_decrypts_aes_256_gcm() {
    // NIST GCM test case 14: all-zero key, nonce and 16-byte plaintext.
    let store = SoftwareKeyStore::new()
        .with_aes256gcm_key("enc", &[0u8; 32])
        .unwrap();
    let known = hex(
        "000000000000000000000000cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919",
    );
    assert_eq!(store.decrypt("enc", &known).unwrap(), vec![0u8; 16]);

    let sealed = store.encrypt("enc", b"db password").unwrap();
    assert_eq!(sealed.len(), 12 + 11 + 16, "nonce, ciphertext, tag");
    assert_eq!(store.decrypt("enc", &sealed).unwrap(), b"db password");
    assert_ne!(
        store.encrypt("enc", b"db password").unwrap(),
        sealed,
        "a fresh nonce each time"
    );
    for i in 0..sealed.len() {
        let mut flipped = sealed.clone();
        flipped[i] ^= 0x01;
        assert_eq!(
            store.decrypt("enc", &flipped).unwrap_err().code(),
            ErrorCode::Integrity,
            "byte {i}"
        );
    }
    for cut in [0, 5, 12, 27] {
        assert_eq!(
            store.decrypt("enc", &sealed[..cut]).unwrap_err().code(),
            ErrorCode::Integrity,
            "cut at {cut}"
        );
    }
    let other = SoftwareKeyStore::new()
        .with_aes256gcm_key("enc", &[7u8; 32])
        .unwrap();
    assert_eq!(
        other.decrypt("enc", &sealed).unwrap_err().code(),
        ErrorCode::Integrity
    );
    assert_eq!(
        SoftwareKeyStore::new()
            .with_aes256gcm_key("enc", &[0u8; 16])
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        store.hmac("enc", b"x").unwrap_err().code(),
        ErrorCode::KeyUnavailable
    );
}

#[cfg(unix)]
#[test]
fn key_files_hold_encryption_keys() {
    let path = temp("aes");
    let text = r#"{"keys": {"enc": {"type": "aes256gcm", "base64": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}}"#;
    write_with_mode(&path, text, 0o600);
    let store = SoftwareKeyStore::from_file(&path).unwrap();
    let known = hex(
        "000000000000000000000000cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919",
    );
    assert_eq!(store.decrypt("enc", &known).unwrap(), vec![0u8; 16]);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn missing_or_wrong_kind_of_key_is_key_unavailable() {
    let store = SoftwareKeyStore::new().with_hmac_key("mac", b"k").unwrap();
    assert_eq!(
        store.hmac("other", b"x").unwrap_err().code(),
        ErrorCode::KeyUnavailable
    );
    assert_eq!(
        store.sign("mac", b"x").unwrap_err().code(),
        ErrorCode::KeyUnavailable
    );
    assert_eq!(
        store.decrypt("mac", b"x").unwrap_err().code(),
        ErrorCode::KeyUnavailable
    );
    assert_eq!(
        SoftwareKeyStore::new()
            .with_hmac_key("e", b"")
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        SoftwareKeyStore::new()
            .with_ed25519_seed("e", b"short")
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
}

/// A provider standing in for a KMS: counts calls, delegates to a software store.
struct CountingProvider {
    inner: SoftwareKeyStore,
    calls: AtomicU64,
}

impl KeyProvider for CountingProvider {
    fn hmac(&self, key_id: &str, data: &[u8]) -> Result<Vec<u8>> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.inner.hmac(key_id, data)
    }
    fn sign(&self, key_id: &str, data: &[u8]) -> Result<Vec<u8>> {
        self.inner.sign(key_id, data)
    }
    fn verify(&self, key_id: &str, data: &[u8], signature: &[u8]) -> Result<bool> {
        self.inner.verify(key_id, data, signature)
    }
    fn decrypt(&self, key_id: &str, ciphertext: &[u8]) -> Result<Vec<u8>> {
        self.inner.decrypt(key_id, ciphertext)
    }
}

#[test]
fn the_audit_log_and_the_cache_take_keys_from_a_provider() {
    let provider = Arc::new(CountingProvider {
        inner: SoftwareKeyStore::new()
            .with_hmac_key("kms-audit", b"secret")
            .unwrap(),
        calls: AtomicU64::new(0),
    });
    let path = temp("audit");
    let log = AuditLog::open_with_provider(
        &path,
        provider.clone(),
        "kms-audit",
        AuditOptions::default(),
    )
    .unwrap();
    let decision = Decision {
        result: Some(serde_json::json!(true)),
        revision: 1,
        bundle_revision: None,
        decision_id: "d".into(),
        duration_us: 0,
        cached: false,
        prints: Vec::new(),
    };
    log.append(&decision, "q", b"{}").unwrap();
    assert!(provider.calls.load(Ordering::Relaxed) >= 2);
    let bytes = std::fs::read(&path).unwrap();
    assert!(audit::verify_with(&bytes, provider.as_ref(), "kms-audit", Some(&log.head())).intact());
    // The same secret given as bytes verifies too: the provider is where the key lives,
    // not a different format.
    assert!(audit::verify(&bytes, b"secret", None).intact());
    assert_eq!(
        AuditLog::open_with_provider(
            &path,
            provider.clone(),
            "no-such-key",
            AuditOptions::default()
        )
        .unwrap_err()
        .code(),
        ErrorCode::KeyUnavailable
    );
    let _ = std::fs::remove_file(&path);

    let lkg = LastKnownGood::with_provider(temp("lkg"), provider.clone(), "kms-audit");
    let entry = CachedBundle {
        bundle: b"bytes".to_vec(),
        etag: None,
        revision: "r".into(),
    };
    lkg.store(&entry).unwrap();
    assert_eq!(lkg.load().unwrap(), Some(entry));
    let missing = LastKnownGood::with_provider(lkg.path().to_path_buf(), provider, "no-such-key");
    assert_eq!(
        missing.load().unwrap_err().code(),
        ErrorCode::KeyUnavailable
    );
    let _ = std::fs::remove_file(lkg.path());
}

#[test]
fn tokens_made_from_a_raw_key_unmask_through_a_provider_holding_it() {
    use coresdk_engine::mask::{unmask_text, MaskOptions, Masker, Strategy};
    use coresdk_engine::provider_keys;
    let masker = Masker::new(MaskOptions {
        strategy: Strategy::Tokenize {
            key_id: "k1".into(),
            key: b"kms-held-secret".to_vec(),
        },
        ..Default::default()
    })
    .expect("masker");
    let masked = masker.mask_text("mail bob@example.com");
    assert!(masked.starts_with("mail [EMAIL:tok:k1:"), "{masked}");
    let store = SoftwareKeyStore::new()
        .with_hmac_key("k1", b"kms-held-secret")
        .expect("store");
    let back = unmask_text(&masked, &mut provider_keys(&store)).expect("unmask");
    assert_eq!(back, "mail bob@example.com");
    let other = SoftwareKeyStore::new()
        .with_hmac_key("k2", b"kms-held-secret")
        .expect("store");
    let err = unmask_text(&masked, &mut provider_keys(&other)).expect_err("no k1");
    assert_eq!(err.code(), ErrorCode::KeyUnavailable);
}

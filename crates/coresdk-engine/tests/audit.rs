//! The audit chain: records, checkpoints, reopening, concurrency, and every single
//! mutation of a valid log detected at the right line.

use coresdk_engine::audit::{self, AuditLog, AuditOptions, Durability};
use coresdk_engine::{Decision, ErrorCode};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;

const KEY: &[u8] = b"audit-test-key";

fn temp(name: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("coresdk-audit-{name}-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

fn decision(n: u64) -> Decision {
    Decision {
        result: if n % 3 == 0 {
            None
        } else {
            Some(json!(n % 2 == 0))
        },
        revision: 7,
        bundle_revision: Some("b1".into()),
        decision_id: format!("id-{n}"),
        duration_us: 5,
        cached: false,
        prints: Vec::new(),
    }
}

fn options(every: u64) -> AuditOptions {
    AuditOptions {
        checkpoint_every: every,
        durability: Durability::OsBuffered,
    }
}

/// A log of `n` decisions with a checkpoint every `every`; returns (bytes, head).
fn log(name: &str, n: u64, every: u64) -> (Vec<u8>, String) {
    let path = temp(name);
    let log = AuditLog::open(&path, KEY, options(every)).unwrap();
    for i in 0..n {
        let input = format!(r#"{{"user":"u{i}","email":"u{i}@example.com"}}"#);
        log.append(&decision(i), "data.authz.allow", input.as_bytes())
            .unwrap();
    }
    let head = log.head();
    let bytes = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    (bytes, head)
}

#[test]
fn records_are_chained_checkpointed_and_masked() {
    let (bytes, head) = log("basic", 25, 10);
    let report = audit::verify(&bytes, KEY, Some(&head));
    assert!(report.intact(), "{report:?}");
    assert_eq!((report.lines, report.checkpoints), (27, 2));
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        !text.contains("@example.com"),
        "inputs are masked before they are written"
    );
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["seq"], json!(0));
    assert_eq!(first["prev"], json!(audit::GENESIS));
    assert_eq!(first["input"]["email"], json!("[REDACTED:EMAIL]"));
    assert_eq!(first["defined"], json!(false));
    assert_eq!(first["query"], json!("data.authz.allow"));
    let checkpoint: Value = serde_json::from_str(text.lines().nth(10).unwrap()).unwrap();
    assert_eq!(
        (
            checkpoint["type"].as_str(),
            checkpoint["first"].as_u64(),
            checkpoint["last"].as_u64()
        ),
        (Some("checkpoint"), Some(0), Some(9))
    );
    assert_eq!(audit::verify(&[], KEY, None).lines, 0);
}

#[test]
fn a_wrong_key_fails_at_the_first_record() {
    let (bytes, _) = log("key", 3, 10);
    let report = audit::verify(&bytes, b"another-key", None);
    assert_eq!(
        report.problem.map(|p| (p.line, p.reason)),
        Some((1, "hmac".to_string()))
    );
}

#[test]
fn every_single_mutation_is_detected_at_its_line() {
    let (bytes, head) = log("mutations", 12, 5);
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let join = |ls: &[&str]| {
        ls.iter()
            .map(|l| format!("{l}\n"))
            .collect::<String>()
            .into_bytes()
    };
    let check = |mutated: Vec<u8>, line: u64, what: &str| {
        let report = audit::verify(&mutated, KEY, Some(&head));
        let problem = report
            .problem
            .unwrap_or_else(|| panic!("{what}: not detected"));
        assert!(
            problem.line <= line,
            "{what}: detected at {} after line {line}",
            problem.line
        );
    };
    for (i, line) in lines.iter().enumerate() {
        let n = i as u64 + 1;
        // Every byte of the line changed, one at a time (ASCII letters/digits swapped for
        // another character of the same class, everything else for 'x').
        for (at, byte) in line.bytes().enumerate() {
            let replacement = match byte {
                b'0'..=b'8' | b'a'..=b'e' => byte + 1,
                b'9' => b'0',
                b'f' => b'a',
                b'x' => b'y',
                _ => b'x',
            };
            let mut edited = line.as_bytes().to_vec();
            edited[at] = replacement;
            let edited = String::from_utf8_lossy(&edited).into_owned();
            let mut all = lines.clone();
            all[i] = &edited;
            check(join(&all), n, &format!("byte {at} of line {n}"));
        }
        let mut deleted = lines.clone();
        deleted.remove(i);
        check(join(&deleted), n, &format!("deleting line {n}"));
        let mut duplicated = lines.clone();
        duplicated.insert(i, line);
        check(join(&duplicated), n + 1, &format!("duplicating line {n}"));
        if i + 1 < lines.len() {
            let mut swapped = lines.clone();
            swapped.swap(i, i + 1);
            check(
                join(&swapped),
                n,
                &format!("swapping lines {n} and {}", n + 1),
            );
        }
        let mut torn = join(&lines[..i]);
        torn.extend_from_slice(&line.as_bytes()[..line.len() / 2]);
        check(torn, n, &format!("tearing line {n}"));
        check(join(&lines[..i]), n, &format!("truncating before line {n}"));
    }
}

#[test]
fn reopening_continues_the_chain_and_refuses_a_broken_log() {
    let path = temp("reopen");
    {
        let log = AuditLog::open(&path, KEY, options(4)).unwrap();
        for i in 0..6 {
            log.append(&decision(i), "q", b"{}").unwrap();
        }
    }
    let log = AuditLog::open(&path, KEY, options(4)).unwrap();
    for i in 6..10 {
        log.append(&decision(i), "q", b"{}").unwrap();
    }
    let head = log.head();
    drop(log);
    let bytes = std::fs::read(&path).unwrap();
    let report = audit::verify(&bytes, KEY, Some(&head));
    assert!(report.intact(), "{report:?}");
    assert_eq!((report.lines, report.checkpoints), (12, 2));

    assert_eq!(
        AuditLog::open(&path, b"wrong", options(4))
            .unwrap_err()
            .code(),
        ErrorCode::Integrity
    );
    let mut torn = bytes.clone();
    torn.truncate(torn.len() - 10);
    std::fs::write(&path, &torn).unwrap();
    assert_eq!(
        AuditLog::open(&path, KEY, options(4)).unwrap_err().code(),
        ErrorCode::Integrity
    );
    assert_eq!(
        AuditLog::open(&path, b"", options(4)).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn concurrent_appends_form_one_chain() {
    let path = temp("threads");
    let log = Arc::new(
        AuditLog::open(
            &path,
            KEY,
            AuditOptions {
                checkpoint_every: 16,
                durability: Durability::EveryRecord,
            },
        )
        .unwrap(),
    );
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let log = log.clone();
            std::thread::spawn(move || {
                for i in 0..50 {
                    log.append(&decision(t * 100 + i), "q", br#"{"k":1}"#)
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let report = audit::verify(&std::fs::read(&path).unwrap(), KEY, Some(&log.head()));
    assert!(report.intact(), "{report:?}");
    assert_eq!(report.lines - report.checkpoints, 200);
    assert_eq!(report.checkpoints, 12);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let path = temp("bad");
    let log = AuditLog::open(&path, KEY, options(10)).unwrap();
    assert_eq!(
        log.append(&decision(1), "q", b"{bad").unwrap_err().code(),
        ErrorCode::InvalidJson
    );
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert_eq!(
        log.append(&decision(1), "q", deep.as_bytes())
            .unwrap_err()
            .code(),
        ErrorCode::LimitExceeded
    );
    assert_eq!(log.head(), audit::GENESIS);
    assert!(std::fs::read(&path).unwrap().is_empty());
    let _ = std::fs::remove_file(&path);
}

/// A log written with the key `audit` of a key file verifies through the same key file,
/// and a key file others may read is refused, as when the log is opened.
#[cfg(unix)]
#[test]
fn verify_host_key_reads_the_key_file_as_open_does() {
    use std::os::unix::fs::PermissionsExt;
    let keys = temp("keyfile").with_extension("json");
    // base64 of "audit-test-key" (KEY) under the default id.
    std::fs::write(
        &keys,
        r#"{"keys": {"audit": {"type": "hmac", "base64": "YXVkaXQtdGVzdC1rZXk="}}}"#,
    )
    .unwrap();
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o600)).unwrap();
    let path = temp("keyfile-log");
    let store = Arc::new(coresdk_engine::SoftwareKeyStore::from_file(&keys).unwrap());
    let log =
        AuditLog::open_with_provider(&path, store, audit::DEFAULT_KEY_ID, options(10)).unwrap();
    log.append(&decision(1), "data.authz.allow", b"{}").unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let report =
        audit::verify_host_key(&bytes, None, Some(&keys), None, Some(&log.head())).unwrap();
    assert!(report.intact(), "{:?}", report.problem);
    assert_eq!(report.lines, 1);
    // The raw-bytes form agrees (the same secret).
    assert!(audit::verify_host_key(&bytes, Some(KEY), None, None, None)
        .unwrap()
        .intact());
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = audit::verify_host_key(&bytes, None, Some(&keys), None, None).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::KeyUnavailable);
    let neither = audit::verify_host_key(&bytes, None, None, None, None).unwrap_err();
    assert_eq!(neither.code(), ErrorCode::InvalidArgument);
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&keys);
}

//! The tamper-evident audit log: one JSON Lines record per decision, hash-chained and
//! HMAC'd, with a Merkle checkpoint every N records.
//!
//! A record is a JSON object: `v`, `seq` (0, 1, 2, ...), `id` (the decision id, UUIDv7),
//! `time_ms`, `revision`, `bundle_revision`, `query`, `defined`, `result`, `input` (masked
//! by the [`Masker`], never raw), `prev` (the previous record's `hash`; 64 zeros for the
//! first), `hash` = SHA-256 of the RFC 8785 canonical form of the record without `hash`
//! and `hmac`, and `hmac` = HMAC-SHA256(key, `hash`). A checkpoint record (`type:
//! "checkpoint"`, `first`, `last`, `root`) carries the Merkle root of the hashes of the
//! records since the previous checkpoint and is chained like any record.
//!
//! [`verify`] walks a log and reports the first line where an edit, deletion, insertion,
//! reordering or torn write broke the chain. Whole records cut from the end leave a valid
//! shorter chain; [`verify`] catches that only against a known head (`expected_head`,
//! the hash [`AuditLog::head`] returned), which is why the writer reports it.

use crate::canonical;
use crate::error::{Error, ErrorCode, Result};
use crate::keys::{KeyProvider, SoftwareKeyStore};
use crate::mask::{MaskOptions, Masker};
use crate::policy::Decision;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The key id [`AuditLog::open`] and [`verify`] use for a key passed as bytes.
pub const DEFAULT_KEY_ID: &str = "audit";

/// The `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// When appends reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `fsync` after every record (the default): an acknowledged append survives a crash.
    EveryRecord,
    /// Leave flushing to the OS: faster; a crash may lose the last records, and the log
    /// then ends at an earlier, still valid record (or a torn last line [`verify`] reports).
    OsBuffered,
}

/// Options of an [`AuditLog`].
#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// Records between Merkle checkpoints. Default 1,000.
    pub checkpoint_every: u64,
    /// When appends reach the disk. Default [`Durability::EveryRecord`].
    pub durability: Durability,
}

impl Default for AuditOptions {
    fn default() -> Self {
        Self {
            checkpoint_every: 1_000,
            durability: Durability::EveryRecord,
        }
    }
}

struct Tail {
    file: File,
    next_seq: u64,
    prev: String,
    /// Hashes of the decision records since the last checkpoint.
    pending: Vec<String>,
    first_pending: u64,
}

/// An append-only audit log file. `Send + Sync`: appends from many threads are
/// serialised, each record chained to the one before it.
pub struct AuditLog {
    path: PathBuf,
    keys: Arc<dyn KeyProvider>,
    key_id: String,
    options: AuditOptions,
    masker: Masker,
    tail: Mutex<Tail>,
    /// The head as of the last completed write, readable without waiting for an append
    /// in progress (which may be waiting for a key provider).
    head: Mutex<String>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("path", &self.path)
            .field("options", &self.options)
            .finish()
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> Error {
    Error::new(
        ErrorCode::SourceUnavailable,
        format!("audit log {}: {e}", path.display()),
    )
}

impl AuditLog {
    /// Opens (or creates) the log at `path`. An existing log is verified first and
    /// appends continue its chain.
    ///
    /// Errors: `INVALID_ARGUMENT` for an empty key or `checkpoint_every` 0,
    /// `SOURCE_UNAVAILABLE` when the file cannot be opened, `INTEGRITY` when an existing
    /// log does not verify with `key`.
    pub fn open(path: impl AsRef<Path>, key: &[u8], options: AuditOptions) -> Result<Self> {
        let store = SoftwareKeyStore::new().with_hmac_key(DEFAULT_KEY_ID, key)?;
        Self::open_with_provider(path, Arc::new(store), DEFAULT_KEY_ID, options)
    }

    /// [`Self::open`] with the HMAC key `key_id` of a [`KeyProvider`] (errors as
    /// `open`, plus `KEY_UNAVAILABLE` from the provider).
    pub fn open_with_provider(
        path: impl AsRef<Path>,
        keys: Arc<dyn KeyProvider>,
        key_id: &str,
        options: AuditOptions,
    ) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if options.checkpoint_every == 0 {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "an audit log needs checkpoint_every >= 1",
            ));
        }
        // A key the provider does not have fails now, not at the first append.
        keys.hmac(key_id, b"")?;
        let existing = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io_error(&path, &e)),
        };
        let report = verify_with(&existing, keys.as_ref(), key_id, None);
        if let Some(problem) = &report.problem {
            return Err(Error::new(
                ErrorCode::Integrity,
                format!(
                    "audit log {} does not verify at line {}: {}",
                    path.display(),
                    problem.line,
                    problem.reason
                ),
            ));
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io_error(&path, &e))?;
        let head = report.head.unwrap_or_else(|| GENESIS.to_string());
        Ok(Self {
            masker: Masker::new(MaskOptions::default())?,
            head: Mutex::new(head.clone()),
            tail: Mutex::new(Tail {
                file,
                next_seq: report.lines,
                prev: head,
                pending: report.pending,
                first_pending: report.first_pending,
            }),
            keys,
            key_id: key_id.to_string(),
            options,
            path,
        })
    }

    /// Appends a decision on `query` (a rule path or query) made for `input` (JSON text;
    /// masked before it is written). Returns the record's `hash`, the new head.
    ///
    /// Errors: `INVALID_JSON` / `LIMIT_EXCEEDED` for the input, `SOURCE_UNAVAILABLE` when
    /// the write fails (the chain then stays at the last record written).
    pub fn append(&self, decision: &Decision, query: &str, input: &[u8]) -> Result<String> {
        let input = if input.is_empty() {
            json!({})
        } else {
            crate::json::parse(input)?
        };
        let masked = self.masker.mask_value(&input)?;
        let mut fields = Map::new();
        fields.insert("v".into(), json!(1));
        fields.insert("id".into(), json!(decision.decision_id));
        fields.insert("time_ms".into(), json!(crate::clock::now_unix_ms()));
        fields.insert("revision".into(), json!(decision.revision));
        fields.insert("bundle_revision".into(), json!(decision.bundle_revision));
        fields.insert("query".into(), json!(query));
        fields.insert("defined".into(), json!(decision.result.is_some()));
        fields.insert(
            "result".into(),
            decision.result.clone().unwrap_or(Value::Null),
        );
        fields.insert("input".into(), masked);
        let mut tail = self.tail.lock().unwrap_or_else(|p| p.into_inner());
        let hash = self.write(&mut tail, fields)?;
        tail.pending.push(hash.clone());
        if tail.pending.len() as u64 >= self.options.checkpoint_every {
            let root = merkle_root(&tail.pending);
            let mut checkpoint = Map::new();
            checkpoint.insert("v".into(), json!(1));
            checkpoint.insert("type".into(), json!("checkpoint"));
            checkpoint.insert("first".into(), json!(tail.first_pending));
            checkpoint.insert("last".into(), json!(tail.next_seq - 1));
            checkpoint.insert("root".into(), json!(root));
            let checkpoint_hash = self.write(&mut tail, checkpoint)?;
            tail.pending.clear();
            tail.first_pending = tail.next_seq;
            return Ok(checkpoint_hash);
        }
        Ok(hash)
    }

    /// The hash of the last record: keep it elsewhere to detect records cut from the end.
    pub fn head(&self) -> String {
        self.head.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Completes `fields` with `seq`, `prev`, `hash`, `hmac`, writes the line and moves the
    /// tail forward only once the write succeeded.
    fn write(&self, tail: &mut Tail, mut fields: Map<String, Value>) -> Result<String> {
        fields.insert("seq".into(), json!(tail.next_seq));
        fields.insert("prev".into(), json!(tail.prev));
        let hash = record_hash(&fields)?;
        let mac = hmac_hex(self.keys.as_ref(), &self.key_id, &hash)?;
        fields.insert("hmac".into(), json!(mac));
        fields.insert("hash".into(), json!(hash));
        let mut line = canonical::canonicalize(&Value::Object(fields))?;
        line.push('\n');
        tail.file
            .write_all(line.as_bytes())
            .map_err(|e| io_error(&self.path, &e))?;
        if self.options.durability == Durability::EveryRecord {
            tail.file
                .sync_data()
                .map_err(|e| io_error(&self.path, &e))?;
        }
        tail.next_seq += 1;
        tail.prev = hash.clone();
        *self.head.lock().unwrap_or_else(|p| p.into_inner()) = hash.clone();
        Ok(hash)
    }
}

fn record_hash(fields: &Map<String, Value>) -> Result<String> {
    let mut body = fields.clone();
    body.remove("hash");
    body.remove("hmac");
    Ok(canonical::sha256_hex(
        canonical::canonicalize(&Value::Object(body))?.as_bytes(),
    ))
}

fn hmac_hex(keys: &dyn KeyProvider, key_id: &str, hash: &str) -> Result<String> {
    Ok(keys
        .hmac(key_id, hash.as_bytes())?
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The Merkle root of `hashes` (hex): leaves are the hashes' bytes, a parent is
/// SHA-256(0x01 || left || right), an odd node is carried up unchanged.
pub fn merkle_root(hashes: &[String]) -> String {
    let mut level: Vec<Vec<u8>> = hashes
        .iter()
        .map(|h| Sha256::digest([&[0u8][..], h.as_bytes()].concat()).to_vec())
        .collect();
    if level.is_empty() {
        return GENESIS.to_string();
    }
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [left, right] => Sha256::digest([&[1u8][..], left, right].concat()).to_vec(),
                [one] => one.clone(),
                _ => Vec::new(),
            })
            .collect();
    }
    level[0].iter().map(|b| format!("{b:02x}")).collect()
}

/// Where and why a log stopped verifying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line number of the first bad record (one past the end for truncation).
    pub line: u64,
    /// What is wrong: `malformed` (not a complete JSON record: torn write or edit),
    /// `sequence` (a record missing, inserted or out of order), `chain` (`prev` does not
    /// name the previous record), `hash` (the record was edited), `hmac` (forged or wrong
    /// key), `checkpoint` (a Merkle root that does not match its records), `truncated`
    /// (the log ends before the expected head).
    pub reason: String,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Records (decisions and checkpoints) that verified, in order.
    pub lines: u64,
    /// Checkpoints among them.
    pub checkpoints: u64,
    /// The `hash` of the last verified record, if any.
    pub head: Option<String>,
    /// `None` when the whole log is intact.
    pub problem: Option<Problem>,
    pending: Vec<String>,
    first_pending: u64,
}

impl Report {
    /// True when the whole log verified.
    pub fn intact(&self) -> bool {
        self.problem.is_none()
    }

    /// The report as JSON: `{intact, records, checkpoints, head, line?, reason?}`.
    pub fn to_json(&self) -> Value {
        json!({
            "intact": self.intact(),
            "records": self.lines,
            "checkpoints": self.checkpoints,
            "head": self.head,
            "line": self.problem.as_ref().map(|p| p.line),
            "reason": self.problem.as_ref().map(|p| p.reason.clone()),
        })
    }
}

/// Verifies a whole log (the file's bytes) with `key`; with `expected_head`, also that
/// the log ends at that record (catching records cut from the end).
pub fn verify(log: &[u8], key: &[u8], expected_head: Option<&str>) -> Report {
    let store = SoftwareKeyStore::new()
        .with_hmac_key(DEFAULT_KEY_ID, key)
        .unwrap_or_default();
    verify_with(log, &store, DEFAULT_KEY_ID, expected_head)
}

/// [`verify`] with the key a host names, as [`AuditLog`] is opened: raw `key` bytes, or
/// key `key_id` (default [`DEFAULT_KEY_ID`]) of the JSON key file `key_file` (loaded by
/// [`SoftwareKeyStore::from_file`], which refuses a file group or others may access).
/// Exactly one of `key` and `key_file`.
///
/// Errors: `INVALID_ARGUMENT` for neither or both, and as
/// [`SoftwareKeyStore::from_file`] (`KEY_UNAVAILABLE`, `INVALID_JSON`, `INVALID_ARGUMENT`).
pub fn verify_host_key(
    log: &[u8],
    key: Option<&[u8]>,
    key_file: Option<&Path>,
    key_id: Option<&str>,
    expected_head: Option<&str>,
) -> Result<Report> {
    if let (Some(key), None) = (key, key_file) {
        // Raw bytes verify as [`verify`] does (an empty key fails every record as `hmac`).
        return Ok(verify(log, key, expected_head));
    }
    let (keys, id) = crate::keys::host_key(key, key_file, key_id, DEFAULT_KEY_ID)?;
    Ok(verify_with(log, keys.as_ref(), &id, expected_head))
}

/// [`verify`] with the HMAC key `key_id` of a [`KeyProvider`]. A key the provider cannot
/// use fails the first record as `hmac`.
pub fn verify_with(
    log: &[u8],
    keys: &dyn KeyProvider,
    key_id: &str,
    expected_head: Option<&str>,
) -> Report {
    let mut report = Report {
        lines: 0,
        checkpoints: 0,
        head: None,
        problem: None,
        pending: Vec::new(),
        first_pending: 0,
    };
    let mut prev = GENESIS.to_string();
    let text = String::from_utf8_lossy(log);
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    for (index, line) in lines.iter().enumerate() {
        let number = index as u64 + 1;
        let fail = |reason: &str| Problem {
            line: number,
            reason: reason.to_string(),
        };
        let problem = check_line(line, keys, key_id, &prev, report.lines, &mut report, &fail);
        match problem {
            Ok(hash) => {
                prev = hash;
                report.lines += 1;
                report.head = Some(prev.clone());
            }
            Err(problem) => {
                report.problem = Some(problem);
                return report;
            }
        }
    }
    if let Some(expected) = expected_head {
        if report.head.as_deref() != Some(expected) {
            report.problem = Some(Problem {
                line: report.lines + 1,
                reason: "truncated".into(),
            });
        }
    }
    report
}

fn check_line(
    line: &str,
    keys: &dyn KeyProvider,
    key_id: &str,
    prev: &str,
    seq: u64,
    report: &mut Report,
    fail: &dyn Fn(&str) -> Problem,
) -> std::result::Result<String, Problem> {
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(line) else {
        return Err(fail("malformed"));
    };
    let text = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or_default();
    if fields.get("seq").and_then(Value::as_u64) != Some(seq) {
        return Err(fail("sequence"));
    }
    if text("prev") != prev {
        return Err(fail("chain"));
    }
    let hash = record_hash(&fields).map_err(|_| fail("malformed"))?;
    if text("hash") != hash {
        return Err(fail("hash"));
    }
    let expected_mac = hmac_hex(keys, key_id, &hash).map_err(|_| fail("hmac"))?;
    if !constant_time_eq(text("hmac").as_bytes(), expected_mac.as_bytes()) {
        return Err(fail("hmac"));
    }
    if text("type") == "checkpoint" {
        let first = fields.get("first").and_then(Value::as_u64);
        let last = fields.get("last").and_then(Value::as_u64);
        let covered = report.first_pending == first.unwrap_or(u64::MAX)
            && last == seq.checked_sub(1)
            && text("root") == merkle_root(&report.pending);
        if !covered {
            return Err(fail("checkpoint"));
        }
        report.checkpoints += 1;
        report.pending.clear();
        report.first_pending = seq + 1;
    } else {
        report.pending.push(hash.clone());
    }
    Ok(hash)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

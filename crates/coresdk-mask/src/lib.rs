//! Detection and masking of PII and secrets in text and JSON values.
//!
//! - `detectors.rs`: the catalog (regex, type label, validator per shape).
//! - `scan.rs`: finds every candidate of every detector in a fixed number of passes.
//! - `validate.rs`: checksums, number rules, credential checks.
//! - `boundary.rs`: the look-around regexes cannot do (word and number boundaries).
//! - `sensitive_keys.rs`: key-name rules for JSON objects.
//! - `value.rs`: masking JSON values (strings, keys, sensitive keys, path rules).
//! - `paths.rs`: path rules (`a.b[*].c`, pino / fast-redact syntax) for JSON values.
//! - `replacement.rs`: replacement tokens, rendered and recognised.
//! - `stream.rs`: masking text that arrives in chunks.
//! - `tokenize.rs`: reversible tokens and unmasking.
//!
//! # Overlaps
//!
//! Every detector reports its candidates independently; then, taking them in order of
//! earliest start, then longest span, then priority, a candidate is kept unless it
//! overlaps one already kept. Priority breaks ties between equal spans, secrets with
//! known shapes first: `PRIVATE_KEY`, `JWT`, `GITHUB_TOKEN`, `SLACK_TOKEN`,
//! `AWS_ACCESS_KEY_ID`, `URL_PASSWORD`, `BEARER_TOKEN`, `BASIC_AUTH`, `EMAIL`,
//! `CREDIT_CARD`, `IBAN`, `US_SSN`, `PHONE_NUMBER`, `IP_ADDRESS`. So `Bearer <jwt>`
//! becomes `Bearer [REDACTED:JWT]` (both detectors report the same span; the more
//! specific type wins). In `https://bob:hunter2@example.com` the email detector steps
//! aside for the URL password (validate.rs), giving
//! `https://bob:[REDACTED:URL_PASSWORD]@example.com`.
//!
//! One refinement: a dropped candidate that runs past the kept finding it overlaps has
//! its detector rescanned over the stretch after that finding, and what it finds there
//! competes like any candidate. Without it, in `-----END PRIVATE KEY-----@x.io.bob@x.io`
//! the email match starting inside the key (`-` is a local-part character) is dropped
//! and the real email after it, which that match hid, would leak.
//!
//! # Idempotence
//!
//! Masking masked text changes nothing: a candidate lying inside a replacement token is
//! dropped (a pseudonym's 16 hex digits can pass Luhn), and every boundary rule reads a
//! token as whatever makes it reject (boundary.rs), since the character it replaced is
//! unknown. A generated-input test checks this on hundreds of thousands of texts.

mod boundary;
mod custom;
mod detectors;
mod encoded;
mod identifiers;
mod paths;
mod phone;
mod providers;
mod replacement;
mod scan;
mod sensitive_keys;
mod stream;
pub mod tokenize;
mod validate;
mod value;

use coresdk_base::error::{Error, ErrorCode, Result};
use coresdk_base::json;
use hmac::{Hmac, Mac};
use paths::PathRules;
use replacement::Replacer;
use scan::{Candidate, Catalog};
use sensitive_keys::SensitiveKeys;
use serde_json::Value;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

pub use custom::CustomDetector;
pub use stream::{StreamMasker, LOOKAHEAD as STREAM_LOOKAHEAD, MAX_HELD as STREAM_MAX_HELD};
pub use tokenize::{
    raw_keys, tokenization_key, unmask_text, unmask_value, KeyLookup,
    MAX_VALUE as TOKENIZE_MAX_VALUE, TOKENIZE_CONTEXT,
};

/// How a detected value is replaced. Its `Debug` output never shows the key.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Strategy {
    /// Replace with `[REDACTED:<TYPE>]`.
    #[default]
    Redact,
    /// Replace with `[<TYPE>:<16 hex>]`, the first 8 bytes of HMAC-SHA256(key, value)
    /// in lowercase hex: stable and joinable across records, not reversible without
    /// the key. The value is the UTF-8 bytes of the matched text (for `BEARER_TOKEN`,
    /// `BASIC_AUTH` and `URL_PASSWORD` only the credential); for a scalar under a
    /// sensitive JSON key see [`Masker::mask_value`].
    Pseudonymize {
        /// The HMAC key (must not be empty).
        key: Vec<u8>,
    },
    /// Replace with `[REDACTED:<TYPE>:<tail>]`, keeping the last `keep` (1 to 8) ASCII
    /// letters and digits of the value (`[REDACTED:CREDIT_CARD:1111]`); a value with fewer
    /// than `3 * keep` of them is redacted whole.
    Partial {
        /// How many trailing letters and digits to keep.
        keep: usize,
    },
    /// Delete the value: from text, nothing is left in its place; in JSON, an entry
    /// under a sensitive key is dropped from its object.
    Remove,
    /// Replace with `[<TYPE>:tok:<key_id>:<hex>]`, the value encrypted with AES-SIV
    /// (deterministic, authenticated): [`unmask_text`] gives it back to a holder of the
    /// key. Values longer than 1 KiB are redacted instead (`tokenize.rs`).
    Tokenize {
        /// The key's id, written in every token (`[A-Za-z0-9_]`, 1 to 32 characters).
        key_id: String,
        /// The key (must not be empty); tokens use HMAC-SHA256(key, "coresdk-tokenize-v1").
        key: Vec<u8>,
    },
}

impl std::fmt::Debug for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Strategy::Redact => f.write_str("Redact"),
            Strategy::Remove => f.write_str("Remove"),
            Strategy::Partial { keep } => f.debug_struct("Partial").field("keep", keep).finish(),
            Strategy::Pseudonymize { key } => f
                .debug_struct("Pseudonymize")
                .field("key", &format_args!("<{} bytes>", key.len()))
                .finish(),
            Strategy::Tokenize { key_id, key } => f
                .debug_struct("Tokenize")
                .field("key_id", key_id)
                .field("key", &format_args!("<{} bytes>", key.len()))
                .finish(),
        }
    }
}

/// Options of a [`Masker`].
#[derive(Debug, Clone, Default)]
pub struct MaskOptions {
    /// The replacement strategy.
    pub strategy: Strategy,
    /// Extra key names whose values are masked whatever they contain, matched exactly
    /// after the same normalisation as the built-in ones (lowercase, without `-`, `_`,
    /// `.` and spaces). The built-in names also match as suffixes (`db_password`).
    pub sensitive_keys: Vec<String>,
    /// Strategies for particular types (`"CREDIT_CARD"`, `"SECRET"`, a custom label),
    /// overriding `strategy` for them.
    pub strategies: BTreeMap<String, Strategy>,
    /// Values never masked when a detector finds them (exact text, e.g. a support
    /// address). Key-name rules still apply.
    pub allow: Vec<String>,
    /// Detectors the host program adds.
    pub custom: Vec<CustomDetector>,
    /// Paths in pino / fast-redact syntax (`user.email`, `items[*].card`,
    /// `headers["x-api-key"]`) whose values are masked whatever they hold, like the
    /// value under a sensitive key (see `paths.rs`).
    pub paths: Vec<String>,
}

/// One detected value: its type and position, never the value itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The detector type, e.g. `"EMAIL"`.
    pub kind: &'static str,
    /// UTF-8 byte offset of the first byte.
    pub start: usize,
    /// UTF-8 byte offset one past the last byte.
    pub end: usize,
    /// UTF-16 code unit offset of the start (JavaScript string index).
    pub start_utf16: usize,
    /// UTF-16 code unit offset of the end.
    pub end_utf16: usize,
}

impl Finding {
    /// The finding as a JSON object: `{"type","start","end","start_utf16","end_utf16"}`.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "type": self.kind,
            "start": self.start,
            "end": self.end,
            "start_utf16": self.start_utf16,
            "end_utf16": self.end_utf16,
        })
    }
}

/// A configured masker. Cheap to clone and to share across threads (`Send + Sync`):
/// the compiled detector catalog is built once per process.
#[derive(Clone)]
pub struct Masker {
    options: MaskOptions,
    catalog: &'static Catalog,
    keys: SensitiveKeys,
    paths: PathRules,
    replacer: Replacer,
    per_type: BTreeMap<String, Replacer>,
    allow: BTreeSet<String>,
    custom: Vec<custom::Compiled>,
}

impl std::fmt::Debug for Masker {
    // Written by hand so the pseudonym key never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let strategy = strategy_name(&self.options.strategy);
        f.debug_struct("Masker")
            .field("strategy", &strategy)
            .field("sensitive_keys", &self.options.sensitive_keys)
            .finish_non_exhaustive()
    }
}

impl Masker {
    /// Builds a masker. Errors: `INVALID_ARGUMENT` for an empty pseudonym key, a partial
    /// `keep` outside 1 to 8, a bad type label, or a custom pattern that does not compile.
    pub fn new(options: MaskOptions) -> Result<Self> {
        let replacer = replacer_of(&options.strategy)?;
        let per_type = options
            .strategies
            .iter()
            .map(|(label, s)| {
                if !custom::valid_label(label) {
                    return Err(Error::new(
                        ErrorCode::InvalidArgument,
                        format!("strategies: bad type label {label:?}"),
                    ));
                }
                Ok((label.clone(), replacer_of(s)?))
            })
            .collect::<Result<_>>()?;
        let custom = options
            .custom
            .iter()
            .map(CustomDetector::compile)
            .collect::<Result<_>>()?;
        let catalog = scan::catalog().map_err(|e| Error::new(ErrorCode::Internal, e))?;
        let keys = SensitiveKeys::new(&options.sensitive_keys);
        let paths = PathRules::parse(&options.paths)?;
        let allow = options.allow.iter().cloned().collect();
        Ok(Self {
            options,
            catalog,
            keys,
            paths,
            replacer,
            per_type,
            allow,
            custom,
        })
    }

    /// The replacer for values of type `label`.
    fn replacer_for(&self, label: &str) -> &Replacer {
        self.per_type.get(label).unwrap_or(&self.replacer)
    }

    /// Finds every sensitive value in `text`: sorted by start, never overlapping, with
    /// UTF-8 byte and UTF-16 code unit offsets.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        let kept = self.findings(text);
        // UTF-16 offsets in one forward pass: each byte that starts a character is one
        // code unit, and a 4-byte character (outside the BMP) is a surrogate pair.
        let bytes = text.as_bytes();
        let (mut pos, mut units) = (0, 0);
        let mut advance = |to: usize| {
            for &b in &bytes[pos..to] {
                if b & 0xC0 != 0x80 {
                    units += if b >= 0xF0 { 2 } else { 1 };
                }
            }
            pos = to;
            units
        };
        kept.iter()
            .map(|c| Finding {
                kind: c.kind.label(),
                start: c.start,
                end: c.end,
                start_utf16: advance(c.start),
                end_utf16: advance(c.end),
            })
            .collect()
    }

    /// Returns `text` with every finding replaced per the strategy.
    pub fn mask_text(&self, text: &str) -> String {
        let kept = self.findings(text);
        if kept.is_empty() {
            return text.to_owned();
        }
        self.render(text, &kept, 0, text.len())
    }

    /// [`mask_text`](Self::mask_text) of each text, in order: a batch of log lines in one
    /// call (for the bindings, one crossing instead of one per line). Each text is UTF-8
    /// bytes; all are checked before any is masked, so a bad one returns no output at all.
    /// Errors: `INVALID_ARGUMENT` naming the first text that is not valid UTF-8.
    pub fn mask_texts<B: AsRef<[u8]>>(&self, texts: &[B]) -> Result<Vec<String>> {
        let checked = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                std::str::from_utf8(t.as_ref()).map_err(|e| {
                    Error::new(
                        ErrorCode::InvalidArgument,
                        format!("texts[{i}] is not valid UTF-8: {e}"),
                    )
                })
            })
            .collect::<Result<Vec<&str>>>()?;
        Ok(checked.into_iter().map(|t| self.mask_text(t)).collect())
    }

    /// `text[from..to]` with the findings `kept` (of the whole `text`) replaced. A finding
    /// that starts before `from` and ends after it has its rest replaced (a stream cut
    /// it; see stream.rs); one that ends after `to` is replaced whole.
    pub(crate) fn render(&self, text: &str, kept: &[Candidate], from: usize, to: usize) -> String {
        let mut out = String::with_capacity(to - from);
        let mut last = from;
        for c in kept.iter().filter(|c| c.end > from && c.start < to) {
            let start = c.start.max(from);
            // Offsets come from regex matches and ASCII boundaries, so these slices
            // cannot fail; `get` keeps a bug from panicking with text in the message.
            if let (Some(before), Some(value)) = (text.get(last..start), text.get(start..c.end)) {
                out.push_str(before);
                out.push_str(
                    &self
                        .replacer_for(c.kind.label())
                        .token(c.kind.label(), value.as_bytes()),
                );
                last = c.end;
            }
        }
        out.push_str(text.get(last..to.max(last)).unwrap_or_default());
        out
    }

    /// The options this masker was built with.
    pub fn options(&self) -> &MaskOptions {
        &self.options
    }

    /// The kept candidates: overlap resolution as described in the module docs.
    pub(crate) fn findings(&self, text: &str) -> Vec<Candidate> {
        self.findings_at(text, encoded::MAX_DEPTH)
    }

    /// As `findings`, looking into encoded runs `depth` encodings deep (encoded.rs).
    fn findings_at(&self, text: &str, depth: u8) -> Vec<Candidate> {
        let keywords = self.catalog.keywords(text);
        let mut candidates = self.catalog.candidates(text, &keywords);
        for detector in &self.custom {
            candidates.extend(
                detector
                    .find(text)
                    .into_iter()
                    .map(|(start, end)| Candidate {
                        kind: detectors::Kind::Custom(detector.label),
                        start,
                        end,
                        detector: usize::MAX,
                    }),
            );
        }
        let kept = self.resolve(text, candidates);
        // Encoded runs are looked for only between the findings kept so far: masking
        // those cuts the runs at the same places on a second pass (a token ends every
        // run), so what the decoding finds cannot change then.
        let mut inner = |decoded: &str| {
            self.findings_at(decoded, depth - 1)
                .into_iter()
                .map(|c| (c.start, c.end, c.kind))
                .collect()
        };
        let mut encoded_candidates = Vec::new();
        let mut gap_start = 0;
        let depth_left = depth > 0;
        let bounds: Vec<(usize, usize)> = kept.iter().map(|c| (c.start, c.end)).collect();
        for (gap_end, next_start) in bounds.into_iter().chain([(text.len(), text.len())]) {
            if let Some(segment) = text.get(gap_start..gap_end).filter(|_| depth_left) {
                encoded_candidates.extend(encoded::find(segment, &mut inner).into_iter().map(
                    |f| Candidate {
                        kind: f.kind,
                        start: gap_start + f.start,
                        end: gap_start + f.end,
                        detector: usize::MAX,
                    },
                ));
            }
            gap_start = next_start;
        }
        let mut all = kept;
        if !encoded_candidates.is_empty() {
            all.extend(self.resolve(text, encoded_candidates));
            all.sort_by_key(|c| c.start);
        }
        // Last, values after secret-like names, in the stretches between findings only:
        // a second pass sees those stretches cut by tokens at the same places.
        let mut last = Vec::new();
        let mut gap_start = 0;
        let bounds: Vec<(usize, usize)> = all.iter().map(|c| (c.start, c.end)).collect();
        for (gap_end, next_start) in bounds.into_iter().chain([(text.len(), text.len())]) {
            if let Some(segment) = text.get(gap_start..gap_end) {
                // Offsets into the whole text; no rescan (it would reach past the gap).
                last.extend(
                    self.catalog
                        .last_candidates(segment, gap_start..gap_end, &keywords)
                        .into_iter()
                        .map(|c| Candidate {
                            start: gap_start + c.start,
                            end: gap_start + c.end,
                            detector: usize::MAX,
                            ..c
                        }),
                );
            }
            gap_start = next_start;
        }
        if !last.is_empty() {
            all.extend(self.resolve(text, last));
            all.sort_by_key(|c| c.start);
        }
        all
    }

    /// Overlap resolution (module docs) of `candidates` found in `text`.
    fn resolve(&self, text: &str, candidates: Vec<Candidate>) -> Vec<Candidate> {
        let t = text.as_bytes();
        let usable = |c: &Candidate| {
            !replacement::inside_token(t, c.start, c.end)
                && (self.allow.is_empty()
                    || !text
                        .get(c.start..c.end)
                        .is_some_and(|v| self.allow.contains(v)))
        };
        // A min-heap in (start, longest, priority) order, so candidates found by a
        // rescan (which start later) take their place among the rest.
        let mut queue: BinaryHeap<Reverse<Pending>> = candidates
            .into_iter()
            .filter(|c| usable(c))
            .map(|c| Reverse(Pending::new(c, false)))
            .collect();
        let mut kept = Vec::with_capacity(queue.len());
        let mut reach = 0;
        while let Some(Reverse(next)) = queue.pop() {
            let candidate = next.candidate();
            if candidate.start >= reach {
                reach = candidate.end;
                kept.push(candidate);
            } else if candidate.end > reach && !next.rescanned {
                // It runs past a kept finding. Its own detector may have matches that
                // start in the stretch after that finding and that this candidate hid
                // (the scan goes on after each match): look for them, once.
                let hidden = self
                    .catalog
                    .rescan(candidate.detector, text, reach..candidate.end);
                queue.extend(
                    hidden
                        .into_iter()
                        .filter(|c| usable(c))
                        .map(|c| Reverse(Pending::new(c, true))),
                );
            }
        }
        kept
    }
}

/// The replacer of `strategy`; `INVALID_ARGUMENT` for an empty key or a bad `keep`.
fn replacer_of(strategy: &Strategy) -> Result<Replacer> {
    match strategy {
        Strategy::Redact => Ok(Replacer::Redact),
        Strategy::Remove => Ok(Replacer::Remove),
        Strategy::Partial { keep } if (1..=8).contains(keep) => Ok(Replacer::Partial(*keep)),
        Strategy::Partial { .. } => Err(Error::new(
            ErrorCode::InvalidArgument,
            "partial keep is 1 to 8",
        )),
        Strategy::Pseudonymize { key } if key.is_empty() => Err(Error::new(
            ErrorCode::InvalidArgument,
            "pseudonym key must not be empty",
        )),
        Strategy::Pseudonymize { key } => Ok(Replacer::Pseudonymize(
            Hmac::new_from_slice(key)
                .map_err(|_| Error::new(ErrorCode::InvalidArgument, "unusable HMAC key"))?,
        )),
        Strategy::Tokenize { key_id, key } => {
            Ok(Replacer::Tokenize(tokenize::Tokenizer::new(key_id, key)?))
        }
    }
}

fn strategy_name(strategy: &Strategy) -> &'static str {
    match strategy {
        Strategy::Redact => "redact",
        Strategy::Pseudonymize { .. } => "pseudonymize",
        Strategy::Partial { .. } => "partial",
        Strategy::Remove => "remove",
        Strategy::Tokenize { .. } => "tokenize",
    }
}

/// A candidate awaiting overlap resolution, ordered by start, then longest span, then
/// type priority (the derived order follows the field order).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Pending {
    start: usize,
    end: Reverse<usize>,
    kind: detectors::Kind,
    detector: usize,
    /// Found by a rescan; not rescanned again, which bounds the work.
    rescanned: bool,
}

impl Pending {
    fn new(c: Candidate, rescanned: bool) -> Self {
        Self {
            start: c.start,
            end: Reverse(c.end),
            kind: c.kind,
            detector: c.detector,
            rescanned,
        }
    }

    fn candidate(&self) -> Candidate {
        Candidate {
            kind: self.kind,
            start: self.start,
            end: self.end.0,
            detector: self.detector,
        }
    }
}

//! The scan: every validated candidate of every detector in a text, for any number of
//! detectors in a fixed number of passes.
//!
//! - Keyword detectors (emails, tokens, keys, credentials) contain a literal (`@`,
//!   `eyJ`, `AKIA`, `-----BEGIN`, ...). One Aho-Corasick pass finds which literals occur;
//!   only those detectors run, so text without any costs that one pass.
//! - Shape detectors (cards, IBANs, SSNs, phones, IPs) have no literal. If the text
//!   holds a digit or a `:`, one combined regex finds each position where any of them
//!   matches; there each is tried, anchored.
//!
//! Every search is linear, and after a match the search resumes past it (see
//! [`Resume`]), so scanning stays linear in the text.

use super::detectors::{specs, Group, Kind, Resume, Spec};
use aho_corasick::AhoCorasick;
use regex::Regex;
use std::ops::Range;
use std::sync::OnceLock;

/// A validated match of one detector, before overlap resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub(crate) kind: Kind,
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Which [`specs`] entry found it (IP and phone have two), for [`Catalog::rescan`].
    pub(crate) detector: usize,
}

/// The compiled catalog, shared by every [`Masker`](super::Masker).
pub(crate) struct Catalog {
    /// Per detector, unanchored: keyword detectors search with it; shapes only when
    /// overlap resolution rescans a stretch for one detector.
    search: Vec<Regex>,
    /// Per detector, anchored (`^`): tried at one position.
    anchored: Vec<Regex>,
    /// Every shape pattern in one alternation: its leftmost match is the next position
    /// where some shape matches.
    shapes: Regex,
    keywords: AhoCorasick,
    /// For each keyword pattern, the bit of the detector it triggers.
    keyword_bits: Vec<u128>,
    /// The bits of the detectors that run last (`Spec::last`).
    last_mask: u128,
}

/// Where the keyword literals occur in one text ([`Catalog::keywords`]).
pub(crate) struct Keywords {
    /// The keyword detectors whose literal occurs.
    active: u128,
    /// Each occurrence of a literal of a detector that runs last: start, end, bits.
    last: Vec<(usize, usize, u128)>,
}

impl Keywords {
    /// The detectors that run last whose literal occurs wholly inside `gap`.
    fn inside(&self, gap: Range<usize>) -> u128 {
        self.last
            .iter()
            .filter(|&&(start, end, _)| start >= gap.start && end <= gap.end)
            .fold(0, |bits, &(_, _, b)| bits | b)
    }
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("detectors", &specs().len())
            .finish()
    }
}

/// The catalog, compiled once per process (regex compilation costs milliseconds).
pub(crate) fn catalog() -> Result<&'static Catalog, String> {
    static CATALOG: OnceLock<Result<Catalog, String>> = OnceLock::new();
    CATALOG
        .get_or_init(Catalog::new)
        .as_ref()
        .map_err(Clone::clone)
}

/// Room for the lazy DFA of the shape alternation (per thread using it). Its states are
/// built on demand and the cache is cleared when full; the alternation of every shape
/// (IPv6 and phone forms, cards, ...) determinizes into many states, and with the default
/// 2 MiB it refilled the cache over and over on varied text: 70% of the time went to
/// rebuilding states. With 16 MiB a 1 MB mixed text masks 4x faster (peak RSS of that run
/// 27 MB); the cache grows only as far as the text needs.
const SHAPES_DFA_CACHE_BYTES: usize = 16 << 20;

fn compile(pattern: &str, what: &str) -> Result<Regex, String> {
    compile_with_cache(pattern, what, 2 << 20)
}

fn compile_with_cache(pattern: &str, what: &str, dfa_bytes: usize) -> Result<Regex, String> {
    regex::RegexBuilder::new(pattern)
        .dfa_size_limit(dfa_bytes)
        .build()
        .map_err(|e| format!("detector {what} does not compile: {e}"))
}

impl Catalog {
    fn new() -> Result<Self, String> {
        let (mut search, mut anchored) = (Vec::new(), Vec::new());
        let (mut keywords, mut keyword_bits, mut shapes) = (Vec::new(), Vec::new(), Vec::new());
        let mut last_mask = 0;
        for (i, spec) in specs().iter().enumerate() {
            let label = spec.kind.label();
            anchored.push(compile(&format!("^(?:{})", spec.pattern), label)?);
            search.push(compile(spec.pattern, label)?);
            match spec.group {
                Group::Keywords(words) => {
                    if spec.last {
                        last_mask |= 1u128 << i;
                    }
                    keywords.extend_from_slice(words);
                    keyword_bits.extend(words.iter().map(|_| 1u128 << i));
                }
                Group::Shape(_) => {
                    shapes.push(format!("(?:{})", spec.pattern));
                }
            }
        }
        let keywords = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            // A DFA: twice the speed of the default NFA on overlapping search here.
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(keywords)
            .map_err(|e| format!("detector keywords do not compile: {e}"))?;
        Ok(Self {
            search,
            anchored,
            shapes: compile_with_cache(&shapes.join("|"), "shapes", SHAPES_DFA_CACHE_BYTES)?,
            keywords,
            keyword_bits,
            last_mask,
        })
    }

    /// The candidates of one detector that start in `starts`, as a full scan finds them
    /// (overlap resolution uses it for the stretch a dropped candidate covered).
    pub(crate) fn rescan(
        &self,
        detector: usize,
        text: &str,
        starts: Range<usize>,
    ) -> Vec<Candidate> {
        let mut out = Vec::new();
        if let (Some(spec), Some(regex)) = (specs().get(detector), self.search.get(detector)) {
            run_detector(detector, spec, regex, text, starts, &mut out);
        }
        out
    }

    /// The candidates of the detectors that run last (`Spec::last`) in `gap` of the text
    /// whose `keywords` those are (the stretches between the findings of the others),
    /// found in `segment`, the gap's text: offsets are relative to it.
    pub(crate) fn last_candidates(
        &self,
        segment: &str,
        gap: Range<usize>,
        keywords: &Keywords,
    ) -> Vec<Candidate> {
        let active = keywords.inside(gap);
        let mut out = Vec::new();
        for (i, (spec, regex)) in specs().iter().zip(&self.search).enumerate() {
            if active & (1u128 << i) != 0 && spec.last {
                run_detector(i, spec, regex, segment, 0..segment.len(), &mut out);
            }
        }
        out
    }

    /// The validated match of `detector` starting exactly at `at`, if any.
    pub(crate) fn match_at(&self, detector: usize, text: &str, at: usize) -> Option<Candidate> {
        let spec = specs().get(detector)?;
        let m = self.anchored[detector].find(text.get(at..)?)?;
        let (start, end) = (spec.validate)(text, at, at + m.end())?;
        Some(Candidate {
            kind: spec.kind,
            start,
            end,
            detector,
        })
    }

    /// Every validated match of every detector, in no particular order; they may overlap.
    pub(crate) fn candidates(&self, text: &str, keywords: &Keywords) -> Vec<Candidate> {
        let active = keywords.active;
        let mut out = Vec::new();
        for (i, (spec, regex)) in specs().iter().zip(&self.search).enumerate() {
            if active & (1u128 << i) != 0 && !spec.last {
                run_detector(i, spec, regex, text, 0..text.len(), &mut out);
            }
        }
        // Every shape needs a digit, except IPv6 compressed to hex letters (`fe::1a`) and
        // MAC addresses of hex letters (`aa-bb-...`), which need a `:` or `-`.
        let t = text.as_bytes();
        if t.contains(&b':') || t.contains(&b'-') || t.iter().any(u8::is_ascii_digit) {
            self.run_shapes(text, &mut out);
        }
        out
    }

    /// Which keyword literals occur in `text`, in one pass.
    pub(crate) fn keywords(&self, text: &str) -> Keywords {
        let mut found = Keywords {
            active: 0,
            last: Vec::new(),
        };
        // Overlapping matches: one detector's literal may contain another's (`sk-ant-`
        // and `sk-`), and a non-overlapping search would hide the inner one.
        for m in self.keywords.find_overlapping_iter(text) {
            let bits = self.keyword_bits[m.pattern().as_usize()];
            found.active |= bits;
            if bits & self.last_mask != 0 {
                found.last.push((m.start(), m.end(), bits));
            }
        }
        found
    }

    /// The combined shape pass. At each position where some shape matches, every shape
    /// is tried anchored there; then the search resumes after the word that starts
    /// there, which is safe because every shape rejects a start glued to a word.
    fn run_shapes(&self, text: &str, out: &mut Vec<Candidate>) {
        let t = text.as_bytes();
        let mut at = 0;
        while let Some(m) = self.shapes.find_at(text, at) {
            let p = m.start();
            for (detector, spec) in specs().iter().enumerate() {
                if let Group::Shape(first) = spec.group {
                    if first(t[p]) {
                        out.extend(self.match_at(detector, text, p));
                    }
                }
            }
            at = after_word(t, p);
        }
    }
}

/// Runs one detector over the matches that start in `starts`.
fn run_detector(
    detector: usize,
    spec: &Spec,
    regex: &Regex,
    text: &str,
    starts: Range<usize>,
    out: &mut Vec<Candidate>,
) {
    let mut at = starts.start;
    while let Some(m) = regex.find_at(text, at).filter(|m| m.start() < starts.end) {
        match (spec.validate)(text, m.start(), m.end()) {
            Some((start, end)) => {
                out.push(Candidate {
                    kind: spec.kind,
                    start,
                    end,
                    detector,
                });
                at = end;
            }
            None => {
                at = match spec.resume {
                    Resume::AfterMatch => m.end(),
                    Resume::AfterAt => m.as_str().find('@').map_or(m.end(), |i| m.start() + i + 1),
                    Resume::AfterSeparator => m
                        .as_str()
                        .find([':', '='])
                        .map_or(m.end(), |i| m.start() + i + 1),
                    Resume::AfterWord => after_word(text.as_bytes(), m.start()),
                    Resume::NextChar => next_char(text.as_bytes(), m.start()),
                }
            }
        }
    }
}

/// Where to search again after a match at `start`: the next character, and if `start`
/// is in an ASCII word, past that word (a later start inside it would be glued to it;
/// a start right after `+` or `(` would not).
fn after_word(t: &[u8], start: usize) -> usize {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = next_char(t, start);
    if is_word(t[start]) {
        while i < t.len() && is_word(t[i]) {
            i += 1;
        }
    }
    i
}

/// The start of the character after the one at `start`.
fn next_char(t: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < t.len() && (t[i] & 0xC0) == 0x80 {
        i += 1;
    }
    i
}

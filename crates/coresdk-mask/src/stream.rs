//! Masking text that arrives in chunks (LLM token streams, HTTP bodies, log streams).
//!
//! A [`StreamMasker`] keeps the text it has not yet written, plus a little of what it
//! has written (the left context detectors look at: the name before a `SECRET` value,
//! `scheme://user:` before a URL password). After each chunk it writes the longest
//! prefix it can prove final and keeps the rest:
//!
//! - the prefix ends just after an ASCII blank (no detector's value holds one except
//!   the bounded shapes below and private key blocks) at least [`LOOKAHEAD`] bytes before the end
//!   of what has arrived, so every value that could start before the cut and cross it
//!   (cards, phone numbers and IBANs written in groups, `Bearer <token>`) has arrived
//!   whole and been found;
//! - never inside a finding of the text held (a private key block whose `-----END` has
//!   not arrived is a finding up to the end of what has, so no cut falls inside it).
//!
//! So the concatenated output equals [`Masker::mask_text`] of the whole stream. What is
//! held back is bounded: when more than [`MAX_HELD`] bytes are held with no cut allowed
//! (one line longer than that, or a private key block that never ends), the held text up to
//! [`LOOKAHEAD`] bytes before its end is written anyway, masked as far as it can be
//! judged, and only what is still held is rescanned. A single value longer than that
//! (a 64 KiB token) is then written in parts, and a part that does not look like a value
//! on its own (the body lines of a private key block without its `-----BEGIN`) is not
//! masked: the equality holds for every stream whose lines and private key blocks are
//! shorter than [`MAX_HELD`].

use crate::Masker;
use std::sync::Arc;

/// Bytes that must have arrived after a cut before it is taken.
pub const LOOKAHEAD: usize = 512;

/// Held bytes beyond which text is written even without a blank to cut at.
pub const MAX_HELD: usize = 64 * 1024;

/// Bytes of written text kept as left context for the next scan.
const CONTEXT: usize = 1024;

/// A masker for one stream of text chunks. Not shared between streams: it holds the
/// stream's unwritten text.
#[derive(Debug)]
pub struct StreamMasker {
    masker: Arc<Masker>,
    /// Left context (already written) followed by the text not yet written.
    text: String,
    /// Where the unwritten text starts in `text`.
    written: usize,
    /// The length of `text` below which no cut is tried again (after a scan that found
    /// none), so a long line arriving in small chunks is not rescanned for each chunk.
    retry_at: usize,
    finished: bool,
}

impl StreamMasker {
    /// A stream masked by `masker`.
    pub fn new(masker: Arc<Masker>) -> Self {
        Self {
            masker,
            text: String::new(),
            written: 0,
            retry_at: 0,
            finished: false,
        }
    }

    /// Takes the next chunk; returns the masked text that is now final (possibly empty).
    /// After [`finish`](Self::finish), a chunk is refused with `INVALID_ARGUMENT`.
    pub fn push(&mut self, chunk: &str) -> coresdk_base::error::Result<String> {
        self.ensure_open()?;
        self.text.push_str(chunk);
        let held = self.text.len() - self.written;
        if held < 2 * LOOKAHEAD || self.text.len() < self.retry_at {
            return Ok(String::new());
        }
        let kept = self.masker.findings(&self.text);
        let cut = match self.cut(&kept) {
            Some(cut) => cut,
            None if held > MAX_HELD => self.forced_cut(&kept),
            None => {
                self.retry_at = self.text.len() + LOOKAHEAD / 2;
                return Ok(String::new());
            }
        };
        let out = self.masker.render(&self.text, &kept, self.written, cut);
        self.advance(cut);
        Ok(out)
    }

    /// Ends the stream: returns the masked rest of it. A second call returns nothing.
    pub fn finish(&mut self) -> String {
        if self.finished {
            return String::new();
        }
        self.finished = true;
        let kept = self.masker.findings(&self.text);
        let out = self
            .masker
            .render(&self.text, &kept, self.written, self.text.len());
        self.text.clear();
        self.written = 0;
        out
    }

    /// How many bytes have arrived and are not yet written.
    pub fn held(&self) -> usize {
        self.text.len() - self.written
    }

    fn ensure_open(&self) -> coresdk_base::error::Result<()> {
        if self.finished {
            return Err(coresdk_base::error::Error::new(
                coresdk_base::error::ErrorCode::InvalidArgument,
                "the stream is finished: no chunk can follow finish()",
            ));
        }
        Ok(())
    }

    /// The furthest cut the module rules allow, if any.
    fn cut(&self, kept: &[crate::scan::Candidate]) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let limit = self.text.len() - LOOKAHEAD;
        (self.written + 1..=limit)
            .rev()
            .filter(|&p| bytes[p - 1].is_ascii_whitespace())
            .find(|&p| !inside_any(kept, p))
    }

    /// A cut for text held too long: [`LOOKAHEAD`] bytes before the end (on a character
    /// boundary), moved to the end of a finding that crosses it, so no value is split.
    fn forced_cut(&self, kept: &[crate::scan::Candidate]) -> usize {
        let mut cut = self.text.len() - LOOKAHEAD;
        while !self.text.is_char_boundary(cut) {
            cut -= 1;
        }
        kept.iter()
            .find(|c| c.start < cut && cut < c.end)
            .map_or(cut, |c| c.end)
    }

    /// Marks `text[..cut]` written and drops what the left context no longer needs.
    fn advance(&mut self, cut: usize) {
        let mut keep_from = cut.saturating_sub(CONTEXT);
        while !self.text.is_char_boundary(keep_from) {
            keep_from += 1;
        }
        self.text.drain(..keep_from);
        self.written = cut - keep_from;
        self.retry_at = 0;
    }
}

/// Whether `p` falls strictly inside one of the findings.
fn inside_any(kept: &[crate::scan::Candidate], p: usize) -> bool {
    kept.iter().any(|c| c.start < p && p < c.end)
}

//! Masking of text and JSON.

use crate::error::{bytes, call, Result};
use coresdk_engine::{json, MaskOptions};
use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;
use std::sync::Arc;

/// Options of a [`Masker`]. The same shape and defaults as Python's `Masker(...)`.
#[napi(object, object_to_js = false)]
pub struct MaskerOptions {
    /// `"redact"` (default), `"pseudonymize"`, `"partial"` or `"remove"`.
    pub strategy: Option<String>,
    /// The HMAC key of the pseudonymize strategy (string as UTF-8, or bytes).
    pub key: Option<Either<String, Buffer>>,
    /// Extra key names whose values are always masked.
    pub sensitive_keys: Option<Vec<String>>,
    /// The other options as JSON text (per-type strategies, `keep`, allow-list, custom
    /// detectors; see the core's `MaskOptions::apply_json`).
    pub config_json: Option<String>,
}

/// One finding: type and position (UTF-8 bytes and UTF-16 code units), never the value.
#[napi(object)]
pub struct Finding {
    /// Detector type, e.g. `EMAIL`.
    #[napi(js_name = "type")]
    pub kind: String,
    /// UTF-8 byte offset of the start.
    pub start: u32,
    /// UTF-8 byte offset of the end.
    pub end: u32,
    /// UTF-16 offset of the start (a JavaScript string index).
    pub start_utf16: u32,
    /// UTF-16 offset of the end.
    pub end_utf16: u32,
}

/// A configured masker.
#[napi]
pub struct Masker {
    inner: Arc<coresdk_engine::Masker>,
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[napi]
impl Masker {
    /// Builds a masker; `INVALID_ARGUMENT` for an unknown strategy or an empty key.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: Option<MaskerOptions>) -> Result<Self> {
        let options = options.unwrap_or(MaskerOptions {
            strategy: None,
            key: None,
            sensitive_keys: None,
            config_json: None,
        });
        let key = options.key.map(bytes);
        let inner = call(|| {
            coresdk_engine::Masker::new(MaskOptions::from_parts(
                options.strategy.as_deref().unwrap_or("redact"),
                key.as_deref(),
                options.sensitive_keys.unwrap_or_default(),
                options.config_json.as_deref(),
            )?)
        })?;
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// A masker for one stream of text chunks (see the core's `StreamMasker`).
    #[napi(catch_unwind)]
    pub fn stream(&self) -> StreamMasker {
        StreamMasker {
            inner: coresdk_engine::StreamMasker::new(Arc::clone(&self.inner)),
        }
    }

    /// Masks every finding in a string.
    #[napi(catch_unwind)]
    pub fn mask_text(&self, text: String) -> Result<String> {
        call(|| Ok(self.inner.mask_text(&text)))
    }

    /// Masks UTF-8 bytes; `INVALID_ARGUMENT` when they are not valid UTF-8.
    #[napi(catch_unwind)]
    pub fn mask_text_bytes(&self, text: Buffer) -> Result<String> {
        call(|| Ok(self.inner.mask_text(json::text(&text)?)))
    }

    /// Masks each string or UTF-8 buffer, in order, in one call.
    #[napi(catch_unwind)]
    pub fn mask_texts(&self, texts: Vec<Either<String, Buffer>>) -> Result<Vec<String>> {
        let slices: Vec<&[u8]> = texts
            .iter()
            .map(|t| match t {
                Either::A(s) => s.as_bytes(),
                Either::B(b) => b.as_ref(),
            })
            .collect();
        call(|| self.inner.mask_texts(&slices))
    }

    /// Parses JSON text, masks it (keys too) and returns JSON text.
    #[napi(catch_unwind)]
    pub fn mask_json(&self, json: Either<String, Buffer>) -> Result<String> {
        let json = bytes(json);
        call(|| self.inner.mask_json(&json))
    }

    /// Finds every sensitive value in a string.
    #[napi(catch_unwind)]
    pub fn scan(&self, text: String) -> Result<Vec<Finding>> {
        call(|| {
            Ok(self
                .inner
                .scan(&text)
                .into_iter()
                .map(|f| Finding {
                    kind: f.kind.to_string(),
                    start: u32_of(f.start),
                    end: u32_of(f.end),
                    start_utf16: u32_of(f.start_utf16),
                    end_utf16: u32_of(f.end_utf16),
                })
                .collect())
        })
    }
}

/// Keys by id as the host passes them: parallel lists of ids and key bytes.
fn key_lookup(
    key_ids: Vec<String>,
    keys: Vec<Buffer>,
) -> impl FnMut(&str) -> coresdk_engine::Result<[u8; 32]> {
    coresdk_engine::mask::raw_keys(
        key_ids
            .into_iter()
            .zip(keys.iter().map(|k| k.to_vec()))
            .collect(),
    )
}

/// `text` with every token of the tokenize strategy replaced by its value, using the
/// keys named `key_ids[i]` = `keys[i]`. `INTEGRITY` for a changed token,
/// `KEY_UNAVAILABLE` for a key id not given.
#[napi(catch_unwind)]
pub fn unmask_text(text: String, key_ids: Vec<String>, keys: Vec<Buffer>) -> Result<String> {
    let mut lookup = key_lookup(key_ids, keys);
    call(|| coresdk_engine::mask::unmask_text(&text, &mut lookup))
}

/// As `unmask_text`, for every string of a JSON document (JSON text in and out).
#[napi(catch_unwind)]
pub fn unmask_json(json: String, key_ids: Vec<String>, keys: Vec<Buffer>) -> Result<String> {
    let mut lookup = key_lookup(key_ids, keys);
    call(|| {
        let value = coresdk_engine::json::parse(json.as_bytes())?;
        let value = coresdk_engine::mask::unmask_value(&value, &mut lookup)?;
        Ok(coresdk_engine::json::to_string(&value))
    })
}

/// Masks text arriving in chunks: the concatenated output equals `maskText` of the
/// whole stream; only a bounded tail is held back.
#[napi]
pub struct StreamMasker {
    inner: coresdk_engine::StreamMasker,
}

#[napi]
impl StreamMasker {
    /// Takes the next chunk; returns the masked text now final (possibly empty).
    /// `INVALID_ARGUMENT` after `finish`.
    #[napi(catch_unwind)]
    pub fn push(&mut self, chunk: String) -> Result<String> {
        call(|| self.inner.push(&chunk))
    }

    /// Ends the stream and returns the masked rest; later calls return `""`.
    #[napi(catch_unwind)]
    pub fn finish(&mut self) -> Result<String> {
        call(|| Ok(self.inner.finish()))
    }

    /// Bytes (UTF-8) received and not yet written.
    #[napi(getter)]
    pub fn held(&self) -> u32 {
        u32_of(self.inner.held())
    }
}

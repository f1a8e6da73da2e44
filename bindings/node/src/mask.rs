//! Masking of text and JSON.

use crate::error::{bytes, call, invalid_argument, Result};
use coresdk_engine::{json, MaskOptions, Strategy};
use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;

/// Options of a [`Masker`]. The same shape and defaults as Python's `Masker(...)`.
#[napi(object, object_to_js = false)]
pub struct MaskerOptions {
    /// `"redact"` (default) or `"pseudonymize"`.
    pub strategy: Option<String>,
    /// The HMAC key of the pseudonymize strategy (string as UTF-8, or bytes).
    pub key: Option<Either<String, Buffer>>,
    /// Extra key names whose values are always masked.
    pub sensitive_keys: Option<Vec<String>>,
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
    inner: coresdk_engine::Masker,
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
        });
        let strategy = match options.strategy.as_deref() {
            None | Some("redact") => Strategy::Redact,
            Some("pseudonymize") => Strategy::Pseudonymize {
                key: options.key.map(bytes).unwrap_or_default(),
            },
            Some(other) => return Err(invalid_argument(format!("unknown strategy {other:?}"))),
        };
        let sensitive_keys = options.sensitive_keys.unwrap_or_default();
        let inner = call(|| {
            coresdk_engine::Masker::new(MaskOptions {
                strategy,
                sensitive_keys,
            })
        })?;
        Ok(Self { inner })
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

    /// Parses JSON text, masks it (keys kept) and returns JSON text.
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

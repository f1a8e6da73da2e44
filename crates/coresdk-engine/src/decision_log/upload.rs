//! Where events go: an OPA-compatible decision-log service (gzip'd JSON arrays POSTed to
//! `<service>/logs`, each at most the upload size limit), a JSON Lines file, or a function
//! of the host's (how the bindings hand events to OpenTelemetry logs).

use super::handler::{EventHandler, HandlerCall};
use crate::error::{Error, ErrorCode, Result};
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::Value;
use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Where a decision logger sends its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sink {
    /// An OPA-compatible decision-log service: events are POSTed to `<url>/logs`.
    Service {
        /// The service's base URL (`http://` or `https://`).
        url: String,
        /// A bearer token sent as `Authorization: Bearer <token>`, if the service needs one.
        bearer_token: Option<String>,
        /// Or a file holding it (`chmod 600`), read for every upload (OPA's
        /// `bearer.token_path`).
        bearer_token_file: Option<PathBuf>,
        /// Time limit of one upload.
        timeout: Duration,
    },
    /// A JSON Lines file, appended to (created if missing); `-` is standard output.
    File(PathBuf),
    /// A function of the host's, given each batch (e.g. to emit OpenTelemetry log records).
    Handler(EventHandler),
}

/// The events ready to leave, oldest first, each as its JSON text.
pub(crate) struct Outbox {
    pub events: VecDeque<String>,
    agent: ureq::Agent,
    /// The calls of a [`Sink::Handler`], each bounded by its time limit.
    handler_call: HandlerCall,
}

/// What one send did.
pub(crate) struct Sent {
    /// Events delivered.
    pub delivered: u64,
    /// Events dropped because one alone is larger than the upload limit.
    pub too_large: u64,
}

impl Outbox {
    pub(crate) fn new(sink: &Sink) -> Self {
        let timeout = match sink {
            Sink::Service { timeout, .. } => *timeout,
            Sink::File(_) | Sink::Handler(_) => Duration::from_secs(10),
        };
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            events: VecDeque::new(),
            agent,
            handler_call: HandlerCall::default(),
        }
    }

    /// Sends every event waiting, in chunks of at most `limit` bytes of JSON (so each
    /// gzip'd body is smaller still). Stops at the first failure, keeping what was not
    /// delivered (the caller backs off and retries).
    pub(crate) fn send(&mut self, sink: &Sink, limit: usize) -> (Sent, Result<()>) {
        let mut sent = Sent {
            delivered: 0,
            too_large: 0,
        };
        while !self.events.is_empty() {
            let (count, body, too_large) = self.chunk(limit);
            sent.too_large += too_large;
            if count == 0 {
                continue;
            }
            if let Err(e) = self.deliver(sink, body) {
                return (sent, Err(e));
            }
            self.events.drain(..count);
            sent.delivered += count as u64;
        }
        (sent, Ok(()))
    }

    /// The oldest events that fit in `limit` bytes as one JSON array: (how many, the
    /// array). An event alone over the limit is dropped (counted) rather than sent.
    fn chunk(&mut self, limit: usize) -> (usize, String, u64) {
        let mut too_large = 0;
        while self.events.front().is_some_and(|e| e.len() + 2 > limit) {
            self.events.pop_front();
            too_large += 1;
        }
        let mut body = String::from("[");
        let mut count = 0;
        for event in &self.events {
            if count > 0 && body.len() + event.len() + 2 > limit {
                break;
            }
            if count > 0 {
                body.push(',');
            }
            body.push_str(event);
            count += 1;
        }
        body.push(']');
        (count, body, too_large)
    }

    fn deliver(&mut self, sink: &Sink, body: String) -> Result<()> {
        match sink {
            Sink::Service {
                url,
                bearer_token,
                bearer_token_file,
                ..
            } => {
                let bearer = crate::credentials::bearer_authorization(
                    bearer_token.as_deref(),
                    bearer_token_file.as_ref(),
                )?;
                self.post(url, bearer.as_deref(), &body)
            }
            Sink::File(path) => append_lines(path, &body),
            Sink::Handler(handler) => self.handler_call.call(handler, body),
        }
    }

    fn post(&self, url: &str, authorization: Option<&str>, body: &str) -> Result<()> {
        let target = format!("{}/logs", url.trim_end_matches('/'));
        let unavailable = |why: String| {
            Error::new(
                ErrorCode::SourceUnavailable,
                format!("POST {target}: {why}"),
            )
        };
        let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
        gzip.write_all(body.as_bytes())
            .map_err(|e| unavailable(e.to_string()))?;
        let gzipped = gzip.finish().map_err(|e| unavailable(e.to_string()))?;
        let mut request = self
            .agent
            .post(&target)
            .header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip")
            .header("User-Agent", concat!("coresdk/", env!("CARGO_PKG_VERSION")));
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        let response = request
            .send(&gzipped[..])
            .map_err(|e| unavailable(e.to_string()))?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(unavailable(format!("status {status}")))
        }
    }
}

/// Writes the events of a JSON array `body` as lines.
fn append_lines(path: &PathBuf, body: &str) -> Result<()> {
    let events: Vec<Value> = serde_json::from_str(body)
        .map_err(|e| Error::new(ErrorCode::Internal, format!("decision log chunk: {e}")))?;
    let mut text = String::new();
    for event in events {
        text.push_str(&event.to_string());
        text.push('\n');
    }
    let failed = |e: std::io::Error| {
        Error::new(
            ErrorCode::SourceUnavailable,
            format!("decision log {}: {e}", path.display()),
        )
    };
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(failed);
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_stay_under_the_limit_and_oversized_events_are_dropped() {
        let mut outbox = Outbox::new(&Sink::File(PathBuf::from("-")));
        for text in [
            "{\"a\":1}",
            &format!("\"{}\"", "x".repeat(100)),
            "{\"b\":2}",
            "{\"c\":3}",
        ] {
            outbox.events.push_back(text.to_string());
        }
        let (count, body, dropped) = outbox.chunk(20);
        assert_eq!((count, body.as_str(), dropped), (1, "[{\"a\":1}]", 0));
        outbox.events.pop_front();
        let (count, body, dropped) = outbox.chunk(20);
        assert_eq!(
            (count, body.as_str(), dropped),
            (2, "[{\"b\":2},{\"c\":3}]", 1)
        );
    }
}

//! A decision-log and status service on loopback, as OPA's plugins expect one: it takes
//! `POST /logs` with a gzip'd JSON array and `POST /status` with a JSON report, records
//! each and answers with the status the test sets.

use flate2::read::GzDecoder;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One upload the service received.
#[derive(Debug, Clone)]
pub struct Upload {
    pub path: String,
    pub content_encoding: Option<String>,
    pub authorization: Option<String>,
    /// The gzip'd body's length in bytes.
    pub compressed_len: usize,
    /// The body's JSON after gunzip (when gzip'd).
    pub json_len: usize,
    /// The events of a gzip'd JSON array (decision logs).
    pub events: Vec<Value>,
    /// The body as JSON (a status report is plain JSON).
    pub body: Value,
    /// The status answered.
    pub status: u16,
}

/// The service; stops when dropped.
pub struct LogService {
    pub url: String,
    status: Arc<AtomicU16>,
    uploads: Arc<Mutex<Vec<Upload>>>,
    stop: Arc<AtomicBool>,
}

impl LogService {
    pub fn start() -> Self {
        let status = Arc::new(AtomicU16::new(200));
        let uploads = Arc::new(Mutex::new(Vec::new()));
        let (address, stop) = {
            let (status, uploads) = (status.clone(), uploads.clone());
            super::serve_loopback(move |stream| {
                serve(stream, status.load(Ordering::Relaxed), &uploads);
            })
        };
        Self {
            url: format!("http://{address}"),
            status,
            uploads,
            stop,
        }
    }

    /// The status every later upload is answered with.
    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::Relaxed);
    }

    pub fn uploads(&self) -> Vec<Upload> {
        self.uploads.lock().unwrap().clone()
    }

    /// The status reports received (answered 2xx), in order.
    pub fn statuses(&self) -> Vec<Upload> {
        self.uploads()
            .into_iter()
            .filter(|u| u.path == "/status" && (200..300).contains(&u.status))
            .collect()
    }

    /// Every event of every upload answered 2xx, in order.
    pub fn delivered(&self) -> Vec<Value> {
        self.uploads()
            .into_iter()
            .filter(|u| (200..300).contains(&u.status))
            .flat_map(|u| u.events)
            .collect()
    }
}

impl Drop for LogService {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Reads one upload, records it, then answers `status`: a client that has its answer
/// always finds its upload recorded.
fn serve(stream: std::net::TcpStream, status: u16, uploads: &Mutex<Vec<Upload>>) -> Option<()> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let (mut length, mut content_encoding, mut authorization) = (0usize, None, None);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim().to_string();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse().unwrap_or(0),
                "content-encoding" => content_encoding = Some(value),
                "authorization" => authorization = Some(value),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let mut json = String::new();
    if content_encoding.as_deref() == Some("gzip") {
        GzDecoder::new(&body[..]).read_to_string(&mut json).ok()?;
    } else {
        json = String::from_utf8(body.clone()).ok()?;
    }
    let parsed: Value = serde_json::from_str(&json).ok()?;
    let events = parsed.as_array().cloned().unwrap_or_default();
    uploads.lock().unwrap().push(Upload {
        path,
        content_encoding,
        authorization,
        compressed_len: body.len(),
        json_len: json.len(),
        events,
        body: parsed,
        status,
    });
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let _ = stream.flush();
    Some(())
}

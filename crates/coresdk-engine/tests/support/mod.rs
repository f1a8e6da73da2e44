//! Test support for bundle sources: tarballs built in memory and a real HTTP bundle
//! server on loopback (std `TcpListener`, one thread, `Connection: close`).
#![allow(dead_code)] // each test crate uses a different subset

pub mod log_service;

use flate2::write::GzEncoder;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A `.tar.gz` holding `files` (path, contents). Names are written into the header as
/// given, so tests can build archives a careful tool would refuse to (`../x`, `/x`).
pub fn tar_gz(files: &[(&str, &str)]) -> Vec<u8> {
    let raw: Vec<(&str, &[u8])> = files.iter().map(|(p, c)| (*p, c.as_bytes())).collect();
    tar_gz_bytes(&raw)
}

/// [`tar_gz`] with file contents as bytes (not necessarily UTF-8).
pub fn tar_gz_bytes(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    for (path, contents) in files {
        let mut header = tar::Header::new_old();
        let name = &mut header.as_old_mut().name;
        name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append(&header, *contents).expect("append");
    }
    builder.into_inner().expect("tar").finish().expect("gzip")
}

/// A bundle whose rule `data.app.version` is `version` and whose manifest revision is
/// `"v<version>"`.
pub fn versioned_bundle(version: u32) -> Vec<u8> {
    let manifest = format!(r#"{{"revision":"v{version}","roots":["app"]}}"#);
    let policy =
        format!("package app\nversion := {version}\nallow if input.user == data.app.admin\n");
    tar_gz(&[
        (".manifest", &manifest),
        ("app/policy.rego", &policy),
        ("app/data.json", r#"{"admin":"alice"}"#),
    ])
}

/// What the server answers.
#[derive(Clone)]
pub enum Reply {
    /// `200` with this body and `ETag`, or `304` when `If-None-Match` equals the tag.
    Bundle { body: Vec<u8>, etag: String },
    /// This status with an empty body.
    Status(u16),
    /// Close the connection without answering.
    Hangup,
}

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub if_none_match: Option<String>,
    pub authorization: Option<String>,
    pub status: u16,
}

/// A bundle server on `127.0.0.1:<ephemeral>`; stops when dropped.
pub struct BundleServer {
    pub url: String,
    reply: Arc<Mutex<Reply>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
}

impl BundleServer {
    pub fn start(reply: Reply) -> Self {
        let reply = Arc::new(Mutex::new(reply));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (address, stop) = {
            let (reply, seen) = (reply.clone(), seen.clone());
            serve_loopback(move |stream| {
                let current = reply.lock().unwrap().clone();
                if let Some(s) = serve(stream, &current) {
                    seen.lock().unwrap().push(s);
                }
            })
        };
        Self {
            url: format!("http://{address}/bundles/app.tar.gz"),
            reply,
            seen,
            stop,
        }
    }

    pub fn set(&self, reply: Reply) {
        *self.reply.lock().unwrap() = reply;
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for BundleServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Accepts connections on `127.0.0.1:<ephemeral>` on a thread of its own, one at a time,
/// until the returned flag is set: (the address, the stop flag).
pub fn serve_loopback(
    mut handle: impl FnMut(TcpStream) + Send + 'static,
) -> (String, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.set_nonblocking(true).expect("nonblocking");
    let address = listener.local_addr().unwrap().to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    std::thread::spawn(move || {
        while !stopped.load(Ordering::Relaxed) {
            match listener.accept() {
                Ok((stream, _)) => handle(stream),
                Err(_) => std::thread::sleep(Duration::from_millis(2)),
            }
        }
    });
    (address, stop)
}

fn serve(stream: TcpStream, reply: &Reply) -> Option<Seen> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let (mut if_none_match, mut authorization) = (None, None);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = Some(value.trim().to_string());
            match name.trim().to_ascii_lowercase().as_str() {
                "if-none-match" => if_none_match = value,
                "authorization" => authorization = value,
                _ => {}
            }
        }
    }
    let mut stream = stream;
    let status = match reply {
        Reply::Hangup => {
            return Some(Seen {
                path,
                if_none_match,
                authorization,
                status: 0,
            })
        }
        Reply::Status(code) => {
            let _ = write!(
                stream,
                "HTTP/1.1 {code} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            *code
        }
        Reply::Bundle { body, etag } if if_none_match.as_deref() == Some(etag.as_str()) => {
            let _ = write!(
                stream,
                "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
            );
            304
        }
        Reply::Bundle { body, etag } => {
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/gzip\r\nETag: {etag}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(body);
            200
        }
    };
    let _ = stream.flush();
    Some(Seen {
        path,
        if_none_match,
        authorization,
        status,
    })
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
pub fn eventually(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    condition()
}

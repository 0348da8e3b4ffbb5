//! Loopback TCP helpers for remote-store tests and benchmarks: a forwarding proxy
//! that counts the bytes servers send back (and their 412 answers), can spoil the
//! first connections with a `Fault` (503 SlowDown, a cut, a reset or a stall in
//! either direction) and can cut every multipart part upload once told to; a server
//! that accepts and never answers; and a port where nothing listens. Once told to
//! (`record`), the proxy also logs each request and its answer ([`Exchange`]).
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A forwarding proxy to one server.
pub struct Proxy {
    /// Where clients connect.
    pub addr: SocketAddr,
    /// Bytes sent from the server to clients so far.
    pub down_bytes: Arc<AtomicU64>,
    /// Connections given the fault (503 for `start`) so far.
    pub throttled: Arc<AtomicUsize>,
    /// Once set, a request uploading a multipart part (`partNumber=` in what the
    /// client sends) has its connection cut; other requests pass.
    pub cut_parts: Arc<AtomicBool>,
    /// Responses `412 Precondition Failed` sent back so far (a conditional request,
    /// e.g. a GET with `If-Match`, that the server refused).
    pub precondition_failed: Arc<AtomicUsize>,
    /// Once `record` is set, every exchange is appended here.
    pub log: Arc<Log>,
}

/// The exchanges a recording proxy has seen, in the order their answers began.
#[derive(Debug, Default)]
pub struct Log {
    pub record: AtomicBool,
    pub exchanges: Mutex<Vec<Exchange>>,
}

/// One request and the head of its answer, as the proxy forwarded them.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The proxied connection (several requests may share one).
    pub connection: usize,
    /// Milliseconds since the first proxy of the process began recording: when the
    /// request's head was forwarded, and when its answer's head came back.
    pub sent_ms: f64,
    pub answered_ms: f64,
    pub method: String,
    /// The request target (path and query).
    pub target: String,
    /// `Range` or `x-ms-range`.
    pub range: Option<String>,
    pub if_match: Option<String>,
    pub status: u16,
    pub etag: Option<String>,
    pub content_range: Option<String>,
}

impl std::fmt::Display for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        write!(
            f,
            "[c{} {:.1}-{:.1} ms] {} {} Range: {} If-Match: {} -> {} ETag: {} Content-Range: {}",
            self.connection,
            self.sent_ms,
            self.answered_ms,
            self.method,
            self.target,
            shown(&self.range),
            shown(&self.if_match),
            self.status,
            shown(&self.etag),
            shown(&self.content_range)
        )
    }
}

impl Log {
    /// The time on one clock for all proxies of the process.
    fn now_ms(&self) -> f64 {
        static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
        EPOCH.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
    }
}

/// What the proxy does to a spoiled connection.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// Answer `503 SlowDown` and close, without reaching the server.
    SlowDown,
    /// Forward the server's first `n` bytes (status, headers, part of a body), then
    /// close both ways: a response cut short of its `Content-Length`.
    CutDown(u64),
    /// Forward the client's first `n` bytes (a request cut mid-body), then close.
    CutUp(u64),
    /// Forward the server's first `n` bytes, then send nothing while staying open.
    Stall(u64),
    /// Forward the server's first `n` bytes, then reset the client's connection
    /// (RST, not FIN: `SO_LINGER` 0, then close), as a crashed middlebox does.
    ResetDown(u64),
    /// Forward the client's first `n` bytes (an upload reset mid-body), then reset
    /// the client's connection.
    ResetUp(u64),
}

/// What a direction does once its byte limit is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Then {
    /// Close both connections (FIN).
    Close,
    /// Hold both open and silent.
    Stall,
    /// Reset the client's connection (RST).
    Reset,
}

/// Forward only this many bytes in one direction, then do this.
type Limit = Option<(u64, Then)>;

impl Fault {
    /// The limits `(up, down)` of a spoiled connection's two directions.
    fn limits(self) -> (Limit, Limit) {
        match self {
            Fault::SlowDown => (None, None),
            Fault::CutUp(n) => (Some((n, Then::Close)), None),
            Fault::ResetUp(n) => (Some((n, Then::Reset)), None),
            Fault::CutDown(n) => (None, Some((n, Then::Close))),
            Fault::Stall(n) => (None, Some((n, Then::Stall))),
            Fault::ResetDown(n) => (None, Some((n, Then::Reset))),
        }
    }
}

impl Proxy {
    /// Forward 127.0.0.1:<new port> to `target`; the first `throttle_first`
    /// connections get an S3 `503 SlowDown` answer and are closed instead.
    pub fn start(target: SocketAddr, throttle_first: usize) -> Proxy {
        Proxy::faulty(target, Fault::SlowDown, throttle_first)
    }

    /// Forward 127.0.0.1:<new port> to `target`, giving the first `first`
    /// connections `fault`.
    pub fn faulty(target: SocketAddr, fault: Fault, first: usize) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let proxy = Proxy {
            addr: listener.local_addr().unwrap(),
            down_bytes: Arc::default(),
            throttled: Arc::default(),
            cut_parts: Arc::default(),
            precondition_failed: Arc::default(),
            log: Arc::default(),
        };
        let log = proxy.log.clone();
        let connections = AtomicUsize::new(0);
        let counters = (proxy.down_bytes.clone(), proxy.precondition_failed.clone());
        let (thr, cut) = (proxy.throttled.clone(), proxy.cut_parts.clone());
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let spoil = thr.load(Ordering::SeqCst) < first;
                if spoil {
                    thr.fetch_add(1, Ordering::SeqCst);
                }
                let fault = spoil.then_some(fault);
                if let Some(Fault::SlowDown) = fault {
                    slow_down(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(target) else {
                    continue;
                };
                let (up_limit, down_limit) = fault.map_or((None, None), Fault::limits);
                let reset = Arc::new(AtomicBool::new(false));
                let watch = Watch::new(&log, connections.fetch_add(1, Ordering::SeqCst));
                let up = Pump {
                    watch: watch.clone(),
                    client: client.try_clone().unwrap(),
                    server: server.try_clone().unwrap(),
                    up: true,
                    limit: up_limit,
                    counters: None,
                    cut_parts: Some(cut.clone()),
                    reset: reset.clone(),
                };
                let down = Pump {
                    watch,
                    client,
                    server,
                    up: false,
                    limit: down_limit,
                    counters: Some(counters.clone()),
                    cut_parts: None,
                    reset,
                };
                thread::spawn(move || up.run());
                thread::spawn(move || down.run());
            }
        });
        proxy
    }

    /// Bytes sent back so far.
    pub fn down(&self) -> u64 {
        self.down_bytes.load(Ordering::SeqCst)
    }

    /// Connections spoiled so far.
    pub fn spoiled(&self) -> usize {
        self.throttled.load(Ordering::SeqCst)
    }

    /// 412 answers sent back so far.
    pub fn preconditions_failed(&self) -> usize {
        self.precondition_failed.load(Ordering::SeqCst)
    }

    /// Start (or stop) logging exchanges.
    pub fn record(&self, on: bool) {
        self.log.now_ms();
        self.log.record.store(on, Ordering::SeqCst);
    }

    /// The exchanges logged so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.exchanges.lock().unwrap().clone()
    }

    /// The proxy as an `http://` endpoint.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// One direction of a proxied connection: client to server (`up`) or back.
struct Pump {
    client: TcpStream,
    server: TcpStream,
    up: bool,
    limit: Limit,
    /// Down only: bytes sent back, and 412 answers among them.
    counters: Option<(Arc<AtomicU64>, Arc<AtomicUsize>)>,
    /// Up only: once set, close both at the first multipart part upload seen.
    cut_parts: Option<Arc<AtomicBool>>,
    /// Set by the direction that resets the connection, so that the other does not
    /// close it with a FIN first.
    reset: Arc<AtomicBool>,
    /// Follows the HTTP messages of this direction for the log.
    watch: Watch,
}

impl Pump {
    /// Copy until either side ends or the limit is reached.
    fn run(self) {
        let (mut from, mut to) = if self.up {
            (&self.client, &self.server)
        } else {
            (&self.server, &self.client)
        };
        let mut buf = vec![0u8; 256 << 10];
        let mut left = self.limit.map_or(u64::MAX, |(n, _)| n);
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let chunk = &buf[..n];
            if self.cutting_parts() && contains(chunk, b"partNumber=") {
                return self.close();
            }
            let chunk = &chunk[..n.min(usize::try_from(left).unwrap_or(usize::MAX))];
            self.watch.feed(self.up, chunk);
            if let Some((bytes, preconditions)) = &self.counters {
                bytes.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                if contains(chunk, b"HTTP/1.1 412") {
                    preconditions.fetch_add(1, Ordering::SeqCst);
                }
            }
            if to.write_all(chunk).is_err() {
                break;
            }
            left -= chunk.len() as u64;
            if left == 0 {
                match self.limit {
                    Some((_, Then::Reset)) => return self.reset(),
                    Some((_, Then::Stall)) => thread::sleep(Duration::from_secs(60)),
                    _ => {}
                }
                return self.close();
            }
        }
        if !self.reset.load(Ordering::SeqCst) {
            let _ = to.shutdown(Shutdown::Write);
        }
    }

    fn cutting_parts(&self) -> bool {
        self.cut_parts
            .as_ref()
            .is_some_and(|c| c.load(Ordering::SeqCst))
    }

    /// Close both connections (FIN).
    fn close(&self) {
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.server.shutdown(Shutdown::Both);
    }

    /// Reset the client's connection: with `SO_LINGER` 0 the last close of its socket
    /// sends RST instead of FIN. Shutting the reading side (which sends nothing) and
    /// the server's connection wakes the other direction, which sees `reset`, leaves
    /// without a FIN and drops its handles; whichever direction drops last resets.
    fn reset(&self) {
        self.reset.store(true, Ordering::SeqCst);
        socket2::SockRef::from(&self.client)
            .set_linger(Some(Duration::ZERO))
            .expect("SO_LINGER 0 on the client's connection");
        let _ = self.client.shutdown(Shutdown::Read);
        let _ = self.server.shutdown(Shutdown::Both);
    }
}

/// What a connection's two directions share for the log: the requests whose answers
/// have not begun yet, oldest first (HTTP/1.1 answers come in request order).
#[derive(Clone)]
struct Watch {
    log: Arc<Log>,
    connection: usize,
    pending: Arc<Mutex<VecDeque<Exchange>>>,
    parser: Arc<Mutex<[Messages; 2]>>,
}

/// Where one direction's byte stream is: in a message head, `n` bytes before the
/// next one, or in a chunked body (at a chunk's size line, or `n` bytes before the
/// next); `Lost` once it cannot tell (a body without framing).
#[derive(Default)]
enum Messages {
    Head(Vec<u8>),
    Body(u64),
    ChunkLine(Vec<u8>),
    ChunkData(u64),
    #[default]
    Lost,
}

/// How a message's body is framed.
enum Framing {
    Length(u64),
    Chunked,
    Unknown,
}

impl Watch {
    fn new(log: &Arc<Log>, connection: usize) -> Watch {
        Watch {
            log: log.clone(),
            connection,
            pending: Arc::default(),
            parser: Arc::new(Mutex::new([
                Messages::Head(Vec::new()),
                Messages::Head(Vec::new()),
            ])),
        }
    }

    /// Follow `chunk`, sent up (a request's bytes) or down (an answer's).
    fn feed(&self, up: bool, mut chunk: &[u8]) {
        if !self.log.record.load(Ordering::SeqCst) {
            return;
        }
        let mut parsers = self.parser.lock().unwrap();
        let state = &mut parsers[usize::from(up)];
        while !chunk.is_empty() {
            let (in_chunk, head) = (
                matches!(state, Messages::ChunkData(_)),
                matches!(state, Messages::Head(_)),
            );
            match state {
                Messages::Lost => return,
                Messages::Body(left) | Messages::ChunkData(left) => {
                    let take = (*left).min(chunk.len() as u64);
                    *left -= take;
                    chunk = &chunk[take as usize..];
                    if *left == 0 && in_chunk {
                        *state = Messages::ChunkLine(Vec::new());
                    } else if *left == 0 {
                        *state = Messages::Head(Vec::new());
                    }
                }
                Messages::Head(line) | Messages::ChunkLine(line) => {
                    let end = if head {
                        b"\r\n\r\n".as_slice()
                    } else {
                        b"\r\n"
                    };
                    let seen = line.len().saturating_sub(end.len() - 1);
                    line.extend_from_slice(chunk);
                    let Some(at) = line[seen..].windows(end.len()).position(|w| w == end) else {
                        return;
                    };
                    let cut = seen + at + end.len();
                    chunk = &chunk[chunk.len() - (line.len() - cut)..];
                    let text = String::from_utf8_lossy(&line[..cut]).into_owned();
                    *state = if head {
                        match self.message(up, &text) {
                            Framing::Length(0) => Messages::Head(Vec::new()),
                            Framing::Length(n) => Messages::Body(n),
                            Framing::Chunked => Messages::ChunkLine(Vec::new()),
                            Framing::Unknown => Messages::Lost,
                        }
                    } else {
                        let size = text.trim().split(';').next().unwrap_or("");
                        match u64::from_str_radix(size, 16) {
                            Ok(0) => Messages::Body(2), // the last chunk's closing CRLF
                            Ok(n) => Messages::ChunkData(n + 2),
                            Err(_) => Messages::Lost,
                        }
                    };
                }
            }
        }
    }

    /// Log what the message head `text` says; returns how its body is framed.
    fn message(&self, up: bool, text: &str) -> Framing {
        let mut lines = text.split("\r\n");
        let first: Vec<&str> = lines.next().unwrap_or("").split(' ').collect();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let chunked = header("transfer-encoding").is_some_and(|v| v.contains("chunked"));
        let length = header("content-length").and_then(|v| v.parse::<u64>().ok());
        let now = self.log.now_ms();
        if up {
            self.pending.lock().unwrap().push_back(Exchange {
                connection: self.connection,
                sent_ms: now,
                answered_ms: 0.0,
                method: first.first().unwrap_or(&"").to_string(),
                target: first.get(1).unwrap_or(&"").to_string(),
                range: header("range").or_else(|| header("x-ms-range")),
                if_match: header("if-match"),
                status: 0,
                etag: None,
                content_range: None,
            });
            return match (chunked, length) {
                (true, _) => Framing::Chunked,
                (false, n) => Framing::Length(n.unwrap_or(0)),
            };
        }
        let Some(mut exchange) = self.pending.lock().unwrap().pop_front() else {
            return Framing::Unknown;
        };
        exchange.answered_ms = now;
        exchange.status = first.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        exchange.etag = header("etag");
        exchange.content_range = header("content-range");
        let bodiless =
            exchange.method == "HEAD" || matches!(exchange.status, 100..=199 | 204 | 304);
        self.log.exchanges.lock().unwrap().push(exchange);
        match (bodiless, chunked, length) {
            (true, _, _) => Framing::Length(0),
            (_, true, _) => Framing::Chunked,
            (_, _, Some(n)) => Framing::Length(n),
            _ => Framing::Unknown,
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn slow_down(mut client: TcpStream) {
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match client.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>\
                <Message>Please reduce your request rate.</Message></Error>";
    let _ = write!(
        client,
        "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A server that accepts connections and never answers; keeps them open while alive.
pub struct Silent {
    pub addr: SocketAddr,
    _held: Arc<Mutex<Vec<TcpStream>>>,
}

impl Silent {
    pub fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().unwrap();
        let held = Arc::new(Mutex::new(Vec::new()));
        let keep = held.clone();
        thread::spawn(move || {
            for c in listener.incoming().flatten() {
                keep.lock().unwrap().push(c);
            }
        });
        Silent { addr, _held: held }
    }
}

/// A loopback port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

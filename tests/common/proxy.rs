//! Loopback TCP helpers for remote-store tests and benchmarks: a forwarding proxy
//! that counts the bytes servers send back (and their 412 answers), can spoil the
//! first connections with a `Fault` (503 SlowDown, a cut, a reset or a stall in
//! either direction) and can cut every multipart part upload once told to; a server
//! that accepts and never answers; and a port where nothing listens.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

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
        };
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
                let up = Pump {
                    client: client.try_clone().unwrap(),
                    server: server.try_clone().unwrap(),
                    up: true,
                    limit: up_limit,
                    counters: None,
                    cut_parts: Some(cut.clone()),
                    reset: reset.clone(),
                };
                let down = Pump {
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

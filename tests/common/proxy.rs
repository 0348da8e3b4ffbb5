//! Loopback TCP helpers for remote-store tests and benchmarks: a forwarding proxy
//! that counts the bytes servers send back, can spoil the first connections with a
//! `Fault` (503 SlowDown, a cut or a stall in either direction) and can cut every
//! multipart part upload once told to; a server that accepts and never answers; and a
//! port where nothing listens.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

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
        let addr = listener.local_addr().unwrap();
        let down_bytes = Arc::new(AtomicU64::new(0));
        let throttled = Arc::new(AtomicUsize::new(0));
        let cut_parts = Arc::new(AtomicBool::new(false));
        let (down, thr, cut) = (down_bytes.clone(), throttled.clone(), cut_parts.clone());
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
                let (down, cut) = (down.clone(), cut.clone());
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (up, down_fault) = match fault {
                    Some(Fault::CutUp(n)) => (Some((n, false)), None),
                    Some(Fault::CutDown(n)) => (None, Some((n, false))),
                    Some(Fault::Stall(n)) => (None, Some((n, true))),
                    _ => (None, None),
                };
                thread::spawn(move || pump(c2, s2, None, up, Some(cut)));
                thread::spawn(move || pump(server, client, Some(down), down_fault, None));
            }
        });
        Proxy {
            addr,
            down_bytes,
            throttled,
            cut_parts,
        }
    }

    /// Bytes sent back so far.
    pub fn down(&self) -> u64 {
        self.down_bytes.load(Ordering::SeqCst)
    }

    /// The proxy as an `http://` endpoint.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Copy `from` to `to` until either ends; with `limit` = (n, stall), only the first
/// n bytes, then close both streams (or, with `stall`, hold them open, silent); with
/// `cut_parts` set, close both at the first multipart part upload seen.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    count: Option<Arc<AtomicU64>>,
    limit: Option<(u64, bool)>,
    cut_parts: Option<Arc<AtomicBool>>,
) {
    let mut buf = vec![0u8; 256 << 10];
    let mut left = limit.map_or(u64::MAX, |(n, _)| n);
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let part_upload = || buf[..n].windows(11).any(|w| w == b"partNumber=");
                if cut_parts.as_ref().is_some_and(|c| c.load(Ordering::SeqCst)) && part_upload() {
                    let _ = from.shutdown(Shutdown::Both);
                    let _ = to.shutdown(Shutdown::Both);
                    return;
                }
                let n = n.min(usize::try_from(left).unwrap_or(usize::MAX));
                if let Some(c) = &count {
                    c.fetch_add(n as u64, Ordering::SeqCst);
                }
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
                left -= n as u64;
                if left == 0 {
                    if let Some((_, true)) = limit {
                        thread::sleep(std::time::Duration::from_secs(60));
                    }
                    let _ = from.shutdown(Shutdown::Both);
                    let _ = to.shutdown(Shutdown::Both);
                    return;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
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

//! Objects written into fake-gcs-server past object_store: the emulator does not
//! take the XML API uploads object_store's GCS client sends (a PUT of
//! `/<bucket>/<object>` is answered 400 "invalid uploadType"), so the GCS read suite
//! stages its objects through the emulator's JSON API media upload instead.
#![allow(dead_code)]

use super::remote::Remote;
use std::io::{Read, Write};
use std::net::TcpStream;

impl Remote {
    /// GCS only: store `bytes` at `path` under this store's location (replacing
    /// what is there) through fake-gcs-server's JSON API, and panic unless it
    /// answers 200.
    pub fn emulator_upload(&self, path: &str, bytes: &[u8]) {
        assert_eq!(
            self.kind, "gcs",
            "only the GCS emulator takes JSON API uploads"
        );
        let bucket = self.block["bucket"].as_str().unwrap();
        let name = format!("{}/{path}", self.block["location"].as_str().unwrap());
        let addr = self.server_addr();
        let head = format!(
            "POST /upload/storage/v1/b/{bucket}/o?uploadType=media&name={} HTTP/1.1\r\n\
             Host: {addr}\r\nContent-Type: application/octet-stream\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            percent_encode(&name),
            bytes.len()
        );
        let mut conn = TcpStream::connect(addr).expect("connect to fake-gcs-server");
        conn.write_all(head.as_bytes()).unwrap();
        conn.write_all(bytes).unwrap();
        let mut answer = String::new();
        conn.read_to_string(&mut answer).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "fake-gcs-server refused the upload of {name}: {answer}"
        );
    }
}

/// `s` with every byte outside the URL-unreserved set percent-encoded.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

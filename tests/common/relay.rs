//! Oracle calls through the host's relay, for test executables under Wine: a Windows
//! process there cannot run the host's Linux Python and learn its exit status, so
//! scripts/windows.sh starts tests/windows/oracle_relay.py on loopback and exports
//! its address as [`ENV`]; each call is one TCP connection carrying a JSON request
//! and reply. Paths in the arguments stay Windows paths: the relay maps them to host
//! paths.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;

/// The environment variable with the relay's address (`127.0.0.1:PORT`).
pub const ENV: &str = "NPYSTORE_ORACLE_RELAY";

/// Which of the host's Pythons runs the script.
#[derive(Clone, Copy)]
pub enum Python {
    /// `$NPYSTORE_PYTHON`: numpy and datajoint.
    Numpy,
    /// `$NPYSTORE_S3_ADMIN_PYTHON`: boto3, for moto's pending uploads.
    S3Admin,
}

/// How an oracle ended: its exit status (as text) and its output.
pub struct Output {
    /// Whether it exited with status 0.
    pub success: bool,
    /// The exit status, for messages.
    pub status: String,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl From<std::process::Output> for Output {
    fn from(out: std::process::Output) -> Output {
        Output {
            success: out.status.success(),
            status: out.status.to_string(),
            stdout: String::from_utf8(out.stdout).expect("python output is UTF-8"),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Whether oracle calls go through the relay (the test runs under Wine).
pub fn active() -> bool {
    std::env::var_os(ENV).is_some()
}

/// The host path the relay maps the Windows path `path` to.
pub fn host_path(path: &str) -> String {
    call(serde_json::json!({ "host_path": path }))["path"]
        .as_str()
        .expect("the reply has a path")
        .to_string()
}

/// Send `request` to the relay at `$ENV`; its JSON reply.
fn call(request: serde_json::Value) -> serde_json::Value {
    let address = std::env::var(ENV).expect("NPYSTORE_ORACLE_RELAY is not set");
    let mut conn = TcpStream::connect(&address).expect("connect to the oracle relay");
    conn.write_all(request.to_string().as_bytes())
        .expect("send to the oracle relay");
    conn.shutdown(Shutdown::Write).expect("end the request");
    let mut reply = Vec::new();
    conn.read_to_end(&mut reply)
        .expect("read the oracle relay's reply");
    serde_json::from_slice(&reply).expect("the reply is JSON")
}

/// Run `script args...` with `python` on the host, through the relay at `$ENV`.
pub fn run(python: Python, script: &Path, args: &[&str]) -> Output {
    let argv: Vec<String> = std::iter::once(script.display().to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .collect();
    let python = match python {
        Python::Numpy => "numpy",
        Python::S3Admin => "s3-admin",
    };
    let reply = call(serde_json::json!({ "python": python, "argv": argv }));
    let status = reply["status"].as_i64().expect("the reply has a status");
    Output {
        success: status == 0,
        status: format!("exit status: {status} (on the host, through the relay)"),
        stdout: reply["stdout"].as_str().unwrap_or_default().to_string(),
        stderr: reply["stderr"].as_str().unwrap_or_default().to_string(),
    }
}

"""An HTTP proxy on loopback that counts what passes: the Octave S3 test's meter.

    python counting_proxy.py UPSTREAM PORTFILE LOGFILE [RATE STARTED]

Forwards every request to UPSTREAM (http://host:port) unchanged (the Host header
too, so S3 signatures stay valid) and appends one line per request to LOGFILE:
method, path, status, response body bytes, Range header. Writes its port to
PORTFILE once listening. Request bodies are forwarded when they carry a
Content-Length (the test puts its objects directly, not through the proxy).

With RATE (bytes per second, per response) a response body of more than 64 KiB is
sent at that rate, in twentieths of a second, so that a transfer stays under way long
enough to be watched and cancelled; the file STARTED is created when the first of
its bytes go out (the Ctrl+C test waits for it). A client that hangs up ends the
response quietly.
"""
import http.client
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

UPSTREAM = urlsplit(sys.argv[1])
LOG = open(sys.argv[3], "a", buffering=1)
LOCK = threading.Lock()
RATE = int(sys.argv[4]) if len(sys.argv) > 5 else 0
STARTED = sys.argv[5] if len(sys.argv) > 5 else None
SLOW_ABOVE = 64 * 1024
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        conn = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        # logged before the client gets the response, so a line is in the log by the
        # time the call that caused it returns
        with LOCK:
            LOG.write(f"{self.command}\t{self.path}\t{resp.status}\t"
                      f"{len(data) if self.command != 'HEAD' else 0}\t"
                      f"{self.headers.get('Range', '')}\n")
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.send_body(data)

    def send_body(self, data):
        if not RATE or len(data) <= SLOW_ABOVE:
            self.wfile.write(data)
            return
        step = max(RATE // 20, 1)
        try:
            for at in range(0, len(data), step):
                self.wfile.write(data[at:at + step])
                self.wfile.flush()
                if at == 0:
                    mark_started()
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client cancelled

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = forward


def mark_started():
    if STARTED and not os.path.exists(STARTED):
        open(STARTED, "w").close()


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()

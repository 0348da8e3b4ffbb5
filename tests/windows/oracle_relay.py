"""Run the tests' Python oracles on the Linux host for test executables under Wine.

A Windows process under Wine cannot run a Linux program and learn its exit status
(Wine 8.0 starts an ELF file without a process handle), so the integration tests
built for Windows send each oracle call here instead (tests/common/mod.rs,
`run_python`, when NPYSTORE_ORACLE_RELAY is set). scripts/windows.sh starts this
relay on a free loopback port and stops it at the end.

    oracle_relay.py PORT_FILE      serve until killed; writes the port to PORT_FILE

One TCP connection per call. The request is one JSON object,
{"python": "numpy" | "s3-admin", "argv": [script, arg...]}, ended by the client
shutting down its writing side (or {"host_path": P}: the reply is {"path": host path
of P}). The reply is {"status": N, "stdout": ..., "stderr": ...}.
Arguments that are Windows paths (C:\\..., Z:\\..., \\\\?\\C:\\...) become the host
paths Wine maps them to (the prefix's dosdevices/ links); the script, given by the
cross-built test as its compile-time repository path, also when it is drive-relative
(/work/repo\\tests/oracles/x.py). The numpy Python is $NPYSTORE_PYTHON, the S3 admin
one $NPYSTORE_S3_ADMIN_PYTHON (scripts/s3-server.sh); WINEPREFIX names the prefix.
"""

import json
import os
import re
import socketserver
import subprocess
import sys

DRIVE = re.compile(r"^(?:\\\\\?\\)?([A-Za-z]):[\\/](.*)$", re.S)


def host_path(arg: str) -> str:
    """The host path of a Windows path under Wine; any other argument unchanged."""
    m = DRIVE.match(arg)
    if not m:
        return arg
    root = os.path.realpath(
        os.path.join(os.environ["WINEPREFIX"], "dosdevices", m.group(1).lower() + ":")
    )
    return os.path.join(root, m.group(2).replace("\\", "/"))


def host_script(arg: str) -> str:
    """The script's host path: a Windows path, or a host path joined with backslashes."""
    if DRIVE.match(arg):
        return host_path(arg)
    return arg.replace("\\", "/")


PYTHONS = {"numpy": "NPYSTORE_PYTHON", "s3-admin": "NPYSTORE_S3_ADMIN_PYTHON"}


class Call(socketserver.StreamRequestHandler):
    def handle(self):
        request = json.loads(self.rfile.read())
        if "host_path" in request:
            self.wfile.write(json.dumps({"path": host_path(request["host_path"])}).encode())
            return
        var = PYTHONS[request["python"]]
        python = os.environ.get(var)
        if not python:
            reply = {"status": 127, "stdout": "", "stderr": f"oracle_relay: {var} is not set"}
        else:
            script, *args = request["argv"]
            argv = [python, host_script(script), *map(host_path, args)]
            done = subprocess.run(argv, capture_output=True)
            reply = {
                "status": done.returncode,
                "stdout": done.stdout.decode("utf-8", "replace"),
                "stderr": done.stderr.decode("utf-8", "replace"),
            }
        self.wfile.write(json.dumps(reply).encode())


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True


def main():
    server = Server(("127.0.0.1", 0), Call)
    with open(sys.argv[1] + ".part", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(sys.argv[1] + ".part", sys.argv[1])
    server.serve_forever()


if __name__ == "__main__":
    main()

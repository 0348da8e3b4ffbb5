"""The S3 server the remote DataJoint tests share: the one scripts/test.sh started
(NPYSTORE_S3_* variables), else one started here with scripts/s3-server.sh (moto in
its own virtualenv; stop it with `scripts/s3-server.sh stop`)."""
import os
import re
import subprocess
import uuid
from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]
_KEYS = ("NPYSTORE_S3_ENDPOINT", "NPYSTORE_S3_BUCKET", "NPYSTORE_S3_ACCESS_KEY", "NPYSTORE_S3_SECRET_KEY")


def s3_server():
    """{"endpoint": "http://127.0.0.1:PORT", "bucket", "access_key", "secret_key"}."""
    env = {k: os.environ.get(k) for k in _KEYS}
    if not all(env.values()):
        out = subprocess.run([str(_REPO / "scripts/s3-server.sh"), "start", "moto"],
                             check=True, capture_output=True, text=True).stdout
        env = dict(re.findall(r"(NPYSTORE_S3_\w+)=(\S+)", out))
    return {"endpoint": env["NPYSTORE_S3_ENDPOINT"], "bucket": env["NPYSTORE_S3_BUCKET"],
            "access_key": env["NPYSTORE_S3_ACCESS_KEY"], "secret_key": env["NPYSTORE_S3_SECRET_KEY"]}


def s3_store(server, location=None):
    """A DataJoint s3 store block on `server`, under a fresh location: the endpoint
    without its scheme and `secure: false`, as DataJoint users write it."""
    return {
        "protocol": "s3",
        "endpoint": server["endpoint"].removeprefix("http://"),
        "secure": False,
        "bucket": server["bucket"],
        "location": location or "dj-" + uuid.uuid4().hex[:10],
        "access_key": server["access_key"],
        "secret_key": server["secret_key"],
    }

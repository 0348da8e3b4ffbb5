"""Oracle for tests/config_parity.rs: load datajoint.json the way DataJoint 2.3.5 does
(import from argv[1] as the working directory) and print each named store's spec as
get_store_spec returns it, or the error it or StorageBackend raises."""

import json
import os
import sys
import warnings

os.chdir(sys.argv[1])
for var in ("DJ_STORES", "DJ_IGNORE_CONFIG_FILE"):
    os.environ.pop(var, None)

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import datajoint as dj
    from datajoint.storage import StorageBackend

specs = {}
for name in sys.argv[2:]:
    try:
        spec = dj.config.get_store_spec(None if name == "<default>" else name)
        StorageBackend(spec)  # the backend's own checks (file location, S3 keys)
        if spec["protocol"] == "file":
            spec["location"] = os.path.abspath(spec["location"])
        specs[name] = {"spec": spec}
    except Exception as e:  # noqa: BLE001 - the message is what is compared
        specs[name] = {"error": str(e)}

json.dump(
    {
        "config_warnings": [str(w.message) for w in caught if "config" in str(w.message).lower()],
        "store_keys": sorted(dj.config.stores),
        "specs": specs,
    },
    sys.stdout,
)

"""``bilum run`` must let eventlet patch the standard library before anything that talks to the network is
imported: a module that bound the blocking ``time.sleep`` first (kombu's reconnection backoff) froze every service
with several broker connections after a broker restart, until none of them could finish a handshake."""

import subprocess
import sys
from pathlib import Path

NETWORK_PACKAGES = ("kombu", "amqp", "nameko", "requests", "urllib3", "psycopg2", "sqlalchemy", "pika")

SPY = f"""
import sys
import eventlet

def record_what_was_imported(*args, **kwargs):
    print(",".join(sorted(name for name in sys.modules if name.split(".")[0] in {NETWORK_PACKAGES!r})))
    raise SystemExit(0)

eventlet.monkey_patch = record_what_was_imported
from bilum.cli import main
main(["run", "orders"])
print("monkey_patch was never called")
"""


def test_bilum_run_patches_eventlet_before_importing_anything_that_uses_the_network():
    finished = subprocess.run(
        [sys.executable, "-c", SPY], capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2]
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "", f"imported before eventlet.monkey_patch(): {finished.stdout.strip()}"

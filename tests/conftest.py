"""nameko needs eventlet's monkey patch before sockets, threads and psycopg2 are used; its pytest plugin no longer
applies it."""

import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

# Local SMTP and HTTP servers (subprocesses) for the channel and notification tests; the in-process fulfilment
# network of the quota and lot tests.
pytest_plugins = ("tests.local_servers", "tests.integration.fulfilment", "tests.integration.tenants")

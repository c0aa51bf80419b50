"""Ports for the servers a run starts of its own (a private broker or database, Kannel, the services' HTTP).

A port the kernel hands out for ``bind(("127.0.0.1", 0))`` lies in its ephemeral range, the same range it takes the
source ports of outgoing connections from: between the choice and the server's own bind (seconds for an Erlang
node), or while a test holds a server down, one of the run's thousands of connections may take it, and the server
fails to start with "address in use". Ports are therefore chosen below that range, where only servers bind.
"""

import random
import socket
from pathlib import Path

_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# Below this, ports are the well-known and registered ones of the machine's own services.
_LOWEST = 10000
_TRIES = 500
_given: set[int] = set()


def _ephemeral_start() -> int:
    try:
        start, _end = (int(bound) for bound in _EPHEMERAL_RANGE.read_text().split())
    except (OSError, ValueError):
        return 32768
    return start


def free_port() -> int:
    """A port nothing listens on now, outside the ephemeral range and not given before in this process: runs on one
    machine (two developers, CI) must not answer each other, and a server stopped for a while must find its port."""
    end = _ephemeral_start()
    if end - _LOWEST < 1000:
        raise RuntimeError(
            f"the ephemeral port range starts at {end} ({_EPHEMERAL_RANGE}): leave ports {_LOWEST} and up free for "
            "the servers a run starts"
        )
    chooser = random.SystemRandom()
    for _ in range(_TRIES):
        port = chooser.randrange(_LOWEST, end)
        if port in _given:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given.add(port)
        return port
    raise RuntimeError(f"no free port between {_LOWEST} and {end} after {_TRIES} tries")

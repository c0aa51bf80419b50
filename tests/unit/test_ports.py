"""The ports a run gives its own servers lie below the kernel's ephemeral range, where no outgoing connection can take
one while its server starts or is held down (a private RabbitMQ node once failed to start on such a port)."""

import socket
from pathlib import Path

from bilum import ports


def _ephemeral_start() -> int:
    return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])


def test_ports_are_below_the_ephemeral_range_free_and_never_given_twice():
    given = [ports.free_port() for _ in range(200)]
    assert all(10000 <= port < _ephemeral_start() for port in given)
    assert len(set(given)) == len(given)
    with socket.socket() as server:
        server.bind(("127.0.0.1", given[-1]))


def test_a_port_a_server_listens_on_is_passed_over(monkeypatch):
    with socket.socket() as server, socket.socket() as probe:
        server.bind(("127.0.0.1", ports.free_port()))
        server.listen()
        taken = server.getsockname()[1]
        probe.bind(("127.0.0.1", 0))
        other = probe.getsockname()[1]
        probe.close()
        choices = iter([taken, taken, other])
        monkeypatch.setattr(ports.random.SystemRandom, "randrange", lambda _self, _start, _end: next(choices))
        assert ports.free_port() == other

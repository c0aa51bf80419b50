"""A TCP proxy between services and the broker, run as its own process so a fault test can break the network the
way a real one breaks: ``python -m tests.faults.tcp_proxy LISTEN_PORT TARGET_HOST TARGET_PORT STATE_FILE``.

Signals steer it: SIGUSR1 drops every open connection at once (a reset, as when a NAT or load balancer forgets
them); SIGUSR2 toggles an outage, in which open connections are dropped and new ones are accepted and closed at once
(the broker looks unreachable). It writes ``up``, ``down`` or the count of drops to STATE_FILE when it changes, so
the test knows the signal was acted on. It uses plain threads: the test's eventlet patch does not reach it.
"""

import os
import signal
import socket
import sys
import threading

_BUFFER = 65536


class Proxy:
    def __init__(self, listen_port: int, target: tuple[str, int], state_file: str):
        self.target = target
        self.state_file = state_file
        self.lock = threading.Lock()
        self.pairs: set[tuple[socket.socket, socket.socket]] = set()
        self.down = False
        self.drops = 0
        self.server = socket.create_server(("127.0.0.1", listen_port), backlog=128)

    def write_state(self) -> None:
        with open(self.state_file + ".tmp", "w") as state:
            state.write(f"{'down' if self.down else 'up'} {self.drops}\n")
        os.replace(self.state_file + ".tmp", self.state_file)

    def drop_all(self) -> None:
        with self.lock:
            pairs, self.pairs = self.pairs, set()
            self.drops += 1
        for pair in pairs:
            for sock in pair:
                _reset(sock)

    def on_drop(self, signum, frame) -> None:
        threading.Thread(target=lambda: (self.drop_all(), self.write_state()), daemon=True).start()

    def on_toggle(self, signum, frame) -> None:
        def toggle():
            self.down = not self.down
            if self.down:
                self.drop_all()
            self.write_state()

        threading.Thread(target=toggle, daemon=True).start()

    def serve(self) -> None:
        self.write_state()
        while True:
            client, _ = self.server.accept()
            if self.down:
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            upstream.settimeout(None)
            pair = (client, upstream)
            with self.lock:
                self.pairs.add(pair)
            threading.Thread(target=self.pump, args=(client, upstream, pair), daemon=True).start()
            threading.Thread(target=self.pump, args=(upstream, client, pair), daemon=True).start()

    def pump(self, source: socket.socket, sink: socket.socket, pair) -> None:
        try:
            while True:
                data = source.recv(_BUFFER)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        with self.lock:
            self.pairs.discard(pair)
        for sock in pair:
            _reset(sock)


def _reset(sock: socket.socket) -> None:
    """Close with a reset rather than a polite FIN: the peer learns at once that the connection is gone. Shutting
    the reading side first wakes the thread blocked reading it."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    except OSError:
        pass
    try:
        sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def main() -> None:
    listen_port, host, port, state_file = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    proxy = Proxy(listen_port, (host, port), state_file)
    signal.signal(signal.SIGUSR1, proxy.on_drop)
    signal.signal(signal.SIGUSR2, proxy.on_toggle)
    proxy.serve()


if __name__ == "__main__":
    main()

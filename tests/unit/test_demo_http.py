"""The demo's clients wait out the gateway's 429 as its Retry-After says and ask again, body and all; other refusals
are theirs to judge."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bilum import demo_http


class _Gateway(BaseHTTPRequestHandler):
    """Refuses the first ``refusals`` requests with ``status``, then echoes the body."""

    refusals, status, bodies = 0, 429, []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).bodies.append(body)
        if len(type(self).bodies) <= type(self).refusals:
            self.send_response(type(self).status)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.bodies = []
    yield f"http://127.0.0.1:{server.server_address[1]}", _Gateway
    server.shutdown()
    server.server_close()


def test_a_request_refused_for_going_too_fast_is_sent_again_with_its_body(gateway):
    url, handler = gateway
    handler.refusals, handler.status = 2, 429
    response = demo_http.session({"X-API-Key": "k"}).post(url, json={"quantity": 4}, timeout=5)
    assert response.status_code == 201
    assert response.json() == {"quantity": 4}
    assert handler.bodies == [b'{"quantity": 4}'] * 3


def test_other_refusals_are_answered_at_once(gateway):
    url, handler = gateway
    handler.refusals, handler.status = 1, 503
    assert demo_http.session().post(url, json={}, timeout=5).status_code == 503
    assert len(handler.bodies) == 1

"""Real servers for the channel tests, each in its own process.

The test process runs under eventlet's monkey patch, where an asyncio server on a thread would never get to run, so
the SMTP server (aiosmtpd) and the HTTP recorder run as subprocesses started here. Each writes the port it listens on
to a file once it is ready, and every message or request it receives as one JSON line to a record file, before it
answers, so a test reads what arrived as soon as its send returns. When a server cannot start the tests fail: they
never skip.

The HTTP recorder takes GET and POST, and answers by the first parts of the path, so one server plays every gateway
and subscriber: ``/ok/...`` 200 with ``{"id": ...}``; ``/status/<code>/...`` that status; ``/slow/<seconds>/...``
200 after a wait; ``/flaky/<n>/...`` 503 for the first n requests to that exact path, then 200; anything else 200.
"""

import base64
import json
import shutil
import socket
import ssl
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

SMTP_USER, SMTP_PASSWORD = "bilum", "s3cret-passw0rd"

SMTP_SERVER = r"""
import asyncio, base64, json, os, ssl, sys
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

record_path, port_path, certificate, key, user, password = sys.argv[1:7]


class Recorder:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused-"):
            return "550 5.1.1 No such mailbox here"
        if address.startswith("busy-"):
            return "451 4.3.2 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        login = session.auth_data.login.decode() if session.authenticated else None
        record = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "tls": session.ssl is not None,
                  "login": login, "content": base64.b64encode(envelope.original_content).decode()}
        with open(record_path, "a", encoding="utf-8") as records:
            records.write(json.dumps(record) + "\n")
        return "250 Message accepted"


def authenticate(server, session, envelope, mechanism, auth_data):
    valid = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
             and auth_data.password == password.encode())
    return AuthResult(success=valid, handled=False, auth_data=auth_data if valid else None)


async def main():
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(certificate, key)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Recorder(), tls_context=tls, authenticator=authenticate, auth_require_tls=False,
                     enable_SMTPUTF8=True, loop=loop), "127.0.0.1", 0)
    with open(port_path + ".tmp", "w") as ready:
        ready.write(str(server.sockets[0].getsockname()[1]))
    os.replace(port_path + ".tmp", port_path)
    await server.serve_forever()


asyncio.run(main())
"""

HTTP_RECORDER = r"""
import base64, json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

record_path, port_path = sys.argv[1:3]
lock = threading.Lock()
requests_per_path = {}


class Recorder(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            requests_per_path[self.path] = count = requests_per_path.get(self.path, 0) + 1
            record = {"method": self.command, "path": self.path, "body": base64.b64encode(body).decode(),
                      "headers": {name.lower(): value for name, value in self.headers.items()},
                      "client": self.client_address[0]}
            with open(record_path, "a", encoding="utf-8") as records:
                records.write(json.dumps(record) + "\n")
        behaviour = self.path.strip("/").split("/")
        status = 200
        if behaviour[0] == "status":
            status = int(behaviour[1])
        elif behaviour[0] == "slow":
            time.sleep(float(behaviour[1]))
        elif behaviour[0] == "flaky" and count <= int(behaviour[1]):
            status = 503
        answer = {"id": f"prov-{count}-{abs(hash(self.path))}"} if status < 300 else {"error": f"status {status}"}
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
server.daemon_threads = True
with open(port_path + ".tmp", "w") as ready:
    ready.write(str(server.server_address[1]))
os.replace(port_path + ".tmp", port_path)
server.serve_forever()
"""


@dataclass
class RecordingServer:
    host: str
    port: int
    record_path: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def records(self) -> list[dict]:
        """What arrived, oldest first; a request body or a message's content as the bytes received."""
        if not self.record_path.exists():
            return []
        records = [json.loads(line) for line in self.record_path.read_text(encoding="utf-8").splitlines()]
        for record in records:
            for raw in ("body", "content"):
                if raw in record:
                    record[raw] = base64.b64decode(record[raw])
        return records


def _start(name: str, script: str, directory: Path, *args: str):
    script_path = directory / f"{name}_test_server.py"  # not http.py, which would hide the http package
    script_path.write_text(script, encoding="utf-8")
    record_path, port_path, error_path = (directory / f"{name}.{suffix}" for suffix in ("jsonl", "port", "err"))
    with open(error_path, "wb") as errors:
        process = subprocess.Popen(
            [sys.executable, str(script_path), str(record_path), str(port_path), *args],
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    deadline = time.monotonic() + 20
    while not port_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail(
                f"the {name} test server did not start:\n{error_path.read_text(errors='replace')}", pytrace=False
            )
        time.sleep(0.02)
    return process, RecordingServer("127.0.0.1", int(port_path.read_text()), record_path)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, and a client context that trusts only it."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("the STARTTLS test needs the openssl command (Debian: apt-get install openssl)", pytrace=False)
    directory = tmp_path_factory.mktemp("tls")
    certificate_path, key_path = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key_path),
            "-out",
            str(certificate_path),
        ],
        check=True,
        capture_output=True,
    )
    client_context = ssl.create_default_context(cafile=str(certificate_path))
    return certificate_path, key_path, client_context


@pytest.fixture(scope="session")
def smtp_server(tmp_path_factory, certificate):
    certificate_path, key_path, _ = certificate
    process, server = _start(
        "smtp",
        SMTP_SERVER,
        tmp_path_factory.mktemp("smtp"),
        str(certificate_path),
        str(key_path),
        SMTP_USER,
        SMTP_PASSWORD,
    )
    yield server
    _stop(process)


@pytest.fixture(scope="session")
def http_recorder(tmp_path_factory):
    process, server = _start("http", HTTP_RECORDER, tmp_path_factory.mktemp("http"))
    yield server
    _stop(process)


@pytest.fixture
def token():
    """A path or address part no other test uses, to pick this test's records out of the shared servers'."""
    return uuid.uuid4().hex[:12]


@pytest.fixture
def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

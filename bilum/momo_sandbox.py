"""A local stand-in for MTN MoMo's Disbursement API and its sandbox, for tests and the demonstration.

Run it as ``python -m bilum.momo_sandbox --port 0 --port-file F --record R`` (stdlib only), or from Python with
``start(**options)``, which runs it as a subprocess: a thread server would never run in a process under eventlet's
monkey patch. Once listening it writes its port to the port file; it appends every request it receives to the record
file as one JSON line (method, path, headers of interest, body) before answering, so a caller can read what arrived
as soon as its call returns. Callbacks it sends are recorded too, with ``"direction": "callback"``.

What it does as MoMo documents it:

- ``POST /disbursement/token/`` with HTTP Basic (API user : API key) and ``Ocp-Apim-Subscription-Key`` answers
  ``{"access_token", "token_type": "access_token", "expires_in"}``; wrong credentials: 401 ``{"error":
  "login_failed"}``; a wrong or missing subscription key: 401 ``{"statusCode": 401, "message": ...}``.
- ``POST /disbursement/v1_0/transfer`` needs a Bearer token it issued, the subscription key, ``X-Target-Environment``
  and ``X-Reference-Id`` (a UUID v4). It answers 202 with no body; 409 ``RESOURCE_ALREADY_EXIST`` for a reference it
  holds; 400 ``{"code", "message"}`` for a body MoMo would refuse (amount not a positive decimal string, currency not
  three capitals, payee not an MSISDN of 5 to 15 digits, a message or note over 160 characters or holding ``& < >``,
  which MoMo refuses); 500 ``INVALID_CURRENCY`` "Currency not supported." for a currency not in ``--currencies``
  (MTN's own sandbox takes EUR only); 500 ``NOT_ALLOWED_TARGET_ENVIRONMENT`` for another target environment.
- ``GET /disbursement/v1_0/transfer/{referenceId}`` answers the TransferResult (amount, currency,
  financialTransactionId when successful, externalId, payee, payerMessage, payeeNote, status, reason when failed) or
  404 ``RESOURCE_NOT_FOUND``.
- A transfer is PENDING, then final ``--settle-after`` seconds later; the outcome follows MTN's sandbox test numbers:
  46733123450 FAILED (INTERNAL_PROCESSING_ERROR), 46733123451 rejected (FAILED, APPROVAL_REJECTED), 46733123452
  timed out (FAILED, EXPIRED), 46733123453 ongoing (PENDING for good), 46733123454 delayed (PENDING for
  ``--delayed-after`` seconds, then SUCCESSFUL), any other number SUCCESSFUL. ``reason`` is ``{"code", "message"}``
  as documented, or the bare code as the live sandbox sends it with ``--reason-as-string``.
- Once final, the result is sent to ``X-Callback-Url`` with PUT (``--callback-method``; MoMo tells listeners to
  accept PUT and POST), ``--callback-repeats`` times (MoMo may repeat it), ``--callback-delay`` seconds apart,
  unsigned as MoMo's are; errors of the receiver are ignored.

Control endpoints, no credentials needed:

- ``POST /_sandbox/fail-next {"status": 500, "count": n}``: the next n transfer calls answer that status (body
  ``{"code", "message"}``) without recording the transfer.
- ``POST /_sandbox/slow-next {"seconds": s, "count": n}``: the next n transfer calls record the transfer, then answer
  only after s seconds: a client with a shorter timeout sees none although the transfer was received.
- ``GET /_sandbox/transfers``: ``{"transfers": [...]}``, every transfer held, with its referenceId, status and
  ``callbacks`` (how many were sent).
- ``PUT|POST /_sandbox/inbox/<anything>``: answers 200 and records the request: a callback receiver for tests.
"""

import argparse
import base64
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DEFAULT_API_USER = "5f3c3a1e-8c5b-4e8a-9a55-3a0d2f1b7c64"
DEFAULT_API_KEY = "b8e4d2a9c1f04e6b9d7a3c5e1f2b4d6a"
DEFAULT_SUBSCRIPTION_KEY = "0c7d9e1f2a3b4c5d6e7f8a9b0c1d2e3f"

TEST_NUMBERS = {  # MSISDN: (final status, reason, extra seconds PENDING: None for ever, "delayed" --delayed-after)
    "46733123450": ("FAILED", "INTERNAL_PROCESSING_ERROR", 0.0),
    "46733123451": ("FAILED", "APPROVAL_REJECTED", 0.0),
    "46733123452": ("FAILED", "EXPIRED", 0.0),
    "46733123453": ("PENDING", None, None),
    "46733123454": ("SUCCESSFUL", None, "delayed"),
}
REASON_MESSAGES = {
    "INTERNAL_PROCESSING_ERROR": "Internal processing error.",
    "APPROVAL_REJECTED": "The transaction was rejected.",
    "EXPIRED": "The transaction expired before it was approved.",
}
RECORDED_HEADERS = (
    "authorization",
    "ocp-apim-subscription-key",
    "x-reference-id",
    "x-target-environment",
    "x-callback-url",
    "content-type",
)
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE)
TRANSFER = re.compile(r"^/disbursement/v1_0/transfer(?:/(?P<reference>[^/?]+))?/?$")


class State:
    def __init__(self, options):
        self.options = options
        self.lock = threading.Lock()
        self.tokens: dict[str, float] = {}
        self.transfers: dict[str, dict] = {}
        self.fail_next = {"status": 500, "count": 0}
        self.slow_next = {"seconds": 0.0, "count": 0}

    def record(self, entry: dict) -> None:
        with self.lock, open(self.options.record, "a", encoding="utf-8") as records:
            records.write(json.dumps({"time": time.time(), **entry}) + "\n")

    def settle(self) -> None:
        """Make final what is due, and send its callbacks: called by a ticker and before each answer."""
        now, due = time.monotonic(), []
        with self.lock:
            for transfer in self.transfers.values():
                if transfer["status"] == "PENDING" and transfer["final_at"] is not None and now >= transfer["final_at"]:
                    transfer["status"] = transfer["outcome"]
                    due.append(transfer)
        for transfer in due:
            if transfer["callback_url"]:
                threading.Thread(target=self.send_callbacks, args=(transfer,), daemon=True).start()

    def result(self, transfer: dict) -> dict:
        body = {
            key: transfer[key] for key in ("amount", "currency", "externalId", "payee", "payerMessage", "payeeNote")
        }
        body["status"] = transfer["status"]
        if transfer["status"] == "SUCCESSFUL":
            body["financialTransactionId"] = transfer["financialTransactionId"]
        if transfer["status"] == "FAILED":
            code = transfer["reason"]
            body["reason"] = code if self.options.reason_as_string else {"code": code, "message": REASON_MESSAGES[code]}
        return body

    def send_callbacks(self, transfer: dict) -> None:
        for attempt in range(self.options.callback_repeats):
            if attempt:
                time.sleep(self.options.callback_delay)
            payload = json.dumps(self.result(transfer)).encode()
            request = urllib.request.Request(
                transfer["callback_url"],
                data=payload,
                method=self.options.callback_method,
                headers={"Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=2) as answer:  # MoMo gives a receiver 2 s
                    status = answer.status
            except Exception as error:  # a receiver's failure is its own business, as with MoMo
                status = getattr(error, "code", None) or type(error).__name__
            with self.lock:
                transfer["callbacks"] += 1
            self.record(
                {
                    "direction": "callback",
                    "method": self.options.callback_method,
                    "url": transfer["callback_url"],
                    "body": json.loads(payload),
                    "answer": status,
                }
            )


def transfer_errors(body, currencies) -> tuple[int, str, str] | None:
    """Why MoMo would refuse this transfer body, or None."""
    if not isinstance(body, dict):
        return 400, "INVALID_REQUEST", "The body must be a JSON object."
    amount, currency, payee = body.get("amount"), body.get("currency"), body.get("payee")
    if not isinstance(amount, str) or not re.fullmatch(r"\d{1,15}(\.\d{1,6})?", amount) or Decimal(amount) <= 0:
        return 400, "INVALID_AMOUNT", "amount must be a positive decimal number given as a string."
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        return 400, "INVALID_CURRENCY", "currency must be an ISO 4217 code."
    if not isinstance(payee, dict) or payee.get("partyIdType") != "MSISDN":
        return 400, "PAYEE_NOT_FOUND", "payee must be {partyIdType: MSISDN, partyId}."
    if not isinstance(payee.get("partyId"), str) or not re.fullmatch(r"[1-9]\d{4,14}", payee["partyId"]):
        return 400, "PAYEE_NOT_FOUND", "partyId must be an MSISDN (E.164 digits, no +)."
    for field in ("externalId", "payerMessage", "payeeNote"):
        value = body.get(field)
        if value is not None and (not isinstance(value, str) or len(value) > 160 or re.search(r"[&<>]", value)):
            return 400, "INVALID_REQUEST", f"{field} must be a text of at most 160 characters, without & < >."
    if currencies and currency not in currencies:
        return 500, "INVALID_CURRENCY", "Currency not supported."
    return None


class Handler(BaseHTTPRequestHandler):
    state: State
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status: int, body=None) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        try:
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting: as with MoMo, its loss
            self.close_connection = True

    def handle_any(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        headers = {name: self.headers[name] for name in RECORDED_HEADERS if self.headers.get(name) is not None}
        self.state.record(
            {"direction": "in", "method": self.command, "path": self.path, "headers": headers, "body": body}
        )
        self.state.settle()
        path = self.path.split("?")[0]
        if path.startswith("/_sandbox/"):
            return self.control(path, body)
        if self.headers.get("Ocp-Apim-Subscription-Key") != self.state.options.subscription_key:
            return self.answer(
                401,
                {
                    "statusCode": 401,
                    "message": "Access denied due to invalid subscription key. "
                    "Make sure to provide a valid key for an active subscription.",
                },
            )
        if self.command == "POST" and path.rstrip("/") == "/disbursement/token":
            return self.token()
        match = TRANSFER.match(path)
        if match is None:
            return self.answer(404, {"code": "RESOURCE_NOT_FOUND", "message": f"No operation {self.command} {path}."})
        if not self.authorised():
            return self.answer(401, {"code": "UNAUTHORIZED", "message": "Access denied: invalid or expired token."})
        if self.headers.get("X-Target-Environment") != self.state.options.target_environment:
            return self.answer(
                500, {"code": "NOT_ALLOWED_TARGET_ENVIRONMENT", "message": "Access to target environment is forbidden."}
            )
        if self.command == "POST" and match["reference"] is None:
            return self.transfer(body)
        if self.command == "GET" and match["reference"]:
            with self.state.lock:
                transfer = self.state.transfers.get(match["reference"])
            if transfer is None:
                return self.answer(404, {"code": "RESOURCE_NOT_FOUND", "message": "Requested resource was not found."})
            return self.answer(200, self.state.result(transfer))
        return self.answer(405, {"code": "NOT_ALLOWED", "message": f"{self.command} is not allowed here."})

    do_GET = do_POST = do_PUT = handle_any

    def token(self) -> None:
        options = self.state.options
        expected = base64.b64encode(f"{options.api_user}:{options.api_key}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            return self.answer(401, {"error": "login_failed"})
        token = secrets.token_urlsafe(32)
        with self.state.lock:
            self.state.tokens[token] = time.monotonic() + options.token_ttl
        self.answer(200, {"access_token": token, "token_type": "access_token", "expires_in": int(options.token_ttl)})

    def authorised(self) -> bool:
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        with self.state.lock:
            return scheme == "Bearer" and self.state.tokens.get(token, 0) > time.monotonic()

    def transfer(self, body) -> None:
        state, options = self.state, self.state.options
        with state.lock:
            failing = state.fail_next["count"] > 0
            if failing:
                state.fail_next["count"] -= 1
        if failing:
            status = state.fail_next["status"]
            code = "SERVICE_UNAVAILABLE" if status == 503 else "INTERNAL_PROCESSING_ERROR"
            return self.answer(status, {"code": code, "message": f"Sandbox failure ({status}), as asked."})
        reference = self.headers.get("X-Reference-Id") or ""
        if not UUID4.match(reference):
            return self.answer(400, {"code": "INVALID_REFERENCE_ID", "message": "X-Reference-Id must be a UUID v4."})
        refused = transfer_errors(body, options.currencies)
        if refused:
            return self.answer(refused[0], {"code": refused[1], "message": refused[2]})
        status, reason, pending = TEST_NUMBERS.get(body["payee"]["partyId"], ("SUCCESSFUL", None, 0.0))
        pending = options.delayed_after if pending == "delayed" else pending
        with state.lock:
            if reference in state.transfers:
                return self.answer(409, {"code": "RESOURCE_ALREADY_EXIST", "message": "Duplicated reference id."})
            state.transfers[reference] = {
                **{key: body.get(key) for key in ("amount", "currency", "externalId", "payerMessage", "payeeNote")},
                "payee": body["payee"],
                "referenceId": reference,
                "status": "PENDING",
                "outcome": status,
                "reason": reason,
                "financialTransactionId": str(secrets.randbelow(9 * 10**8) + 10**8),
                "callback_url": self.headers.get("X-Callback-Url"),
                "callbacks": 0,
                "final_at": None if pending is None else time.monotonic() + options.settle_after + pending,
            }
            slow = state.slow_next["count"] > 0
            if slow:
                state.slow_next["count"] -= 1
        if slow:
            time.sleep(state.slow_next["seconds"])
        self.answer(202)

    def control(self, path: str, body) -> None:
        state = self.state
        if path.startswith("/_sandbox/inbox/"):
            return self.answer(200, {})
        if path == "/_sandbox/transfers" and self.command == "GET":
            with state.lock:
                transfers = [
                    {key: value for key, value in t.items() if key != "final_at"} for t in state.transfers.values()
                ]
            return self.answer(200, {"transfers": transfers})
        body = body if isinstance(body, dict) else {}
        if path == "/_sandbox/fail-next" and self.command == "POST":
            with state.lock:
                state.fail_next = {"status": int(body.get("status", 500)), "count": int(body.get("count", 1))}
            return self.answer(200, state.fail_next)
        if path == "/_sandbox/slow-next" and self.command == "POST":
            with state.lock:
                state.slow_next = {"seconds": float(body.get("seconds", 1.0)), "count": int(body.get("count", 1))}
            return self.answer(200, state.slow_next)
        self.answer(404, {"code": "RESOURCE_NOT_FOUND", "message": f"No sandbox control {self.command} {path}."})


def parser() -> argparse.ArgumentParser:
    arguments = argparse.ArgumentParser(prog="python -m bilum.momo_sandbox", description=__doc__.split("\n")[0])
    arguments.add_argument("--host", default="127.0.0.1")
    arguments.add_argument("--port", type=int, default=0)
    arguments.add_argument("--port-file", required=True, help="written with the port once listening")
    arguments.add_argument("--record", required=True, help="every request received, as JSON lines")
    arguments.add_argument("--api-user", default=DEFAULT_API_USER)
    arguments.add_argument("--api-key", default=DEFAULT_API_KEY)
    arguments.add_argument("--subscription-key", default=DEFAULT_SUBSCRIPTION_KEY)
    arguments.add_argument("--target-environment", default="sandbox")
    arguments.add_argument("--token-ttl", type=float, default=3600.0, help="seconds a token is valid")
    arguments.add_argument("--settle-after", type=float, default=0.5, help="seconds a transfer stays PENDING")
    arguments.add_argument("--delayed-after", type=float, default=5.0, help="extra seconds for 46733123454")
    arguments.add_argument("--callback-repeats", type=int, default=1)
    arguments.add_argument("--callback-delay", type=float, default=0.1, help="seconds between repeated callbacks")
    arguments.add_argument("--callback-method", choices=("PUT", "POST"), default="PUT")
    arguments.add_argument("--currencies", default="", help="comma-separated accepted currencies (default: any)")
    arguments.add_argument("--reason-as-string", action="store_true", help="reason as a bare code, as live")
    return arguments


def serve(argv: list[str] | None = None) -> None:
    options = parser().parse_args(argv)
    options.currencies = {code.strip() for code in options.currencies.split(",") if code.strip()}
    state = State(options)
    handler = type("SandboxHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer((options.host, options.port), handler)
    server.daemon_threads = True

    def tick():
        while True:
            time.sleep(0.05)
            state.settle()

    threading.Thread(target=tick, daemon=True).start()
    with open(options.port_file + ".tmp", "w") as ready:
        ready.write(str(server.server_address[1]))
    os.replace(options.port_file + ".tmp", options.port_file)
    server.serve_forever()


@dataclass
class Sandbox:
    """A running sandbox subprocess, with the credentials it accepts."""

    url: str
    process: subprocess.Popen
    record_path: Path
    api_user: str
    api_key: str
    subscription_key: str

    def records(self) -> list[dict]:
        if not self.record_path.exists():
            return []
        return [json.loads(line) for line in self.record_path.read_text(encoding="utf-8").splitlines()]

    def control(self, method: str, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + "/_sandbox/" + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def transfers(self) -> list[dict]:
        return self.control("GET", "transfers")["transfers"]

    def fail_next(self, status: int = 500, count: int = 1) -> None:
        self.control("POST", "fail-next", {"status": status, "count": count})

    def slow_next(self, seconds: float, count: int = 1) -> None:
        self.control("POST", "slow-next", {"seconds": seconds, "count": count})

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(port: int = 0, directory: str | Path | None = None, **options) -> Sandbox:
    """Run a sandbox in a subprocess and wait until it listens. ``options`` are the command line's, in Python spelling
    (``callback_repeats=3``, ``reason_as_string=True``); port and record files go to ``directory`` (a new temporary
    one by default)."""
    directory = Path(directory or tempfile.mkdtemp(prefix="momo-sandbox-"))
    directory.mkdir(parents=True, exist_ok=True)
    port_file, record, errors_path = directory / "momo.port", directory / "momo.jsonl", directory / "momo.err"
    port_file.unlink(missing_ok=True)
    arguments = ["--port", str(port), "--port-file", str(port_file), "--record", str(record)]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            arguments.append(flag)
        elif value not in (None, False):
            arguments += [flag, ",".join(value) if isinstance(value, list | tuple | set) else str(value)]
    with open(errors_path, "wb") as errors:
        root = str(Path(__file__).resolve().parent.parent)
        environment = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        process = subprocess.Popen(
            [sys.executable, "-m", "bilum.momo_sandbox", *arguments],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    deadline = time.monotonic() + 20
    while not port_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"the MoMo sandbox did not start:\n{errors_path.read_text(errors='replace')}")
        time.sleep(0.02)
    host = options.get("host", "127.0.0.1")
    return Sandbox(
        f"http://{host}:{int(port_file.read_text())}",
        process,
        record,
        options.get("api_user", DEFAULT_API_USER),
        options.get("api_key", DEFAULT_API_KEY),
        options.get("subscription_key", DEFAULT_SUBSCRIPTION_KEY),
    )


if __name__ == "__main__":
    serve()

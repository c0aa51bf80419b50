"""A local stand-in for MTN MoMo's Disbursement API and its sandbox, for tests and the demonstration.

Run it as ``python -m bilum.momo_sandbox_process --port 0 --port-file F --record R`` (stdlib only), or as a
subprocess with ``bilum.momo_sandbox_process.start(**options)``. Once listening it writes its port to the port file;
it appends every request it receives (and every callback it sends, ``"direction": "callback"``) to the record file as
one JSON line before answering, so a caller can read what arrived as soon as its call returns.

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
- ``POST /_sandbox/fail-payee {"msisdn", "reason", "count": n}``: the next n transfers to that number end FAILED
  with that reason (a wallet over its limit, say), as a test number would.
- ``POST /_sandbox/slow-next {"seconds": s, "count": n}``: the next n transfer calls record the transfer, then answer
  only after s seconds: a client with a shorter timeout sees none although the transfer was received.
- ``GET /_sandbox/transfers``: ``{"transfers": [...]}``, every transfer held, with its referenceId, status and
  ``callbacks`` (how many were sent).
- ``PUT|POST /_sandbox/inbox/<anything>``: answers 200 and records the request: a callback receiver for tests.
"""

import base64
import json
import re
import secrets
import threading
import time
import urllib.request
from decimal import Decimal
from http.server import BaseHTTPRequestHandler

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
        self.failing_payees: dict[str, dict] = {}

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
            message = REASON_MESSAGES.get(code, "The transaction failed.")
            body["reason"] = code if self.options.reason_as_string else {"code": code, "message": message}
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
            failing_payee = state.failing_payees.get(body["payee"]["partyId"])
            if failing_payee and failing_payee["count"] > 0:
                failing_payee["count"] -= 1
                status, reason = "FAILED", failing_payee["reason"]
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
        if path == "/_sandbox/fail-payee" and self.command == "POST":
            failing = {"reason": str(body.get("reason", "PAYER_LIMIT_REACHED")), "count": int(body.get("count", 1))}
            with state.lock:
                state.failing_payees[str(body.get("msisdn", "")).lstrip("+")] = failing
            return self.answer(200, failing)
        if path == "/_sandbox/slow-next" and self.command == "POST":
            with state.lock:
                state.slow_next = {"seconds": float(body.get("seconds", 1.0)), "count": int(body.get("count", 1))}
            return self.answer(200, state.slow_next)
        self.answer(404, {"code": "RESOURCE_NOT_FOUND", "message": f"No sandbox control {self.command} {path}."})

"""A local server that answers as Twilio's Programmable Messaging API is documented to, failures included, for the
Twilio adapter's tests. It runs as a subprocess (the test process is monkey patched by eventlet), writes its port to
a file once ready and every request it receives or callback it makes as one JSON line to a record file.

``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` (form-encoded):

- HTTP Basic auth must be the account's SID and Auth Token, else 401 with error 20003;
- To, Body and From or MessagingServiceSid are required (21604, 21602, 21603); a Body over 1,600 characters is 21617;
  a To that is not E.164 is 400 with error 21211, and so is Twilio's magic test number +15005550001; the magic
  number +15005550004 has opted out: 400 with error 21610;
- numbers in the test ranges below answer 429 (error 20429), 500 (error 20500) or only after 3 seconds;
- anything else is 201 with the Message resource: sid "SM" + 32 hex digits, status "queued" (with a Messaging Service
  "accepted", no From and num_segments "0", as Twilio assigns the sender later), num_segments from the body's
  encoding (GSM-7: 160 characters, 153 a part; otherwise UCS-2: 70, 67 a part), dates in RFC 2822.

After a 201 it POSTs status callbacks to the StatusCallback URL, signed with ``X-Twilio-Signature``, one after the
other: "queued" (Messaging Service only: the initial status gets no callback), "sent" then "delivered"; for the
unreachable range "sent" then "undelivered" with ErrorCode 30003; for the expired range "failed" with ErrorCode 30036
(Validity Period Expired: never sent).

``POST /_test/inbound`` with JSON ``{"url", "fields"}`` (not Twilio's: the test's control) POSTs a signed
incoming-message webhook to ``url``, the documented form fields filled in and ``fields`` over them, and answers with
what the webhook answered.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen
from urllib.parse import parse_qsl

import requests

from tests.local_servers import RecordingServer, _start, _stop

ACCOUNT_SID = "AC" + "7e3b" * 8
AUTH_TOKEN = "b5c0f0a7e1d24c6f9a3e8d2b7c4f1a06"
NUMBER = "+67570009999"  # the account's own number: From of its messages, To of the messages it receives

INVALID_MAGIC = "+15005550001"  # Twilio's test-credentials number for an invalid To: 21211
OPTED_OUT_MAGIC = "+15005550004"  # Twilio's test-credentials number on the blocklist: 21610
THROTTLED = "+6757100"  # + 4 digits: 429, error 20429
FAILING = "+6757200"  # 500, error 20500
SLOW = "+6757300"  # 201 after 3 seconds
UNREACHABLE = "+6757400"  # sent, then undelivered with 30003
EXPIRED = "+6757500"  # failed with 30036

SERVER = r"""
import base64, hashlib, hmac, json, math, os, re, secrets, sys, threading, time, urllib.error, urllib.request
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode

record_path, port_path, account_sid, auth_token, number, ranges_json = sys.argv[1:7]
ranges = json.loads(ranges_json)
lock = threading.Lock()
API = "/2010-04-01"
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
GSM = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
          "¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = set("^{}\\[~]|€\f")


def record(entry):
    with lock, open(record_path, "a", encoding="utf-8") as records:
        records.write(json.dumps(entry, ensure_ascii=False) + "\n")


def signature(url, params):
    signed = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


def segments(body):
    if all(c in GSM or c in GSM_EXTENSION for c in body):
        units, single, part = sum(2 if c in GSM_EXTENSION else 1 for c in body), 160, 153
    else:
        units, single, part = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / part)


def post_form(kind, url, params):
    body = urlencode(params).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature(url, params)}
    outcome = {"direction": "out", "kind": kind, "url": url, "params": params,
               "signature": headers["X-Twilio-Signature"]}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=10) as answer:
            outcome |= {"status": answer.status, "content_type": answer.headers.get("Content-Type"),
                        "answer": answer.read().decode("utf-8", "replace")}
    except urllib.error.HTTPError as error:
        outcome |= {"status": error.code, "content_type": error.headers.get("Content-Type"),
                    "answer": error.read().decode("utf-8", "replace")}
    except OSError as error:
        outcome |= {"status": None, "answer": str(error)}
    record(outcome)
    return outcome


def status_callbacks(message, url, steps):
    for status, error_code in steps:
        time.sleep(0.05)
        params = {"AccountSid": account_sid, "ApiVersion": "2010-04-01", "From": number, "To": message["to"],
                  "MessageSid": message["sid"], "SmsSid": message["sid"], "MessageStatus": status, "SmsStatus": status}
        if message["messaging_service_sid"]:
            params["MessagingServiceSid"] = message["messaging_service_sid"]
        if error_code:
            params["ErrorCode"] = error_code
        if status in ("delivered", "undelivered"):
            params["RawDlrDoneDate"] = datetime.now(timezone.utc).strftime("%y%m%d%H%M")
        post_form("status", url, params)


def steps_for(to, through_service):
    if to.startswith(ranges["expired"]):
        return [("failed", "30036")]
    first = [("queued", None)] if through_service else []
    if to.startswith(ranges["unreachable"]):
        return first + [("sent", None), ("undelivered", "30003")]
    return first + [("sent", None), ("delivered", None)]


class Twilio(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        record({"direction": "in", "method": "POST", "path": self.path, "body": base64.b64encode(body).decode(),
                "headers": {name.lower(): value for name, value in self.headers.items()}})
        if self.path == "/_test/inbound":
            return self.inbound(json.loads(body))
        if not (self.path.startswith(f"{API}/Accounts/") and self.path.endswith("/Messages.json")):
            return self.error(404, 20404, f"The requested resource {self.path} was not found")
        if not self.authenticated():
            return self.error(401, 20003, "Authenticate", {"WWW-Authenticate": 'Basic realm="Twilio API"'})
        self.create(dict(parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8")))

    def authenticated(self):
        scheme, _, credentials = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(credentials, validate=True).decode().partition(":")
        except ValueError:
            return False
        path_sid = self.path.split("/")[3]
        return hmac.compare_digest(f"{user}:{password}:{path_sid}", f"{account_sid}:{auth_token}:{account_sid}")

    def create(self, form):
        to, body = form.get("To", ""), form.get("Body")
        service = form.get("MessagingServiceSid")
        if not to:
            return self.error(400, 21604, "A 'To' phone number is required.")
        if not (form.get("From") or service):
            return self.error(400, 21603, "A 'From' phone number is required.")
        if body is None:
            return self.error(400, 21602, "Message body is required.")
        if len(body) > 1600:
            return self.error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        if not E164.fullmatch(to) or to == ranges["invalid"]:
            return self.error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if to == ranges["opted_out"]:
            return self.error(400, 21610, "Attempt to send to unsubscribed recipient")
        if to.startswith(ranges["throttled"]):
            return self.error(429, 20429, "Too Many Requests")
        if to.startswith(ranges["failing"]):
            return self.error(500, 20500, "Internal Server Error")
        if to.startswith(ranges["slow"]):
            time.sleep(3)
        sid = "SM" + secrets.token_hex(16)
        now = format_datetime(datetime.now(timezone.utc))
        message = {
            "account_sid": account_sid, "api_version": "2010-04-01", "body": body, "date_created": now,
            "date_sent": None, "date_updated": now, "direction": "outbound-api", "error_code": None,
            "error_message": None, "from": None if service else form["From"], "messaging_service_sid": service,
            "num_media": "0", "num_segments": "0" if service else str(segments(body)), "price": None,
            "price_unit": "USD", "sid": sid, "status": "accepted" if service else "queued",
            "subresource_uris": {"media": f"{API}/Accounts/{account_sid}/Messages/{sid}/Media.json"},
            "to": to, "uri": f"{API}/Accounts/{account_sid}/Messages/{sid}.json",
        }
        self.answer(201, message)
        if form.get("StatusCallback"):
            arguments = (message, form["StatusCallback"], steps_for(to, bool(service)))
            threading.Thread(target=status_callbacks, args=arguments, daemon=True).start()

    def inbound(self, request):
        sid = "SM" + secrets.token_hex(16)
        params = {"ToCountry": "PG", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "",
                  "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "",
                  "FromCountry": "PG", "To": number, "ToZip": "", "MessageSid": sid, "AccountSid": account_sid,
                  "ApiVersion": "2010-04-01"} | request["fields"]
        params["NumSegments"] = str(segments(params.get("Body", "")))
        self.answer(200, post_form("inbound", request["url"], params))

    def error(self, status, code, message, headers=None):
        self.answer(status, {"code": code, "message": message,
                             "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}, headers)

    def answer(self, status, document, headers=None):
        payload = json.dumps(document).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Twilio)
server.daemon_threads = True
with open(port_path + ".tmp", "w") as ready:
    ready.write(str(server.server_address[1]))
os.replace(port_path + ".tmp", port_path)
server.serve_forever()
"""


@dataclass
class TwilioApi:
    """The running server, and what it received and sent."""

    recorder: RecordingServer
    process: Popen
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    number: str = NUMBER

    @property
    def url(self) -> str:
        return self.recorder.url

    def messages_created(self) -> list[dict]:
        """Every create request received, oldest first, with its form decoded (``form``) and headers."""
        return [
            record | {"form": dict(parse_qsl(record["body"].decode("ascii"), keep_blank_values=True))}
            for record in self.recorder.records()
            if record.get("direction") == "in" and record["path"].endswith("/Messages.json")
        ]

    def callbacks(self, kind: str = "status") -> list[dict]:
        """The webhooks it made, oldest first: url, params, signature, and the status the webhook answered."""
        records = self.recorder.records()
        return [record for record in records if record.get("direction") == "out" and record["kind"] == kind]

    def send_inbound(self, url: str, **fields: str) -> dict:
        """Have "Twilio" call the incoming-message webhook at ``url``; returns what was posted and the answer."""
        response = requests.post(f"{self.url}/_test/inbound", json={"url": url, "fields": fields}, timeout=15)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        _stop(self.process)


def start(directory: Path) -> TwilioApi:
    """Start the server; the test fails (never skips) when it cannot."""
    ranges = {
        "invalid": INVALID_MAGIC,
        "opted_out": OPTED_OUT_MAGIC,
        "throttled": THROTTLED,
        "failing": FAILING,
        "slow": SLOW,
        "unreachable": UNREACHABLE,
        "expired": EXPIRED,
    }
    process, recorder = _start("twilio", SERVER, directory, ACCOUNT_SID, AUTH_TOKEN, NUMBER, json.dumps(ranges))
    return TwilioApi(recorder, process)

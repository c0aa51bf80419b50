"""Transports that put a notification in front of someone: email over SMTP, SMS through an HTTP gateway, and signed
webhooks. Each ``send`` makes one attempt and reports it as a ``Delivery``; it never raises for a failed delivery,
because a failure is a fact the service records, counts towards falling back to another channel, and may retry
(whether to try again, and when, is ``retries``: the service retries from its delivery log, never by waiting here).

Configuration (hosts, keys, timeouts) is passed in by whoever builds the channel.
"""

import hashlib
import hmac
import json
import smtplib
import ssl
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import requests


@dataclass(frozen=True)
class Outgoing:
    """One notification as every channel needs it: email takes the subject and text, SMS the short text, a webhook
    all of it with the structured ``data`` behind the words. ``reference`` is our id for it, given to the provider
    and the subscriber so that a retried send can be recognised as the same message."""

    reference: str
    kind: str
    subject: str
    text: str
    sms_text: str
    data: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    ok: bool
    attempted_at: datetime
    provider_id: str | None = None
    error: str | None = None
    retryable: bool = False


class Channel(ABC):
    name: str
    # Whether the provider later reports what became of the message on the phone (``provider_reports``); a
    # transport that does not is done when it has handed the message over.
    reports_delivery = False

    @abstractmethod
    def send(self, address: str, message: Outgoing) -> Delivery:
        """One attempt to deliver ``message`` to ``address`` (an email address, a mobile number, a URL)."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _delivered(attempted_at: datetime, provider_id: str | None) -> Delivery:
    return Delivery(True, attempted_at, provider_id=provider_id)


def _failed(attempted_at: datetime, error: str, retryable: bool) -> Delivery:
    return Delivery(False, attempted_at, error=error, retryable=retryable)


class SmtpEmail(Channel):
    """Plain-text UTF-8 email. SMTP replies in the 4xx range are temporary (retry), 5xx permanent (a bad address:
    fall back to another channel instead)."""

    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout_s: float = 10,
        tls_context: ssl.SSLContext | None = None,
    ):
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout_s = timeout_s
        self.tls_context = tls_context

    def send(self, address: str, message: Outgoing) -> Delivery:
        attempted_at = _now()
        email = self._email(address, message, attempted_at)
        accepted = False
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls(context=self.tls_context or ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(email)
                accepted = True
        except (smtplib.SMTPException, OSError) as error:
            if not accepted:
                return _failed(attempted_at, *self._reason(error))
            # Only the goodbye (QUIT) failed: the server has the message, and a retry would send it twice.
        return _delivered(attempted_at, email["Message-ID"])

    def _reason(self, error: Exception) -> tuple[str, bool]:
        """The error text, and whether trying again later may succeed."""
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            code, reply = next(iter(error.recipients.values()))
            return f"recipient refused: {code} {_text(reply)}", 400 <= code < 500
        if isinstance(error, smtplib.SMTPResponseException):
            return f"SMTP {error.smtp_code} {_text(error.smtp_error)}", 400 <= error.smtp_code < 500
        return f"SMTP server {self.host}:{self.port} unavailable: {error}", True

    def _email(self, address: str, message: Outgoing, attempted_at: datetime) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = address
        email["Subject"] = message.subject
        email["Date"] = format_datetime(attempted_at)
        email["Message-ID"] = make_msgid(domain=parseaddr(self.sender)[1].rpartition("@")[2] or None)
        email["X-Bilum-Reference"] = message.reference
        email.set_content(message.text, charset="utf-8")
        return email


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


class HttpSmsGateway(Channel):
    """An SMS provider's HTTP API: ``POST {base_url}/messages`` with JSON ``{"to", "text", "client_ref"}`` and the
    key as ``Authorization: Bearer <key>``; a 2xx answer with JSON ``{"id": ...}`` is the provider's message id.

    One request per message, however long: the provider splits a long text into concatenated parts (it knows the
    encoding it will use), and the phone joins them. ``client_ref`` is our reference, which lets the provider drop a
    retried duplicate and ties its delivery reports back to us. Answers 408, 429 and 5xx, timeouts and connection
    errors are temporary; any other 4xx means the request itself is wrong and retrying will not help.
    """

    name = "sms"

    def __init__(self, base_url: str, api_key: str, timeout_s: float = 10):
        self.url = base_url.rstrip("/") + "/messages"
        self.api_key = api_key
        self.timeout_s = timeout_s

    def send(self, address: str, message: Outgoing) -> Delivery:
        attempted_at = _now()
        try:
            response = requests.post(
                self.url,
                json={"to": address, "text": message.sms_text, "client_ref": message.reference},
                headers={"Authorization": f"Bearer {self.api_key}"},
                timeout=self.timeout_s,
            )
        except requests.Timeout:
            return _failed(attempted_at, f"SMS gateway timed out after {self.timeout_s} s", retryable=True)
        except requests.RequestException as error:
            return _failed(attempted_at, f"SMS gateway unreachable: {error}", retryable=True)
        if not response.ok:
            return _failed(
                attempted_at,
                f"SMS gateway answered {response.status_code}: {response.text[:200]}",
                retryable=_temporary(response.status_code),
            )
        return _delivered(attempted_at, _provider_id(response))


def _temporary(status: int) -> bool:
    return status in (408, 429) or status >= 500


def _provider_id(response: requests.Response) -> str | None:
    try:
        answer = response.json()
    except ValueError:
        return None
    return str(answer["id"]) if isinstance(answer, dict) and answer.get("id") is not None else None


def _signature(secret: str, timestamp: int | str, body: bytes | str) -> str:
    body_bytes = body.encode("utf-8") if isinstance(body, str) else body
    signed = str(timestamp).encode("ascii") + b"." + body_bytes
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def _fresh(timestamp: int | str, now: datetime, tolerance_s: float) -> bool:
    """Within the replay window: a captured request cannot be played again later. Seconds since 1970 fit in 12
    digits for the next 30,000 years; more is not a time."""
    text = str(timestamp)
    if not (text.isascii() and text.isdigit() and len(text) <= 12):
        return False
    return abs(now.timestamp() - int(text)) <= tolerance_s


def _same_signature(expected: str, given: str) -> bool:
    """In constant time, and for any text a header can carry (``compare_digest`` refuses non-ASCII ``str``)."""
    return hmac.compare_digest(expected.encode("ascii"), given.strip().lower().encode("utf-8", "replace"))


def sign_inbound(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """The signature an SMS provider puts on its callbacks (inbound SMS, delivery reports): HMAC-SHA256, in hex, of
    ``"{timestamp}.{body}"`` with the secret shared with the provider."""
    return _signature(secret, timestamp, body)


def verify_inbound(
    secret: str, timestamp: int | str, body: bytes | str, signature: str, now: datetime, tolerance_s: float = 300
) -> bool:
    return _fresh(timestamp, now, tolerance_s) and _same_signature(_signature(secret, timestamp, body), signature)


TIMESTAMP_HEADER = "Bilum-Timestamp"
SIGNATURE_HEADER = "Bilum-Signature"


class Webhook(Channel):
    """POSTs the notification as JSON to a subscriber's URL. The subscriber checks ``Bilum-Signature: v1=<hex>``,
    an HMAC-SHA256 with its own secret over ``"{Bilum-Timestamp}.{raw body}"`` (``verify_webhook`` does it), and
    de-duplicates on the ``id`` in the body, since a retried delivery carries the same id.

    ``secret_for`` gives the secret of the subscriber at a URL: secrets are per subscriber, so one leaked secret
    forges nothing for the others."""

    name = "webhook"

    def __init__(self, secret_for: Callable[[str], str], timeout_s: float = 10):
        self.secret_for = secret_for
        self.timeout_s = timeout_s

    def send(self, address: str, message: Outgoing) -> Delivery:
        attempted_at = _now()
        timestamp = int(attempted_at.timestamp())
        body = json.dumps(
            {
                "id": message.reference,
                "kind": message.kind,
                "subject": message.subject,
                "text": message.text,
                "data": message.data,
                "sent_at": attempted_at.isoformat(),
            },
            ensure_ascii=False,
            separators=(",", ":"),
            default=_json_value,
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: f"v1={_signature(self.secret_for(address), timestamp, body)}",
        }
        try:
            response = requests.post(address, data=body, headers=headers, timeout=self.timeout_s)
        except requests.Timeout:
            return _failed(attempted_at, f"webhook timed out after {self.timeout_s} s", retryable=True)
        except requests.RequestException as error:
            return _failed(attempted_at, f"webhook unreachable: {error}", retryable=True)
        if not response.ok:
            return _failed(
                attempted_at,
                f"webhook answered {response.status_code}: {response.text[:200]}",
                retryable=_temporary(response.status_code),
            )
        return _delivered(attempted_at, message.reference)


def _json_value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def verify_webhook(
    secret: str, timestamp: str, body: bytes | str, signature_header: str, now: datetime, tolerance_s: float = 300
) -> bool:
    """For subscribers. The header may carry several ``v1=`` signatures (comma-separated) while a secret is being
    rotated; one match is enough."""
    if not _fresh(timestamp, now, tolerance_s):
        return False
    expected = _signature(secret, timestamp, body)
    candidates = [part.strip()[3:] for part in signature_header.split(",") if part.strip().startswith("v1=")]
    return any(_same_signature(expected, candidate) for candidate in candidates)

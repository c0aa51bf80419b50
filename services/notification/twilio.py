"""Twilio Programmable Messaging as the hosted SMS adapter: sending through the Message resource, and reading the two
webhooks Twilio calls us with, the incoming message and the outbound message's status callback.

Sending is ``POST {api}/2010-04-01/Accounts/{AccountSid}/Messages.json``, form-encoded, with HTTP Basic auth
(AccountSid:AuthToken); Twilio answers 201 with the Message resource, whose ``sid`` ties its status callbacks to the
message. The API has no idempotency key: when an answer never arrives the message may exist, and a retry may send it
twice (the same holds for every SMS provider; the service retries only what it counts as retryable).

Twilio signs every webhook with ``X-Twilio-Signature``: base64 of HMAC-SHA1, keyed with the Auth Token, over the full
URL it called (scheme, host, port, path and query, exactly as configured at Twilio) followed by every POST parameter's
name and value, sorted by name. A webhook's parameters change without notice, so the check takes all of them, and the
readers ignore the ones they do not use. Status callbacks are not sent for a message's initial status (queued, or
accepted with a Messaging Service), and arrive late or out of order: ``provider_reports.moves_forward`` decides.
"""

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit

import requests
from marshmallow import EXCLUDE, Schema, fields, validate

from services.notification.channels import Channel, Delivery, Outgoing
from services.notification.provider_reports import DELIVERED, EXPIRED, FAILED, PENDING, Incoming, Receipt
from shared.errors import load_or_refuse

SIGNATURE_HEADER = "X-Twilio-Signature"
# What the incoming-message webhook answers: an empty TwiML document, so that Twilio sends nothing itself. Replies go
# through the API, where each one gets its own status callbacks.
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
TWIML_CONTENT_TYPE = "text/xml; charset=utf-8"

ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
MESSAGING_SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")
MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-fA-F]{32}")
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
MAX_BODY = 1600  # characters, Twilio's limit on a message body

# Twilio's message statuses as a status callback reports them. "read" is a WhatsApp or RCS read receipt, which implies
# delivery. "canceled" is a scheduled message withdrawn before sending: it will never reach the phone.
# "partially_delivered" is not final: its parts' own reports follow.
STATUSES = {
    "accepted": PENDING,
    "scheduled": PENDING,
    "queued": PENDING,
    "sending": PENDING,
    "sent": PENDING,
    "partially_delivered": PENDING,
    "delivered": DELIVERED,
    "read": DELIVERED,
    "undelivered": FAILED,
    "failed": FAILED,
    "canceled": FAILED,
}
# Error 30036 "Validity Period Expired": the message waited in Twilio's queue longer than its ValidityPeriod and was
# never sent. Every other error code on a failed or undelivered message is a failure.
EXPIRY_ERROR_CODES = frozenset({"30036"})
REFERENCE_PARAMETER = "ref"


class TwilioSms(Channel):
    """SMS through Twilio. ``sender`` is our E.164 number (sent as From) or a Messaging Service SID "MG..." (sent as
    MessagingServiceSid, and Twilio picks the number). Every message asks for status callbacks at
    ``status_callback_url``, which is also the URL their signatures are computed over.

    Answers 408, 429 (error 20429, never processed) and 5xx, timeouts and connection errors are temporary; any other
    4xx (21211 invalid To, 21610 recipient opted out with STOP, 20003 bad credentials) is permanent."""

    name = "sms"
    reports_delivery = True

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        sender: str,
        status_callback_url: str,
        api_url: str = "https://api.twilio.com",
        timeout_s: float = 10,
    ):
        if not ACCOUNT_SID.fullmatch(account_sid):
            raise ValueError("a Twilio Account SID is AC followed by 32 hexadecimal digits")
        if MESSAGING_SERVICE_SID.fullmatch(sender):
            self.sender_field = "MessagingServiceSid"
        elif E164.fullmatch(sender):
            self.sender_field = "From"
        else:
            raise ValueError("the Twilio sender is an E.164 number (+...) or a Messaging Service SID (MG...)")
        if urlsplit(status_callback_url).scheme not in ("http", "https") or "_" in status_callback_url:
            raise ValueError("the status callback URL is an absolute http(s) URL, without underscores (Twilio's rule)")
        self.url = f"{api_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.credentials = (account_sid, auth_token)
        self.sender = sender
        self.status_callback_url = status_callback_url
        self.timeout_s = timeout_s

    def send(self, address: str, message: Outgoing) -> Delivery:
        attempted_at = datetime.now(timezone.utc)
        form = {
            "To": address,
            self.sender_field: self.sender,
            "Body": message.sms_text,
            # Our reference rides in the callback's URL: a report that overtakes the send's own record still finds
            # its message, and the signature covers it.
            "StatusCallback": f"{self.status_callback_url}?{urlencode({REFERENCE_PARAMETER: message.reference})}",
        }
        try:
            response = requests.post(self.url, data=form, auth=self.credentials, timeout=self.timeout_s)
        except requests.Timeout:
            return _failed(attempted_at, f"Twilio did not answer within {self.timeout_s} s", retryable=True)
        except requests.RequestException as error:
            return _failed(attempted_at, f"Twilio unreachable: {error}", retryable=True)
        if not response.ok:
            temporary = response.status_code in (408, 429) or response.status_code >= 500
            return _failed(attempted_at, _refusal(response), retryable=temporary)
        return Delivery(True, attempted_at, provider_id=_message_sid(response))


def _failed(attempted_at: datetime, error: str, retryable: bool) -> Delivery:
    return Delivery(False, attempted_at, error=error, retryable=retryable)


def _json(response: requests.Response) -> dict:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _refusal(response: requests.Response) -> str:
    """Twilio's error body is ``{"code", "message", "more_info", "status"}``; the code says what went wrong."""
    error = _json(response)
    if error.get("code") is None:
        return f"Twilio answered {response.status_code}: {response.text[:200]}"
    return f"Twilio answered {response.status_code}: error {error['code']} {error.get('message', '')}".rstrip()


def _message_sid(response: requests.Response) -> str | None:
    sid = _json(response).get("sid")
    return sid if isinstance(sid, str) and MESSAGE_SID.fullmatch(sid) else None


def expected_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """What Twilio puts in ``X-Twilio-Signature`` for a webhook to ``url`` with these POST parameters."""
    signed = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode("utf-8"), signed.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_valid(auth_token: str, url: str, params: Mapping[str, str], signature: str | None) -> bool:
    """Whether a webhook is Twilio's, compared in constant time; a missing signature is not. ``url`` is the URL as
    configured at Twilio (behind a proxy, the public one, never the one the proxy forwards to). Twilio's own
    validators also accept the URL with the scheme's default port written out or left out, as Twilio signs either
    form; so does this."""
    if not signature:
        return False
    given = signature.strip().encode("utf-8", "replace")
    return any(
        hmac.compare_digest(expected_signature(auth_token, form, params).encode("ascii"), given)
        for form in _default_port_forms(url)
    )


def _default_port_forms(url: str) -> tuple[str, ...]:
    """The URL as given, and with its scheme's default port written out or left out; nothing else of it changes."""
    parts = urlsplit(url)
    default_port = {"https": 443, "http": 80}.get(parts.scheme)
    start = url.find("//") + 2
    try:
        other_port = parts.port not in (None, default_port)
    except ValueError:
        return (url,)
    if default_port is None or start < 2 or other_port or "@" in parts.netloc or "[" in parts.netloc:
        return (url,)
    head, host, rest = url[:start], parts.netloc.split(":")[0], url[start + len(parts.netloc) :]
    return (url, f"{head}{host}{rest}", f"{head}{host}:{default_port}{rest}")


class IncomingMessage(Schema):
    """The incoming-message webhook, of which only these fields matter here. ``To`` is our number or short code."""

    class Meta:
        unknown = EXCLUDE

    MessageSid = fields.String(required=True, validate=validate.Regexp(MESSAGE_SID, error="not a Twilio message SID"))
    From = fields.String(required=True, validate=validate.Regexp(E164, error="not an E.164 phone number"))
    To = fields.String(required=True, validate=validate.Length(min=1, max=32))
    Body = fields.String(required=True, validate=validate.Length(max=MAX_BODY))
    NumSegments = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_BODY))


class StatusCallback(Schema):
    """An outbound message's status callback. ``ErrorCode`` comes with failed and undelivered messages."""

    class Meta:
        unknown = EXCLUDE

    MessageSid = fields.String(required=True, validate=validate.Regexp(MESSAGE_SID, error="not a Twilio message SID"))
    MessageStatus = fields.String(required=True, validate=validate.OneOf(sorted(STATUSES)))
    ErrorCode = fields.String(load_default="", validate=validate.Regexp(r"[0-9]{0,6}\Z", error="not an error code"))


def read_inbound(params: Mapping[str, str]) -> Incoming:
    """A producer's message from the incoming-message webhook's form; raises ``InvalidInput`` when malformed. Call
    it only after ``signature_valid``."""
    message = load_or_refuse(IncomingMessage(), dict(params), "Twilio incoming message")
    return Incoming(message_id=message["MessageSid"], sender=message["From"], text=message["Body"])


def read_report(params: Mapping[str, str], now: datetime, reference: str | None = None) -> Receipt:
    """A status callback as a delivery report about the message whose SID Twilio gave when it was sent (and whose
    reference its callback URL carries); raises ``InvalidInput`` when malformed or for a status no outbound message
    has."""
    report = load_or_refuse(StatusCallback(), dict(params), "Twilio status callback")
    status, error_code = report["MessageStatus"], report["ErrorCode"]
    handset_status = STATUSES[status]
    if handset_status == FAILED and error_code in EXPIRY_ERROR_CODES:
        handset_status = EXPIRED
    detail = f"{status}, error {error_code}" if error_code else status
    return Receipt(
        status=handset_status, reported_at=now, reference=reference, provider_id=report["MessageSid"], detail=detail
    )

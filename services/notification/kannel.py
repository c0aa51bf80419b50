"""Kannel as the SMS gateway: sending through smsbox's ``sendsms`` interface, and reading the two calls Kannel makes to
us, a producer's message (the ``sms-service`` get-url of ``deploy/kannel/kannel.conf``) and a delivery report (the
``dlr-url`` each message carries).

Sending is one ``GET {sendsms_url}?username&password&to&text&charset=UTF-8&coding&dlr-mask&dlr-url[&from]``. smsbox
answers 202 ``0: Accepted for delivery`` (handed to an SMSC link) or ``3: Queued for later delivery`` (no link up: it
is stored and sent when one is), 403 ``Authorization failed for sendsms`` or ``Not routable. Do not try again.``, 400
for a malformed field, 503 ``Temporal failure, try again later.``. Kannel 1.4.5 gives no message id, so our reference
rides in the dlr-url and comes back with every report. smsbox splits a long text into concatenated parts, but cuts
whatever does not fit in the sendsms-user's ``max-messages`` without a word, so a text needing more parts is refused
here instead.

Kannel cannot sign a callback: one is believed only when it shows the deployment's secret and comes from an allowed
address (``caller_allowed``). Its escape codes fill the callback URLs: %I message id, %p sender, %P receiver, %b the
text as received, %c coding, %C charset, %T unix time, %i SMSC id; in a dlr-url %d the report type, %A the SMSC's
reply, %F the SMSC's message id. A UCS-2 message reaches us as UTF-8 only because smsbox has ``mo-recode = true``;
without it %b would be UTF-16 bytes that no query string carries intact, and ``read_inbound`` refuses it.
"""

import hmac
import ipaddress
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit

import requests
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from services.notification.channels import Channel, Delivery, Outgoing
from services.notification.provider_reports import DELIVERED, EXPIRED, FAILED, PENDING, Incoming, Receipt
from services.notification.sms import GSM7_EXTENSION, GSM7_PART, GSM7_SINGLE, UCS2_PART, UCS2_SINGLE, is_gsm7
from shared.errors import load_or_refuse

GSM7_CODING, UCS2_CODING = 0, 2
# Every report Kannel can give: 1 delivered to the phone, 2 not delivered, 4 buffered at the SMSC, 8 accepted by the
# SMSC, 16 refused by the SMSC or by bearerbox itself (no route, validity over).
DLR_MASK = 1 | 2 | 4 | 8 | 16
REPORT_STATUSES = {1: DELIVERED, 2: FAILED, 4: PENDING, 8: PENDING, 16: FAILED}
REPORT_MEANINGS = {
    1: "delivered to the phone",
    2: "not delivered to the phone",
    4: "buffered at the SMSC",
    8: "accepted by the SMSC",
    16: "refused by the SMSC or Kannel",
}
# An SMPP receipt says "stat:EXPIRED"; bearerbox says "validity expired" of a message whose validity ran out unsent.
EXPIRY = re.compile(r"stat:\s*EXPIRED|validity expired", re.IGNORECASE)
ACCEPTED_ANSWERS = ("0: Accepted for delivery", "3: Queued for later delivery", "Sent.")
MAX_PARTS = 10  # the sendsms-user's max-messages in deploy/kannel/kannel.conf
MAX_TEXT = 1600
REFERENCE = re.compile(r"[A-Za-z0-9_.:-]{1,64}\Z")
MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}\Z")
PHONE_NUMBER = re.compile(r"\+?[0-9]{6,20}\Z")
LATEST_UNIX_TIME = 10**11


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _failed(attempted_at: datetime, error: str, retryable: bool) -> Delivery:
    return Delivery(False, attempted_at, error=error, retryable=retryable)


def parts_needed(text: str) -> int:
    """How many SMS smsbox makes of ``text``: one up to 160 septets (70 UTF-16 units), else parts of 153 (67), cut
    anywhere but inside a GSM-7 escape pair. Kannel counts the same way (checked against it)."""
    gsm7 = is_gsm7(text)
    costs = [(2 if char in GSM7_EXTENSION else 1) if gsm7 else (2 if ord(char) > 0xFFFF else 1) for char in text]
    single, part = (GSM7_SINGLE, GSM7_PART) if gsm7 else (UCS2_SINGLE, UCS2_PART)
    if sum(costs) <= single:
        return 1
    parts, used = 1, 0
    for cost in costs:
        if used + cost > part:
            parts, used = parts + 1, 0
        used += cost
    return parts


def _kannel_literal(text: str) -> str:
    """Kannel reads every ``%`` of a dlr-url as an escape code (``%A0`` would become the SMSC's reply): ``%%`` is
    its literal percent sign."""
    return text.replace("%", "%%")


class KannelSms(Channel):
    """SMS through smsbox's sendsms interface. ``report_url`` is where Kannel calls with delivery reports, with the
    deployment's secret already in its query; ``sender`` the number or name the phone shows (without it, the
    sendsms-user's default). GSM-7 text goes as coding 0, anything else as UCS-2.

    Answers 408, 429 and 5xx, timeouts and connection errors are temporary; any other refusal is permanent."""

    name = "sms"
    reports_delivery = True

    def __init__(
        self,
        sendsms_url: str,
        username: str,
        password: str,
        report_url: str,
        timeout_s: float = 10,
        sender: str | None = None,
        max_parts: int = MAX_PARTS,
    ):
        for what, url in (("sendsms URL", sendsms_url), ("report URL", report_url)):
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise ValueError(f"Kannel's {what} is an absolute http(s) URL, not {url!r}")
        self.sendsms_url = sendsms_url
        self.username = username
        self.password = password
        self.report_url = report_url
        self.timeout_s = timeout_s
        self.sender = sender
        self.max_parts = max_parts
        self._where = urlsplit(sendsms_url).netloc

    def send(self, address: str, message: Outgoing) -> Delivery:
        attempted_at = _now()
        text = message.sms_text
        parts = parts_needed(text)
        if parts > self.max_parts:
            return _failed(
                attempted_at,
                f"the text needs {parts} SMS; Kannel sends at most {self.max_parts} and would cut the rest",
                retryable=False,
            )
        params = {
            "username": self.username,
            "password": self.password,
            "to": address,
            "text": text,
            "charset": "UTF-8",
            "coding": str(GSM7_CODING if is_gsm7(text) else UCS2_CODING),
            "dlr-mask": str(DLR_MASK),
            "dlr-url": self.dlr_url(message.reference),
        }
        if self.sender:
            params["from"] = self.sender
        try:
            response = requests.get(self.sendsms_url, params=params, timeout=self.timeout_s)
        except requests.Timeout:
            return _failed(attempted_at, f"Kannel's sendsms did not answer within {self.timeout_s} s", retryable=True)
        except requests.RequestException as error:
            # Not the error's own text: it quotes the URL, and the URL carries the password.
            unreachable = f"Kannel's sendsms at {self._where} unreachable: {type(error).__name__}"
            return _failed(attempted_at, unreachable, retryable=True)
        answer = response.text.strip()[:200]
        if response.status_code == 202 and answer.startswith(ACCEPTED_ANSWERS):
            return Delivery(True, attempted_at, provider_id=message.reference)
        if response.ok:
            return _failed(attempted_at, f"not Kannel's sendsms answer: {response.status_code} {answer}", False)
        temporary = response.status_code in (408, 429) or response.status_code >= 500
        return _failed(attempted_at, f"Kannel answered {response.status_code}: {answer}", retryable=temporary)

    def dlr_url(self, reference: str) -> str:
        """The report URL with our reference, then the escape codes Kannel fills in: type, SMSC reply, time, SMSC
        id, the SMSC's message id."""
        base = self.report_url.rstrip("?&")
        separator = "&" if urlsplit(base).query else "?"
        ours = _kannel_literal(f"{base}{separator}{urlencode({'ref': reference})}")
        return f"{ours}&type=%d&report=%A&at=%T&smsc=%i&foreign=%F"


class _Refined(Schema):
    class Meta:
        unknown = EXCLUDE


class InboundCall(_Refined):
    """The sms-service get-url's parameters (``deploy/kannel/kannel.conf``)."""

    id = fields.String(required=True, validate=validate.Regexp(MESSAGE_ID, error="not a Kannel message id"))
    sender = fields.String(
        data_key="from", required=True, validate=validate.Regexp(PHONE_NUMBER, error="not a phone number")
    )
    to = fields.String(load_default="", validate=validate.Length(max=32))
    text = fields.String(required=True, validate=validate.Length(max=MAX_TEXT))
    coding = fields.Integer(load_default=GSM7_CODING)
    charset = fields.String(load_default="UTF-8")

    @validates("text")
    def _decoded(self, text, **kwargs):
        if "\ufffd" in text:
            raise ValidationError("the text is not valid UTF-8")

    @validates("coding")
    def _recoded(self, coding, **kwargs):
        if coding == UCS2_CODING:
            raise ValidationError("UCS-2 text must arrive recoded to UTF-8: set mo-recode = true in smsbox")
        if coding != GSM7_CODING:
            raise ValidationError("a binary (8-bit) message is not text")

    @validates("charset")
    def _utf8(self, charset, **kwargs):
        if charset.upper() != "UTF-8":
            raise ValidationError("the text must arrive in UTF-8: set mo-recode = true in smsbox")


class ReportCall(_Refined):
    """The dlr-url's parameters, as ``KannelSms.dlr_url`` asks for them."""

    ref = fields.String(required=True, validate=validate.Regexp(REFERENCE, error="not a reference of ours"))
    type = fields.Integer(
        required=True, validate=validate.OneOf(sorted(REPORT_STATUSES), error="not a Kannel report type")
    )
    report = fields.String(load_default="", validate=validate.Length(max=1000))
    at = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=LATEST_UNIX_TIME))
    smsc = fields.String(load_default="", validate=validate.Length(max=64))
    foreign = fields.String(load_default="", validate=validate.Length(max=100))


def read_inbound(params: Mapping[str, str]) -> Incoming:
    """A producer's message from the sms-service call; raises ``InvalidInput`` when malformed. Call it only after
    ``caller_allowed``."""
    message = load_or_refuse(InboundCall(), dict(params), "Kannel incoming message")
    return Incoming(message_id=message["id"], sender=message["sender"], text=message["text"])


def read_report(params: Mapping[str, str], now: datetime) -> Receipt:
    """A delivery report about the message whose reference we put in its dlr-url; raises ``InvalidInput`` when
    malformed or of a type Kannel does not report. Reported at Kannel's time, never later than ``now``."""
    report = load_or_refuse(ReportCall(), dict(params), "Kannel delivery report")
    kind, reply = report["type"], report["report"].strip()
    status = REPORT_STATUSES[kind]
    if status == FAILED and EXPIRY.search(reply):
        status = EXPIRED
    reported_at = now
    if report["at"] is not None:
        reported_at = min(now, datetime.fromtimestamp(report["at"], tz=timezone.utc))
    detail = f"{REPORT_MEANINGS[kind]}: {reply}" if reply else REPORT_MEANINGS[kind]
    if report["foreign"]:
        detail += f" (SMSC {report['smsc'] or '?'} message {report['foreign']})"
    return Receipt(status=status, reported_at=reported_at, reference=report["ref"], detail=detail)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(source_address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(source_address.strip().strip("[]").partition("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def caller_allowed(
    secret: str | None, networks: Iterable[Network | str], given_secret: str | None, source_address: str | None
) -> bool:
    """Whether a callback is this deployment's Kannel: it shows the secret (compared in constant time) and comes from
    an allowed address or network. Without a secret configured, nothing is believed. An IPv4 address seen as IPv6
    (``::ffff:10.0.0.5``) is the IPv4 address."""
    if not secret or given_secret is None or not source_address:
        return False
    secret_shown = hmac.compare_digest(secret.encode("utf-8"), given_secret.encode("utf-8", "replace"))
    address = _address(source_address)
    if address is None:
        return False
    from_allowed = any(address.version == net.version and address in net for net in map(_network, networks))
    return secret_shown and from_allowed


def _network(network: Network | str) -> Network:
    return network if not isinstance(network, str) else ipaddress.ip_network(network.strip(), strict=False)

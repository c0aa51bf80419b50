"""One producer of the demonstration takes part by SMS alone, from a basic phone.

``SmsProducer`` plays the SMS provider between her phone and Bilum. It reads the texts Bilum sent to her number
from the delivery log (``GET /api/v1/notifications``), answers offers the way she would type it (``YES <code>``,
later ``DONE <code> <units>``), and hands each answer to the gateway as the provider's signed callback
(``POST /api/v1/sms/inbound``, HMAC-SHA256 in hex of ``"{timestamp}.{body}"`` with the shared secret, in the
``X-Sms-Timestamp`` and ``X-Sms-Signature`` headers). Every answer must itself be answered by SMS: it checks that
the confirmation reached her number.
"""
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass

import requests


class SmsConversationFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Text:
    """An SMS Bilum sent to the phone: its kind, the quota code it is about, and its values."""
    kind: str
    ref: str | None
    text: str
    data: dict


class SmsProducer:
    def __init__(self, api_base_url: str, secret: str, producer_id: str, mobile: str, timeout_s: float = 60,
                 credentials: dict | None = None):
        """``credentials`` read the delivery log, which stands in for the phone's inbox; replies are signed instead."""
        self.base_url = api_base_url.rstrip("/")
        self.secret = secret
        self.producer_id = producer_id
        self.mobile = mobile
        self.timeout_s = timeout_s
        self.http = requests.Session()
        self.http.headers.update(credentials or {})
        self.accepted: dict[str, int] = {}
        self.reported: dict[str, int] = {}

    def inbox(self) -> list[Text]:
        """Every SMS that went out to this phone, oldest first."""
        texts, page = [], 1
        while True:
            response = self.http.get(f"{self.base_url}/api/v1/notifications", timeout=30, params={
                "recipient_id": self.producer_id, "status": "sent", "page": page, "page_size": 100})
            if not response.ok:
                raise SmsConversationFailed(f"the delivery log answered {response.status_code}: {response.text}")
            result = response.json()
            texts.extend(Text(item["template"], item["ref"], item["text"], item["data"])
                         for item in result["items"] if item["channel"] == "sms" and item["address"] == self.mobile)
            if page * result["page_size"] >= result["total"]:
                return texts[::-1]
            page += 1

    def accept_offers(self) -> dict[str, int]:
        """Answer YES to every offer not answered yet; the units taken on, per quota code."""
        for offer in self.inbox():
            if offer.kind == "quota_offered" and offer.ref not in self.accepted:
                self._exchange(f"YES {offer.ref}", "accepted")
                self.accepted[offer.ref] = self._reply("quota_accepted_ack", offer.ref).data["quantity"]
        return dict(self.accepted)

    def report_lots(self) -> dict[str, int]:
        """Report every accepted quota as finished in full (``DONE <code> <units>``); the units, per code."""
        for ref, units in self.accepted.items():
            if ref not in self.reported:
                self._exchange(f"DONE {ref} {units}", "reported")
                self.reported[ref] = self._reply("lot_received_ack", ref).data["quantity"]
        return dict(self.reported)

    def send(self, text: str, message_id: str | None = None) -> dict:
        """What the provider does with a message from the phone: a signed callback to the gateway."""
        body = json.dumps({"message_id": message_id or f"demo-{uuid.uuid4().hex}", "from": self.mobile,
                           "text": text})
        timestamp = str(int(time.time()))
        signature = hmac.new(self.secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
        response = self.http.post(f"{self.base_url}/api/v1/sms/inbound", data=body.encode(), timeout=30, headers={
            "Content-Type": "application/json", "X-Sms-Timestamp": timestamp, "X-Sms-Signature": signature})
        if not response.ok:
            raise SmsConversationFailed(f"the SMS callback for {text!r} answered {response.status_code}: "
                                        f"{response.text}")
        return response.json()

    def _exchange(self, text: str, outcome: str) -> None:
        result = self.send(text)
        if result["outcome"] != outcome:
            raise SmsConversationFailed(f"{text!r} was {result['outcome']}, not {outcome}")

    def _reply(self, kind: str, ref: str) -> Text:
        deadline = time.monotonic() + self.timeout_s
        while True:
            replies = [text for text in self.inbox() if text.kind == kind and text.ref == ref]
            if replies:
                return replies[-1]
            if time.monotonic() > deadline:
                raise SmsConversationFailed(f"no {kind} SMS about {ref} reached {self.mobile}")
            time.sleep(0.2)

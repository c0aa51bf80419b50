"""One producer of the demonstration takes part by SMS alone, from a basic phone.

``SmsProducer`` plays the SMS provider between her phone and Bilum. It reads the texts Bilum sent to her number
from the delivery log (``GET /api/v1/notifications``), answers offers the way she would type it (``YES <code>``,
later ``DONE <code> <units>``), and hands each answer to the gateway as the provider's signed callback
(``POST /api/v1/sms/inbound``, HMAC-SHA256 in hex of ``"{timestamp}.{body}"`` with the shared secret, in the
``X-Sms-Timestamp`` and ``X-Sms-Signature`` headers). Every answer must itself be answered by SMS: it checks that
the confirmation reached her number. A top-up (more units of a quota she has taken on) is asked and answered with the
quota's own code, like the offer, and she reports the units it added as another lot.
"""

import hashlib
import hmac
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass

from bilum import demo_http


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
    def __init__(
        self,
        api_base_url: str,
        secret: str,
        producer_id: str,
        mobile: str,
        timeout_s: float = 60,
        credentials: dict | None = None,
    ):
        """``credentials`` read the delivery log, which stands in for the phone's inbox; replies are signed instead."""
        self.base_url = api_base_url.rstrip("/")
        self.secret = secret
        self.producer_id = producer_id
        self.mobile = mobile
        self.timeout_s = timeout_s
        self.http = demo_http.session(credentials)
        self.accepted: dict[str, int] = {}
        self.reported: dict[str, int] = {}
        self.top_ups: Counter = Counter()

    def inbox(self) -> list[Text]:
        """Every SMS that went out to this phone, oldest first."""
        texts, page = [], 1
        while True:
            response = self.http.get(
                f"{self.base_url}/api/v1/notifications",
                timeout=30,
                params={"recipient_id": self.producer_id, "status": "sent", "page": page, "page_size": 100},
            )
            if not response.ok:
                raise SmsConversationFailed(f"the delivery log answered {response.status_code}: {response.text}")
            result = response.json()
            texts.extend(
                Text(item["template"], item["ref"], item["text"], item["data"])
                for item in result["items"]
                if item["channel"] == "sms" and item["address"] == self.mobile
            )
            if page * result["page_size"] >= result["total"]:
                return texts[::-1]
            page += 1

    def accept_offers(self) -> dict[str, int]:
        """Answer YES to every offer and top-up not answered yet; the units taken on, per quota code."""
        texts = self.inbox()
        for offer in texts:
            if offer.kind == "quota_offered" and offer.ref not in self.accepted:
                self.accepted[offer.ref] = self._answer(
                    f"YES {offer.ref}", "accepted", offer.ref, "quota_accepted_ack"
                ).data["quantity"]
        asked = Counter(text.ref for text in texts if text.kind == "quota_top_up_offered")
        for ref, top_ups in asked.items():
            while self.top_ups[ref] < top_ups:
                # A top-up that lapsed before her YES added nothing: she is told what she has.
                ack = self._answer(f"YES {ref}", "accepted", ref, "quota_top_up_accepted_ack", "quota_accepted_ack")
                self.accepted[ref] = ack.data["total" if ack.kind == "quota_top_up_accepted_ack" else "quantity"]
                self.top_ups[ref] += 1
        return dict(self.accepted)

    def report_lots(self) -> dict[str, int]:
        """Report every unit taken on and not reported yet as one finished lot (``DONE <code> <units>``); the units
        reported, per code."""
        for ref, units in self.accepted.items():
            left = units - self.reported.get(ref, 0)
            if left > 0:
                ack = self._answer(f"DONE {ref} {left}", "reported", ref, "lot_received_ack")
                self.reported[ref] = self.reported.get(ref, 0) + ack.data["quantity"]
        return dict(self.reported)

    def ask_balance(self) -> Text:
        """``BAL``: settlement answers through notification, in her language."""
        return self._answer("BAL", "balance_requested", None, "balance", "balance_unpaid", "balance_empty")

    def send(self, text: str, message_id: str | None = None) -> dict:
        """What the provider does with a message from the phone: a signed callback to the gateway."""
        body = json.dumps({"message_id": message_id or f"demo-{uuid.uuid4().hex}", "from": self.mobile, "text": text})
        timestamp = str(int(time.time()))
        signature = hmac.new(self.secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
        response = self.http.post(
            f"{self.base_url}/api/v1/sms/inbound",
            data=body.encode(),
            timeout=30,
            headers={"Content-Type": "application/json", "X-Sms-Timestamp": timestamp, "X-Sms-Signature": signature},
        )
        if not response.ok:
            raise SmsConversationFailed(
                f"the SMS callback for {text!r} answered {response.status_code}: {response.text}"
            )
        return response.json()

    def _answer(self, text: str, outcome: str, ref: str | None, *kinds: str) -> Text:
        """Send ``text`` and wait for the SMS that confirms it: one of ``kinds`` about ``ref``, newer than those
        already on the phone."""
        before = len(self._replies(ref, kinds))
        result = self.send(text)
        if result["outcome"] != outcome:
            raise SmsConversationFailed(f"{text!r} was {result['outcome']}, not {outcome}")
        deadline = time.monotonic() + self.timeout_s
        while True:
            replies = self._replies(ref, kinds)
            if len(replies) > before:
                return replies[-1]
            if time.monotonic() > deadline:
                raise SmsConversationFailed(f"no {' or '.join(kinds)} SMS about {ref} reached {self.mobile}")
            time.sleep(0.2)

    def _replies(self, ref: str | None, kinds: tuple) -> list[Text]:
        return [text for text in self.inbox() if text.kind in kinds and text.ref == ref]

"""One producer of the demonstration takes part by SMS alone, from a basic phone.

``SmsProducer`` answers offers the way she would type them (``YES <code>``, later ``DONE <code> <units>``) and
checks that each answer is itself answered by SMS on her phone. A top-up (more units of a quota she has taken on) is
asked and answered with the quota's own code, like the offer, and she reports the units it added as another lot.

With a local Kannel (``phone``), her phone is a real handset of it (``fakesmsc``): a text is on her phone only once
Kannel delivered it there, and her answers are typed on it and travel back through Kannel's sms-service. The
delivery log (``GET /api/v1/notifications``) still says what each text is about (its kind and quota code). Without
Kannel, the demo plays the SMS provider itself: texts reach her as the delivery log shows them, and each answer goes
to the gateway as the provider's signed callback (``POST /api/v1/sms/inbound``, HMAC-SHA256 in hex of
``"{timestamp}.{body}"`` with the shared secret, in the ``X-Sms-Timestamp`` and ``X-Sms-Signature`` headers).
"""

import hashlib
import hmac
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass

from bilum import demo_http
from bilum.kannel_local import KannelGateway


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
        phone: KannelGateway | None = None,
    ):
        """``credentials`` read the delivery log; ``phone``, a local Kannel whose handset is hers."""
        self.base_url = api_base_url.rstrip("/")
        self.secret = secret
        self.producer_id = producer_id
        self.mobile = mobile
        self.timeout_s = timeout_s
        self.http = demo_http.session(credentials)
        self.phone = phone
        self.accepted: dict[str, int] = {}
        self.reported: dict[str, int] = {}
        self.top_ups: Counter = Counter()

    def inbox(self) -> list[Text]:
        """Every SMS on her phone, oldest first."""
        texts = self._sent()
        if self.phone is None:
            return texts
        on_phone = Counter(message.text for message in self.phone.messages_to(self.mobile, expected=0, within_s=0))
        arrived = []
        for text in texts:
            if on_phone[text.text]:
                on_phone[text.text] -= 1
                arrived.append(text)
        return arrived

    def _sent(self) -> list[Text]:
        """Every SMS the delivery log says went out to this number, oldest first."""
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

    def send(self, text: str, message_id: str | None = None) -> dict | None:
        """Her message: typed on the handset of the local Kannel (what became of it, only the answer on her phone
        says), or handed to the gateway as the provider's signed callback (whose answer says what it did)."""
        if self.phone is not None:
            self.phone.send_from_phone(self.mobile, text)
            return None
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
        if result is not None and result["outcome"] != outcome:
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


def sms_summary(api) -> dict:
    """Every SMS of the run as the delivery log tells it: through which gateway, how many, what the gateway reported
    of the phones (a gateway that reports nothing, the log, leaves them ``unreported``), and the most any one
    recipient got."""
    states: Counter = Counter()
    transports: Counter = Counter()
    per_recipient: Counter = Counter()
    for item in api.all_pages("/api/v1/notifications"):
        if item["channel"] != "sms" or item["status"] not in ("sent", "failed", "unreachable", "retrying"):
            continue
        transports[item["transport"]] += 1
        per_recipient[item["recipient_id"]] += 1
        handset = (item.get("handset") or {}).get("status")
        states[handset or ("unreported" if item["status"] == "sent" else "not_delivered")] += 1
    return {
        "transports": dict(transports),
        "messages": sum(transports.values()),
        "delivered": states["delivered"],
        "pending": states["pending"],
        "not_delivered": states["failed"] + states["expired"] + states["not_delivered"],
        "unreported": states["unreported"],
        "most_to_one_recipient": max(per_recipient.values(), default=0),
    }

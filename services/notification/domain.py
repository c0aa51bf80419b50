"""What each party is told, and on which channel. Plain Python.

Producers in villages read SMS on basic phones: their messages are short, in plain GSM-7 characters, and say how
to act by replying. Buyers get email.
"""
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Recipient:
    recipient_id: str
    name: str
    mobile: str | None
    email: str | None


@dataclass(frozen=True)
class Message:
    channel: str
    address: str
    template: str
    text: str


def channel_for(recipient: Recipient) -> tuple[str, str]:
    """SMS first: it reaches a basic phone on a weak network; email when there is no mobile number."""
    if recipient.mobile:
        return "sms", recipient.mobile
    if recipient.email:
        return "email", recipient.email
    raise ValueError(f"recipient {recipient.recipient_id} has no channel")


def _message(recipient: Recipient, template: str, text: str) -> Message:
    channel, address = channel_for(recipient)
    return Message(channel, address, template, text)


def quota_offer(recipient: Recipient, ref: str, quantity: int, product: str, respond_by: datetime) -> Message:
    text = (f"Bilum: new order {quantity} x {product}. Reply YES {ref} to accept or NO {ref} to decline "
            f"by {respond_by:%d %b %H:%M} UTC.")
    return _message(recipient, "quota_offer", text)


def inspection_result(recipient: Recipient, quantity: int, product: str, passed: bool) -> Message:
    if passed:
        text = f"Bilum: your lot of {quantity} x {product} passed quality control. Thank you!"
    else:
        text = f"Bilum: your lot of {quantity} x {product} did not pass quality control. Your aggregator will call."
    return _message(recipient, "inspection_result", text)


_STATUS_SENTENCES = {
    "allocated": "has been shared out to our producers",
    "in_production": "is being made",
    "shipped": "is on its way",
    "delivered": "has been delivered in full",
}


def order_received(recipient: Recipient, order_id: str, units: int, due: date) -> Message:
    text = f"Thank you, {recipient.name}. Your order {order_id} for {units} units is received, due {due:%d %B %Y}."
    return Message("email", recipient.email, "order_received", text) if recipient.email else _message(
        recipient, "order_received", text)


def order_status(recipient: Recipient, order_id: str, status: str) -> Message | None:
    """Buyers hear about milestones, not every internal step."""
    sentence = _STATUS_SENTENCES.get(status)
    if sentence is None:
        return None
    text = f"Dear {recipient.name}, your order {order_id} {sentence}."
    return Message("email", recipient.email, "order_status", text) if recipient.email else _message(
        recipient, "order_status", text)


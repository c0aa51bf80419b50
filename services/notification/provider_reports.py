"""What an SMS provider tells us after a send, and what a producer sends us, as every adapter reads it (Kannel, a
hosted API, the plain HTTP gateway). Plain Python.

A provider's word that it accepted a message says nothing about her phone: only its delivery report does. Reports
arrive late, twice, and out of order (a "queued" after a "delivered"), so a report never moves a message backwards:
once delivered, failed or expired, it stays so.
"""

from dataclasses import dataclass
from datetime import datetime

PENDING, DELIVERED, FAILED, EXPIRED = "pending", "delivered", "failed", "expired"
FINAL = frozenset({DELIVERED, FAILED, EXPIRED})
HANDSET_STATUSES = (PENDING, DELIVERED, FAILED, EXPIRED)


@dataclass(frozen=True)
class Receipt:
    """One delivery report. ``reference`` is our id of the message when the provider echoes it back (Kannel's
    ``dlr-url`` carries it); ``provider_id`` the provider's own id when it has one (a hosted API's message id)."""

    status: str
    reported_at: datetime
    reference: str | None = None
    provider_id: str | None = None
    detail: str = ""

    def __post_init__(self):
        if self.status not in HANDSET_STATUSES:
            raise ValueError(f"unknown delivery status {self.status!r}")
        if not (self.reference or self.provider_id):
            raise ValueError("a delivery report names its message by our reference or the provider's id")


@dataclass(frozen=True)
class Incoming:
    """One message from a phone: the provider's id for it (a retried callback carries the same), the sender's
    number as the provider gives it, and the text as she typed it, decoded."""

    message_id: str
    sender: str
    text: str


def moves_forward(current: str | None, reported: str) -> bool:
    """Whether a report changes what is known: a final status is never overwritten, and a pending report adds
    nothing to a pending message."""
    if current in FINAL:
        return False
    return reported != current

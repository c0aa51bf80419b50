"""Who is told what. Plain Python (what happens after a delivery fails is ``retries``).

Every message is a ``Notice`` for one recipient. Its ``key``, together with the recipient and the kind of message,
is what makes it unique: the service stores notices under that unique key, so the same fact delivered twice, or two
timers firing at once in two replicas, never tell anyone the same thing twice. A fact's notices are keyed by its event
id (with the quota or order when one event tells one recipient about several); a timer's by what it is about (the
quota reminded of, the shipment found late, the digest's day).

Producers hear about their work (offers and top-ups, reminders, work taken away, inspection results, rework,
shipment); buyers about their orders (confirmed with the delivery promise, short, shipped, delivered, the trade
documents issued for them, payments overdue, claims decided); aggregators about what needs a person (shortfalls,
rejected lots, producers who cannot be reached, late shipments, dead letters), each kind at once or in a daily digest
as they chose.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from services.notification.preferences import EMAIL, SMS, WEBHOOK, Contact, Preferences, QuietHours

PRODUCER, BUYER, AGGREGATOR = "producer", "buyer", "aggregator"

DEFAULT_CHANNELS = {PRODUCER: (SMS, EMAIL, WEBHOOK), BUYER: (EMAIL, WEBHOOK), AGGREGATOR: (EMAIL, WEBHOOK, SMS)}
DEFAULT_MAX_FAILURES = 3

OFFERED, ACCEPTED, DECLINED, EXPIRED, RELEASED = "offered", "accepted", "declined", "expired", "released"
# How far a quota has gone: answered, then closed (lapsed, or released with its cancelled order).
_QUOTA_PROGRESS = {OFFERED: 0, ACCEPTED: 1, DECLINED: 1, EXPIRED: 2, RELEASED: 2}

# Delivery states: waiting to go out (pending, deferred for quiet hours, retrying after a failure), done (sent,
# failed after every attempt, unreachable on every channel), or kept for the daily digest (digest, then digested).
PENDING, DEFERRED, RETRYING = "pending", "deferred", "retrying"
SENT, FAILED, UNREACHABLE = "sent", "failed", "unreachable"
DIGEST, DIGESTED = "digest", "digested"
WAITING = (PENDING, DEFERRED, RETRYING)
STATUSES = (*WAITING, SENT, FAILED, UNREACHABLE, DIGEST, DIGESTED)


@dataclass(frozen=True)
class Recipient:
    recipient_id: str
    kind: str
    name: str
    languages: tuple[str, ...]
    contact: Contact
    organisation_id: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class Notice:
    recipient_id: str
    kind: str
    key: str
    correlation_id: str
    values: Mapping[str, object] = field(default_factory=dict)
    ref: str | None = None
    deadline: datetime | None = None


@dataclass(frozen=True)
class TopUp:
    """Units asked on top of an accepted quota of ``base`` units, not answered yet as far as we know."""

    units: int
    base: int


@dataclass(frozen=True)
class Quota:
    quota_id: str
    ref: str
    order_id: str
    producer_id: str
    offering_id: str
    quantity: int
    offered_at: datetime
    respond_by: datetime
    status: str = OFFERED
    top_up: TopUp | None = None


@dataclass(frozen=True)
class Lot:
    lot_id: str
    quota_id: str
    order_id: str
    producer_id: str
    offering_id: str
    quantity: int


@dataclass(frozen=True)
class Order:
    order_id: str
    buyer_id: str
    due_date: date
    promised_date: date | None


@dataclass(frozen=True)
class ShippedLot:
    """A lot in a shipment, with what its producer needs to recognise it."""

    lot_id: str
    order_id: str
    quantity: int
    producer_id: str | None = None
    quota_id: str | None = None
    ref: str | None = None
    product: str | None = None


@dataclass(frozen=True)
class ShipmentDue:
    """An undelivered shipment and the earliest due date of one organisation's orders in it."""

    shipment_id: str
    organisation_id: str
    due_on: date


# Producers -----------------------------------------------------------------------------------------------------------


def statuses_before(reported: str) -> tuple[str, ...]:
    """The statuses a quota may leave for ``reported``. Its facts arrive on separate queues, so in any order, and
    its status only moves forward: an acceptance that waited for its offer must not reopen a quota that its
    cancelled order has released meanwhile."""
    return tuple(status for status, progress in _QUOTA_PROGRESS.items() if progress < _QUOTA_PROGRESS[reported])


def quota_offered(event_id: str, quota: Quota, product: str) -> list[Notice]:
    return [
        Notice(
            quota.producer_id,
            "quota_offered",
            event_id,
            quota.order_id,
            {"ref": quota.ref, "quantity": quota.quantity, "product": product, "respond_by": quota.respond_by},
            ref=quota.ref,
            deadline=quota.respond_by,
        )
    ]


def pending_top_up(
    units: int | None, base: int | None, offered_at: datetime | None, answered_at: datetime | None
) -> TopUp | None:
    """The newest top-up offered, unless an answer newer than it has been seen: an offer and its answer arrive on
    separate queues, in either order."""
    if units is None or base is None or offered_at is None:
        return None
    if answered_at is not None and answered_at >= offered_at:
        return None
    return TopUp(units, base)


def top_up_offered(
    event_id: str, quota: Quota, top_up: int, base: int, respond_by: datetime, product: str
) -> list[Notice]:
    """Asked like an offer, with the quota's own code and a deadline; a quota closed meanwhile (its order cancelled)
    takes no more work, so its producer is not asked."""
    if quota.status not in (OFFERED, ACCEPTED):
        return []
    return [
        Notice(
            quota.producer_id,
            "quota_top_up_offered",
            event_id,
            quota.order_id,
            {"ref": quota.ref, "more": top_up, "total": base + top_up, "product": product, "respond_by": respond_by},
            ref=quota.ref,
            deadline=respond_by,
        )
    ]


def top_up_lapsed(event_id: str, quota: Quota, lapsed: int, kept: int, product: str) -> list[Notice]:
    """A top-up not answered in time went to others, like an offer that lapsed; she is told that what she had
    stays hers, so that she does not stop."""
    return [
        Notice(
            quota.producer_id,
            "quota_top_up_lapsed",
            event_id,
            quota.order_id,
            {"ref": quota.ref, "more": lapsed, "quantity": kept, "product": product},
            ref=quota.ref,
        )
    ]


def reminders_due(quotas: Iterable[Quota], products: Mapping[str, str], now: datetime, lead: timedelta) -> list[Notice]:
    """Offers still unanswered once their deadline is ``lead`` away. An offer made when its deadline was already
    that close is not reminded of (the offer itself says the deadline), and one whose deadline passed is the
    aggregation service's to expire, not ours to remind of."""
    return [
        Notice(
            quota.producer_id,
            "quota_reminder",
            quota.quota_id,
            quota.order_id,
            {
                "ref": quota.ref,
                "quantity": quota.quantity,
                "product": products[quota.offering_id],
                "respond_by": quota.respond_by,
            },
            ref=quota.ref,
            deadline=quota.respond_by,
        )
        for quota in quotas
        if quota.status == OFFERED and quota.offered_at < quota.respond_by - lead <= now < quota.respond_by
    ]


def work_taken_away(event_id: str, quota: Quota, quantity: int, product: str) -> list[Notice]:
    """An offer expired or released, or a rejected lot given to others: the producer must not make these units."""
    return [
        Notice(
            quota.producer_id,
            "quota_reallocated",
            event_id,
            quota.order_id,
            {"ref": quota.ref, "quantity": quantity, "product": product},
            ref=quota.ref,
        )
    ]


def lot_inspected(
    event_id: str,
    lot: Lot,
    ref: str,
    product: str,
    passed: bool,
    producer_name: str,
    aggregator_id: str | None,
    defects: int,
    sample_size: int,
) -> list[Notice]:
    values = {"ref": ref, "quantity": lot.quantity, "product": product}
    notices = [
        Notice(
            lot.producer_id,
            "inspection_passed" if passed else "inspection_failed",
            event_id,
            lot.order_id,
            values,
            ref=ref,
        )
    ]
    if not passed and aggregator_id:
        notices.append(
            Notice(
                aggregator_id,
                "aggregator_lot_rejected",
                event_id,
                lot.order_id,
                {**values, "producer": producer_name, "defects": defects, "sample_size": sample_size},
                ref=ref,
            )
        )
    return notices


def rework_requested(event_id: str, lot: Lot, ref: str, product: str) -> list[Notice]:
    return [
        Notice(
            lot.producer_id,
            "lot_rework_requested",
            event_id,
            lot.order_id,
            {"ref": ref, "quantity": lot.quantity, "product": product},
            ref=ref,
        )
    ]


def shipment_planned(
    event_id: str, shipment_id: str, city: str, lots: Iterable[ShippedLot], pickups: Mapping[str, tuple[date, str]]
) -> list[Notice]:
    """One message per producer and quota, however many of its lots travel together: the day and the hub where
    they are collected when the plan has a pickup for the producer, else where they are going."""
    units: dict[tuple, int] = {}
    first: dict[tuple, ShippedLot] = {}
    for lot in lots:
        group = (lot.producer_id, lot.quota_id)
        units[group] = units.get(group, 0) + lot.quantity
        first.setdefault(group, lot)
    notices = []
    for group, lot in sorted(first.items()):
        if lot.producer_id is None:
            raise ValueError(f"planned lot {lot.lot_id} does not name its producer")
        values: dict[str, object] = {"ref": lot.ref, "quantity": units[group], "product": lot.product}
        if lot.producer_id in pickups:
            pickup_on, hub = pickups[lot.producer_id]
            kind, values = "pickup_scheduled", {**values, "pickup_at": pickup_on, "place": hub}
        else:
            kind, values = "lot_shipment_planned", {**values, "city": city}
        notices.append(Notice(lot.producer_id, kind, f"{event_id}/{lot.quota_id}", shipment_id, values, ref=lot.ref))
    return notices


def unreachable(notification_id: str, producer: Recipient, ref: str, correlation_id: str) -> list[Notice]:
    """A producer no channel reaches: a person at the aggregator must go and find them."""
    if not producer.organisation_id:
        return []
    return [
        Notice(
            producer.organisation_id,
            "aggregator_unreachable",
            notification_id,
            correlation_id,
            {"producer": producer.name, "contact": contact_text(producer), "ref": ref},
            ref=ref,
        )
    ]


def contact_text(recipient: Recipient) -> str:
    addresses = [address for address in (recipient.contact.mobile, recipient.contact.email) if address]
    return ", ".join(addresses) or recipient.recipient_id


# Buyers --------------------------------------------------------------------------------------------------------------


def preferences_of(kind: str, stored: Mapping | None, timezone: str | None) -> Preferences:
    """What a recipient chose, or the defaults of its kind. Quiet hours are in the recipient's time zone."""
    stored = stored or {}
    quiet = stored.get("quiet_hours")
    return Preferences(
        channels=tuple(stored.get("channels") or DEFAULT_CHANNELS[kind]),
        quiet_hours=QuietHours.parse(quiet, timezone or "UTC") if quiet else None,
        digest_kinds=frozenset(stored.get("digest_kinds") or ()),
        max_failures=stored.get("max_failures") or DEFAULT_MAX_FAILURES,
    )

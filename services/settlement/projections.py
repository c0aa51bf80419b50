"""What settlement learns from other services: producers, offerings' prices and premiums, quotas with the rate they
carry, and the lots that pass inspection, which earn."""

from decimal import Decimal

from sqlalchemy import select, update

from services.settlement import domain, journal
from services.settlement.rates import rate_in_force
from services.settlement.store import advances, offerings, producers, quotas
from shared.errors import NotYetKnown
from shared.events import Event
from shared.money import to_minor
from shared.store import UnitOfWork, insert_new, merge

# How far an accepted quota has come; it only ever moves forward, whatever order the facts arrive in.
PROGRESS = ("offered", "accepted", "in_production", "produced", "passed", "shipped", "delivered")
CLOSED = ("declined", "expired", "released", "closed_short")


class QuotaUnknown(NotYetKnown):
    """A fact about a quota arrived before the offer: the message waits for ``quota.offered``."""


class OfferingUnknown(NotYetKnown):
    """A quota of an offering settlement has not heard of yet: the message waits for ``offering.published``."""


def record_producer(uow: UnitOfWork, event: Event) -> None:
    payload = event.payload
    merge(
        uow.session,
        producers,
        {
            "producer_id": payload["producer_id"],
            "organisation_id": payload["organisation_id"],
            "name": payload["name"],
            "mobile": payload["mobile"],
            "languages": payload["languages"],
            "updated_at": event.occurred_at,
        },
        keys=("producer_id",),
        newer="updated_at",
    )


def record_offering(uow: UnitOfWork, event: Event) -> None:
    payload = event.payload
    merge(
        uow.session,
        offerings,
        {
            "offering_id": payload["offering_id"],
            "organisation_id": payload["organisation_id"],
            "sku": payload["sku"],
            "name": payload["name"],
            "currency": payload["currency"],
            "producer_price": payload["producer_price"],
            "premium_per_unit": payload["fair_trade_premium"],
            "hs_code": payload.get("hs_code"),
            "origin_country": payload.get("origin_country"),
            "unit_weight_g": payload["unit_weight_g"],
            "unit_volume_cm3": payload["unit_volume_cm3"],
            "updated_at": event.occurred_at,
        },
        keys=("offering_id",),
        newer="updated_at",
    )


def record_offer(uow: UnitOfWork, event: Event) -> None:
    """The quota carries the rate in force when it was offered (as aggregation weighed it, or as known here for an
    offer that does not say): its lots earn that, whatever is set later."""
    payload = event.payload
    offering = uow.session.execute(select(offerings).where(offerings.c.offering_id == payload["offering_id"])).first()
    if offering is None:
        raise OfferingUnknown(f"offering {payload['offering_id']} is not known here yet")
    rate = payload.get("rate")
    if rate is None:
        rate = rate_in_force(uow.session, payload["producer_id"], offering, event.occurred_at)
    insert_new(
        uow.session,
        quotas,
        {
            "quota_id": payload["quota_id"],
            "organisation_id": offering.organisation_id,
            "order_id": payload["order_id"],
            "line_id": payload["line_id"],
            "offering_id": payload["offering_id"],
            "producer_id": payload["producer_id"],
            "currency": offering.currency,
            "rate": rate,
            "premium_per_unit": offering.premium_per_unit,
            "quantity": payload["quantity"],
            "status": "offered",
            "offered_at": event.occurred_at,
            "updated_at": event.occurred_at,
        },
    )


def _quota(uow: UnitOfWork, quota_id: str):
    row = uow.session.execute(select(quotas).where(quotas.c.quota_id == quota_id).with_for_update()).first()
    if row is None:
        raise QuotaUnknown(f"quota {quota_id} is not known here yet")
    return row


def _move(uow: UnitOfWork, event: Event, status: str, quantity: int | None = None) -> None:
    quota = _quota(uow, event.payload["quota_id"])
    values: dict = {"updated_at": event.occurred_at}
    if quantity is not None:
        values["quantity"] = quantity
    if _moves_forward(quota.status, status):
        values["status"] = status
    uow.session.execute(update(quotas).where(quotas.c.quota_id == quota.quota_id).values(**values))


def _moves_forward(current: str, new: str) -> bool:
    if current in CLOSED:
        return False
    if new in CLOSED:
        return True
    return PROGRESS.index(new) > PROGRESS.index(current)


def record_acceptance(uow: UnitOfWork, event: Event) -> None:
    _move(uow, event, "accepted", event.payload["quantity"])


def record_top_up(uow: UnitOfWork, event: Event) -> None:
    """A top-up's added units join the quota at the rate it carries."""
    quota = _quota(uow, event.payload["quota_id"])
    uow.session.execute(
        update(quotas)
        .where(quotas.c.quota_id == quota.quota_id)
        .values(quantity=event.payload["quantity"], updated_at=event.occurred_at)
    )


def record_end(uow: UnitOfWork, event: Event) -> None:
    """Declined, expired or released: an advance the quota did not earn back stays owed, from her later earnings."""
    _move(uow, event, event.event_type.split(".")[1])


def record_progress(uow: UnitOfWork, event: Event) -> None:
    _move(uow, event, event.payload["status"])


def record_inspection(uow: UnitOfWork, event: Event) -> None:
    """A lot that passes earns passed units x the quota's rate, once, however often the fact arrives; a reworked
    lot earns when it passes; a lot that never passes earns nothing. The earning first pays back advances."""
    payload = event.payload
    if not payload["passed"]:
        return
    quota = _quota(uow, payload["quota_id"])
    session = uow.session
    rate = Decimal(quota.rate)
    common = {
        "organisation_id": quota.organisation_id,
        "producer_id": quota.producer_id,
        "currency": quota.currency,
        "quota_id": quota.quota_id,
        "order_id": quota.order_id,
        "lot_id": payload["lot_id"],
        "units": payload["quantity"],
        "recorded_at": event.occurred_at,
    }
    earned = domain.lot_earning(payload["quantity"], rate, quota.currency)
    earning_id = journal.append(
        session, f"earning:{payload['lot_id']}", kind=domain.EARNING, amount=earned, rate=rate, **common
    )
    if earning_id is None:
        return
    premium = to_minor(Decimal(quota.premium_per_unit) * payload["quantity"], quota.currency)
    if premium > 0:
        journal.append(
            session,
            f"premium:{payload['lot_id']}",
            kind=domain.PREMIUM,
            amount=premium,
            rate=Decimal(quota.premium_per_unit),
            **common,
        )
    own = journal.owed_advances(session, [advances.c.quota_id == quota.quota_id])
    closed = journal.left_by_closed_quotas(session, quota.producer_id, quota.currency)
    for owed in domain.recoveries(earned, own, [item for item in closed if item not in own]):
        recovery_id = journal.append(
            session,
            f"recovery:{earning_id}:{owed.advance_id}",
            kind=domain.RECOVERY,
            amount=owed.amount,
            advance_id=owed.advance_id,
            **common,
        )
        if recovery_id is not None:
            journal.record_settlement(session, recovery_id, [domain.Unsettled(earning_id, owed.amount)])

"""Pre-finance: cash or materials advanced against an accepted quota, capped at a share of its value, recovered
first from that quota's earnings; what a quota that closed leaves owed is recovered from her later earnings or
written off with a reason. Corrections put a mistake right with a new entry."""

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select

from services.settlement import domain, journal, settings
from services.settlement.schemas import AdvanceFilter, AdvanceInput, CorrectionInput, TermsInput, WriteOffInput
from services.settlement.store import advances, organisation_terms, producers, quotas
from services.settlement.store import journal as entries
from shared.errors import Conflict, InvalidInput, NotFound, load_or_refuse
from shared.events import new_event
from shared.ids import new_id
from shared.money import is_in_minor_units, show, to_minor
from shared.store import UnitOfWork, merge, paged

ADVANCEABLE = ("accepted", "in_production", "produced")


def _in_minor_units(amount: Decimal, currency: str, what: str) -> None:
    if not is_in_minor_units(amount, currency):
        raise InvalidInput(f"{what} refused", {"amount": [f"a whole amount of {currency}'s smallest unit"]})


def cap_share(session, organisation_id: str) -> Decimal:
    share = session.execute(
        select(organisation_terms.c.advance_cap_share).where(organisation_terms.c.organisation_id == organisation_id)
    ).scalar()
    return Decimal(share) if share is not None else settings.load().advance_cap_share


def set_terms(uow: UnitOfWork, organisation_id: str, who: str, body: dict) -> dict:
    data = load_or_refuse(TermsInput(), body, "terms")
    merge(
        uow.session,
        organisation_terms,
        {
            "organisation_id": organisation_id,
            "advance_cap_share": data["advance_cap_share"],
            "set_by": who,
            "set_at": datetime.now(timezone.utc),
        },
        keys=("organisation_id",),
    )
    return get_terms(uow, organisation_id)


def get_terms(uow: UnitOfWork, organisation_id: str) -> dict:
    return {"organisation_id": organisation_id, "advance_cap_share": str(cap_share(uow.session, organisation_id))}


def record_advance(uow: UnitOfWork, staff_of: str | None, who: str, body: dict) -> dict:
    data = load_or_refuse(AdvanceInput(), body, "advance")
    session = uow.session
    quota = session.execute(select(quotas).where(quotas.c.quota_id == data["quota_id"]).with_for_update()).first()
    if quota is None or not domain.may_handle(staff_of, quota.organisation_id):
        raise NotFound(f"quota {data['quota_id']} not found")
    if quota.status not in ADVANCEABLE:
        raise Conflict(f"an advance is made against an accepted quota still in work; this one is {quota.status}")
    if data["currency"] != quota.currency:
        raise InvalidInput("advance refused", {"currency": [f"the quota is paid in {quota.currency}"]})
    _in_minor_units(data["amount"], quota.currency, "advance")
    advanced = session.execute(
        select(func.coalesce(func.sum(advances.c.amount), 0)).where(advances.c.quota_id == quota.quota_id)
    ).scalar_one()
    share = cap_share(session, quota.organisation_id)
    value = Decimal(quota.rate) * quota.quantity
    room = domain.advance_room(value, share, Decimal(advanced), quota.currency)
    if data["amount"] > room:
        raise InvalidInput(
            "advance refused",
            {
                "amount": [
                    f"at most {show(room, quota.currency)} more may be advanced against this quota "
                    f"({share:%} of its value {show(value, quota.currency)})"
                ]
            },
        )
    advance_id = new_id("adv")
    row = {
        "advance_id": advance_id,
        "organisation_id": quota.organisation_id,
        "producer_id": quota.producer_id,
        "quota_id": quota.quota_id,
        "order_id": quota.order_id,
        "kind": data["kind"],
        "description": data["description"],
        "currency": quota.currency,
        "amount": data["amount"],
        "recorded_by": who,
    }
    entry_id = journal.append(
        session,
        f"advance:{advance_id}",
        organisation_id=quota.organisation_id,
        producer_id=quota.producer_id,
        currency=quota.currency,
        kind=domain.ADVANCE,
        amount=data["amount"],
        quota_id=quota.quota_id,
        order_id=quota.order_id,
        advance_id=advance_id,
        reason=data["description"],
        recorded_by=who,
    )
    recorded_at = session.execute(select(entries.c.recorded_at).where(entries.c.entry_id == entry_id)).scalar_one()
    session.execute(advances.insert().values(**row, recorded_at=recorded_at))
    balance = journal.balance_of(uow, quota.producer_id, quota.currency)
    event = {key: row[key] for key in row if key != "recorded_by"}
    uow.emit(new_event("advance.recorded", {**event, "balance": balance}, correlation_id=quota.order_id))
    return _advance_view(session, session.execute(select(advances).where(advances.c.advance_id == advance_id)).one())


def _advance_view(session, row) -> dict:
    owed = journal.owed_advances(session, [advances.c.advance_id == row.advance_id])
    outstanding = owed[0].amount if owed else Decimal(0)
    return {
        "advance_id": row.advance_id,
        "producer_id": row.producer_id,
        "quota_id": row.quota_id,
        "order_id": row.order_id,
        "kind": row.kind,
        "description": row.description,
        "currency": row.currency,
        "amount": str(to_minor(row.amount, row.currency)),
        "outstanding": str(to_minor(outstanding, row.currency)),
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at.isoformat(),
    }


def list_advances(uow: UnitOfWork, staff_of: str | None, query: dict | None = None) -> dict:
    data = load_or_refuse(AdvanceFilter(), query, "advance query")
    conditions = []
    if staff_of != domain.ANY_ORGANISATION:
        conditions.append(advances.c.organisation_id == staff_of)
    for name in ("producer_id", "quota_id"):
        if name in data:
            conditions.append(advances.c[name] == data[name])
    session = uow.session
    if data.get("outstanding"):
        owed = journal.owed_advances(session, conditions)
        conditions.append(advances.c.advance_id.in_([item.advance_id for item in owed]))
    total = session.execute(select(func.count()).select_from(advances).where(*conditions)).scalar_one()
    rows = session.execute(
        select(advances)
        .where(*conditions)
        .order_by(advances.c.recorded_at.desc(), advances.c.advance_id)
        .limit(data["page_size"])
        .offset((data["page"] - 1) * data["page_size"])
    ).all()
    return paged([_advance_view(session, row) for row in rows], data["page"], data["page_size"], total)


def write_off(uow: UnitOfWork, staff_of: str | None, who: str, body: dict) -> dict:
    data = load_or_refuse(WriteOffInput(), body, "write-off")
    session = uow.session
    advance = session.execute(
        select(advances).where(advances.c.advance_id == data["advance_id"]).with_for_update()
    ).first()
    if advance is None or not domain.may_handle(staff_of, advance.organisation_id):
        raise NotFound(f"advance {data['advance_id']} not found")
    _in_minor_units(data["amount"], advance.currency, "write-off")
    owed = journal.owed_advances(session, [advances.c.advance_id == advance.advance_id])
    left = owed[0].amount if owed else Decimal(0)
    if data["amount"] > left:
        raise InvalidInput(
            "write-off refused", {"amount": [f"only {show(left, advance.currency)} of this advance is still owed"]}
        )
    journal.append(
        session,
        f"write_off:{new_id('wo')}",
        organisation_id=advance.organisation_id,
        producer_id=advance.producer_id,
        currency=advance.currency,
        kind=domain.WRITE_OFF,
        amount=data["amount"],
        quota_id=advance.quota_id,
        order_id=advance.order_id,
        advance_id=advance.advance_id,
        reason=data["reason"],
        recorded_by=who,
    )
    return _advance_view(session, advance)


def record_correction(uow: UnitOfWork, staff_of: str | None, who: str, body: dict) -> dict:
    data = load_or_refuse(CorrectionInput(), body, "correction")
    session = uow.session
    producer = session.execute(select(producers).where(producers.c.producer_id == data["producer_id"])).first()
    if producer is None or not domain.may_handle(staff_of, producer.organisation_id):
        raise NotFound(f"producer {data['producer_id']} not found")
    _in_minor_units(data["amount"], data["currency"], "correction")
    journal.append(
        session,
        f"correction:{new_id('cor')}",
        organisation_id=producer.organisation_id,
        producer_id=producer.producer_id,
        currency=data["currency"],
        kind=domain.CORRECTION,
        amount=data["amount"],
        lot_id=data.get("lot_id"),
        reason=data["reason"],
        recorded_by=who,
    )
    totals = journal.totals(session, producer.producer_id, data["currency"])
    return {"producer_id": producer.producer_id, "currency": data["currency"], "balance": str(totals.balance)}

"""Claims as buyers and aggregators see them, with the lots and producers they concern (traceability) and their
photos; a buyer sees its own organisation's claims only, an aggregator its organisation's."""

import base64

from sqlalchemy import select

from services.settlement import trade_views
from services.settlement.schemas import PageFilter
from services.settlement.store import journal, producers
from services.settlement.trade_store import claim_lines, claim_photos, claims, sale_lines, shipped_lots
from shared.errors import NotFound, load_or_refuse
from shared.money import to_minor
from shared.store import UnitOfWork, page_of, paged


def traceability(session, order_id: str, claimed: dict[str, str | None]) -> list[dict]:
    """The delivered lots the claim concerns (the one a line names, else every lot of the line), each with the
    producer who made it (from what the lot earned)."""
    lots = [
        lot
        for lot in session.execute(
            select(shipped_lots)
            .where(
                shipped_lots.c.order_id == order_id,
                shipped_lots.c.line_id.in_(list(claimed)),
                shipped_lots.c.delivered_at.is_not(None),
            )
            .order_by(shipped_lots.c.line_id, shipped_lots.c.lot_id)
        ).all()
        if claimed[lot.line_id] in (None, lot.lot_id)
    ]
    makers = dict(
        session.execute(
            select(journal.c.lot_id, journal.c.producer_id).where(
                journal.c.kind == "earning", journal.c.lot_id.in_([lot.lot_id for lot in lots])
            )
        ).all()
    )
    names = dict(
        session.execute(
            select(producers.c.producer_id, producers.c.name).where(producers.c.producer_id.in_(set(makers.values())))
        ).all()
    )
    return [
        {
            "line_id": lot.line_id,
            "lot_id": lot.lot_id,
            "shipment_id": lot.shipment_id,
            "quantity": lot.quantity,
            "producer_id": makers.get(lot.lot_id),
            "producer": names.get(makers.get(lot.lot_id)),
        }
        for lot in lots
    ]


def _view(session, claim, with_producers: bool) -> dict:
    lines = session.execute(
        select(claim_lines, sale_lines.c.sku)
        .join(sale_lines, sale_lines.c.line_id == claim_lines.c.line_id)
        .where(claim_lines.c.claim_id == claim.claim_id)
        .order_by(sale_lines.c.position)
    ).all()
    photos = session.execute(
        select(claim_photos.c.position, claim_photos.c.content_type, claim_photos.c.sha256)
        .where(claim_photos.c.claim_id == claim.claim_id)
        .order_by(claim_photos.c.position)
    ).all()
    charges = session.execute(
        select(journal.c.producer_id, journal.c.amount, journal.c.currency, journal.c.reason).where(
            journal.c.cause.like(f"claim:{claim.claim_id}:%")
        )
    ).all()
    return {
        "claim_id": claim.claim_id,
        "order_id": claim.order_id,
        "organisation_id": claim.organisation_id,
        "status": claim.status,
        "reason": claim.reason,
        "lines": [
            {
                "line_id": line.line_id,
                "lot_id": line.lot_id,
                "sku": line.sku,
                "kind": line.kind,
                "units": line.units,
                "accepted_units": line.accepted_units,
            }
            for line in lines
        ],
        "photos": [{"position": p.position, "content_type": p.content_type, "sha256": p.sha256} for p in photos],
        "traceability": [
            entry if with_producers else {key: entry[key] for key in ("line_id", "lot_id", "shipment_id", "quantity")}
            for entry in traceability(session, claim.order_id, {line.line_id: line.lot_id for line in lines})
        ],
        "decision_reason": claim.decision_reason,
        "credit_notes": claim.credit_notes or [],
        "charges": [
            {
                "producer_id": c.producer_id,
                "amount": str(to_minor(-c.amount, c.currency)),
                "currency": c.currency,
                "reason": c.reason,
            }
            for c in charges
        ]
        if with_producers
        else [],
        "claimed_by": claim.claimed_by,
        "claimed_at": claim.claimed_at.isoformat(),
        "decided_by": claim.decided_by,
        "decided_at": claim.decided_at.isoformat() if claim.decided_at else None,
    }


def _shows_producers(scope: dict) -> bool:
    """Which producers made the lots, and what they were charged, are the organisation's business, not a buyer's."""
    return "buyer_organisation_id" not in scope


def get_claim(uow: UnitOfWork, scope: dict, claim_id: str) -> dict:
    claim = uow.session.execute(
        select(claims).where(claims.c.claim_id == claim_id, *trade_views.scoped(claims, scope))
    ).first()
    if claim is None:
        raise NotFound(f"no claim {claim_id}")
    return _view(uow.session, claim, _shows_producers(scope))


def list_claims(uow: UnitOfWork, scope: dict, query: dict | None = None) -> dict:
    query = query or {}
    data = load_or_refuse(PageFilter(), {key: value for key, value in query.items() if key != "order_id"}, "filter")
    conditions = trade_views.scoped(claims, scope)
    if query.get("order_id"):
        conditions.append(claims.c.order_id == query["order_id"])
    rows, total = page_of(
        uow.session,
        claims,
        conditions,
        (claims.c.claimed_at.desc(), claims.c.claim_id),
        data["page"],
        data["page_size"],
    )
    shows = _shows_producers(scope)
    return paged([_view(uow.session, row, shows) for row in rows], data["page"], data["page_size"], total)


def claim_photo(uow: UnitOfWork, scope: dict, claim_id: str, position: int) -> dict:
    get_claim(uow, scope, claim_id)
    photo = uow.session.execute(
        select(claim_photos).where(claim_photos.c.claim_id == claim_id, claim_photos.c.position == position)
    ).first()
    if photo is None:
        raise NotFound(f"claim {claim_id} has no photo {position}")
    return {"content_type": photo.content_type, "data": base64.b64encode(photo.data).decode()}

"""Buyers' claims: damaged or missing units of delivered lines, within the organisation's window after delivery,
with photos and a reason; the aggregator accepts them (in whole or part) or rejects them with a reason. An accepted
claim issues a credit note against each invoice that billed the units, and names the lots and producers concerned.
The organisation carries the loss of lots that passed its inspection; a producer is charged only where the
organisation decides so, with a reason, as a correction in her account."""

import base64
import binascii
import hashlib
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select

from services.settlement import claim_views, documents, domain, journal, trade, trade_views
from services.settlement.invoicing import credited_units
from services.settlement.store import producers
from services.settlement.trade_schemas import MAX_PHOTO_BYTES, ClaimInput, DecisionInput
from services.settlement.trade_store import claim_lines, claim_photos, claims, sale_lines, sales, shipped_lots
from shared.errors import Conflict, InvalidInput, NotFound, load_or_refuse
from shared.events import new_event
from shared.ids import new_id
from shared.money import is_in_minor_units
from shared.store import UnitOfWork

# What each picture format starts with: a file that does not is not the picture it claims to be.
SIGNATURES = {"image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",), "image/webp": (b"RIFF",)}


def _photo(index: int, photo: dict) -> tuple[str, bytes]:
    try:
        data = base64.b64decode(photo["data"], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("claim refused", {f"photos.{index}.data": ["not base64"]}) from None
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput("claim refused", {f"photos.{index}.data": [f"at most {MAX_PHOTO_BYTES} bytes"]})
    if not data.startswith(SIGNATURES[photo["content_type"]]) or (
        photo["content_type"] == "image/webp" and data[8:12] != b"WEBP"
    ):
        raise InvalidInput("claim refused", {f"photos.{index}.data": [f"not a {photo['content_type']} picture"]})
    return photo["content_type"], data


def _delivered(session, order_id: str) -> dict:
    """Per line: units delivered and when the last of them arrived."""
    return {
        row.line_id: (int(row.units), row.last)
        for row in session.execute(
            select(
                shipped_lots.c.line_id,
                func.sum(shipped_lots.c.quantity).label("units"),
                func.max(shipped_lots.c.delivered_at).label("last"),
            )
            .where(shipped_lots.c.order_id == order_id, shipped_lots.c.delivered_at.is_not(None))
            .group_by(shipped_lots.c.line_id)
        ).all()
    }


def claimed_units(session, order_id: str) -> dict[str, int]:
    """Units per line already claimed: all of an open claim's, the accepted part of a decided one."""
    units: dict[str, int] = {}
    rows = session.execute(
        select(claim_lines.c.line_id, claim_lines.c.units, claim_lines.c.accepted_units, claims.c.status)
        .join(claims, claims.c.claim_id == claim_lines.c.claim_id)
        .where(claims.c.order_id == order_id)
    ).all()
    for row in rows:
        taken = row.units if row.status == "open" else (row.accepted_units or 0)
        units[row.line_id] = units.get(row.line_id, 0) + taken
    return units


def file_claim(uow: UnitOfWork, scope: dict, who: str, order_id: str, body: dict, now: datetime | None = None) -> dict:
    data = load_or_refuse(ClaimInput(), body, "claim")
    now = now or datetime.now(timezone.utc)
    session = uow.session
    sale = session.execute(select(sales).where(sales.c.order_id == order_id, *trade_views.scoped(sales, scope))).first()
    if sale is None or sale.trade_terms is None:
        raise NotFound(f"no order {order_id} with trade documents")
    ordered = {
        row.line_id for row in session.execute(select(sale_lines.c.line_id).where(sale_lines.c.order_id == order_id))
    }
    delivered = _delivered(session, order_id)
    lots = {
        row.lot_id: (row.line_id, row.quantity)
        for row in session.execute(
            select(shipped_lots).where(shipped_lots.c.order_id == order_id, shipped_lots.c.delivered_at.is_not(None))
        )
    }
    claimed = claimed_units(session, order_id)
    window = documents.terms_of(session, sale.organisation_id)["claim_window_days"]
    problems = {
        f"lines.{index}": [problem]
        for index, line in enumerate(data["lines"])
        if (problem := _line_problem(line, ordered, delivered, claimed, window, now) or _lot_problem(line, lots))
    }
    if problems:
        raise InvalidInput("claim refused", problems)
    photos = [_photo(index, photo) for index, photo in enumerate(data["photos"])]
    claim_id = new_id("clm")
    session.execute(
        claims.insert().values(
            claim_id=claim_id,
            organisation_id=sale.organisation_id,
            order_id=order_id,
            buyer_organisation_id=sale.buyer_organisation_id,
            reason=data["reason"],
            status="open",
            claimed_by=who,
            claimed_at=now,
        )
    )
    session.execute(
        claim_lines.insert(),
        [
            {
                "claim_id": claim_id,
                "line_id": line["line_id"],
                "lot_id": line["lot_id"],
                "kind": line["kind"],
                "units": line["units"],
            }
            for line in data["lines"]
        ],
    )
    for position, (content_type, blob) in enumerate(photos):
        session.execute(
            claim_photos.insert().values(
                claim_id=claim_id,
                position=position,
                content_type=content_type,
                sha256=hashlib.sha256(blob).hexdigest(),
                data=blob,
            )
        )
    return claim_views.get_claim(uow, scope, claim_id)


def _line_problem(line: dict, ordered: set, delivered: dict, claimed: dict, window: int, now: datetime) -> str | None:
    """Why this line of a claim cannot be claimed, or None."""
    line_id = line["line_id"]
    if line_id not in ordered:
        return f"the order has no line {line_id}"
    if line_id not in delivered:
        return "nothing of this line has been delivered yet: a claim follows a delivery"
    units, arrived = delivered[line_id]
    if not trade.claim_window_open(arrived.date(), now.date(), window):
        return f"claims are accepted within {window} days of delivery; this line arrived on {arrived.date()}"
    left = trade.claimable(units, claimed.get(line_id, 0))
    if line["units"] > left:
        return f"at most {left} units of this line are delivered and not claimed yet"
    return None


def _lot_problem(line: dict, lots: dict) -> str | None:
    """Why the lot a claim line names cannot be the one its units came from, or None."""
    if line["lot_id"] is None:
        return None
    line_id, quantity = lots.get(line["lot_id"], (None, 0))
    if line_id != line["line_id"]:
        return f"lot {line['lot_id']} of this line was not delivered"
    if line["units"] > quantity:
        return f"lot {line['lot_id']} held {quantity} units"
    return None


def decide_claim(uow: UnitOfWork, scope: dict, who: str, claim_id: str, body: dict) -> dict:
    data = load_or_refuse(DecisionInput(), body, "decision")
    session = uow.session
    claim = session.execute(
        select(claims).where(claims.c.claim_id == claim_id, *trade_views.scoped(claims, scope)).with_for_update()
    ).first()
    if claim is None:
        raise NotFound(f"no claim {claim_id}")
    if claim.status != "open":
        raise Conflict(f"claim {claim_id} was decided ({claim.status}): a decision is not changed")
    lines = {row.line_id: row for row in session.execute(select(claim_lines).where(claim_lines.c.claim_id == claim_id))}
    accepted = {line["line_id"]: line["accepted_units"] for line in data["lines"]}
    problems = {
        f"lines.{index}": [f"at most the {lines[line['line_id']].units} units claimed"]
        if line["line_id"] in lines
        else ["not a line of this claim"]
        for index, line in enumerate(data["lines"])
        if line["line_id"] not in lines or line["accepted_units"] > lines[line["line_id"]].units
    }
    claimed = {line_id: row.lot_id for line_id, row in lines.items()}
    concerned = {entry["producer_id"] for entry in claim_views.traceability(session, claim.order_id, claimed)}
    for index, charge in enumerate(data["charges"]):
        if charge["producer_id"] not in concerned:
            problems[f"charges.{index}"] = ["only a producer whose lots the claim concerns may be charged"]
        elif not is_in_minor_units(charge["amount"], charge["currency"]):
            problems[f"charges.{index}"] = [f"a whole amount of {charge['currency']}'s smallest unit"]
    if problems:
        raise InvalidInput("decision refused", problems)
    claimed_total = sum(row.units for row in lines.values())
    accepted_total = sum(accepted.values())
    status = (
        "rejected" if accepted_total == 0 else ("accepted" if accepted_total == claimed_total else "partly_accepted")
    )
    for line_id in lines:
        session.execute(
            claim_lines.update()
            .where(claim_lines.c.claim_id == claim_id, claim_lines.c.line_id == line_id)
            .values(accepted_units=accepted.get(line_id, 0))
        )
    sale = documents.sale_of(session, claim.order_id)
    notes = _credit_notes(uow, sale, claim_id, {k: v for k, v in accepted.items() if v}, data["reason"], who)
    for charge in data["charges"]:
        _charge(session, claim, charge, who)
    now = datetime.now(timezone.utc)
    session.execute(
        claims.update()
        .where(claims.c.claim_id == claim_id)
        .values(status=status, decision_reason=data["reason"], credit_notes=notes, decided_by=who, decided_at=now)
    )
    uow.emit(
        new_event(
            "claim.decided",
            {
                "claim_id": claim_id,
                "order_id": claim.order_id,
                "organisation_id": claim.organisation_id,
                "decision": status,
                "claimed_units": claimed_total,
                "accepted_units": accepted_total,
                "reason": data["reason"],
                "credit_note": notes[0] if notes else None,
            },
            correlation_id=claim.order_id,
        )
    )
    return claim_views.get_claim(uow, scope, claim_id)


def _credit_notes(uow: UnitOfWork, sale, claim_id: str, accepted: dict, reason: str, who: str) -> list[str]:
    """One credit note per invoice that billed the accepted units, at that invoice's prices and tax rate."""
    session = uow.session
    invoices = documents.find(session, order_id=sale.order_id, kind=trade.INVOICE)
    per_invoice: dict[str, dict[str, int]] = {}
    for line_id, units in accepted.items():
        billed = []
        for invoice in invoices:
            quantity = sum(item["quantity"] for item in invoice.content["lines"] if item["line_id"] == line_id)
            quantity -= credited_units(session, sale.order_id, invoice.number).get(line_id, 0)
            if quantity > 0:
                billed.append((invoice.number, quantity))
        for number, part in trade.spread_over_invoices(units, billed):
            per_invoice.setdefault(number, {})[line_id] = part
    numbers = []
    by_number = {invoice.number: invoice for invoice in invoices}
    for number, units in per_invoice.items():
        invoice = by_number[number]
        priced, printed = documents.document_lines(session, sale, units)
        totals = trade.totals(sale.currency, priced, Decimal(0), Decimal(invoice.tax_rate))
        text = f"claim {claim_id} accepted: {reason}"
        content = documents.content_of(
            sale, totals, printed, corrects=number, reason=text, shipment_id=invoice.shipment_id
        )
        issued = documents.issue(
            uow,
            sale,
            trade.CREDIT_NOTE,
            f"claim:{claim_id}:{number}",
            content,
            totals,
            who,
            shipment_id=invoice.shipment_id,
            corrects=number,
            reason=text,
        )
        if issued:
            numbers.append(issued)
    return numbers


def _charge(session, claim, charge: dict, who: str) -> None:
    producer = session.execute(select(producers).where(producers.c.producer_id == charge["producer_id"])).first()
    if producer is None or producer.organisation_id != claim.organisation_id:
        raise NotFound(f"producer {charge['producer_id']} not found")
    journal.append(
        session,
        f"claim:{claim.claim_id}:{producer.producer_id}",
        organisation_id=producer.organisation_id,
        producer_id=producer.producer_id,
        currency=charge["currency"],
        kind=domain.CORRECTION,
        amount=-charge["amount"],
        order_id=claim.order_id,
        reason=f"claim {claim.claim_id}: {charge['reason']}"[:500],
        recorded_by=who,
    )

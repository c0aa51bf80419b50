"""Issuing trade documents: a number from the organisation's gapless sequence for the kind and year, taken in the
same transaction as the document it numbers (a rollback gives it back, a concurrent issuer waits for the row
lock), the document written once per cause and never changed, and the buyer told through ``document.issued``."""

import logging
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select, update

from services.settlement import trade
from services.settlement.store import offerings
from services.settlement.trade_store import document_sequences, documents, sale_lines, sales, trade_terms
from shared.events import new_event
from shared.ids import new_id
from shared.money import to_minor
from shared.store import UnitOfWork, insert_new

log = logging.getLogger(__name__)

DEFAULT_TERMS = {
    "deposit_share": Decimal("0.5"),
    "deposit_days": 7,
    "payment_days": 30,
    "claim_window_days": 30,
    "tax_rate": Decimal(0),
    "tax_name": None,
}


def terms_of(session, organisation_id: str) -> dict:
    """The organisation's trade terms, or the defaults (half on confirmation, 30 days to pay or claim, no tax)."""
    row = session.execute(select(trade_terms).where(trade_terms.c.organisation_id == organisation_id)).first()
    if row is None:
        return dict(DEFAULT_TERMS)
    return {key: getattr(row, key) for key in DEFAULT_TERMS}


def next_number(session, organisation_id: str, kind: str, year: int) -> str:
    """The next number of the sequence: the row's lock is held until this transaction ends, so two issuers never
    take the same number, and a rolled-back issue leaves no gap."""
    insert_new(session, document_sequences, {"organisation_id": organisation_id, "kind": kind, "year": year, "last": 0})
    sequence = session.execute(
        update(document_sequences)
        .where(
            document_sequences.c.organisation_id == organisation_id,
            document_sequences.c.kind == kind,
            document_sequences.c.year == year,
        )
        .values(last=document_sequences.c.last + 1)
        .returning(document_sequences.c.last)
    ).scalar_one()
    return trade.number(kind, year, sequence)


def already_issued(session, cause: str) -> bool:
    return session.execute(select(documents.c.document_id).where(documents.c.cause == cause)).first() is not None


def issue(
    uow: UnitOfWork,
    sale,
    kind: str,
    cause: str,
    content: dict,
    totals: trade.Totals | None,
    issued_by: str,
    *,
    shipment_id: str | None = None,
    amount_due: Decimal | None = None,
    due_on: date | None = None,
    corrects: str | None = None,
    reason: str | None = None,
) -> str | None:
    """Write the document for ``cause`` unless it was issued; its number, or None when it already was."""
    session = uow.session
    if already_issued(session, cause):
        return None
    now = datetime.now(timezone.utc)
    number = next_number(session, sale.organisation_id, kind, now.year)
    zero = Decimal(0)
    document_id = new_id("doc")
    session.execute(
        documents.insert().values(
            document_id=document_id,
            organisation_id=sale.organisation_id,
            number=number,
            kind=kind,
            cause=cause,
            order_id=sale.order_id,
            shipment_id=shipment_id,
            buyer_organisation_id=sale.buyer_organisation_id,
            currency=sale.currency,
            goods=totals.goods if totals else zero,
            freight=totals.freight if totals else zero,
            tax_rate=totals.tax_rate if totals else zero,
            tax=totals.tax if totals else zero,
            total=totals.total if totals else zero,
            amount_due=amount_due,
            due_on=due_on,
            corrects=corrects,
            reason=reason,
            content=content,
            issued_by=issued_by,
            issued_at=now,
        )
    )
    uow.emit(
        new_event(
            "document.issued",
            {
                "document_id": document_id,
                "number": number,
                "kind": kind,
                "organisation_id": sale.organisation_id,
                "order_id": sale.order_id,
                "currency": sale.currency,
                "total": totals.total if totals else zero,
                "amount_due": amount_due,
                "due_on": due_on,
                "corrects": corrects,
            },
            correlation_id=sale.order_id,
        )
    )
    log.info("document issued", extra={"correlation_id": sale.order_id, "number": number, "kind": kind})
    return number


def offering_facts(session, offering_ids) -> dict:
    rows = session.execute(select(offerings).where(offerings.c.offering_id.in_(list(offering_ids)))).all()
    return {row.offering_id: row for row in rows}


def document_lines(session, sale, quantities: dict) -> tuple[list[trade.Line], list[dict]]:
    """The sale's lines with ``quantities`` (line id: units), in the order's sequence: priced lines for the totals,
    and what the document prints of each (name, customs code, origin)."""
    rows = session.execute(
        select(sale_lines).where(sale_lines.c.order_id == sale.order_id).order_by(sale_lines.c.position)
    ).all()
    facts = offering_facts(session, {row.offering_id for row in rows})
    priced, printed = [], []
    for row in rows:
        units = quantities.get(row.line_id, 0)
        if units <= 0:
            continue
        offering = facts.get(row.offering_id)
        line = trade.Line(row.line_id, offering.name if offering else row.sku, units, Decimal(row.unit_price))
        priced.append(line)
        printed.append(
            {
                "line_id": row.line_id,
                "offering": line.offering,
                "sku": row.sku,
                "hs_code": offering.hs_code if offering else None,
                "origin_country": offering.origin_country if offering else None,
                "quantity": units,
                "unit_price": str(to_minor(line.unit_price, sale.currency)),
                "amount": str(trade.line_amount(line, sale.currency)),
            }
        )
    return priced, printed


def content_of(sale, totals: trade.Totals | None, printed_lines: list, **extra) -> dict:
    """Everything a document says, fixed when it is issued."""
    terms = sale.trade_terms

    def written(amount: Decimal | None) -> str:
        return str(to_minor(amount if amount is not None else Decimal(0), sale.currency))

    return {
        "buyer": {"name": sale.buyer_name, "email": sale.buyer_email, "organisation_id": sale.buyer_organisation_id},
        "destination": sale.destination,
        "trade_terms": trade.terms_text(terms["incoterm"], terms["named_place"], terms["transport_mode"]),
        "rate": sale.exchange_rate,
        "lines": printed_lines,
        "goods": written(totals.goods if totals else None),
        "freight": written(totals.freight if totals else None),
        "tax_rate": str(totals.tax_rate) if totals else "0",
        "tax": written(totals.tax if totals else None),
        "total": written(totals.total if totals else None),
        "freight_legs": extra.pop("freight_legs", {}),
        "packages": extra.pop("packages", []),
        "notes": extra.pop("notes", []),
        **extra,
    }


def issue_proforma(uow: UnitOfWork, sale) -> str | None:
    """The order as agreed: every line ordered, the deposit asked on confirmation, the delivery promised; freight
    the buyer bears under its term is invoiced when it ships, as the pro-forma says."""
    session = uow.session
    terms = terms_of(session, sale.organisation_id)
    ordered = session.execute(select(sale_lines).where(sale_lines.c.order_id == sale.order_id)).all()
    priced, printed = document_lines(session, sale, {line.line_id: line.quantity for line in ordered})
    totals = trade.totals(sale.currency, priced, Decimal(0), Decimal(terms["tax_rate"]))
    deposit = trade.deposit(totals.total, Decimal(terms["deposit_share"]), sale.currency)
    due_on = datetime.now(timezone.utc).date() + timedelta(days=terms["deposit_days"])
    legs = trade.terms_text(**_term_fields(sale))
    notes = [f"freight legs billed at dispatch: {', '.join(legs['buyer_legs']) or 'none'}"]
    content = content_of(
        sale,
        totals,
        printed,
        notes=notes,
        promised_date=sale.promised_date.isoformat() if sale.promised_date else None,
        due_date=sale.due_date.isoformat(),
        deposit={"share": str(terms["deposit_share"]), "amount": str(deposit), "due_on": due_on.isoformat()},
        tax_name=terms["tax_name"],
    )
    return issue(
        uow,
        sale,
        trade.PROFORMA,
        f"proforma:{sale.order_id}",
        content,
        totals,
        "system: order placed",
        amount_due=deposit,
        due_on=due_on,
    )


def _term_fields(sale) -> dict:
    terms = sale.trade_terms
    return {key: terms[key] for key in ("incoterm", "named_place", "transport_mode")}


def sale_of(session, order_id: str, lock: bool = False):
    statement = select(sales).where(sales.c.order_id == order_id)
    return session.execute(statement.with_for_update() if lock else statement).first()


def find(session, **conditions):
    statement = select(documents)
    for name, value in conditions.items():
        statement = statement.where(documents.c[name] == value)
    return session.execute(statement.order_by(documents.c.issued_at, documents.c.number)).all()

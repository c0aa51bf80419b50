"""A producer's statement: per currency, her opening balance, every entry of the period with the balance after it,
and her closing balance, in her language, as JSON, CSV or PDF. The organisation's premium fund is not hers and is not
on it."""

import base64
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from fpdf import FPDF
from sqlalchemy import func, select

from services.settlement import domain, journal
from services.settlement.schemas import StatementQuery
from services.settlement.statement_texts import texts_for
from services.settlement.store import journal as entries
from services.settlement.store import producers
from shared import pdf
from shared.errors import NotFound, load_or_refuse
from shared.money import minor_unit, show, to_minor
from shared.spreadsheet import csv_text
from shared.store import UnitOfWork

HERS = tuple(kind for kind in domain.KINDS if kind != domain.PREMIUM)
STATEMENT_COLUMNS = (
    "entry_id",
    "recorded_at",
    "kind",
    "amount",
    "rate",
    "units",
    "lot_id",
    "order_id",
    "quota_id",
    "reason",
    "recorded_by",
)


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), tzinfo=timezone.utc)


def describe(texts: dict, row, rate: str) -> str:
    return texts[row.kind].format(lot=row.lot_id or "", units=row.units or "", rate=rate, reason=row.reason or "")


def statement(uow: UnitOfWork, staff_of: str | None, producer_id: str, query: dict | None = None) -> dict:
    """``staff_of`` is the caller's organisation ("*" for an admin or for the producer herself, whom the gateway has
    recognised)."""
    data = load_or_refuse(StatementQuery(), query, "statement query")
    session = uow.session
    producer = session.execute(select(producers).where(producers.c.producer_id == producer_id)).first()
    if producer is None or not domain.may_handle(staff_of, producer.organisation_id):
        raise NotFound(f"producer {producer_id} not found")
    language, texts = texts_for(producer.languages)
    start, end = _start_of(data.get("from_")), _start_of(data["to"] + timedelta(days=1) if data.get("to") else None)
    currencies = [data["currency"]] if "currency" in data else _currencies(session, producer_id)
    page = (data["page"], data["page_size"]) if data["format"] == "json" else None
    accounts = [_account(session, producer_id, currency, start, end, texts, page) for currency in currencies]
    document = {
        "producer_id": producer_id,
        "name": producer.name,
        "language": language,
        "from": data["from_"].isoformat() if data.get("from_") else None,
        "to": data["to"].isoformat() if data.get("to") else None,
        "accounts": accounts,
    }
    if data["format"] == "json":
        return document
    if data["format"] == "csv":
        content, content_type = _csv(document, texts).encode(), "text/csv"
    else:
        content, content_type = _pdf(document, texts), "application/pdf"
    return {
        "content_type": content_type,
        "filename": f"statement-{producer_id}.{data['format']}",
        "data": base64.b64encode(content).decode(),
    }


def _currencies(session, producer_id: str) -> list[str]:
    return list(
        session.execute(
            select(entries.c.currency)
            .where(entries.c.producer_id == producer_id)
            .distinct()
            .order_by(entries.c.currency)
        ).scalars()
    )


def _account(session, producer_id: str, currency: str, start, end, texts: dict, page: tuple | None) -> dict:
    """One currency of her statement; ``page`` is ``(page, page_size)`` of the entries, or None for all of them. The
    period's totals and its closing balance are summed by the database, whatever the page."""
    opening = journal.totals(session, producer_id, currency, before=start).balance if start else Decimal(0)
    conditions = [entries.c.producer_id == producer_id, entries.c.currency == currency, entries.c.kind.in_(HERS)]
    if start is not None:
        conditions.append(entries.c.recorded_at >= start)
    if end is not None:
        conditions.append(entries.c.recorded_at < end)
    sums = session.execute(
        select(entries.c.kind, func.sum(entries.c.amount), func.count()).where(*conditions).group_by(entries.c.kind)
    ).all()
    period = domain.totals(domain.Entry(kind, Decimal(amount)) for kind, amount, _ in sums)
    in_order = (entries.c.recorded_at, entries.c.entry_id)
    listed = select(*[entries.c[name] for name in STATEMENT_COLUMNS]).where(*conditions).order_by(*in_order)
    balance = opening
    if page is not None:
        number, size = page
        listed = listed.limit(size).offset((number - 1) * size)
        before = (
            select(entries.c.kind, entries.c.amount)
            .where(*conditions)
            .order_by(*in_order)
            .limit((number - 1) * size)
            .subquery()
        )
        balance += Decimal(session.execute(select(journal.sum_effect(before))).scalar_one())
    unit, lines = minor_unit(currency), []
    for row in session.execute(listed):
        effect = domain.BALANCE_EFFECT[row.kind] * row.amount
        balance += effect
        rate = "" if row.rate is None else str(row.rate.quantize(unit))
        lines.append(
            {
                "entry_id": row.entry_id,
                "recorded_at": row.recorded_at.isoformat(),
                "kind": row.kind,
                "description": describe(texts, row, rate),
                "lot_id": row.lot_id,
                "order_id": row.order_id,
                "quota_id": row.quota_id,
                "amount": str(row.amount.quantize(unit)),
                "effect": str(effect.quantize(unit)),
                "balance": str(balance.quantize(unit)),
                "recorded_by": row.recorded_by,
            }
        )
    account = {
        "currency": currency,
        "opening_balance": str(to_minor(opening, currency)),
        "closing_balance": str(to_minor(opening + period.balance, currency)),
        "earned": str(to_minor(period.earned, currency)),
        "advanced": str(to_minor(period.advanced, currency)),
        "written_off": str(to_minor(period.written_off, currency)),
        "paid": str(to_minor(period.paid, currency)),
        "entries": lines,
    }
    if page is not None:
        account.update(page=page[0], page_size=page[1], total=sum(count for _, _, count in sums))
    return account


def _csv(document: dict, texts: dict) -> str:
    header = ("currency", texts["date"], texts["what"], "lot", texts["amount"], texts["balance"])
    rows = []
    for account in document["accounts"]:
        rows.append((account["currency"], "", texts["opening"], "", "", account["opening_balance"]))
        rows.extend(
            (account["currency"], e["recorded_at"][:10], e["description"], e["lot_id"] or "", e["effect"], e["balance"])
            for e in account["entries"]
        )
        rows.append((account["currency"], "", texts["closing"], "", "", account["closing_balance"]))
    return csv_text(header, rows)


def _pdf(document: dict, texts: dict) -> bytes:
    sheet = FPDF(format="A4")
    family, printable = pdf.text_font(sheet)
    sheet.set_auto_page_break(True, margin=15)
    sheet.add_page()
    sheet.set_font(family, "B", 14)
    sheet.cell(0, 8, printable(f"{texts['title']}: {document['name']}"), new_x="LMARGIN", new_y="NEXT")
    sheet.set_font(family, "", 9)
    period = f"{document['from'] or ''} - {document['to'] or ''}" if document["from"] or document["to"] else ""
    sheet.cell(0, 6, printable(f"{texts['period']}: {period or texts['everything']}"), new_x="LMARGIN", new_y="NEXT")
    widths = (24, 106, 30, 30)
    for account in document["accounts"]:
        currency = account["currency"]
        sheet.ln(3)
        sheet.set_font(family, "B", 10)
        sheet.cell(0, 6, printable(f"{texts['opening']}: {show(Decimal(account['opening_balance']), currency)}"))
        sheet.ln(7)
        with sheet.table(
            col_widths=widths, text_align=("LEFT", "LEFT", "RIGHT", "RIGHT"), first_row_as_headings=True
        ) as table:
            sheet.set_font(family, "", 8)
            table.row([texts["date"], texts["what"], texts["amount"], texts["balance"]])
            for entry in account["entries"]:
                table.row(
                    [entry["recorded_at"][:10], printable(entry["description"]), entry["effect"], entry["balance"]]
                )
        sheet.set_font(family, "B", 10)
        sheet.cell(0, 7, printable(f"{texts['closing']}: {show(Decimal(account['closing_balance']), currency)}"))
        sheet.ln(7)
        sheet.set_font(family, "", 9)
        summary = ", ".join(
            f"{texts[name]} {show(Decimal(account[name]), currency)}"
            for name in ("earned", "advanced", "written_off", "paid")
        )
        sheet.multi_cell(0, 5, printable(summary))
    return bytes(sheet.output())

"""Trade documents as their readers see them: JSON, or a PDF in the buyer's language. A buyer sees its own
organisation's documents only, an aggregator its organisation's; another's answers as missing.

``scope`` is the gateway's list filter for the caller: ``{}`` for an admin, ``{"organisation_id": ...}`` for an
aggregator, ``{"buyer_organisation_id": ...}`` for a buyer."""

import base64
from decimal import Decimal

from sqlalchemy import select

from services.settlement import document_pdf
from services.settlement.trade_schemas import DocumentFilter
from services.settlement.trade_store import documents
from shared.errors import NotFound, load_or_refuse
from shared.money import to_minor
from shared.store import UnitOfWork, page_of, paged

SCOPES = ("organisation_id", "buyer_organisation_id")


def scoped(table, scope: dict) -> list:
    """The conditions that keep a caller to its own organisation's rows."""
    unknown = set(scope) - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown scope {sorted(unknown)}")
    return [table.c[name] == value for name, value in scope.items()]


def amount_text(amount, currency: str) -> str:
    """A stored amount as the currency writes it: ``432.50`` PGK, ``4458`` JPY."""
    return str(to_minor(Decimal(amount), currency))


def document_view(row) -> dict:
    content = row.content
    terms = content["trade_terms"]
    return {
        "document_id": row.document_id,
        "number": row.number,
        "kind": row.kind,
        "organisation_id": row.organisation_id,
        "order_id": row.order_id,
        "shipment_id": row.shipment_id,
        "currency": row.currency,
        "incoterm": f"{terms['incoterm']} {terms['named_place']}",
        "trade_terms": terms,
        "rate": content["rate"],
        "buyer": content["buyer"],
        "lines": content["lines"],
        "freight": content["freight"],
        "freight_legs": content["freight_legs"],
        "goods": content["goods"],
        "tax_rate": content["tax_rate"],
        "tax": content["tax"],
        "total": content["total"],
        "amount_due": None if row.amount_due is None else amount_text(row.amount_due, row.currency),
        "due_on": row.due_on.isoformat() if row.due_on else None,
        "corrects": row.corrects,
        "reason": row.reason,
        "deposit": content.get("deposit"),
        "promised_date": content.get("promised_date"),
        "packages": content["packages"],
        "notes": content["notes"],
        "issued_by": row.issued_by,
        "issued_at": row.issued_at.isoformat(),
    }


def list_documents(uow: UnitOfWork, scope: dict, query: dict) -> dict:
    data = load_or_refuse(DocumentFilter(), query, "filter")
    conditions = scoped(documents, scope)
    for name in ("order_id", "kind"):
        if name in data:
            conditions.append(documents.c[name] == data[name])
    rows, total = page_of(
        uow.session, documents, conditions, (documents.c.issued_at, documents.c.number), data["page"], data["page_size"]
    )
    return paged([document_view(row) for row in rows], data["page"], data["page_size"], total)


def get_document(uow: UnitOfWork, scope: dict, document_id: str, file_format: str = "json", language: str = "en"):
    """The document as JSON, or its PDF (``{"filename", "content_type", "data"}``, data in base64)."""
    row = uow.session.execute(
        select(documents).where(documents.c.document_id == document_id, *scoped(documents, scope))
    ).first()
    if row is None:
        raise NotFound(f"no document {document_id}")
    view = document_view(row)
    if file_format == "json":
        return view
    return {
        "filename": f"{row.number}.pdf",
        "content_type": "application/pdf",
        "data": base64.b64encode(document_pdf.render(view, language)).decode(),
    }

"""Tables of the trade with buyers, beside the producers' money in ``store``: what settlement learns of orders and
shipments, the documents issued (never changed once issued: a correction is a credit note), their gapless number
sequences, the buyers' payments received, claims, and the reminders sent.

Money columns hold Decimals rounded to the minor unit of the order's currency."""

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    text,
)

from services.settlement.store import metadata
from shared.store import UtcDateTime


def _money(name: str, nullable: bool = False) -> Column:
    return Column(name, Numeric(18, 4), nullable=nullable)


sales = Table(
    "sales",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False, index=True),
    Column("buyer_id", String(64), nullable=False),
    Column("buyer_name", String(200), nullable=False),
    Column("buyer_email", String(200)),
    Column("buyer_organisation_id", String(64), index=True),
    Column("destination", JSON, nullable=False),
    Column("currency", String(3), nullable=False),
    # None for an order placed before orders named their terms: it gets no documents.
    Column("trade_terms", JSON),
    # The exchange rate the order's prices were converted at; None when it is in the offerings' currency.
    Column("exchange_rate", JSON),
    Column("due_date", Date, nullable=False),
    Column("promised_date", Date),
    Column("cancelled", String(500)),
    Column("placed_at", UtcDateTime(), nullable=False),
)

sale_lines = Table(
    "sale_lines",
    metadata,
    Column("line_id", String(64), primary_key=True),
    Column("order_id", String(64), ForeignKey("sales.order_id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("offering_id", String(64), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    _money("unit_price"),
)

# What became of a line's units besides shipping: the latest allocation's shortfall (as of when aggregation reported
# it) and the units of lots replaced after failing inspection. Kept apart from ``sale_lines`` since aggregation's
# facts may arrive before the order's.
line_outcomes = Table(
    "line_outcomes",
    metadata,
    Column("line_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("shortfall", Integer, nullable=False),
    Column("shortfall_as_of", UtcDateTime()),
    Column("replaced", Integer, nullable=False),
)

trade_terms = Table(
    "trade_terms",
    metadata,
    Column("organisation_id", String(64), primary_key=True),
    Column("deposit_share", Numeric(5, 4), nullable=False),
    Column("deposit_days", Integer, nullable=False),
    Column("payment_days", Integer, nullable=False),
    Column("claim_window_days", Integer, nullable=False),
    Column("tax_rate", Numeric(6, 4), nullable=False),
    Column("tax_name", String(40)),
    Column("set_by", String(200), nullable=False),
    Column("set_at", UtcDateTime(), nullable=False),
)

shipped_lots = Table(
    "shipped_lots",
    metadata,
    Column("lot_id", String(64), primary_key=True),
    Column("shipment_id", String(64), nullable=False, index=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("line_id", String(64), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
    Column("destination", JSON, nullable=False),
    Column("dispatched_at", UtcDateTime()),
    Column("delivered_at", UtcDateTime()),
)

freight_shares = Table(
    "freight_shares",
    metadata,
    Column("shipment_id", String(64), primary_key=True),
    Column("line_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False),
    _money("pickup"),
    _money("main"),
    Column("currency", String(3), nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("document_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False),
    Column("number", String(40), nullable=False),
    Column("kind", String(16), nullable=False),
    # What made it be issued ("proforma:<order>", "invoice:<shipment>:<order>", ...): issued once however often
    # its cause is delivered.
    Column("cause", String(200), nullable=False, unique=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("shipment_id", String(64)),
    Column("buyer_organisation_id", String(64), index=True),
    Column("currency", String(3), nullable=False),
    _money("goods"),
    _money("freight"),
    Column("tax_rate", Numeric(6, 4), nullable=False),
    _money("tax"),
    _money("total"),
    _money("amount_due", nullable=True),
    Column("due_on", Date),
    Column("corrects", String(40)),
    Column("reason", String(1000)),
    # Everything the document says, as issued: its lines, parties, terms, rate and freight legs.
    Column("content", JSON, nullable=False),
    Column("issued_by", String(200), nullable=False),
    Column("issued_at", UtcDateTime(), nullable=False),
    UniqueConstraint("organisation_id", "number", name="uq_documents_organisation_number"),
    # Receivables: each order's invoices, the oldest due first, and the credit notes correcting them, from the
    # indexes alone on PostgreSQL (a document's content stays unread).
    Index(
        "ix_documents_invoices",
        "order_id",
        "due_on",
        "issued_at",
        "number",
        postgresql_include=["total"],
        postgresql_where=text("kind = 'invoice'"),
        sqlite_where=text("kind = 'invoice'"),
    ),
    Index(
        "ix_documents_corrections",
        "order_id",
        "corrects",
        postgresql_include=["total"],
        postgresql_where=text("corrects IS NOT NULL"),
        sqlite_where=text("corrects IS NOT NULL"),
    ),
)

document_sequences = Table(
    "document_sequences",
    metadata,
    Column("organisation_id", String(64), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last", Integer, nullable=False),
)

receipts = Table(
    "receipts",
    metadata,
    Column("receipt_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False),
    Column("order_id", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    _money("amount"),
    Column("reference", String(100), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
)

claims = Table(
    "claims",
    metadata,
    Column("claim_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False, index=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("buyer_organisation_id", String(64), index=True),
    Column("reason", String(1000), nullable=False),
    Column("status", String(16), nullable=False),
    Column("decision_reason", String(1000)),
    Column("credit_notes", JSON),
    Column("claimed_by", String(200), nullable=False),
    Column("claimed_at", UtcDateTime(), nullable=False),
    Column("decided_by", String(200)),
    Column("decided_at", UtcDateTime()),
)

claim_lines = Table(
    "claim_lines",
    metadata,
    Column("claim_id", String(64), ForeignKey("claims.claim_id"), primary_key=True),
    Column("line_id", String(64), primary_key=True),
    # The lot the units came from, when the buyer read it on the packing list's label; else any of the line's.
    Column("lot_id", String(64)),
    Column("kind", String(16), nullable=False),
    Column("units", Integer, nullable=False),
    Column("accepted_units", Integer),
)

claim_photos = Table(
    "claim_photos",
    metadata,
    Column("claim_id", String(64), ForeignKey("claims.claim_id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("content_type", String(32), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
)

reminders = Table(
    "reminders",
    metadata,
    Column("order_id", String(64), primary_key=True),
    # One reminder per week an order stays overdue: week 0 the day after it fell due, then 1, 2, ...
    Column("week", Integer, primary_key=True),
    Column("sent_at", UtcDateTime(), nullable=False),
)

"""Tables of the orders service."""

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    cast,
    func,
    text,
)
from sqlalchemy.orm import Session

from shared.store import UtcDateTime, add_messaging_tables, is_postgres

metadata = MetaData()
outbox, inbox = add_messaging_tables(metadata)

offerings = Table(
    "offerings",
    metadata,
    Column("offering_id", String(64), primary_key=True),
    Column("sku", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("unit_price", Numeric(12, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("min_order", Integer, nullable=False),
    Column("organisation_id", String(64), nullable=False, server_default=""),
)

orders = Table(
    "orders",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("buyer_id", String(64), nullable=False, index=True),
    Column("buyer_name", String(200), nullable=False),
    Column("buyer_email", String(200)),
    # The buyer's organisation, as the gateway knows it from the credentials; None for an order placed without one.
    Column("buyer_organisation_id", String(64), index=True),
    # The aggregator organisation whose offerings the order is for: every line is one organisation's.
    Column("organisation_id", String(64), nullable=False, server_default="", index=True),
    Column("destination", JSON, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("promised_date", Date),
    Column("status", String(32), nullable=False),
    Column("cancel_reason", String(500)),
    # What the buyer pays in; the offerings' currency converted at the exchange rate recorded below, when another.
    Column("currency", String(3), nullable=False),
    # Scale 4: room for the minor unit of any currency (a dinar's fils, a Chilean UF), rounded to its own.
    Column("total", Numeric(20, 4), nullable=False),
    # The Incoterms 2020 rule, its named place and the transport; None on an order placed before terms were asked.
    Column("incoterm", String(3)),
    Column("named_place", String(200)),
    Column("transport_mode", String(20)),
    # The exchange rate the prices were converted at, from ``exchange_base_currency`` (the offerings') to
    # ``currency``, as in force on ``exchange_rate_date``; None when the order is in the offerings' currency.
    Column("exchange_rate_id", String(64)),
    Column("exchange_base_currency", String(3)),
    Column("exchange_rate", Numeric(18, 8)),
    Column("exchange_rate_date", Date),
    Column("idempotency_key", String(200), unique=True),
    # SHA-256 of the body first sent with the key: the same key with another body is another request, refused.
    Column("idempotency_fingerprint", String(64)),
    Column("placed_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # The dashboard's weekly trends count an organisation's orders of the last twelve weeks by when they were placed.
    Index("ix_orders_organisation_placed", "organisation_id", "placed_at"),
    # Everyone's orders newest first (the dashboard's latest, pages of orders), all or by status.
    Index("ix_orders_placed", "placed_at"),
    Index("ix_orders_status_placed", "status", "placed_at"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("line_id", String(64), primary_key=True),
    Column("order_id", String(64), ForeignKey("orders.order_id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("offering_id", String(64), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    # In the order's currency.
    Column("unit_price", Numeric(16, 4), nullable=False),
    Column("allocated", Integer, nullable=False, default=0),
    Column("accepted", Integer, nullable=False, default=0),
    Column("produced", Integer, nullable=False, default=0),
    Column("passed", Integer, nullable=False, default=0),
    Column("shipped", Integer, nullable=False, default=0),
    Column("delivered", Integer, nullable=False, default=0),
    Column("shortfall", Integer, nullable=False, default=0),
    Column("shortfall_as_of", UtcDateTime()),
    # The few lines short of capacity, found without reading every line (the weekly trends' on time in full).
    Index(
        "ix_order_lines_short", "order_id", postgresql_where=text("shortfall > 0"), sqlite_where=text("shortfall > 0")
    ),
)

# Append-only: a rate is never edited; a later recording covering the same day supersedes it for that day.
exchange_rates = Table(
    "exchange_rates",
    metadata,
    Column("rate_id", String(64), primary_key=True),
    # The aggregator organisation selling: its orders are converted at its own rates.
    Column("organisation_id", String(64), nullable=False),
    Column("base_currency", String(3), nullable=False),
    Column("quote_currency", String(3), nullable=False),
    Column("rate", Numeric(18, 8), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Index("ix_exchange_rates_pair", "organisation_id", "base_currency", "quote_currency", "valid_from"),
    Index("ix_exchange_rates_recorded", "organisation_id", "recorded_at"),
)


def utc_day(session: Session, column):
    """SQL: the UTC day of a timestamp (PostgreSQL's cast would take the session's zone; SQLite keeps UTC as
    written)."""
    if is_postgres(session.get_bind()):
        return cast(func.timezone("UTC", column), Date)
    return func.date(column, type_=Date)

"""Tables of the settlement service: what it learns of producers, offerings and quotas, the piece rates aggregators
set, the append-only journal of every movement of a producer's money, advances, and payout batches.

Money columns hold Decimals rounded to the currency's minor unit (never float); nothing in the journal is updated or
deleted once written."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    text,
)

from shared.store import UtcDateTime, add_messaging_tables

metadata = MetaData()
outbox, inbox = add_messaging_tables(metadata)

ID = BigInteger().with_variant(Integer, "sqlite")
# A payout line still on its way to the producer: drafted, approved, being sent, or failed and to be tried again.
OPEN_LINE = ("draft", "approved", "sending", "failed")
OPEN_LINE_CONDITION = "status IN ({})".format(", ".join(f"'{status}'" for status in OPEN_LINE))


def _money(name: str) -> Column:
    return Column(name, Numeric(18, 4), nullable=False)


producers = Table(
    "producers",
    metadata,
    Column("producer_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("mobile", String(32)),
    Column("languages", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

offerings = Table(
    "offerings",
    metadata,
    Column("offering_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("currency", String(3), nullable=False),
    _money("producer_price"),
    _money("premium_per_unit"),
    # What the trade documents say of the goods: customs code, origin, and the weights a packing list adds up.
    Column("hs_code", String(10)),
    Column("origin_country", String(2)),
    Column("unit_weight_g", Integer),
    Column("unit_volume_cm3", Integer),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# The rate in force for a producer and offering is the latest one set before the moment asked about; a rate is
# never changed, a new one replaces it from its time on.
piece_rates = Table(
    "piece_rates",
    metadata,
    Column("rate_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False),
    Column("producer_id", String(64), nullable=False),
    Column("offering_id", String(64), nullable=False),
    _money("rate"),
    Column("currency", String(3), nullable=False),
    Column("set_by", String(200), nullable=False),
    Column("set_at", UtcDateTime(), nullable=False),
    Index("ix_piece_rates_in_force", "producer_id", "offering_id", "set_at"),
)

# A quota carries the rate in force when it was offered: its lots earn that rate whatever is set later.
quotas = Table(
    "quotas",
    metadata,
    Column("quota_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False),
    Column("order_id", String(64), nullable=False),
    Column("line_id", String(64), nullable=False),
    Column("offering_id", String(64), nullable=False),
    Column("producer_id", String(64), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    _money("rate"),
    _money("premium_per_unit"),
    Column("quantity", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("offered_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

journal = Table(
    "journal",
    metadata,
    Column("entry_id", ID, primary_key=True, autoincrement=True),
    # What makes an entry happen once however often its cause is delivered: "earning:<lot>", "advance:<id>", ...
    Column("cause", String(200), nullable=False, unique=True),
    Column("organisation_id", String(64), nullable=False),
    Column("producer_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("kind", String(20), nullable=False),
    # Positive, but for a downward correction; ``domain.BALANCE_EFFECT`` says what it does to the balance.
    _money("amount"),
    Column("quota_id", String(64)),
    Column("order_id", String(64)),
    Column("lot_id", String(64)),
    Column("units", Integer),
    Column("rate", Numeric(18, 4)),
    Column("advance_id", String(64)),
    Column("payout_line_id", String(64)),
    Column("reason", String(500)),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Index("ix_journal_statement", "producer_id", "currency", "recorded_at"),
    Index("ix_journal_organisation", "organisation_id", "kind", "recorded_at"),
    # Each producer's earnings in the order recorded (what her balance is owed for, on the dashboard), and what
    # recovered or wrote off each advance: from the indexes alone on PostgreSQL.
    Index(
        "ix_journal_earnings",
        "producer_id",
        "currency",
        "entry_id",
        postgresql_include=["amount", "recorded_at"],
        postgresql_where=text("kind = 'earning'"),
        sqlite_where=text("kind = 'earning'"),
    ),
    Index(
        "ix_journal_advance",
        "advance_id",
        postgresql_include=["kind", "amount"],
        postgresql_where=text("advance_id IS NOT NULL"),
        sqlite_where=text("advance_id IS NOT NULL"),
    ),
)

# Which earning a recovery or a confirmed payment settled, and how much of it: an earning is settled once.
settlements = Table(
    "settlements",
    metadata,
    Column("earning_entry_id", ID, ForeignKey("journal.entry_id"), primary_key=True),
    Column("settling_entry_id", ID, ForeignKey("journal.entry_id"), primary_key=True),
    _money("amount"),
)

advances = Table(
    "advances",
    metadata,
    Column("advance_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False, index=True),
    Column("producer_id", String(64), nullable=False, index=True),
    Column("quota_id", String(64), nullable=False, index=True),
    Column("order_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("description", String(500), nullable=False),
    Column("currency", String(3), nullable=False),
    _money("amount"),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
)

organisation_terms = Table(
    "organisation_terms",
    metadata,
    Column("organisation_id", String(64), primary_key=True),
    Column("advance_cap_share", Numeric(5, 4), nullable=False),
    Column("set_by", String(200), nullable=False),
    Column("set_at", UtcDateTime(), nullable=False),
)

payout_batches = Table(
    "payout_batches",
    metadata,
    Column("batch_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("drafted_by", String(200), nullable=False),
    Column("drafted_at", UtcDateTime(), nullable=False),
    Column("approved_by", String(200)),
    Column("approved_at", UtcDateTime()),
    Column("sent_by", String(200)),
    Column("sent_at", UtcDateTime()),
)

payout_lines = Table(
    "payout_lines",
    metadata,
    Column("line_id", String(64), primary_key=True),
    Column("batch_id", String(64), ForeignKey("payout_batches.batch_id"), nullable=False, index=True),
    Column("organisation_id", String(64), nullable=False),
    Column("producer_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    _money("amount"),
    Column("method", String(16), nullable=False),
    Column("msisdn", String(32)),
    Column("status", String(16), nullable=False),
    # Each attempt to pay a mobile-money line has its own reference, the provider's idempotency key: a retry of
    # the same attempt reuses it, so a timeout never pays twice.
    Column("attempt", Integer, nullable=False),
    Column("reference_id", String(36), unique=True),
    Column("submitted_at", UtcDateTime()),
    Column("checked_at", UtcDateTime()),
    Column("provider_transaction_id", String(100)),
    Column("receipt_number", String(100)),
    Column("failure_reason", String(500)),
    Column("closed_by", String(200)),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("batch_id", "producer_id", name="uq_payout_lines_batch_producer"),
    Index("ix_payout_lines_status", "status", "submitted_at"),
    # One payout in flight per producer and currency, even when two clerks draft batches at the same moment: the
    # second draft waits for the first and is refused, instead of paying the same earnings twice.
    Index(
        "uq_payout_lines_one_open_per_producer",
        "organisation_id",
        "producer_id",
        "currency",
        unique=True,
        postgresql_where=text(OPEN_LINE_CONDITION),
        sqlite_where=text(OPEN_LINE_CONDITION),
    ),
)

# The trade tables (orders, shipments, documents, receipts, claims) are the same schema's, defined beside these: once
# this module is loaded, ``metadata`` holds every table of the service.
from services.settlement import trade_store  # noqa: E402,F401

"""Tables of the aggregation service: its projections of the catalogue, and quotas and lots."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    text,
)

from shared.store import UtcDateTime, add_messaging_tables

metadata = MetaData()
outbox, inbox = add_messaging_tables(metadata)

offerings = Table(
    "offerings",
    metadata,
    Column("offering_id", String(64), primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("organisation_id", String(64), nullable=False),
    Column("quality_standard", JSON, nullable=False),
    Column("withdrawn", Boolean, nullable=False),
    # The smallest quota worth an SMS, an answer, a lot, an inspection and a pickup (see planning).
    Column("min_quota", Integer, nullable=False, server_default="1"),
    # What a producer is paid per unit unless the organisation set her a piece rate (the cost policy's unit cost).
    Column("producer_price", Numeric(12, 2), nullable=False, server_default="0"),
    # What each destination market asks of packaging, labels and certificates: a producer is told her order's.
    Column("markets", JSON, nullable=False, server_default="[]"),
)

# The piece rate settlement published last for each producer and offering.
piece_rates = Table(
    "piece_rates",
    metadata,
    Column("producer_id", String(64), primary_key=True),
    Column("offering_id", String(64), primary_key=True),
    Column("rate", Numeric(12, 2), nullable=False),
    Column("set_at", UtcDateTime(), nullable=False),
)

approved_producers = Table(
    "approved_producers",
    metadata,
    Column("producer_id", String(64), primary_key=True),
    Column("offering_id", String(64), primary_key=True),
)

producer_snapshots = Table(
    "producer_snapshots",
    metadata,
    Column("producer_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

capacity_weeks = Table(
    "capacity_weeks",
    metadata,
    Column("producer_id", String(64), primary_key=True),
    Column("offering_id", String(64), primary_key=True),
    Column("week_start", Date, primary_key=True),
    Column("units", Integer, nullable=False),
    Column("held", Integer, nullable=False, default=0),
    Column("lead_time_days", Integer, nullable=False),
    Column("min_lot", Integer, nullable=False),
    Column("declared_at", UtcDateTime(), nullable=False),
    # The capacity declared from a week on (the dashboard's utilisation and fairness window), an organisation's (by
    # offering) or everyone's, from the index alone on PostgreSQL: a year of weeks stays in the table.
    Index(
        "ix_capacity_weeks_offering_week",
        "offering_id",
        "week_start",
        postgresql_include=["producer_id", "units", "held"],
    ),
    Index("ix_capacity_weeks_week", "week_start", postgresql_include=["offering_id", "producer_id", "units", "held"]),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("line_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("offering_id", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("needed_by", Date, nullable=False),
    Column("ask_again", Boolean, nullable=False),
    Column("cancelled", Boolean, nullable=False),
    Column("shortfall_reported", Integer, nullable=False),
    # The country the order ships to (None for lines placed before it was kept): which market's requirements apply.
    Column("destination_country", String(2)),
)

quotas = Table(
    "quotas",
    metadata,
    Column("quota_id", String(64), primary_key=True),
    Column("ref", String(12), nullable=False, unique=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("line_id", String(64), nullable=False, index=True),
    Column("offering_id", String(64), nullable=False),
    Column("producer_id", String(64), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
    Column("offered_quantity", Integer, nullable=False),
    # Units of the offer she did not take on: she is not asked for more of the line.
    Column("given_back", Integer, nullable=False, server_default="0"),
    Column("status", String(16), nullable=False),
    Column("reason", Text),
    Column("reallocated", Boolean, nullable=False),
    Column("offered_at", UtcDateTime(), nullable=False),
    Column("respond_by", UtcDateTime(), nullable=False),
    Column("answered_at", UtcDateTime()),
    # Pages of quotas in the order they were offered, everyone's or an organisation's (by offering), all or by status;
    # and an organisation's offers of the fairness window, counted from the index alone on PostgreSQL.
    Index("ix_quotas_offered", "offered_at", "quota_id", postgresql_include=["offering_id"]),
    Index("ix_quotas_status_offered", "status", "offered_at", "quota_id", postgresql_include=["offering_id"]),
    Index(
        "ix_quotas_offering_offered",
        "offering_id",
        "offered_at",
        postgresql_include=["producer_id", "offered_quantity"],
    ),
    # The dashboard's weekly trends count the acceptances of the last twelve weeks, an organisation's (by offering) or
    # everyone's, from the index alone on PostgreSQL (a million quotas a year).
    Index("ix_quotas_offering_answered", "offering_id", "answered_at", postgresql_include=["offered_at", "status"]),
    Index("ix_quotas_answered", "answered_at", postgresql_include=["offered_at", "status"]),
)

quota_weeks = Table(
    "quota_weeks",
    metadata,
    Column("quota_id", String(64), primary_key=True),
    Column("week_start", Date, primary_key=True),
    Column("producer_id", String(64), nullable=False, index=True),
    Column("offering_id", String(64), nullable=False, index=True),
    Column("units", Integer, nullable=False),
)

# An aggregator organisation's choices for allocation (fairness window); the defaults apply until it sets them.
allocation_settings = Table(
    "allocation_settings",
    metadata,
    Column("organisation_id", String(64), primary_key=True),
    Column("fairness_window_weeks", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# More units of a line asked of a producer already working on it, as an increase of her quota: at most one open
# (``offered``) per quota; accepted, declined, expired or released once answered.
top_ups = Table(
    "top_ups",
    metadata,
    Column("top_up_id", String(64), primary_key=True),
    Column("quota_id", String(64), nullable=False, index=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("line_id", String(64), nullable=False, index=True),
    Column("offering_id", String(64), nullable=False),
    Column("producer_id", String(64), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
    Column("accepted", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False, index=True),
    Column("reason", Text),
    Column("offered_at", UtcDateTime(), nullable=False),
    Column("respond_by", UtcDateTime(), nullable=False),
    Column("answered_at", UtcDateTime()),
)

top_up_weeks = Table(
    "top_up_weeks",
    metadata,
    Column("top_up_id", String(64), primary_key=True),
    Column("week_start", Date, primary_key=True),
    Column("units", Integer, nullable=False),
)

lots = Table(
    "lots",
    metadata,
    Column("lot_id", String(64), primary_key=True),
    Column("quota_id", String(64), nullable=False, index=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("line_id", String(64), nullable=False, index=True),
    Column("offering_id", String(64), nullable=False),
    Column("producer_id", String(64), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("reported_at", UtcDateTime(), nullable=False),
    Column("decided_at", UtcDateTime()),
    Column("disposition_reason", Text),
    Column("client_ref", String(100)),
    # How far the lot's shipment went: collected from the producer, then delivered to the buyer.
    Column("shipped_at", UtcDateTime()),
    Column("delivered_at", UtcDateTime()),
    # A client that retries a report (an SMS provider resending a reply) names it, and gets the first lot back.
    Index("uq_lots_quota_client_ref", "quota_id", "client_ref", unique=True),
    # Pages of lots in the order they were reported, all or by status; an organisation's counted by offering.
    Index("ix_lots_reported", "reported_at", "lot_id", postgresql_include=["offering_id"]),
    Index("ix_lots_status_reported", "status", "reported_at", "lot_id", postgresql_include=["offering_id"]),
    Index("ix_lots_offering_status", "offering_id", "status"),
)

lot_photos = Table(
    "lot_photos",
    metadata,
    Column("lot_id", String(64), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("content_type", String(32), nullable=False),
    Column("data", LargeBinary, nullable=False),
)

inspections = Table(
    "inspections",
    metadata,
    Column("lot_id", String(64), primary_key=True),
    Column("attempt", Integer, primary_key=True),
    Column("producer_id", String(64), nullable=False),
    Column("offering_id", String(64), nullable=False),
    Column("inspector", String(200), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("classes", JSON, nullable=False),
    Column("findings", JSON, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("inspected_at", UtcDateTime(), nullable=False),
    Index("ix_inspections_producer_offering", "producer_id", "offering_id"),
    # An organisation's first-time pass rates, per producer, from the index alone on PostgreSQL.
    Index(
        "ix_inspections_first_by_offering",
        "offering_id",
        "producer_id",
        postgresql_include=["passed"],
        postgresql_where=text("attempt = 1"),
        sqlite_where=text("attempt = 1"),
    ),
    # The dashboard's weekly trends count the first inspections of the last twelve weeks, an organisation's (by
    # offering) or everyone's, from the index alone on PostgreSQL (a million lots a year).
    Index("ix_inspections_offering_inspected", "offering_id", "inspected_at", postgresql_include=["attempt", "passed"]),
    Index("ix_inspections_inspected", "inspected_at", postgresql_include=["attempt", "passed"]),
)

# ISO 2859-1 switching state of each producer's offering, with its history (quality.SwitchingState as JSON).
switching_states = Table(
    "switching_states",
    metadata,
    Column("producer_id", String(64), primary_key=True),
    Column("offering_id", String(64), primary_key=True),
    Column("state", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

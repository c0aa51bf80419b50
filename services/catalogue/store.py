"""Tables of the catalogue service: the one database every catalogue is published from, and the record of who can
make what, how many, by when."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
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
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from services.catalogue.domain import DEFAULT_MIN_QUOTA
from shared.store import UtcDateTime, add_messaging_tables

metadata = MetaData()
outbox, inbox = add_messaging_tables(metadata)

producers = Table(
    "producers",
    metadata,
    Column("producer_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("village", String(200), nullable=False),
    Column("district", String(200), nullable=False),
    Column("region", String(200), nullable=False, index=True),
    Column("country", String(2), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("remoteness", String(32), nullable=False),
    Column("closed_months", JSON, nullable=False),
    Column("service_weekdays", JSON, nullable=False),
    Column("mobile", String(32), unique=True),
    Column("email", String(200)),
    Column("webhook_url", String(500)),
    Column("languages", JSON, nullable=False),
    Column("registered_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

readiness = Table(
    "readiness",
    metadata,
    Column("producer_id", String(64), ForeignKey("producers.producer_id"), primary_key=True),
    Column("answers", JSON, nullable=False),
    Column("scores", JSON, nullable=False),
    Column("assessed_at", UtcDateTime(), nullable=False),
)

offerings = Table(
    "offerings",
    metadata,
    Column("offering_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False, index=True),
    Column("sku", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("unit_price", Numeric(12, 2), nullable=False),
    Column("producer_price", Numeric(12, 2), nullable=False),
    Column("fair_trade_premium", Numeric(12, 2), nullable=False, server_default="0"),
    Column("currency", String(3), nullable=False),
    Column("unit_weight_g", Integer, nullable=False),
    Column("unit_volume_cm3", Integer, nullable=False),
    Column("attributes", JSON, nullable=False),
    Column("quality_standard", JSON, nullable=False),
    Column("min_order", Integer, nullable=False),
    Column("min_quota", Integer, nullable=False, server_default=str(DEFAULT_MIN_QUOTA)),
    Column("hs_code", String(10)),
    Column("origin_country", String(2)),
    # [{"market", "packaging", "labelling", "certifications"}], one per destination market.
    Column("markets", JSON, nullable=False, server_default="[]"),
    # {language: {"name", "description", "story"}}: the buyer's language, field by field; English is the row's own.
    Column("translations", JSON, nullable=False, server_default="{}"),
    Column("status", String(16), nullable=False),
    Column("withdrawn_reason", Text),
    Column("published_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

offering_images = Table(
    "offering_images",
    metadata,
    Column("offering_id", String(64), ForeignKey("offerings.offering_id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("content_type", String(32), nullable=False),
    # The copies made once on upload (``pictures.COPY_SIDES_PX``): ``data`` is the print copy.
    Column("data", LargeBinary, nullable=False),
    Column("web_data", LargeBinary, nullable=False),
    Column("small_data", LargeBinary, nullable=False),
)

approvals = Table(
    "approvals",
    metadata,
    Column("offering_id", String(64), ForeignKey("offerings.offering_id"), primary_key=True),
    Column("producer_id", String(64), ForeignKey("producers.producer_id"), primary_key=True),
    Column("stage", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("decided_on", Date),
    Column("note", Text),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_approvals_producer", "producer_id"),
)

capacity_weeks = Table(
    "capacity_weeks",
    metadata,
    Column("producer_id", String(64), ForeignKey("producers.producer_id"), primary_key=True),
    Column("offering_id", String(64), ForeignKey("offerings.offering_id"), primary_key=True),
    Column("week_start", Date, primary_key=True),
    Column("units", Integer, nullable=False),
    Column("committed", Integer, nullable=False),
    Column("lead_time_days", Integer, nullable=False),
    Column("min_lot", Integer, nullable=False),
    Column("order_by", Date, nullable=False),
    Column("declared_at", UtcDateTime(), nullable=False),
    Index("ix_capacity_weeks_offering_week", "offering_id", "week_start"),
)

# One row per producer and offering, kept in step with its weeks, so that "who can make N by D" reads one row per
# producer instead of one per week: ``cumulative_free[k]`` is the free units of the first k weeks from
# ``first_day`` (days since 1970-01-01 of the first declared Monday), gaps counting as zero.
capacity_profiles = Table(
    "capacity_profiles",
    metadata,
    Column("offering_id", String(64), primary_key=True),
    Column("producer_id", String(64), primary_key=True),
    Column("approved", Boolean, nullable=False),
    Column("lead_time_days", Integer, nullable=False),
    Column("first_day", Integer, nullable=False),
    Column("weeks", Integer, nullable=False),
    Column("cumulative_free", ARRAY(Integer).with_variant(JSON(), "sqlite"), nullable=False),
    Index("ix_capacity_profiles_approved", "offering_id", postgresql_where=text("approved")),
)

commitments = Table(
    "commitments",
    metadata,
    Column("quota_id", String(64), primary_key=True),
    Column("week_start", Date, primary_key=True),
    Column("producer_id", String(64), nullable=False),
    Column("offering_id", String(64), nullable=False),
    Column("units", Integer, nullable=False),
)

released_quotas = Table(
    "released_quotas",
    metadata,
    Column("quota_id", String(64), primary_key=True),
    Column("reason", String(32), nullable=False),
    Column("released_at", UtcDateTime(), nullable=False),
)

themes = Table(
    "themes",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("arrange_by", String(16), nullable=False),
    Column("selection", JSON, nullable=False),
    # {language: {"title", "description", "how_to_order"}}, as an offering's.
    Column("translations", JSON, nullable=False, server_default="{}"),
    Column("how_to_order", Text, nullable=False, server_default=""),
    # Whom a buyer writes to: {"name", "email", "phone", "website"} of the publishing organisation, never a producer.
    Column("contact", JSON, nullable=False, server_default="{}"),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# A group of an organisation's producers (a village's weavers, a coffee growers' association), whose picture and story
# a booklet tells; its producers are the organisation's producers of its region.
producer_groups = Table(
    "producer_groups",
    metadata,
    Column("group_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("region", String(200), nullable=False),
    Column("story", Text, nullable=False),
    Column("translations", JSON, nullable=False, server_default="{}"),
    Column("picture_type", String(32)),
    Column("picture_print", LargeBinary),
    Column("picture_web", LargeBinary),
    Column("picture_small", LargeBinary),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# A themed catalogue published at an unguessable address; only the token's SHA-256 is kept.
share_links = Table(
    "share_links",
    metadata,
    Column("link_id", String(64), primary_key=True),
    Column("theme_name", String(64), ForeignKey("themes.name"), nullable=False, index=True),
    Column("organisation_id", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("language", String(8), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
    Column("opens", Integer, nullable=False, server_default="0"),
    Column("last_opened_at", UtcDateTime()),
)

quote_requests = Table(
    "quote_requests",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("link_id", String(64), ForeignKey("share_links.link_id"), nullable=False, index=True),
    Column("theme_name", String(64), nullable=False),
    Column("organisation_id", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("company", String(200), nullable=False),
    Column("email", String(200)),
    Column("phone", String(32)),
    Column("country", String(2)),
    Column("language", String(8), nullable=False),
    # [{"sku", "name", "quantity"}]
    Column("items", JSON, nullable=False),
    Column("message", Text, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)


class ArrayElement(ColumnElement):
    """``array[index]`` (0-based) on PostgreSQL's integer arrays, and on SQLite's JSON arrays alike."""

    inherit_cache = True
    type = Integer()

    def __init__(self, array, index):
        self.array, self.index = array, index


@compiles(ArrayElement)
def _element_postgresql(element, compiler, **kw):
    return f"({compiler.process(element.array, **kw)})[({compiler.process(element.index, **kw)}) + 1]"


@compiles(ArrayElement, "sqlite")
def _element_sqlite(element, compiler, **kw):
    return (
        f"json_extract({compiler.process(element.array, **kw)}, "
        f"'$[' || ({compiler.process(element.index, **kw)}) || ']')"
    )

"""Tables of the notification service: who can be reached how, what they chose, the facts messages are made of
(projections of other services' events), the delivery log with every attempt, SMS received, and dead letters seen."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from shared.store import UtcDateTime, add_messaging_tables

metadata = MetaData()
outbox, inbox = add_messaging_tables(metadata)


def _serial():
    return Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)


recipients = Table(
    "recipients",
    metadata,
    Column("recipient_id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("organisation_id", String(64), index=True),
    Column("name", String(200), nullable=False),
    Column("mobile", String(32), index=True),
    Column("email", String(200)),
    Column("webhook_url", String(500)),
    Column("webhook_secret", String(200)),
    Column("languages", JSON, nullable=False),
    Column("timezone", String(64)),
    Column("preferences", JSON),
    # The producer snapshot this row holds: an older snapshot arriving late does not overwrite a newer one.
    Column("snapshot_at", UtcDateTime()),
)

channel_failures = Table(
    "channel_failures",
    metadata,
    Column("recipient_id", String(64), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("consecutive", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

offerings = Table(
    "offerings",
    metadata,
    Column("offering_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("organisation_id", String(64)),
)

order_buyers = Table(
    "order_buyers",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("buyer_id", String(64), nullable=False),
    Column("due_date", Date),
    Column("promised_date", Date),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("line_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("offering_id", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
)

quotas = Table(
    "quotas",
    metadata,
    Column("quota_id", String(64), primary_key=True),
    Column("ref", String(12), nullable=False, index=True),
    Column("order_id", String(64), nullable=False),
    Column("line_id", String(64), nullable=False),
    Column("offering_id", String(64), nullable=False),
    Column("producer_id", String(64), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
    Column("offered_at", UtcDateTime(), nullable=False),
    Column("respond_by", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    # The newest top-up offered (units asked on top of ``top_up_base``, at ``top_up_offered_at``) and the newest
    # answer to one (``top_up_answered_at``): the top-up is pending while it is newer than the answer. Times, not a
    # flag cleared by the answer, because the two facts arrive on separate queues in either order.
    Column("top_up", Integer),
    Column("top_up_base", Integer),
    Column("top_up_offered_at", UtcDateTime()),
    Column("top_up_answered_at", UtcDateTime()),
)
Index("ix_quotas_status_respond_by", quotas.c.status, quotas.c.respond_by)

lots = Table(
    "lots",
    metadata,
    Column("lot_id", String(64), primary_key=True),
    Column("quota_id", String(64), nullable=False),
    Column("order_id", String(64), nullable=False),
    Column("producer_id", String(64), nullable=False),
    Column("offering_id", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
)

shipments = Table(
    "shipments",
    metadata,
    Column("shipment_id", String(64), primary_key=True),
    Column("city", String(100), nullable=False),
    Column("status", String(16), nullable=False),
    Column("planned_at", UtcDateTime(), nullable=False),
)

shipment_lots = Table(
    "shipment_lots",
    metadata,
    Column("shipment_id", String(64), primary_key=True),
    Column("lot_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("notification_id", String(64), primary_key=True),
    # What the message is about (an event id, a quota reminded of, a digest's day): with the recipient and the kind
    # (``template``) it is unique, so no fact and no timer tells anyone the same thing twice.
    Column("dedupe_key", String(200), nullable=False, server_default=""),
    Column("recipient_id", String(64), nullable=False, index=True),
    Column("correlation_id", String(64), nullable=False, index=True),
    Column("template", String(64), nullable=False),
    Column("ref", String(12)),
    Column("language", String(8), nullable=False, server_default="en"),
    Column("subject", String(300), nullable=False, server_default=""),
    Column("body", Text, nullable=False),
    Column("sms_text", Text, nullable=False, server_default=""),
    Column("data", JSON),
    # A reply to an SMS goes back by SMS to the number it came from, whatever the sender's preferences.
    Column("forced_channel", String(16)),
    Column("channel", String(16)),
    Column("transport", String(32)),
    Column("address", String(500)),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime()),
    Column("deadline", UtcDateTime()),
    Column("given_up_channels", JSON),
    Column("last_error", Text),
    Column("provider_id", String(200)),
    # What the SMS provider's delivery reports say of her phone (``provider_reports``): pending until one arrives,
    # null for a transport that reports nothing (email, webhooks, the log).
    Column("handset_status", String(16)),
    Column("handset_detail", String(300)),
    Column("handset_reported_at", UtcDateTime()),
    Column("digest_id", String(64)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime()),
    UniqueConstraint("dedupe_key", "recipient_id", "template", name="uq_deliveries_dedupe"),
)
Index("ix_deliveries_status_next_attempt_at", deliveries.c.status, deliveries.c.next_attempt_at)
Index("ix_deliveries_provider_id", deliveries.c.provider_id)

handset_reports = Table(
    "handset_reports",
    metadata,
    _serial(),
    # Every delivery report received, as received, with what it changed: a replayed one is here twice and changed
    # nothing the second time.
    Column("notification_id", String(64), nullable=False, index=True),
    Column("transport", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("detail", String(300), nullable=False, server_default=""),
    Column("applied", Boolean, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    _serial(),
    Column("notification_id", String(64), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("transport", String(32), nullable=False),
    Column("address", String(500), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("error", Text),
    Column("provider_id", String(200)),
    Column("attempted_at", UtcDateTime(), nullable=False),
)

inbound_messages = Table(
    "inbound_messages",
    metadata,
    Column("message_id", String(100), primary_key=True),
    Column("sender", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("producer_id", String(64)),
    Column("action", String(16)),
    Column("ref", String(12)),
    Column("outcome", String(64), nullable=False),
    Column("reply_id", String(64)),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    _serial(),
    Column("letter_key", String(64), nullable=False, unique=True),
    Column("service", String(64), nullable=False),
    Column("queue", String(255), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("organisation_id", String(64)),
    Column("parked_at", UtcDateTime(), nullable=False),
    Column("alerted", Boolean, nullable=False, server_default=text("false")),
)

"""What notification answers through the API: the delivery log, whether an order's offers reached the producers'
phones, contacts and preferences, and the SMS providers' callbacks, as the OpenAPI document describes them (examples:
``answers.examples.json``)."""

from marshmallow import Schema, fields

from services.notification.domain import AGGREGATOR, BUYER, PRODUCER, STATUSES
from services.notification.preferences import CHANNELS
from services.notification.provider_reports import HANDSET_STATUSES
from shared.answer_fields import Page, count, flag, listing, mapping, moment, nested, one_of, text, texts

OFFER_STATES = ("delivered", "not_delivered", "pending")


class Handset(Schema):
    """What the SMS provider reported of her phone."""

    status = one_of(HANDSET_STATUSES)
    detail = text(nullable=True)
    reported_at = moment(nullable=True)


class Attempt(Schema):
    number = count()
    channel = one_of(CHANNELS)
    transport = text("what carried it: smtp, kannel, twilio, http, log")
    address = text()
    ok = flag()
    error = text(nullable=True)
    provider_id = text("the provider's id of the message", nullable=True)
    attempted_at = moment()


class DeliveryView(Schema):
    id = text()
    recipient_id = text()
    correlation_id = text("what it is about: an order, a quota, a shipment...")
    template = text("the kind of message")
    ref = text("the quota reference a producer answers by SMS", nullable=True)
    language = text()
    channel = one_of(CHANNELS, "null until a channel is chosen", nullable=True)
    transport = text(nullable=True)
    address = text(nullable=True)
    subject = text()
    message = text("the SMS text on the sms channel, the full text on the others", data_key="text")
    data = mapping(fields.Raw(), "the values the message was made from")
    status = one_of(STATUSES)
    handset = nested(Handset, nullable=True)
    attempts = listing(Attempt)
    last_error = text(nullable=True)
    next_attempt_at = moment(nullable=True)
    created_at = moment()
    sent_at = moment(nullable=True)


class DeliveryPage(Page):
    items = listing(DeliveryView)


class OfferDelivery(Schema):
    ref = text("the quota's reference")
    state = one_of(OFFER_STATES, "whether the offer reached her")
    channel = one_of(CHANNELS, nullable=True)
    transport = text(nullable=True)
    sent_at = moment(nullable=True)
    handset = nested(Handset, nullable=True)
    last_error = text(nullable=True)


class OfferDeliveries(Schema):
    order_id = text()
    items = listing(OfferDelivery)


class Preferences(Schema):
    channels = listing(fields.String(), "in the order they are tried")
    quiet_hours = text("local hours no SMS or e-mail is sent, e.g. 21:00-06:00", nullable=True)
    digest_kinds = texts("kinds of message kept for the daily digest")
    max_failures = count("failures in a row before a channel is given up")
    chosen = flag("false while the defaults apply")


class ContactView(Schema):
    organisation_id = text()
    name = text()
    email = text(nullable=True)
    mobile = text("E.164", nullable=True)
    webhook_url = text(nullable=True)
    webhook_secret_set = flag("the secret itself is never shown")
    languages = texts()
    timezone = text("IANA time zone", nullable=True)
    preferences = nested(Preferences)


class RecipientPreferences(Preferences):
    recipient_id = text()
    kind = one_of((PRODUCER, BUYER, AGGREGATOR))
    organisation_id = text(nullable=True)
    timezone = text("IANA time zone", nullable=True)
    webhook_secret_set = flag()


class InboundAnswer(Schema):
    """What became of a producer's message."""

    message_id = text()
    outcome = text("accepted, declined, reported, help, balance_requested, unknown_ref, unknown_sender, refused:...")
    reply_id = text("the SMS answering her", nullable=True)
    duplicate = flag("the provider sent this message before: nothing was done again")


class ReportAnswer(Schema):
    """What is now known of the message a delivery report is about."""

    id = text("the notification")
    handset_status = one_of(HANDSET_STATUSES, nullable=True)
    applied = flag("false for a report that changes nothing (late, or about an earlier attempt)")

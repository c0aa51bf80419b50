"""Inputs of the notification service's API: contacts, preferences, the delivery log's query, inbound SMS."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates, validates_schema

from services.notification.domain import STATUSES
from services.notification.preferences import CHANNELS, QuietHours
from services.notification.templates import KINDS

MAX_PAGE_SIZE = 100


class Strict(Schema):
    class Meta:
        unknown = RAISE


def _zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("an IANA time zone, e.g. Pacific/Port_Moresby") from None


class PreferencesInput(Strict):
    """``webhook_secret`` (write-only) signs the webhooks of a recipient who lists ``webhook`` among its channels;
    ``quiet_hours`` are local time in ``timezone``."""

    channels = fields.List(
        fields.String(validate=validate.OneOf(CHANNELS)),
        required=True,
        validate=validate.Length(min=1, max=len(CHANNELS)),
    )
    quiet_hours = fields.String(load_default=None, allow_none=True)
    timezone = fields.String(load_default=None, allow_none=True, validate=_zone)
    digest_kinds = fields.List(fields.String(validate=validate.OneOf(KINDS)), load_default=list)
    max_failures = fields.Integer(load_default=3, strict=True, validate=validate.Range(min=1, max=10))
    webhook_secret = fields.String(
        load_default=None, allow_none=True, load_only=True, validate=validate.Length(min=16, max=200)
    )

    @validates("channels")
    def _once_each(self, channels, **kwargs):
        if len(set(channels)) != len(channels):
            raise ValidationError("a channel is listed twice")

    @validates_schema
    def _quiet_hours_need_a_zone(self, data, **kwargs):
        if data.get("quiet_hours"):
            if not data.get("timezone"):
                raise ValidationError("quiet hours need the recipient's time zone", "timezone")
            try:
                QuietHours.parse(data["quiet_hours"], data["timezone"])
            except ValueError as error:
                raise ValidationError(str(error), "quiet_hours") from None


class AggregatorPreferencesInput(PreferencesInput):
    """In a contact, the zone and the secret are the contact's own fields."""

    class Meta:
        unknown = RAISE
        exclude = ("timezone", "webhook_secret")

    @validates_schema
    def _quiet_hours_need_a_zone(self, data, **kwargs):
        if data.get("quiet_hours"):
            try:
                QuietHours.parse(data["quiet_hours"], "UTC")
            except ValueError as error:
                raise ValidationError(str(error), "quiet_hours") from None


class ContactInput(Strict):
    """An aggregator organisation's contact: who at the organisation is told, how, and in which language."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(load_default=None, allow_none=True)
    mobile = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^\+[1-9][0-9]{6,14}$", error="E.164, e.g. +67570000000"),
    )
    webhook_url = fields.Url(load_default=None, allow_none=True, schemes={"https", "http"}, require_tld=False)
    webhook_secret = fields.String(
        load_default=None, allow_none=True, load_only=True, validate=validate.Length(min=16, max=200)
    )
    languages = fields.List(
        fields.String(validate=validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z]{2})?$", error="ISO 639 code")), load_default=list
    )
    timezone = fields.String(load_default=None, allow_none=True, validate=_zone)
    preferences = fields.Nested(AggregatorPreferencesInput, load_default=None, allow_none=True)

    @validates_schema
    def _reachable(self, data, **kwargs):
        if not (data.get("email") or data.get("mobile") or data.get("webhook_url")):
            raise ValidationError("give at least an email, a mobile or a webhook URL", "_schema")
        if data.get("webhook_url") and not data.get("webhook_secret"):
            raise ValidationError("a webhook needs a secret of at least 16 characters to sign it", "webhook_secret")
        preferences = data.get("preferences") or {}
        if preferences.get("quiet_hours") and not data.get("timezone"):
            raise ValidationError("quiet hours need the organisation's time zone", "timezone")


class LogQuery(Schema):
    """``organisation_id``: messages to that organisation's recipients: an aggregator's producers and its contact,
    or a buyer organisation's buyers."""

    organisation_id = fields.String(validate=validate.Length(min=1, max=64))
    correlation_id = fields.String(validate=validate.Length(min=1, max=64))
    recipient_id = fields.String(validate=validate.Length(min=1, max=64))
    status = fields.String(validate=validate.OneOf(STATUSES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class InboundSms(Schema):
    """An SMS provider's callback for a message a producer sent us."""

    message_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    sender = fields.String(required=True, data_key="from", validate=validate.Length(min=3, max=32))
    text = fields.String(required=True, validate=validate.Length(max=1600))

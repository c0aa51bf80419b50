"""Routes of notification: the delivery log, contacts and preferences, and the SMS provider's inbound callback."""

from marshmallow import EXCLUDE, Schema, fields, validate
from nameko.exceptions import RemoteError

from services.gateway import access
from services.gateway.auth import ADMIN, AGGREGATOR, BUYER, PRODUCER
from services.gateway.http import (
    PUBLIC,
    HttpError,
    api,
    call,
    json_response,
    read_headers,
    read_json,
    read_query,
    require_owner,
)
from services.gateway.schemas import PageQuery

MAX_INBOUND_BYTES = 64 * 1024
SMS_TIMESTAMP_HEADER = "X-Sms-Timestamp"
SMS_SIGNATURE_HEADER = "X-Sms-Signature"

MANAGERS = frozenset({ADMIN, AGGREGATOR})
CONTACTS = frozenset({ADMIN, AGGREGATOR, BUYER})
RECIPIENTS = frozenset({ADMIN, AGGREGATOR, PRODUCER})

# Refusals of the inbound callback that the shared error mapping does not know.
_INBOUND_STATUS = {"SignatureRefused": (401, "unauthenticated"), "ActionsUnavailable": (503, "unavailable")}


class SmsCallbackHeaders(Schema):
    """The provider's signature headers; missing ones are refused by notification as unsigned (401)."""

    class Meta:
        unknown = EXCLUDE

    timestamp = fields.String(
        data_key=SMS_TIMESTAMP_HEADER,
        load_default=None,
        validate=validate.Regexp(r"^[0-9]{1,12}$", error="seconds since 1970, in digits"),
    )
    signature = fields.String(
        data_key=SMS_SIGNATURE_HEADER,
        load_default=None,
        validate=validate.Regexp(r"^[0-9a-fA-F]{64}$", error="64 hexadecimal digits"),
    )


class DeliveryLogQuery(PageQuery):
    correlation_id = fields.String(validate=validate.Length(min=1, max=64))
    recipient_id = fields.String(validate=validate.Length(min=1, max=64))
    status = fields.String(validate=validate.Length(min=1, max=16))


def _raw_text(request) -> str:
    """The body exactly as the provider signed it."""
    if request.content_length and request.content_length > MAX_INBOUND_BYTES:
        raise HttpError(413, "too_large", f"the body is over {MAX_INBOUND_BYTES} bytes")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_INBOUND_BYTES:
        raise HttpError(413, "too_large", f"the body is over {MAX_INBOUND_BYTES} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HttpError(400, "invalid_body", f"the body is not UTF-8 text: {error}") from None


class NotificationRoutes:
    """Mixed into the gateway, whose ``notification`` RPC proxy they call."""

    def _recipient(self, principal, recipient_id: str) -> dict:
        preferences = call(self.notification, "get_preferences", recipient_id)
        require_owner(
            principal,
            "recipient",
            recipient_id,
            organisation_id=preferences.get("organisation_id"),
            producer_id=recipient_id,
        )
        return preferences

    @api(
        "GET",
        "/api/v1/notifications",
        roles=MANAGERS,
        query=DeliveryLogQuery,
        answer="notification.answers.DeliveryPage",
        tag="notifications",
        summary="The delivery log of the caller's organisation",
    )
    def delivery_log(self, request, principal):
        query = {**read_query(request, DeliveryLogQuery()), **access.list_filters(principal)}
        return json_response(call(self.notification, "delivery_log", query))

    @api(
        "GET",
        "/api/v1/orders/{order_id}/offers",
        roles=MANAGERS,
        answer="notification.answers.OfferDeliveries",
        tag="notifications",
        summary="Per quota of an order, whether its offer reached the producer's phone",
    )
    def offer_deliveries(self, request, principal, order_id):
        self._order(principal, order_id)
        return json_response(call(self.notification, "offer_deliveries", order_id))

    @api(
        "PUT",
        "/api/v1/organisations/{organisation_id}/contact",
        roles=CONTACTS,
        body="notification.ContactInput",
        answer="notification.answers.ContactView",
        tag="notifications",
        summary="How an organisation is reached",
    )
    def set_contact(self, request, principal, organisation_id):
        self._own_organisation(principal, organisation_id)
        return json_response(call(self.notification, "set_contact", organisation_id, read_json(request)))

    @api(
        "GET",
        "/api/v1/organisations/{organisation_id}/contact",
        roles=CONTACTS,
        answer="notification.answers.ContactView",
        tag="notifications",
        summary="How an organisation is reached",
    )
    def get_contact(self, request, principal, organisation_id):
        self._own_organisation(principal, organisation_id)
        return json_response(call(self.notification, "get_contact", organisation_id))

    @staticmethod
    def _own_organisation(principal, organisation_id: str) -> None:
        if principal.role != ADMIN and organisation_id != principal.organisation_id:
            raise HttpError(404, "not_found", f"no organisation {organisation_id}")

    @api(
        "PUT",
        "/api/v1/recipients/{recipient_id}/preferences",
        roles=RECIPIENTS,
        body="notification.PreferencesInput",
        answer="notification.answers.RecipientPreferences",
        tag="notifications",
        summary="A recipient's channels, language and quiet hours",
    )
    def set_preferences(self, request, principal, recipient_id):
        self._recipient(principal, recipient_id)
        return json_response(call(self.notification, "set_preferences", recipient_id, read_json(request)))

    @api(
        "GET",
        "/api/v1/recipients/{recipient_id}/preferences",
        roles=RECIPIENTS,
        answer="notification.answers.RecipientPreferences",
        tag="notifications",
        summary="A recipient's channels, language and quiet hours",
    )
    def get_preferences(self, request, principal, recipient_id):
        return json_response(self._recipient(principal, recipient_id))

    @api(
        "POST",
        "/api/v1/sms/inbound",
        roles=PUBLIC,
        body_type="text/plain",
        answer="notification.answers.InboundAnswer",
        tag="notifications",
        headers=SmsCallbackHeaders,
        summary="The SMS provider's callback for a producer's message (signed with the shared secret, not a token)",
    )
    def sms_inbound(self, request, principal):
        signed = read_headers(request, SmsCallbackHeaders())
        body = _raw_text(request)
        try:
            result = call(self.notification, "receive_sms", body, signed["timestamp"], signed["signature"])
        except RemoteError as error:
            if error.exc_type not in _INBOUND_STATUS:
                raise
            status, code = _INBOUND_STATUS[error.exc_type]
            raise HttpError(status, code, error.value) from None
        return json_response(result)

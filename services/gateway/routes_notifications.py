"""Routes of notification: the delivery log, contacts and preferences, and the SMS provider's inbound callback."""

from marshmallow import fields, validate
from nameko.exceptions import RemoteError
from nameko.web.handlers import http

from services.gateway.http import HttpError, call, endpoint, json_response, read_json, read_query
from services.gateway.schemas import PageQuery

MAX_INBOUND_BYTES = 64 * 1024
SMS_TIMESTAMP_HEADER = "X-Sms-Timestamp"
SMS_SIGNATURE_HEADER = "X-Sms-Signature"

# Refusals of the inbound callback that the shared error mapping does not know.
_INBOUND_STATUS = {"SignatureRefused": (401, "unauthenticated"), "ActionsUnavailable": (503, "unavailable")}


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

    @http("GET", "/api/v1/notifications")
    @endpoint("/api/v1/notifications")
    def delivery_log(self, request):
        return json_response(call(self.notification, "delivery_log", read_query(request, DeliveryLogQuery())))

    @http("PUT", "/api/v1/organisations/<string:organisation_id>/contact")
    @endpoint("/api/v1/organisations/{id}/contact")
    def set_contact(self, request, organisation_id):
        return json_response(call(self.notification, "set_contact", organisation_id, read_json(request)))

    @http("GET", "/api/v1/organisations/<string:organisation_id>/contact")
    @endpoint("/api/v1/organisations/{id}/contact")
    def get_contact(self, request, organisation_id):
        return json_response(call(self.notification, "get_contact", organisation_id))

    @http("PUT", "/api/v1/recipients/<string:recipient_id>/preferences")
    @endpoint("/api/v1/recipients/{id}/preferences")
    def set_preferences(self, request, recipient_id):
        return json_response(call(self.notification, "set_preferences", recipient_id, read_json(request)))

    @http("GET", "/api/v1/recipients/<string:recipient_id>/preferences")
    @endpoint("/api/v1/recipients/{id}/preferences")
    def get_preferences(self, request, recipient_id):
        return json_response(call(self.notification, "get_preferences", recipient_id))

    @http("POST", "/api/v1/sms/inbound")
    @endpoint("/api/v1/sms/inbound")
    def sms_inbound(self, request):
        """The SMS provider's callback for a message a producer sent, signed with the shared secret."""
        body = _raw_text(request)
        try:
            result = call(self.notification, "receive_sms", body, request.headers.get(SMS_TIMESTAMP_HEADER),
                          request.headers.get(SMS_SIGNATURE_HEADER))
        except RemoteError as error:
            if error.exc_type not in _INBOUND_STATUS:
                raise
            status, code = _INBOUND_STATUS[error.exc_type]
            raise HttpError(status, code, error.value) from None
        return json_response(result)

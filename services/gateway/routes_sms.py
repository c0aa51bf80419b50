"""Routes the SMS providers call: a producer's message and the delivery reports of ours, from Kannel and from Twilio.

None carries a token. The gateway passes what proves the caller (Kannel's secret parameter and the address the call
came from, Twilio's signature over the URL and form) to notification, which checks it before reading anything; a
refused caller gets 401 and changes nothing. The gateway itself only bounds what it reads.
"""

from marshmallow import EXCLUDE, Schema, fields, validate
from nameko.exceptions import RemoteError
from werkzeug.wrappers import Response

from services.gateway.client_address import client_address
from services.gateway.http import PUBLIC, HttpError, api, call, json_response

MAX_PARAMETERS = 64
MAX_VALUE_CHARS = 4000
TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"
TWILIO_PREFIX = "/api/v1/sms/twilio"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

# Refusals of a provider's callback that the shared error mapping does not know.
_CALLBACK_STATUS = {"SignatureRefused": (401, "unauthenticated"), "ActionsUnavailable": (503, "unavailable")}


class KannelCallbackQuery(Schema):
    """What the document shows of Kannel's callbacks; notification validates every parameter."""

    class Meta:
        unknown = EXCLUDE

    secret = fields.String(required=True, metadata={"description": "the deployment's Kannel callback secret"})


class TwilioHeaders(Schema):
    class Meta:
        unknown = EXCLUDE

    signature = fields.String(data_key=TWILIO_SIGNATURE_HEADER, load_default=None, validate=validate.Length(max=200))


def _bounded(values) -> dict[str, str]:
    """Form or query parameters, one value each, bounded: a provider sends a few dozen short ones."""
    if len(values) > MAX_PARAMETERS:
        raise HttpError(400, "invalid_query", f"more than {MAX_PARAMETERS} parameters")
    params = {}
    for key in values:
        given = values.getlist(key)
        if len(given) > 1:
            raise HttpError(400, "invalid_query", f"the parameter {key!r} is given {len(given)} times")
        if len(given[0]) > MAX_VALUE_CHARS:
            raise HttpError(400, "invalid_query", f"the parameter {key!r} is over {MAX_VALUE_CHARS} characters")
        params[key] = given[0]
    return params


def _called(proxy, method: str, *args):
    try:
        return call(proxy, method, *args)
    except RemoteError as error:
        if error.exc_type not in _CALLBACK_STATUS:
            raise
        status, code = _CALLBACK_STATUS[error.exc_type]
        raise HttpError(status, code, error.value) from None


class SmsProviderRoutes:
    """Mixed into the gateway, whose ``notification`` RPC proxy they call."""

    def _source(self, request) -> str:
        return client_address(
            request.remote_addr, request.headers.get("X-Forwarded-For"), self.identity.settings.trusted_proxies
        )

    def _twilio(self, request, method: str):
        """The path below the callback URL with its query (the signature covers the URL as called) and the form."""
        path = request.full_path.rstrip("?")[len(TWILIO_PREFIX) :]
        signature = request.headers.get(TWILIO_SIGNATURE_HEADER)
        return _called(self.notification, method, path, _bounded(request.form), signature)

    @api(
        "GET",
        "/api/v1/sms/kannel/inbound",
        roles=PUBLIC,
        query=KannelCallbackQuery,
        answer="notification.answers.InboundAnswer",
        tag="notifications",
        summary="Kannel's sms-service call for a producer's message (its secret and address, not a token)",
    )
    def kannel_inbound(self, request, principal):
        params = _bounded(request.args)
        return json_response(_called(self.notification, "receive_kannel_sms", params, self._source(request)))

    @api(
        "GET",
        "/api/v1/sms/kannel/reports",
        roles=PUBLIC,
        query=KannelCallbackQuery,
        answer="notification.answers.ReportAnswer",
        tag="notifications",
        summary="Kannel's delivery report of a message we sent (its dlr-url; its secret and address, not a token)",
    )
    def kannel_report(self, request, principal):
        params = _bounded(request.args)
        return json_response(_called(self.notification, "kannel_report", params, self._source(request)))

    @api(
        "POST",
        "/api/v1/sms/twilio/inbound",
        roles=PUBLIC,
        body_type="application/x-www-form-urlencoded",
        headers=TwilioHeaders,
        answer_type="text/xml",
        tag="notifications",
        summary="Twilio's incoming-message webhook (signed with the account's auth token, not a token of ours)",
    )
    def twilio_inbound(self, request, principal):
        self._twilio(request, "receive_twilio_sms")
        # Answers go out through the API, each with its own status callbacks: the TwiML says nothing.
        return Response(EMPTY_TWIML, status=200, mimetype="text/xml")

    @api(
        "POST",
        "/api/v1/sms/twilio/status",
        roles=PUBLIC,
        body_type="application/x-www-form-urlencoded",
        headers=TwilioHeaders,
        answer="notification.answers.ReportAnswer",
        tag="notifications",
        summary="Twilio's status callback for a message we sent (signed with the account's auth token)",
    )
    def twilio_status(self, request, principal):
        return json_response(self._twilio(request, "twilio_report"))

"""HTTP plumbing of the gateway: declared operations, JSON in and out, one error format, RPC with a deadline,
request metrics."""
import json
import logging
import math
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import wraps

import eventlet
from marshmallow import ValidationError
from nameko.exceptions import RemoteError, UnknownService
from nameko.web.handlers import http
from werkzeug.wrappers import Response

from services.gateway import access, auth
from shared import config, metrics
from shared.errors import ServiceError

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
MAX_CSV_BYTES = 8 * 1024 * 1024

_REMOTE_STATUS = {"InvalidInput": 422, "NotFound": 404, "Conflict": 409}
_REMOTE_CODE = {"InvalidInput": "invalid_input", "NotFound": "not_found", "Conflict": "conflict"}


class HttpError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None,
                 retry_after_s: float | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}
        self.retry_after_s = retry_after_s if retry_after_s is not None else (5 if status == 503 else None)


def json_response(payload, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(payload, default=str), status=status, mimetype="application/json",
                    headers=headers)


def error_response(error: HttpError) -> Response:
    body = {"error": {"code": error.code, "message": error.message, "fields": error.fields}}
    headers = {}
    if error.retry_after_s is not None:
        headers["Retry-After"] = str(max(1, math.ceil(error.retry_after_s)))
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="bilum"'
    return json_response(body, error.status, headers)


def _body(request, limit: int) -> bytes:
    if request.content_length and request.content_length > limit:
        raise HttpError(413, "too_large", f"the body is over {limit} bytes")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise HttpError(413, "too_large", f"the body is over {limit} bytes")
    return raw


def read_json(request) -> dict:
    raw = _body(request, MAX_BODY_BYTES)
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError as error:
        raise HttpError(400, "invalid_json", f"the body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise HttpError(400, "invalid_json", "the body must be a JSON object")
    _refuse_nul(body)
    return body


def _refuse_nul(value) -> None:
    """No text anywhere in the platform holds a NUL character (PostgreSQL cannot store one): refused at the door."""
    if isinstance(value, str):
        if "\x00" in value:
            raise HttpError(400, "invalid_text", "text may not contain NUL characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key)
            _refuse_nul(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_nul(item)


def read_csv(request) -> str:
    """A capacity file: larger than a JSON body may be, and UTF-8 text."""
    raw = _body(request, MAX_CSV_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HttpError(400, "invalid_csv", f"the file is not UTF-8 text: {error}") from None
    _refuse_nul(text)
    return text


def read_query(request, schema) -> dict:
    return _load(schema, request.args.to_dict(), "invalid_query", "query refused")


def read_headers(request, schema) -> dict:
    return _load(schema, dict(request.headers), "invalid_header", "headers refused")


def _load(schema, data: dict, code: str, message: str) -> dict:
    try:
        return schema.load(data)
    except ValidationError as error:
        raise HttpError(400, code, message, error.messages) from None


def call(proxy, method: str, *args, **kwargs):
    """An RPC with a deadline: a service that does not answer makes a 503, never a hung request."""
    return wait(start(proxy, method, *args, **kwargs))


def start(proxy, method: str, *args, **kwargs):
    try:
        return getattr(proxy, method).call_async(*args, **kwargs)
    except UnknownService as error:
        raise HttpError(503, "unavailable", f"service {error} is not running") from None


def wait(reply):
    timeout = config.messaging().rpc_timeout_s
    try:
        with eventlet.Timeout(timeout):
            return reply.result()
    except eventlet.Timeout:
        raise HttpError(503, "unavailable", f"a service did not answer within {timeout:g} s") from None
    except RemoteError as error:
        if error.exc_type not in _REMOTE_STATUS:
            raise
        raise _refusal(error.exc_type, error.value) from None


def _refusal(kind: str, text: str) -> HttpError:
    message, fields = text, {}
    if kind == "InvalidInput":
        detail = json.loads(text)
        message, fields = detail["message"], detail["fields"]
    return HttpError(_REMOTE_STATUS[kind], _REMOTE_CODE[kind], message, fields)


def refusal_of(error: ServiceError) -> HttpError:
    """An expected error raised in the gateway itself (its accounts), answered as one that came over RPC."""
    return _refusal(type(error).__name__, str(error))


@dataclass(frozen=True)
class Operation:
    """One operation of the API, as declared on its route: what the OpenAPI document and the checks are made of."""

    method: str
    path: str
    name: str
    summary: str
    roles: frozenset | None
    query: type | None = None
    body: str | None = None
    body_type: str = "application/json"
    status: int | tuple = 200
    answer_type: str | tuple = "application/json"
    tag: str = ""
    params: tuple = ()
    headers: type | None = None


OPERATIONS: list[Operation] = []

# The roles of an operation anyone may call without credentials.
PUBLIC = None

_PARAM = re.compile(r"{(\w+)(?::(int))?}")


def _werkzeug_path(path: str) -> str:
    return _PARAM.sub(lambda m: f"<{m.group(2) or 'string'}:{m.group(1)}>", path)


def api(method: str, path: str, *, roles, summary: str, query=None, body: str | None = None,
        body_type: str = "application/json", status: int | tuple = 200, answer_type: str | tuple = "application/json",
        tag: str = "", headers=None):
    """Declare an operation: who may call it (``roles``: a set of roles, or PUBLIC), what it reads, what it answers.

    Every call is authenticated (Bearer token or API key), rate-limited per caller, checked against ``roles`` and
    counted; errors come back in the one error format. The handler gets the caller as ``principal``.
    ``body`` names the service schema that validates the body (``"orders.PlaceOrderInput"``), for the document."""
    template = _PARAM.sub(lambda m: "{" + m.group(1) + "}", path)
    params = tuple((m.group(1), m.group(2) or "string") for m in _PARAM.finditer(path))

    def decorate(handler):
        OPERATIONS.append(Operation(method, template, handler.__name__, summary, roles, query, body, body_type,
                                    status, answer_type, tag, params, headers))

        @wraps(handler)
        def wrapper(self, request, *args, **kwargs):
            started = time.perf_counter()
            try:
                _refuse_nul([*args, *kwargs.values(), *request.args.values()])
                principal = None if roles is PUBLIC else _authorise(self.identity, request, roles)
                response = handler(self, request, principal, *args, **kwargs)
            except HttpError as error:
                response = error_response(error)
            except auth.Unauthenticated as error:
                response = error_response(HttpError(401, "unauthenticated", str(error)))
            except (auth.Forbidden, PermissionError) as error:
                response = error_response(HttpError(403, "forbidden", str(error)))
            except Exception:
                log.exception("request failed", extra={"route": template})
                response = error_response(HttpError(500, "internal", "something went wrong on our side"))
            metrics.HTTP_REQUESTS.labels("gateway", request.method, template, str(response.status_code)).inc()
            metrics.HTTP_DURATION.labels("gateway", request.method, template).observe(time.perf_counter() - started)
            return response

        return http(method, _werkzeug_path(path))(wrapper)
    return decorate


def _authorise(identity, request, roles: frozenset) -> auth.Principal:
    principal = identity.principal(request.headers.get("Authorization"), request.headers.get("X-API-Key"))
    wait_s = identity.wait_before(identity.requests, principal.rate_key)
    if wait_s:
        raise HttpError(429, "rate_limited", "too many requests: slow down", retry_after_s=wait_s)
    auth.require_role(principal, roles)
    return principal


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def require_owner(principal, what: str, object_id: str, **owners) -> None:
    """Another tenant's object answers exactly as a missing one does."""
    if not access.may_act_on(principal, **owners):
        raise HttpError(404, "not_found", f"no {what} {object_id}")


def refuse_platform_fields(body: dict, names: tuple, where: str = "") -> None:
    """Mass assignment: fields the platform sets (owner, status, prices) are refused by name, not silently dropped."""
    given = sorted(name for name in names if name in body)
    if given:
        raise HttpError(422, "invalid_input", "fields set by the platform cannot be sent",
                        {f"{where}{name}": ["set by the platform, not by clients"] for name in given})

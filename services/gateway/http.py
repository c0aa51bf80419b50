"""HTTP plumbing of the gateway: declared operations, JSON in and out, one error format, RPC with a deadline,
request metrics."""

import json
import logging
import math
import re
import time
from datetime import datetime, timezone
from functools import wraps

import eventlet
from marshmallow import ValidationError
from nameko.exceptions import RemoteError, UnknownService
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Request, Response

from services.gateway import access, auth, metrics
from services.gateway.operations import Operation
from shared import config
from shared.errors import ServiceError
from shared.store import database_unreachable

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
MAX_CSV_BYTES = 8 * 1024 * 1024

# A service's expected refusal, by its exception's name: the status and code the API answers it with.
_REMOTE = {
    "InvalidInput": (422, "invalid_input"),
    "NotFound": (404, "not_found"),
    "Conflict": (409, "conflict"),
    "Gone": (410, "gone"),
    "Unavailable": (503, "unavailable"),
}


class HttpError(Exception):
    def __init__(
        self, status: int, code: str, message: str, fields: dict | None = None, retry_after_s: float | None = None
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}
        self.retry_after_s = retry_after_s if retry_after_s is not None else (5 if status == 503 else None)


def json_response(payload, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(payload, default=str), status=status, mimetype="application/json", headers=headers)


def error_response(error: HttpError) -> Response:
    body = {"error": {"code": error.code, "message": error.message, "fields": error.fields}}
    headers = {}
    if error.retry_after_s is not None:
        headers["Retry-After"] = str(max(1, math.ceil(error.retry_after_s)))
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="bilum"'
    return json_response(body, error.status, headers)


class _JsonErrorsApp(WsgiApp):
    """nameko's WSGI app, but a path or method that no route serves answers in the API's error format, not in
    werkzeug's HTML page: clients of the API parse every answer the same way."""

    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)
        try:
            provider, values = self.url_map.bind_to_environ(environ).match()
        except RequestRedirect as redirect:
            return redirect(environ, start_response)
        except HTTPException as refusal:
            return _routing_error(refusal)(environ, start_response)
        request.path_values = values
        return provider.handle_request(request)(environ, start_response)


def _routing_error(refusal: HTTPException) -> Response:
    if isinstance(refusal, MethodNotAllowed):
        allowed = sorted(refusal.valid_methods or ())
        response = error_response(HttpError(405, "method_not_allowed", f"this path answers {', '.join(allowed)} only"))
        response.headers["Allow"] = ", ".join(allowed)
        return response
    status = refusal.code or 404
    return error_response(
        HttpError(status, "not_found" if status == 404 else "invalid_request", refusal.description or "no such path")
    )


class _ApiServer(WebServer):
    def get_wsgi_app(self):
        return _JsonErrorsApp(self)


class _HttpEntrypoint(HttpRequestHandler):
    server = _ApiServer()


# Every route of the gateway, pages included, is declared with this: one server, one error format.
http = _HttpEntrypoint.decorator


def _body(request, limit: int) -> bytes:
    if request.content_length and request.content_length > limit:
        raise HttpError(413, "too_large", f"the body is over {limit} bytes")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise HttpError(413, "too_large", f"the body is over {limit} bytes")
    return raw


def read_json(request, max_bytes: int = MAX_BODY_BYTES) -> dict:
    raw = _body(request, max_bytes)
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except RecursionError:
        raise HttpError(400, "invalid_json", f"the body nests deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as error:
        raise HttpError(400, "invalid_json", f"the body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise HttpError(400, "invalid_json", "the body must be a JSON object")
    refuse_unstorable(body)
    return body


# No body of the API needs more levels than this; a deeper one is refused before anything walks it.
MAX_JSON_DEPTH = 32
# NUL (PostgreSQL cannot store it) and lone UTF-16 surrogates, which JSON's \ud800 escapes can carry but no UTF-8
# text can hold: neither is text anyone wrote.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def refuse_unstorable(value) -> None:
    """Text that the platform could not store or send on is refused at the door, as is a body nested too deep."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                raise HttpError(400, "invalid_text", "text may not contain NUL characters or lone surrogates")
        elif isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise HttpError(400, "invalid_json", f"the body nests deeper than {MAX_JSON_DEPTH} levels")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


def read_csv(request) -> str:
    """A capacity file: larger than a JSON body may be, and UTF-8 text."""
    raw = _body(request, MAX_CSV_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HttpError(400, "invalid_csv", f"the file is not UTF-8 text: {error}") from None
    refuse_unstorable(text)
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
        if error.exc_type not in _REMOTE:
            raise
        raise _refusal(error.exc_type, error.value) from None


def _refusal(kind: str, text: str) -> HttpError:
    message, fields = text, {}
    if kind == "InvalidInput":
        detail = json.loads(text)
        message, fields = detail["message"], detail["fields"]
    return HttpError(*_REMOTE[kind], message, fields)


def refusal_of(error: ServiceError) -> HttpError:
    """An expected error raised in the gateway itself (its accounts), answered as one that came over RPC."""
    return _refusal(type(error).__name__, str(error))


OPERATIONS: list[Operation] = []

# The roles of an operation anyone may call without credentials.
PUBLIC = None

_PARAM = re.compile(r"{(\w+)(?::(int))?}")


def _werkzeug_path(path: str) -> str:
    return _PARAM.sub(lambda m: f"<{m.group(2) or 'string'}:{m.group(1)}>", path)


def api(
    method: str,
    path: str,
    *,
    roles,
    summary: str,
    query=None,
    body: str | None = None,
    body_type: str = "application/json",
    status: int | tuple = 200,
    answer_type: str | tuple = "application/json",
    tag: str = "",
    headers=None,
    answer: str | type | None = None,
    html_errors: tuple = (),
):
    """Declare an operation: who may call it (``roles``: a set of roles, or PUBLIC), what it reads, what it answers.

    Every call is authenticated (Bearer token or API key), rate-limited per caller, checked against ``roles`` and
    counted; errors come back in the one error format. The handler gets the caller as ``principal``.
    ``body`` names the service schema that validates the body (``"orders.PlaceOrderInput"``), for the document, and
    ``answer`` the one that describes a JSON answer (``"settlement.BatchView"``); ``html_errors`` the error statuses
    a person's browser gets as a short page."""
    template = _PARAM.sub(lambda m: "{" + m.group(1) + "}", path)
    params = tuple((m.group(1), m.group(2) or "string") for m in _PARAM.finditer(path))

    def decorate(handler):
        OPERATIONS.append(
            Operation(
                method,
                template,
                handler.__name__,
                summary,
                roles,
                query,
                body,
                body_type,
                status,
                answer_type,
                tag,
                params,
                headers,
                answer,
                html_errors,
            )
        )

        @wraps(handler)
        def wrapper(self, request, *args, **kwargs):
            started = time.perf_counter()
            try:
                refuse_unstorable([*args, *kwargs.values(), *request.args.values()])
                principal = None if roles is PUBLIC else _authorise(self.identity, request, roles)
                response = handler(self, request, principal, *args, **kwargs)
            except HttpError as error:
                response = error_response(error)
            except auth.Unauthenticated as error:
                response = error_response(HttpError(401, "unauthenticated", str(error)))
            except (auth.Forbidden, PermissionError) as error:
                response = error_response(HttpError(403, "forbidden", str(error)))
            except Exception as error:
                response = error_response(_unexpected(error, template))
            # Answers of the API hold one caller's data: no cache, shared or not, may keep them (an image says
            # otherwise for itself).
            response.headers.setdefault("Cache-Control", "no-store")
            metrics.HTTP_REQUESTS.labels("gateway", request.method, template, str(response.status_code)).inc()
            metrics.HTTP_DURATION.labels("gateway", request.method, template).observe(time.perf_counter() - started)
            return response

        return http(method, _werkzeug_path(path))(wrapper)

    return decorate


def _unexpected(error: Exception, route: str) -> HttpError:
    """The gateway's own database away is an outage to wait out (503); anything else is a fault of ours (500)."""
    if database_unreachable(error):
        log.warning("the gateway's database is unreachable", extra={"route": route, "error": str(error)[:300]})
        return HttpError(503, "unavailable", "the gateway's database cannot be reached for now: try again shortly")
    log.exception("request failed", extra={"route": route})
    return HttpError(500, "internal", "something went wrong on our side")


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
        raise HttpError(
            422,
            "invalid_input",
            "fields set by the platform cannot be sent",
            {f"{where}{name}": ["set by the platform, not by clients"] for name in given},
        )

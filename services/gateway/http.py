"""HTTP plumbing of the gateway: JSON in and out, one error format, RPC with a deadline, request metrics."""
import json
import logging
import time
from datetime import datetime, timezone
from functools import wraps

import eventlet
from marshmallow import ValidationError
from nameko.exceptions import RemoteError, UnknownService
from werkzeug.wrappers import Response

from shared import config, metrics

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
MAX_CSV_BYTES = 8 * 1024 * 1024

_REMOTE_STATUS = {"InvalidInput": 422, "NotFound": 404, "Conflict": 409}
_REMOTE_CODE = {"InvalidInput": "invalid_input", "NotFound": "not_found", "Conflict": "conflict"}


class HttpError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def json_response(payload, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(payload, default=str), status=status, mimetype="application/json",
                    headers=headers)


def error_response(error: HttpError) -> Response:
    body = {"error": {"code": error.code, "message": error.message, "fields": error.fields}}
    headers = {"Retry-After": "5"} if error.status == 503 else None
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
    return body


def read_csv(request) -> str:
    """A capacity file: larger than a JSON body may be, and UTF-8 text."""
    raw = _body(request, MAX_CSV_BYTES)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HttpError(400, "invalid_csv", f"the file is not UTF-8 text: {error}") from None


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
        message, fields = error.value, {}
        if error.exc_type == "InvalidInput":
            detail = json.loads(error.value)
            message, fields = detail["message"], detail["fields"]
        raise HttpError(_REMOTE_STATUS[error.exc_type], _REMOTE_CODE[error.exc_type], message, fields) from None


def endpoint(route: str):
    """Answer errors in the one error format and count every request by route and status."""
    def decorate(method):
        @wraps(method)
        def wrapper(self, request, *args, **kwargs):
            started = time.perf_counter()
            try:
                response = method(self, request, *args, **kwargs)
            except HttpError as error:
                response = error_response(error)
            except Exception:
                log.exception("request failed", extra={"route": route})
                response = error_response(HttpError(500, "internal", "something went wrong on our side"))
            metrics.HTTP_REQUESTS.labels("gateway", request.method, route, str(response.status_code)).inc()
            metrics.HTTP_DURATION.labels("gateway", request.method, route).observe(time.perf_counter() - started)
            return response
        return wrapper
    return decorate


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")

"""The OpenAPI 3 document of the API, made from the declared operations and the marshmallow schemas that validate them.

Request bodies are validated by the service that owns them, so the operations name those schemas
(``"orders.PlaceOrderInput"``); ``resolve`` turns a name into the class. A JSON answer is described the same way
(``answer="orders.answers.OrderView"``), by a schema of the service that makes it; its example, shown on the media
type, is in ``<module>.examples.json`` beside the schema's module, keyed by the schema's class name. Files, pictures
and pages are described by their media types, with the examples of text ones (and of each error status) in
``openapi.examples.json`` beside this module. Only the command line may import every service, so the gateway serves
the document that ``bilum openapi --write`` made, which a test keeps fresh."""

import inspect
import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Callable

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from services.gateway.operations import Operation

ERROR_STATUSES = {
    "400": "The request is malformed (JSON, query or header)",
    "401": "No valid credentials",
    "403": "The caller's role may not do this",
    "404": "No such object, or one of another organisation",
    "409": "The object is not in a state that allows this",
    "413": "The body is too large",
    "415": "The body is not of a type this operation takes",
    "422": "The body was refused: every field at fault is named",
    "429": "Too many requests: wait as long as Retry-After says",
    "503": "A service did not answer in time: retry after Retry-After",
}
# Statuses only some operations answer, which name them in ``status`` or ``html_errors``.
OTHER_ERRORS = {"410": "The link was revoked or has expired: it is no longer valid"}
CREDENTIALS = [{"bearer": []}, {"apiKey": []}]
JSON = "application/json"
# Bytes a client saves or shows as they are; text types (CSV, HTML, XML) are strings.
BINARY = {"type": "string", "format": "binary"}
TEXT = {"type": "string"}
DOCUMENT_EXAMPLES = Path(__file__).resolve().parent / "openapi.examples.json"


class ErrorDetail(Schema):
    code = fields.String(required=True, metadata={"description": "A stable machine-readable code"})
    message = fields.String(required=True)
    fields = fields.Dict(required=True, metadata={"description": "Messages by field, for refused input"})


class Error(Schema):
    error = fields.Nested(ErrorDetail, required=True)


def _schema_name(schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    parts = cls.__module__.split(".")
    owner = parts[1] if len(parts) > 2 and parts[0] == "services" else parts[-1]
    return owner.capitalize() + cls.__name__


def _schema(reference, resolve: Callable[[str], type]):
    return resolve(reference) if isinstance(reference, str) else reference


@lru_cache(maxsize=None)
def _examples_file(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def example_of(schema: type) -> object | None:
    """The example answer kept beside the schema's module, or None when it has none."""
    module = Path(inspect.getfile(schema))
    return _examples_file(module.with_name(f"{module.stem}.examples.json")).get(schema.__name__)


def build(operations: list[Operation], resolve: Callable[[str], type], version: str) -> dict:
    spec = APISpec(
        title="Bilum API",
        version=version,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={
            "description": "Order aggregation for networks of micro-producers. Sign in at "
            "`/api/v1/auth/token` and send `Authorization: Bearer <token>`, or send "
            "`X-API-Key: <key>`. Each operation lists the roles that may call it "
            "(x-roles); objects of another organisation answer 404. Money is decimal text with the "
            'currency\'s decimals (`"38.50"` USD, `"3728"` JPY); times are ISO 8601 with their offset. '
            "Browse this document at `/api/docs`."
        },
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.security_scheme("apiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"})
    spec.components.schema("Error", schema=Error)
    # Every operation answers the same errors: their examples are written once and referred to.
    for status, example in _examples_file(DOCUMENT_EXAMPLES)["errors"].items():
        text = {**ERROR_STATUSES, **OTHER_ERRORS}[status]
        spec.components.example(_error_example(status), {"summary": text, "value": example})
    paths: dict[str, dict] = {}
    for operation in sorted(operations, key=lambda op: (op.path, op.method)):
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(operation, resolve)
    for path, methods in paths.items():
        spec.path(path=path, operations=methods)
    return _numeric_bounds(spec.to_dict())


_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _numeric_bounds(node):
    """Decimal fields give their bounds as strings; the document needs numbers."""
    if isinstance(node, dict):
        return {
            key: (
                float(Decimal(value))
                if key in _BOUNDS and isinstance(value, (str, Decimal))
                else _numeric_bounds(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_numeric_bounds(item) for item in node]
    return node


def _with_example(media: dict, example) -> dict:
    return media if example is None else {**media, "example": example}


def _answer(operation: Operation, kind: str, resolve) -> dict:
    """What a successful answer of this media type holds: the declared schema for JSON (``{}`` while an operation
    declares none, which the document's test refuses), a string for text, bytes for files and pictures."""
    if kind == JSON:
        if operation.answer is None:
            return {"schema": {}}
        schema = _schema(operation.answer, resolve)
        return _with_example({"schema": schema}, example_of(schema))
    if kind.startswith("text/"):
        example = _examples_file(DOCUMENT_EXAMPLES)["texts"].get(f"{operation.name} {kind}")
        return _with_example({"schema": TEXT}, example)
    return {"schema": BINARY}


def _error_example(status: str) -> str:
    return f"Error{status}"


def _error(status: str, operation: Operation) -> dict:
    """The one error format; where the operation says so (``html_errors``), a person's browser is answered a short
    page instead, and only a caller that sent JSON still gets the JSON error."""
    error = {JSON: {"schema": "Error", "examples": {"error": _error_example(status)}}}
    if int(status) not in operation.html_errors:
        return error
    example = _examples_file(DOCUMENT_EXAMPLES)["texts"].get(f"error {status} text/html")
    page = {"text/html": _with_example({"schema": TEXT}, example)}
    return {**error, **page} if operation.body is not None else page


def _operation(operation: Operation, resolve) -> dict:
    answer_types = (operation.answer_type,) if isinstance(operation.answer_type, str) else operation.answer_type
    statuses_done = (operation.status,) if isinstance(operation.status, int) else operation.status
    responses = {
        str(status): {
            "description": "Created" if status == 201 else "Done",
            "content": {kind: _answer(operation, kind, resolve) for kind in answer_types},
        }
        for status in statuses_done
    }
    statuses = {
        **{status: text for status, text in ERROR_STATUSES.items() if operation.roles is not None or status != "403"},
        **{str(status): OTHER_ERRORS[str(status)] for status in operation.html_errors if str(status) in OTHER_ERRORS},
    }
    for status, text in statuses.items():
        responses[status] = {"description": text, "content": _error(status, operation)}
    parameters = [
        {"in": "path", "name": name, "required": True, "schema": {"type": "integer" if kind == "int" else "string"}}
        for name, kind in operation.params
    ]
    if operation.query is not None:
        parameters.append({"in": "query", "schema": _schema(operation.query, resolve)})
    if operation.headers is not None:
        parameters.append({"in": "header", "schema": _schema(operation.headers, resolve)})
    document = {
        "operationId": operation.name,
        "summary": operation.summary,
        "tags": [operation.tag or "api"],
        "parameters": parameters,
        "responses": responses,
        "security": [] if operation.roles is None else CREDENTIALS,
        "x-roles": [] if operation.roles is None else sorted(operation.roles),
    }
    if operation.body is not None:
        schema = _schema(operation.body, resolve)
        document["requestBody"] = {"required": True, "content": {operation.body_type: {"schema": schema}}}
    elif operation.body_type != "application/json":
        document["requestBody"] = {"required": True, "content": {operation.body_type: {"schema": {"type": "string"}}}}
    return document


def dumps(document: dict) -> str:
    return json.dumps(document, indent=1, sort_keys=True, default=str) + "\n"

"""The OpenAPI document describes every answer: each response of each operation has a schema (JSON answers the
fields the gateway answers, files and pages their media type), each success and each error an example, and every
example is itself a valid answer by its schema. The integration tests check the real answers against it
(tests/conformance.py)."""

import copy
import io
import json

import pytest
import requests
import urllib3
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource

from services.gateway.service import OPENAPI_DOCUMENT
from tests import conformance

DOCUMENT = json.loads(OPENAPI_DOCUMENT.read_text())
RESPONSES = [
    (f"{method.upper()} {path}", status, kind, media)
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
    for status, response in operation["responses"].items()
    for kind, media in response.get("content", {"(none)": {}}).items()
]
BINARY = {"type": "string", "format": "binary"}


def _is_text(kind: str) -> bool:
    return kind == "application/json" or kind.startswith("text/")


def validator_of(schema: dict, document: dict = DOCUMENT) -> OAS30Validator:
    """A validator of one schema of the document, its references resolved in the document's components."""
    registry = Registry().with_resource("urn:bilum-api", Resource.opaque(document))
    rooted = json.loads(json.dumps(schema).replace('"#/components/', '"urn:bilum-api#/components/'))
    return OAS30Validator(rooted, registry=registry, format_checker=oas30_format_checker)


def examples_of(media: dict) -> list:
    """The media type's example, or its examples (the errors' are components every operation refers to)."""
    named = [
        DOCUMENT["components"]["examples"][example["$ref"].rsplit("/", 1)[1]]["value"]
        for example in media.get("examples", {}).values()
    ]
    return [media["example"], *named] if "example" in media else named


def problems_of(example, schema: dict, document: dict = DOCUMENT) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in validator_of(schema, document).iter_errors(example)
    ]


def test_the_document_has_the_operations_and_answers_to_check():
    assert len({name for name, *_ in RESPONSES}) > 100
    assert sum(1 for _, status, kind, _ in RESPONSES if status.startswith("2") and kind == "application/json") > 90


@pytest.mark.parametrize("operation, status, kind, media", RESPONSES, ids=[" ".join(r[:3]) for r in RESPONSES])
def test_every_response_has_a_schema_and_every_success_and_error_an_example_that_fits_it(
    operation, status, kind, media
):
    assert media.get("schema"), f"{operation} {status} {kind}: no schema (declare answer= on its route)"
    if _is_text(kind):
        examples = examples_of(media)
        assert examples, f"{operation} {status} {kind}: no example"
        for example in examples:
            problems = problems_of(example, media["schema"])
            assert problems == [], f"{operation} {status} {kind}: its example does not fit its schema: {problems}"
    else:
        assert media["schema"] == BINARY, f"{operation} {status} {kind}: a file or picture is bytes"
    if kind == "application/json" and not status.startswith("2"):
        assert media["schema"] == {"$ref": "#/components/schemas/Error"}


def test_an_example_that_does_not_fit_its_schema_is_caught():
    """The check above could pass for a schema that accepts anything: here, answers a client would misread fail."""
    orders = DOCUMENT["paths"]["/api/v1/orders/{order_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    good = orders["example"]
    assert problems_of(good, orders["schema"]) == []
    wrong_total = {**good, "total": 23325.0}
    missing_lines = {key: value for key, value in good.items() if key != "lines"}
    unknown_status = {**good, "status": "lost"}
    extra_field = {**good, "discount": "0.00"}
    nameless_buyer = {**good, "buyer": {**good["buyer"], "name": None}}
    for wrong in (wrong_total, missing_lines, unknown_status, extra_field, nameless_buyer):
        assert problems_of(wrong, orders["schema"]), wrong


def test_an_amount_is_decimal_text_and_a_moment_has_its_offset():
    document = copy.deepcopy(DOCUMENT)
    quota = document["paths"]["/api/v1/quotas/{quota_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert problems_of(quota["example"], quota["schema"], document) == []
    assert problems_of({**quota["example"], "offered_at": "yesterday"}, quota["schema"], document)
    order = document["paths"]["/api/v1/orders"]["post"]["responses"]["201"]["content"]["application/json"]
    assert problems_of({**order["example"], "total": "23,325.00"}, order["schema"], document)


def _answer(method: str, path: str, status: int, body, kind: str = "application/json") -> requests.Response:
    """An answer as ``requests`` gives it, for the check the integration tests run on every answer of the gateway."""
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode() if kind == "application/json" else body
    response.raw = urllib3.HTTPResponse(body=io.BytesIO(b""), headers={"Content-Type": kind}, preload_content=False)
    response.request = requests.Request(method, f"http://127.0.0.1:8000{path}").prepare()
    return response


def test_the_integration_tests_check_finds_what_an_answer_does_not_match():
    example = DOCUMENT["paths"]["/api/v1/orders/{order_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    order = example["example"]
    assert conformance.mismatch(_answer("GET", "/api/v1/orders/ord_1", 200, order)) is None
    assert conformance.mismatch(_answer("GET", "/dashboard", 200, b"<!DOCTYPE html>", "text/html")) is None
    wrong = conformance.mismatch(_answer("GET", "/api/v1/orders/ord_1", 200, {**order, "total": 23325.0}))
    assert "GET /api/v1/orders/ord_1 (get_order) answered 200" in wrong and "total" in wrong
    assert "418" in conformance.mismatch(_answer("GET", "/api/v1/orders/ord_1", 418, {"error": {}}))
    assert conformance.mismatch(_answer("GET", "/api/v1/orders/ord_1", 200, b"%PDF-1.7", "application/pdf"))

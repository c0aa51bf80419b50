"""Every answer the gateway gives the integration and browser tests is checked against the served OpenAPI document,
with schemathesis's checks: its status is one the operation declares, its media type too, and its body matches the
declared schema. A test that received an answer the document does not describe fails, naming the operation, the
status and what differs: the document can then be trusted by a client developer, not only by the fuzzing test.

Answers are read where ``requests`` sends them (``Session.send``), for the gateway of the platform the test started
(``BILUM_GATEWAY_URL``): the pages' own requests in the browser, and the demo's in its own process, are not seen."""

import os
from functools import lru_cache
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.gateway.service import OPENAPI_DOCUMENT

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@lru_cache(maxsize=1)
def _document():
    return schemathesis.openapi.from_path(str(OPENAPI_DOCUMENT))


def mismatch(response: requests.Response) -> str | None:
    """What about this answer of the gateway the document does not describe; None when it describes it all, or when
    the path is not an operation of the document (a page, the document itself, a path no route serves)."""
    request = response.request
    path = urlsplit(request.url).path
    operation = _document().find_operation_by_path(request.method, path)
    if operation is None:
        return None
    case = operation.Case(method=request.method, path_parameters=_path_parameters(operation.path, path))
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as failures:
        found = "\n".join(f"  - {failure.title}: {failure.message}" for failure in failures.exceptions)
        name = operation.definition.raw.get("operationId")
        return f"{request.method} {path} ({name}) answered {response.status_code}:\n{found}"
    return None


def _path_parameters(template: str, path: str) -> dict:
    names = template.strip("/").split("/")
    values = path.strip("/").split("/")
    return {name[1:-1]: value for name, value in zip(names, values) if name.startswith("{")}


def _of_the_gateway(url: str) -> bool:
    base = os.environ.get("BILUM_GATEWAY_URL")
    return bool(base) and url.startswith(base.rstrip("/") + "/")


# What answers did not match, since the last test looked: one list for the process, however many conftests check.
FOUND: list[str] = []
_SEND = requests.Session.send


def _checked_send(session, request, **kwargs):
    response = _SEND(session, request, **kwargs)
    if _of_the_gateway(request.url):
        problem = mismatch(response)
        if problem:
            FOUND.append(problem)
    return response


@pytest.fixture(scope="session", autouse=True)
def gateway_answers_are_checked():
    """``requests`` checks every answer of the gateway for the whole run (once, whichever conftest asks first)."""
    requests.Session.send = _checked_send
    yield
    requests.Session.send = _SEND


@pytest.fixture(autouse=True)
def gateway_answers_match_the_document(gateway_answers_are_checked):
    """Fails the test that received an answer the document does not describe: at its start, for the answers its
    module's fixtures received (they were set up for it), at its end for its own."""
    _fail_on_found("received while its fixtures were set up")
    yield
    _fail_on_found("it received")


def _fail_on_found(when: str) -> None:
    found = list(FOUND)
    FOUND.clear()
    if found:
        pytest.fail(
            f"answers of the gateway {when}, which the OpenAPI document does not describe (fix the answer, or its "
            "schema and `bilum openapi --write`):\n" + "\n".join(found),
            pytrace=False,
        )

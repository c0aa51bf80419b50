"""The browsable API reference at /api/docs: Swagger UI renders the served OpenAPI document in chromium, lists every
operation, and loads nothing from anywhere but the gateway, under the pages' Content-Security-Policy."""

import gzip
import json

import pytest
import requests

from services.gateway.routes_pages import CONTENT_SECURITY_POLICY
from services.gateway.service import OPENAPI_DOCUMENT, GatewayService
from tests.browser.conftest import Browser
from tests.integration.conftest import module_platform, postgres_admin  # noqa: F401 (the platform's fixtures)
from tests.integration.helpers import running

DOCUMENT = json.loads(OPENAPI_DOCUMENT.read_text())
OPERATIONS = {(method.upper(), path) for path, methods in DOCUMENT["paths"].items() for method in methods}
RENDERED = """() => ({
  title: document.querySelector('.info .title') ? document.querySelector('.info .title').textContent : null,
  operations: Array.from(document.querySelectorAll('.opblock')).map(block => [
    block.querySelector('.opblock-summary-method').textContent,
    block.querySelector('.opblock-summary-path').dataset.path,
  ]),
})"""


@pytest.fixture(scope="module")
def gateway(module_platform):  # noqa: F811 (the fixture imported above)
    """The reference needs the gateway alone: the document is a file it serves."""
    with running(GatewayService):
        yield module_platform["BILUM_GATEWAY_URL"]


@pytest.fixture(scope="module")
def reference(gateway):
    browser = Browser(gateway)
    yield browser.open(
        "/api/docs",
        None,
        "() => document.querySelectorAll('.opblock').length > 0",
        screenshot="api-docs",
        evaluate=RENDERED,
    )
    browser.close()


def test_the_reference_lists_every_operation_of_the_document(reference):
    rendered = reference["evaluated"]
    assert rendered["title"].startswith(DOCUMENT["info"]["title"])
    shown = [tuple(operation) for operation in rendered["operations"]]
    assert len(shown) == len(OPERATIONS) and set(shown) == OPERATIONS


def test_nothing_is_fetched_from_anywhere_but_the_gateway(gateway, reference):
    elsewhere = [url for url in reference["requested"] if not url.startswith(gateway + "/")]
    assert elsewhere == []
    assert {gateway + "/api/openapi.json", gateway + "/api/docs/static/swagger-ui-bundle.js"} <= set(
        reference["requested"]
    )


def test_the_page_breaks_no_rule_of_its_content_security_policy_and_no_script_fails(reference):
    complaints = [line for line in reference["console"] if line["type"] in ("error", "pageerror")]
    refused = [line for line in reference["console"] if "Content Security Policy" in line["text"]]
    assert complaints == [] and refused == []


def test_the_reference_and_its_files_are_served_under_the_pages_policy(gateway):
    page = requests.get(f"{gateway}/api/docs", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY
    script = requests.get(
        f"{gateway}/api/docs/static/swagger-ui-bundle.js", headers={"Accept-Encoding": "gzip"}, timeout=10, stream=True
    )
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert script.headers["Content-Encoding"] == "gzip" and script.headers["X-Content-Type-Options"] == "nosniff"
    assert b"SwaggerUIBundle" in gzip.decompress(script.raw.read())
    starter = requests.get(f"{gateway}/api/docs/static/api-docs.js", timeout=10).text
    assert '"/api/openapi.json"' in starter and "validatorUrl: null" in starter
    for name in ("index.css", "swagger-editor.js", "..%2Fopenapi.json"):
        missing = requests.get(f"{gateway}/api/docs/static/{name}", timeout=10)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found", name

"""Schemathesis over the served OpenAPI document: generated requests, valid and not, for every operation, as an admin
on the real services. No answer may be a server error, and every answer must be one the document declares. The
examples are derandomised, so every CI run sends the same requests; drop ``derandomize`` locally to explore afresh.
Generated requests mostly earn errors: the successful answers are checked in every other integration and browser
test, each answer they get against the same document (``tests/conformance.py``)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.aggregation.service import AggregationService
from services.catalogue.service import CatalogueService
from services.consolidation.service import ConsolidationService
from services.gateway.service import OPENAPI_DOCUMENT, GatewayService
from services.notification.service import NotificationService
from services.orders.service import OrdersService
from services.settlement.service import SettlementService
from shared import migrations
from tests.integration.auth import admin_key
from tests.integration.helpers import running

schema = schemathesis.openapi.from_path(str(OPENAPI_DOCUMENT))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def served(module_platform):
    for service in ("catalogue", "orders", "aggregation", "consolidation", "notification", "settlement"):
        migrations.upgrade(service)
    with (
        running(CatalogueService),
        running(OrdersService),
        running(AggregationService),
        running(ConsolidationService),
        running(NotificationService),
        running(SettlementService),
        running(GatewayService),
    ):
        yield module_platform["BILUM_GATEWAY_URL"], admin_key()


@schema.parametrize()
@settings(max_examples=6, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_makes_a_server_error_or_an_undeclared_answer(case, served):
    base, admin = served
    case.call_and_validate(base_url=base, headers=admin, checks=CHECKS, timeout=30)

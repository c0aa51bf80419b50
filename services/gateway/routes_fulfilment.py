"""Routes of fulfilment: orders and quotas (lots and their inspections are in ``routes_lots``).

A buyer sees its organisation's orders; a producer her own quotas; aggregators and inspectors those of their
organisation's offerings."""

import hashlib

from services.gateway import access, schemas
from services.gateway.auth import ADMIN, AGGREGATOR, BUYER, INSPECTOR, PRODUCER
from services.gateway.http import (
    api,
    call,
    json_response,
    read_headers,
    read_json,
    read_query,
    refuse_platform_fields,
    require_owner,
)

ORDER_PARTIES = frozenset({ADMIN, AGGREGATOR, BUYER})
QUOTA_PARTIES = frozenset({ADMIN, AGGREGATOR, INSPECTOR, PRODUCER})
QUOTA_ACTORS = frozenset({ADMIN, AGGREGATOR, PRODUCER})
MANAGERS = frozenset({ADMIN, AGGREGATOR})

ORDER_PLATFORM_FIELDS = (
    "id",
    "order_id",
    "status",
    "organisation_id",
    "buyer_organisation_id",
    "total",
    "exchange_rate",
    "promised_date",
    "placed_at",
)
LINE_PLATFORM_FIELDS = (
    "line_id",
    "unit_price",
    "allocated",
    "accepted",
    "produced",
    "passed",
    "shipped",
    "delivered",
    "shortfall",
)


def _caller_scoped_key(principal, key: str | None) -> str | None:
    """Idempotency keys are the caller's own: the same key from another tenant is another request."""
    if key is None:
        return None
    return hashlib.sha256(f"{principal.user_id}\n{key}".encode()).hexdigest()


def _checked_order_body(body: dict) -> dict:
    refuse_platform_fields(body, ORDER_PLATFORM_FIELDS)
    lines = body.get("lines")
    if isinstance(lines, list):
        for position, line in enumerate(lines):
            if isinstance(line, dict):
                refuse_platform_fields(line, LINE_PLATFORM_FIELDS, where=f"lines.{position}.")
    buyer = body.get("buyer")
    if isinstance(buyer, dict):
        refuse_platform_fields(buyer, ("id", "buyer_id", "organisation_id"), where="buyer.")
    return body


class FulfilmentRoutes:
    """Mixed into the gateway, whose ``orders`` and ``aggregation`` RPC proxies they call."""

    def _order(self, principal, order_id: str) -> dict:
        order = call(self.orders, "get_order", order_id)
        require_owner(
            principal,
            "order",
            order_id,
            organisation_id=order.get("organisation_id"),
            buyer_organisation_id=(order.get("buyer") or {}).get("organisation_id"),
        )
        return order

    def _quota(self, principal, quota_id: str) -> dict:
        quota = call(self.aggregation, "get_quota", quota_id)
        require_owner(
            principal, "quota", quota_id, organisation_id=quota.get("organisation_id"), producer_id=quota["producer_id"]
        )
        return quota

    @api(
        "POST",
        "/api/v1/orders",
        roles=ORDER_PARTIES,
        body="orders.PlaceOrderInput",
        status=201,
        answer="orders.answers.OrderView",
        tag="orders",
        headers=schemas.CommandHeaders,
        summary="Place a bulk order (send Idempotency-Key: a retry returns the first answer)",
    )
    def place_order(self, request, principal):
        key = read_headers(request, schemas.CommandHeaders())["idempotency_key"]
        body = _checked_order_body(read_json(request))
        buyer_organisation = principal.organisation_id if principal.role == BUYER else None
        organisation = principal.organisation_id if principal.role == AGGREGATOR else None
        return json_response(
            call(
                self.orders,
                "place_order",
                body,
                _caller_scoped_key(principal, key),
                buyer_organisation_id=buyer_organisation,
                organisation_id=organisation,
            ),
            201,
        )

    @api(
        "GET",
        "/api/v1/orders",
        roles=ORDER_PARTIES,
        query=schemas.OrderQuery,
        answer="orders.answers.OrderPage",
        tag="orders",
        summary="The caller's orders, newest first",
    )
    def list_orders(self, request, principal):
        query = read_query(request, schemas.OrderQuery())
        return json_response(
            call(
                self.orders,
                "list_orders",
                query["page"],
                query["page_size"],
                query.get("status"),
                **access.list_filters(principal),
            )
        )

    @api(
        "GET",
        "/api/v1/orders/{order_id}",
        roles=ORDER_PARTIES,
        answer="orders.answers.OrderView",
        tag="orders",
        summary="An order with its lines' ledger",
    )
    def get_order(self, request, principal, order_id):
        return json_response(self._order(principal, order_id))

    @api(
        "POST",
        "/api/v1/orders/{order_id}/cancel",
        roles=ORDER_PARTIES,
        body="orders.CancelInput",
        answer="orders.answers.OrderView",
        tag="orders",
        summary="Cancel an order; its open quotas are released",
    )
    def cancel_order(self, request, principal, order_id):
        self._order(principal, order_id)
        return json_response(call(self.orders, "cancel_order", order_id, read_json(request)))

    @api(
        "PUT",
        "/api/v1/organisations/{organisation_id}/allocation",
        roles=MANAGERS,
        body="aggregation.AllocationSettingsInput",
        answer="aggregation.answers.AllocationSettings",
        tag="quotas",
        summary="How allocation treats an organisation's producers: the fairness window, in weeks",
    )
    def set_allocation_settings(self, request, principal, organisation_id):
        require_owner(principal, "organisation", organisation_id, organisation_id=organisation_id)
        return json_response(call(self.aggregation, "set_allocation_settings", organisation_id, read_json(request)))

    @api(
        "GET",
        "/api/v1/organisations/{organisation_id}/allocation",
        roles=MANAGERS,
        answer="aggregation.answers.AllocationSettings",
        tag="quotas",
        summary="How allocation treats an organisation's producers: the fairness window, in weeks",
    )
    def get_allocation_settings(self, request, principal, organisation_id):
        require_owner(principal, "organisation", organisation_id, organisation_id=organisation_id)
        return json_response(call(self.aggregation, "allocation_settings", organisation_id))

    @api(
        "GET",
        "/api/v1/quotas",
        roles=QUOTA_PARTIES,
        query=schemas.QuotaQuery,
        answer="aggregation.answers.QuotaPage",
        tag="quotas",
        summary="Quotas the caller may see",
    )
    def list_quotas(self, request, principal):
        query = {**read_query(request, schemas.QuotaQuery()), **access.list_filters(principal)}
        return json_response(call(self.aggregation, "list_quotas", query))

    @api(
        "GET",
        "/api/v1/quotas/{quota_id}",
        roles=QUOTA_PARTIES,
        tag="quotas",
        answer="aggregation.answers.QuotaView",
        summary="One quota",
    )
    def get_quota(self, request, principal, quota_id):
        return json_response(self._quota(principal, quota_id))

    @api(
        "POST",
        "/api/v1/quotas/{quota_id}/accept",
        roles=QUOTA_ACTORS,
        body="aggregation.AcceptInput",
        answer="aggregation.answers.QuotaView",
        tag="quotas",
        summary="Accept a quota, in full or in part",
    )
    def accept_quota(self, request, principal, quota_id):
        self._quota(principal, quota_id)
        return json_response(call(self.aggregation, "accept_quota", quota_id, read_json(request)))

    @api(
        "POST",
        "/api/v1/quotas/{quota_id}/decline",
        roles=QUOTA_ACTORS,
        body="aggregation.DeclineInput",
        answer="aggregation.answers.QuotaView",
        tag="quotas",
        summary="Decline a quota; its quantity is reallocated",
    )
    def decline_quota(self, request, principal, quota_id):
        self._quota(principal, quota_id)
        return json_response(call(self.aggregation, "decline_quota", quota_id, read_json(request)))

    @api(
        "POST",
        "/api/v1/quotas/{quota_id}/lots",
        roles=QUOTA_ACTORS,
        body="aggregation.LotInput",
        status=201,
        answer="aggregation.answers.LotView",
        tag="lots",
        summary="Report a finished lot of an accepted quota",
    )
    def report_lot(self, request, principal, quota_id):
        self._quota(principal, quota_id)
        return json_response(call(self.aggregation, "report_lot", quota_id, read_json(request)), 201)

    @api(
        "POST",
        "/api/v1/order-lines/{line_id}/widen",
        roles=MANAGERS,
        body="aggregation.WidenInput",
        answer="aggregation.answers.WidenedLine",
        tag="orders",
        summary="Widen the search for producers of a line in shortfall",
    )
    def widen_search(self, request, principal, line_id):
        organisation = None if principal.role == ADMIN else principal.organisation_id
        return json_response(
            call(self.aggregation, "widen_search", line_id, read_json(request), organisation_id=organisation)
        )

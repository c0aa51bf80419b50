"""Routes of fulfilment: orders, quotas, lots and inspections.

A buyer sees its organisation's orders; a producer its own quotas and lots; aggregators and inspectors those of their
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
INSPECTORS = frozenset({ADMIN, AGGREGATOR, INSPECTOR})
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

    def _lot(self, principal, lot_id: str) -> dict:
        lot = call(self.aggregation, "get_lot", lot_id)
        require_owner(
            principal, "lot", lot_id, organisation_id=lot.get("organisation_id"), producer_id=lot["producer_id"]
        )
        return lot

    @api(
        "POST",
        "/api/v1/orders",
        roles=ORDER_PARTIES,
        body="orders.PlaceOrderInput",
        status=201,
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
        "GET", "/api/v1/orders/{order_id}", roles=ORDER_PARTIES, tag="orders", summary="An order with its lines' ledger"
    )
    def get_order(self, request, principal, order_id):
        return json_response(self._order(principal, order_id))

    @api(
        "POST",
        "/api/v1/orders/{order_id}/cancel",
        roles=ORDER_PARTIES,
        body="orders.CancelInput",
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
        tag="quotas",
        summary="Quotas the caller may see",
    )
    def list_quotas(self, request, principal):
        query = {**read_query(request, schemas.QuotaQuery()), **access.list_filters(principal)}
        return json_response(call(self.aggregation, "list_quotas", query))

    @api("GET", "/api/v1/quotas/{quota_id}", roles=QUOTA_PARTIES, tag="quotas", summary="One quota")
    def get_quota(self, request, principal, quota_id):
        return json_response(self._quota(principal, quota_id))

    @api(
        "POST",
        "/api/v1/quotas/{quota_id}/accept",
        roles=QUOTA_ACTORS,
        body="aggregation.AcceptInput",
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
        tag="lots",
        summary="Report a finished lot of an accepted quota",
    )
    def report_lot(self, request, principal, quota_id):
        self._quota(principal, quota_id)
        return json_response(call(self.aggregation, "report_lot", quota_id, read_json(request)), 201)

    @api(
        "GET",
        "/api/v1/lots",
        roles=QUOTA_PARTIES,
        query=schemas.LotQuery,
        tag="lots",
        summary="Lots the caller may see",
    )
    def list_lots(self, request, principal):
        query = {**read_query(request, schemas.LotQuery()), **access.list_filters(principal)}
        return json_response(call(self.aggregation, "list_lots", query))

    @api("GET", "/api/v1/lots/{lot_id}", roles=QUOTA_PARTIES, tag="lots", summary="One lot with its inspections")
    def get_lot(self, request, principal, lot_id):
        return json_response(self._lot(principal, lot_id))

    @api(
        "POST",
        "/api/v1/lots/{lot_id}/inspections",
        roles=INSPECTORS,
        body="aggregation.InspectionInput",
        status=201,
        tag="lots",
        summary="Record a sampling inspection of a lot (ISO 2859-1)",
    )
    def record_inspection(self, request, principal, lot_id):
        self._lot(principal, lot_id)
        body = read_json(request)
        if principal.role != ADMIN:
            refuse_platform_fields(body, ("inspector", "organisation_id"))
            body = {**body, "inspector": principal.username, "organisation_id": principal.organisation_id}
        return json_response(call(self.aggregation, "record_inspection", lot_id, body), 201)

    @api(
        "POST",
        "/api/v1/lots/{lot_id}/decision",
        roles=MANAGERS,
        body="aggregation.DispositionInput",
        tag="lots",
        summary="Rework or replace a rejected lot",
    )
    def decide_rejected_lot(self, request, principal, lot_id):
        self._lot(principal, lot_id)
        return json_response(call(self.aggregation, "decide_rejected_lot", lot_id, read_json(request)))

    @api(
        "POST",
        "/api/v1/lots/{lot_id}/resubmit",
        roles=QUOTA_ACTORS,
        tag="lots",
        summary="Resubmit a reworked lot for inspection",
    )
    def resubmit_lot(self, request, principal, lot_id):
        self._lot(principal, lot_id)
        return json_response(call(self.aggregation, "resubmit_lot", lot_id))

    @api(
        "GET",
        "/api/v1/producers/{producer_id}/inspections",
        roles=QUOTA_PARTIES,
        query=schemas.InspectionHistoryQuery,
        tag="lots",
        summary="A producer's inspection history and switching state for an offering",
    )
    def inspection_history(self, request, principal, producer_id):
        query = read_query(request, schemas.InspectionHistoryQuery())
        if principal.role != PRODUCER:
            producer = call(self.catalogue, "get_producer", producer_id)
            require_owner(principal, "producer", producer_id, organisation_id=producer["organisation_id"])
        else:
            require_owner(principal, "producer", producer_id, producer_id=producer_id)
        return json_response(call(self.aggregation, "inspection_history", producer_id, query["offering_id"]))

    @api(
        "POST",
        "/api/v1/order-lines/{line_id}/widen",
        roles=MANAGERS,
        body="aggregation.WidenInput",
        tag="orders",
        summary="Widen the search for producers of a line in shortfall",
    )
    def widen_search(self, request, principal, line_id):
        organisation = None if principal.role == ADMIN else principal.organisation_id
        return json_response(
            call(self.aggregation, "widen_search", line_id, read_json(request), organisation_id=organisation)
        )

"""Routes of lots and their inspections: what producers made, and how ISO 2859-1 sampling judged it.

A producer sees her own lots; aggregators and inspectors those of their organisation's offerings, which they inspect
and, when a lot is rejected, have reworked or replaced."""

from services.gateway import access, schemas
from services.gateway.auth import ADMIN, AGGREGATOR, INSPECTOR, PRODUCER
from services.gateway.http import api, call, json_response, read_json, read_query, refuse_platform_fields, require_owner
from services.gateway.routes_fulfilment import MANAGERS, QUOTA_ACTORS, QUOTA_PARTIES

INSPECTORS = frozenset({ADMIN, AGGREGATOR, INSPECTOR})


class LotRoutes:
    """Mixed into the gateway, whose ``aggregation`` and ``catalogue`` RPC proxies they call."""

    def _lot(self, principal, lot_id: str) -> dict:
        lot = call(self.aggregation, "get_lot", lot_id)
        require_owner(
            principal, "lot", lot_id, organisation_id=lot.get("organisation_id"), producer_id=lot["producer_id"]
        )
        return lot

    @api(
        "GET",
        "/api/v1/lots",
        roles=QUOTA_PARTIES,
        query=schemas.LotQuery,
        answer="aggregation.answers.LotPage",
        tag="lots",
        summary="Lots the caller may see",
    )
    def list_lots(self, request, principal):
        query = {**read_query(request, schemas.LotQuery()), **access.list_filters(principal)}
        return json_response(call(self.aggregation, "list_lots", query))

    @api(
        "GET",
        "/api/v1/lots/{lot_id}",
        roles=QUOTA_PARTIES,
        tag="lots",
        answer="aggregation.answers.LotView",
        summary="One lot with its inspections",
    )
    def get_lot(self, request, principal, lot_id):
        return json_response(self._lot(principal, lot_id))

    @api(
        "POST",
        "/api/v1/lots/{lot_id}/inspections",
        roles=INSPECTORS,
        body="aggregation.InspectionInput",
        status=201,
        answer="aggregation.answers.LotView",
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
        answer="aggregation.answers.LotView",
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
        answer="aggregation.answers.LotView",
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
        answer="aggregation.answers.InspectionHistory",
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

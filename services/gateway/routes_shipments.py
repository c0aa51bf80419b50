"""Routes of consolidation: shipments and their tracking."""

from nameko.web.handlers import http

from services.gateway import schemas
from services.gateway.http import call, endpoint, json_response, read_json, read_query


class ShipmentRoutes:
    """Mixed into the gateway, whose ``consolidation`` RPC proxy they call."""

    @http("POST", "/api/v1/shipments/plan")
    @endpoint("/api/v1/shipments/plan")
    def plan_shipments(self, request):
        return json_response({"items": call(self.consolidation, "plan_shipments")}, 201)

    @http("GET", "/api/v1/shipments")
    @endpoint("/api/v1/shipments")
    def list_shipments(self, request):
        query = read_query(request, schemas.ShipmentQuery())
        return json_response(call(self.consolidation, "list_shipments", query))

    @http("GET", "/api/v1/shipments/<string:shipment_id>")
    @endpoint("/api/v1/shipments/{id}")
    def get_shipment(self, request, shipment_id):
        return json_response(call(self.consolidation, "get_shipment", shipment_id))

    @http("POST", "/api/v1/shipments/<string:shipment_id>/status")
    @endpoint("/api/v1/shipments/{id}/status")
    def update_shipment_status(self, request, shipment_id):
        return json_response(call(self.consolidation, "update_status", shipment_id, read_json(request)))

"""Routes of consolidation: hubs, vehicles, planning, shipments with their freight and manifests, tracking."""
import base64

from marshmallow import Schema, fields, validate
from nameko.web.handlers import http
from werkzeug.wrappers import Response

from services.gateway import schemas
from services.gateway.http import call, endpoint, json_response, read_json, read_query


class VehicleQuery(schemas.PageQuery):
    role = fields.String(validate=validate.OneOf(("pickup", "line_haul")))


class ShipmentListQuery(schemas.ShipmentQuery):
    order_id = fields.String(validate=validate.Length(min=1, max=64))
    hub_id = fields.String(validate=validate.Length(min=1, max=64))


class ManifestQuery(Schema):
    format = fields.String(required=True, validate=validate.OneOf(("pdf", "csv")))
    order_id = fields.String(validate=validate.Length(min=1, max=64))


class ShipmentRoutes:
    """Mixed into the gateway, whose ``consolidation`` RPC proxy they call."""

    @http("POST", "/api/v1/hubs")
    @endpoint("/api/v1/hubs")
    def create_hub(self, request):
        return json_response(call(self.consolidation, "create_hub", read_json(request)), 201)

    @http("GET", "/api/v1/hubs")
    @endpoint("/api/v1/hubs")
    def list_hubs(self, request):
        return json_response(call(self.consolidation, "list_hubs", read_query(request, schemas.PageQuery())))

    @http("POST", "/api/v1/vehicles")
    @endpoint("/api/v1/vehicles")
    def create_vehicle(self, request):
        return json_response(call(self.consolidation, "create_vehicle", read_json(request)), 201)

    @http("GET", "/api/v1/vehicles")
    @endpoint("/api/v1/vehicles")
    def list_vehicles(self, request):
        return json_response(call(self.consolidation, "list_vehicles", read_query(request, VehicleQuery())))

    @http("POST", "/api/v1/shipments/plan")
    @endpoint("/api/v1/shipments/plan")
    def plan_shipments(self, request):
        """``{"dispatch": "auto"}`` (the default) ships the loads that are full enough or due; ``"now"`` ships every
        lot waiting. The answer lists the shipments planned and, for every lot that waits, why."""
        plan = call(self.consolidation, "plan_shipments", read_json(request))
        return json_response(plan, 201 if plan["items"] else 200)

    @http("GET", "/api/v1/shipments")
    @endpoint("/api/v1/shipments")
    def list_shipments(self, request):
        return json_response(call(self.consolidation, "list_shipments", read_query(request, ShipmentListQuery())))

    @http("GET", "/api/v1/shipments/<string:shipment_id>")
    @endpoint("/api/v1/shipments/{id}")
    def get_shipment(self, request, shipment_id):
        return json_response(call(self.consolidation, "get_shipment", shipment_id))

    @http("GET", "/api/v1/shipments/<string:shipment_id>/manifest")
    @endpoint("/api/v1/shipments/{id}/manifest")
    def shipment_manifest(self, request, shipment_id):
        document = call(self.consolidation, "manifest", shipment_id, read_query(request, ManifestQuery()))
        return Response(base64.b64decode(document["data"]), content_type=document["content_type"], headers={
            "Content-Disposition": f'inline; filename="{document["filename"]}"'})

    @http("POST", "/api/v1/shipments/<string:shipment_id>/events")
    @endpoint("/api/v1/shipments/{id}/events")
    def track_shipment(self, request, shipment_id):
        """``{"status", "reason"?, "at"?}``: a step of the journey, or an exception with its reason."""
        return json_response(call(self.consolidation, "track", shipment_id, read_json(request)))

    @http("POST", "/api/v1/shipments/<string:shipment_id>/status")
    @endpoint("/api/v1/shipments/{id}/status")
    def update_shipment_status(self, request, shipment_id):
        """The first tracking route, kept for the clients that use it: the same as posting an event."""
        return json_response(call(self.consolidation, "track", shipment_id, read_json(request)))

"""Routes of consolidation: hubs, vehicles, planning, shipments with their freight and manifests, tracking.

Hubs, vehicles and the dispatch of loads serve every organisation, so only admins change them; an aggregator follows
and tracks its organisation's shipments; a buyer sees its own part of the shipments carrying its orders."""

import base64

from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Response

from services.gateway import access, schemas
from services.gateway.auth import ADMIN, AGGREGATOR, BUYER, INSPECTOR
from services.gateway.http import api, call, json_response, read_json, read_query, require_owner

ADMINS = frozenset({ADMIN})
STAFF = frozenset({ADMIN, AGGREGATOR, INSPECTOR})
MANAGERS = frozenset({ADMIN, AGGREGATOR})
FOLLOWERS = frozenset({ADMIN, AGGREGATOR, BUYER})


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

    def _shipment(self, principal, shipment_id: str) -> dict:
        """A buyer is given its own part of the shipment by consolidation, which knows whose orders it carries."""
        if principal.role == BUYER:
            return call(self.consolidation, "get_shipment", shipment_id, principal.organisation_id)
        shipment = call(self.consolidation, "get_shipment", shipment_id)
        require_owner(principal, "shipment", shipment_id, organisation_id=shipment.get("organisation_id"))
        return shipment

    @api(
        "POST",
        "/api/v1/hubs",
        roles=ADMINS,
        body="consolidation.HubInput",
        status=201,
        answer="consolidation.answers.HubView",
        tag="shipments",
        summary="Add a collection hub",
    )
    def create_hub(self, request, principal):
        return json_response(call(self.consolidation, "create_hub", read_json(request)), 201)

    @api(
        "GET",
        "/api/v1/hubs",
        roles=STAFF,
        query=schemas.PageQuery,
        tag="shipments",
        answer="consolidation.answers.HubPage",
        summary="Collection hubs",
    )
    def list_hubs(self, request, principal):
        return json_response(call(self.consolidation, "list_hubs", read_query(request, schemas.PageQuery())))

    @api(
        "POST",
        "/api/v1/vehicles",
        roles=ADMINS,
        body="consolidation.VehicleInput",
        status=201,
        answer="consolidation.answers.VehicleView",
        tag="shipments",
        summary="Add a vehicle",
    )
    def create_vehicle(self, request, principal):
        return json_response(call(self.consolidation, "create_vehicle", read_json(request)), 201)

    @api(
        "GET",
        "/api/v1/vehicles",
        roles=STAFF,
        query=VehicleQuery,
        tag="shipments",
        answer="consolidation.answers.VehiclePage",
        summary="Vehicles",
    )
    def list_vehicles(self, request, principal):
        return json_response(call(self.consolidation, "list_vehicles", read_query(request, VehicleQuery())))

    @api(
        "POST",
        "/api/v1/shipments/plan",
        roles=ADMINS,
        body="consolidation.PlanInput",
        status=(200, 201),
        answer="consolidation.answers.PlanView",
        tag="shipments",
        summary="Plan pickups and combined shipments from the passed lots",
    )
    def plan_shipments(self, request, principal):
        """``{"dispatch": "auto"}`` (the default) ships the loads that are full enough or due; ``"now"`` ships every
        lot waiting. The answer lists the shipments planned and, for every lot that waits, why."""
        plan = call(self.consolidation, "plan_shipments", read_json(request))
        return json_response(plan, 201 if plan["items"] else 200)

    @api(
        "GET",
        "/api/v1/shipments",
        roles=FOLLOWERS,
        query=ShipmentListQuery,
        answer="consolidation.answers.ShipmentPage",
        tag="shipments",
        summary="Shipments the caller may see (a buyer: its own part of each)",
    )
    def list_shipments(self, request, principal):
        query = {**read_query(request, ShipmentListQuery()), **access.list_filters(principal)}
        return json_response(call(self.consolidation, "list_shipments", query))

    @api(
        "GET",
        "/api/v1/shipments/{shipment_id}",
        roles=FOLLOWERS,
        answer="consolidation.answers.ShipmentView",
        tag="shipments",
        summary="A shipment with its pickups, lots and freight shares (a buyer: its own orders' part)",
    )
    def get_shipment(self, request, principal, shipment_id):
        return json_response(self._shipment(principal, shipment_id))

    @api(
        "GET",
        "/api/v1/shipments/{shipment_id}/manifest",
        roles=MANAGERS,
        query=ManifestQuery,
        answer_type=("application/pdf", "text/csv"),
        tag="shipments",
        summary="A shipment's manifest as PDF or CSV",
    )
    def shipment_manifest(self, request, principal, shipment_id):
        query = read_query(request, ManifestQuery())
        self._shipment(principal, shipment_id)
        document = call(self.consolidation, "manifest", shipment_id, query)
        return Response(
            base64.b64decode(document["data"]),
            content_type=document["content_type"],
            headers={"Content-Disposition": f'inline; filename="{document["filename"]}"'},
        )

    @api(
        "POST",
        "/api/v1/shipments/{shipment_id}/events",
        roles=MANAGERS,
        body="consolidation.TrackingInput",
        answer="consolidation.answers.ShipmentView",
        tag="shipments",
        summary="A step of a shipment's journey, or an exception with its reason",
    )
    def track_shipment(self, request, principal, shipment_id):
        self._shipment(principal, shipment_id)
        return json_response(call(self.consolidation, "track", shipment_id, read_json(request)))

    @api(
        "POST",
        "/api/v1/shipments/{shipment_id}/status",
        roles=MANAGERS,
        body="consolidation.TrackingInput",
        answer="consolidation.answers.ShipmentView",
        tag="shipments",
        summary="The first tracking route, kept for its clients: the same as posting an event",
    )
    def update_shipment_status(self, request, principal, shipment_id):
        self._shipment(principal, shipment_id)
        return json_response(call(self.consolidation, "track", shipment_id, read_json(request)))

"""Routes of the catalogue: producers, offerings, capacity calendars, themed catalogues.

Aggregators manage their own organisation's producers and offerings; published offerings and themed catalogues are
what buyers browse, so anyone signed in may read them."""

import base64

from werkzeug.wrappers import Response

from services.gateway import access, schemas
from services.gateway.auth import ADMIN, AGGREGATOR, ANYONE, INSPECTOR, PRODUCER
from services.gateway.http import api, call, json_response, read_csv, read_json, read_query, require_owner

MANAGERS = frozenset({ADMIN, AGGREGATOR})
STAFF = frozenset({ADMIN, AGGREGATOR, INSPECTOR})


class CatalogueRoutes:
    """Mixed into the gateway, whose ``catalogue`` and ``aggregation`` RPC proxies they call."""

    def _producer(self, principal, producer_id: str) -> dict:
        producer = call(self.catalogue, "get_producer", producer_id)
        require_owner(
            principal, "producer", producer_id, organisation_id=producer["organisation_id"], producer_id=producer["id"]
        )
        return producer

    def _offering(self, principal, offering_id: str) -> dict:
        offering = call(self.catalogue, "get_offering", offering_id)
        require_owner(principal, "offering", offering_id, organisation_id=offering["organisation_id"])
        return offering

    @api(
        "POST",
        "/api/v1/producers",
        roles=MANAGERS,
        body="catalogue.ProducerInput",
        status=201,
        answer="catalogue.answers.ProducerView",
        tag="catalogue",
        summary="Register a producer in the caller's organisation",
    )
    def register_producer(self, request, principal):
        body = access.owner_fields(principal, read_json(request))
        return json_response(call(self.catalogue, "register_producer", body), 201)

    @api(
        "GET",
        "/api/v1/producers",
        roles=STAFF,
        query="catalogue.ProducerSearch",
        answer="catalogue.answers.ProducerPage",
        tag="catalogue",
        summary="Search the caller's organisation's producers",
    )
    def search_producers(self, request, principal):
        query = {**request.args.to_dict(), **access.list_filters(principal)}
        return json_response(call(self.catalogue, "search_producers", query))

    @api(
        "GET",
        "/api/v1/producers/{producer_id}",
        roles=STAFF | {PRODUCER},
        answer="catalogue.answers.ProducerView",
        tag="catalogue",
        summary="A producer's profile",
    )
    def get_producer(self, request, principal, producer_id):
        return json_response(self._producer(principal, producer_id))

    @api(
        "PATCH",
        "/api/v1/producers/{producer_id}",
        roles=MANAGERS,
        body="catalogue.ProducerUpdate",
        answer="catalogue.answers.ProducerView",
        tag="catalogue",
        summary="Change a producer's profile",
    )
    def update_producer(self, request, principal, producer_id):
        self._producer(principal, producer_id)
        body = read_json(request)
        if "organisation_id" in body:
            body = access.owner_fields(principal, body)
        return json_response(call(self.catalogue, "update_producer", producer_id, body))

    @api(
        "PUT",
        "/api/v1/producers/{producer_id}/readiness",
        roles=MANAGERS,
        body="catalogue.readiness.ReadinessAnswers",
        answer="catalogue.answers.ReadinessView",
        tag="catalogue",
        summary="Answer the readiness questionnaire for a producer",
    )
    def submit_readiness(self, request, principal, producer_id):
        self._producer(principal, producer_id)
        return json_response(call(self.catalogue, "submit_readiness", producer_id, read_json(request)))

    @api(
        "GET",
        "/api/v1/producers/{producer_id}/readiness",
        roles=STAFF | {PRODUCER},
        answer="catalogue.answers.ReadinessView",
        tag="catalogue",
        summary="A producer's readiness scores",
    )
    def get_readiness(self, request, principal, producer_id):
        self._producer(principal, producer_id)
        return json_response(call(self.catalogue, "get_readiness", producer_id))

    @api(
        "POST",
        "/api/v1/producers/{producer_id}/capacity",
        roles=MANAGERS | {PRODUCER},
        body="catalogue.CapacityInput",
        answer="catalogue.answers.CapacityCalendar",
        tag="catalogue",
        summary="Declare a producer's weekly capacity",
    )
    def declare_capacity(self, request, principal, producer_id):
        self._producer(principal, producer_id)
        return json_response(call(self.catalogue, "declare_capacity", producer_id, read_json(request)))

    @api(
        "GET",
        "/api/v1/producers/{producer_id}/capacity",
        roles=STAFF | {PRODUCER},
        query=schemas.CalendarQuery,
        answer="catalogue.answers.CapacityCalendar",
        tag="catalogue",
        summary="A producer's capacity calendar",
    )
    def capacity_calendar(self, request, principal, producer_id):
        query = read_query(request, schemas.CalendarQuery())
        self._producer(principal, producer_id)
        return json_response(call(self.catalogue, "capacity_calendar", producer_id, query.get("offering_id")))

    @api(
        "POST",
        "/api/v1/capacity/imports",
        roles=MANAGERS,
        body_type="text/csv",
        status=201,
        answer="catalogue.answers.CapacityImport",
        tag="catalogue",
        summary="Import capacity calendars from a CSV file (all rows or none)",
    )
    def import_capacity(self, request, principal):
        organisation_id = None if principal.role == ADMIN else principal.organisation_id
        return json_response(call(self.catalogue, "import_capacity", read_csv(request), organisation_id), 201)

    @api(
        "POST",
        "/api/v1/offerings",
        roles=MANAGERS,
        body="catalogue.OfferingInput",
        status=201,
        answer="catalogue.answers.OfferingView",
        tag="catalogue",
        summary="Publish a pooled offering of the caller's organisation",
    )
    def publish_offering(self, request, principal):
        body = access.owner_fields(principal, read_json(request))
        return json_response(call(self.catalogue, "publish_offering", body), 201)

    @api(
        "GET",
        "/api/v1/offerings",
        roles=ANYONE,
        query="catalogue.OfferingSearch",
        answer="catalogue.answers.OfferingList",
        tag="catalogue",
        summary="Search published offerings",
    )
    def search_offerings(self, request, principal):
        return json_response(
            call(self.catalogue, "search_offerings", request.args.to_dict(), access.staff_of(principal))
        )

    @api(
        "GET",
        "/api/v1/offerings/{offering_id}",
        roles=ANYONE,
        tag="catalogue",
        answer="catalogue.answers.OfferingView",
        summary="One offering",
    )
    def get_offering(self, request, principal, offering_id):
        return json_response(call(self.catalogue, "get_offering", offering_id, access.staff_of(principal)))

    @api(
        "POST",
        "/api/v1/offerings/{offering_id}/withdraw",
        roles=MANAGERS,
        body="catalogue.WithdrawInput",
        answer="catalogue.answers.OfferingView",
        tag="catalogue",
        summary="Withdraw an offering",
    )
    def withdraw_offering(self, request, principal, offering_id):
        self._offering(principal, offering_id)
        return json_response(call(self.catalogue, "withdraw_offering", offering_id, read_json(request)))

    @api(
        "GET",
        "/api/v1/offerings/{offering_id}/images/{position:int}",
        roles=ANYONE,
        query="catalogue.group_schemas.PictureQuery",
        answer_type=("image/png", "image/jpeg"),
        tag="catalogue",
        summary="An offering's image (position 0 to 3), print, web (the default) or small (for a phone)",
    )
    def offering_image(self, request, principal, offering_id, position):
        image = call(self.catalogue, "get_offering_image", offering_id, position, request.args.get("size", "web"))
        return Response(
            base64.b64decode(image["data"]),
            mimetype=image["content_type"],
            headers={"Cache-Control": "private, max-age=3600"},
        )

    @api(
        "POST",
        "/api/v1/offerings/{offering_id}/approvals",
        roles=MANAGERS,
        body="catalogue.ApprovalInput",
        answer="catalogue.answers.ProducerView",
        tag="catalogue",
        summary="Approve (or not) a producer to make an offering",
    )
    def set_approval(self, request, principal, offering_id):
        self._offering(principal, offering_id)
        body = read_json(request)
        if isinstance(body.get("producer_id"), str):
            self._producer(principal, body["producer_id"])
        return json_response(call(self.catalogue, "set_approval", offering_id, body))

    @api(
        "GET",
        "/api/v1/offerings/{offering_id}/availability",
        roles=MANAGERS,
        query="catalogue.AvailabilityQuery",
        answer="catalogue.answers.Availability",
        tag="catalogue",
        summary="Who can make a quantity of an offering by a date",
    )
    def availability(self, request, principal, offering_id):
        self._offering(principal, offering_id)
        return json_response(call(self.catalogue, "availability", offering_id, request.args.to_dict()))

    @api(
        "POST",
        "/api/v1/catalogues",
        roles=MANAGERS,
        body="catalogue.ThemeInput",
        status=201,
        answer="catalogue.theme_answers.ThemeView",
        tag="catalogue",
        summary="Save a themed catalogue of the caller's organisation",
    )
    def save_theme(self, request, principal):
        body = access.owner_fields(principal, read_json(request))
        return json_response(call(self.catalogue, "save_theme", body), 201)

    @api(
        "GET",
        "/api/v1/catalogues",
        roles=ANYONE,
        tag="catalogue",
        answer="catalogue.theme_answers.ThemeList",
        summary="Themed catalogues",
    )
    def list_themes(self, request, principal):
        return json_response(call(self.catalogue, "list_themes"))

    @api(
        "GET",
        "/api/v1/catalogues/{name}",
        roles=ANYONE,
        tag="catalogue",
        answer="catalogue.theme_answers.ThemeView",
        summary="One themed catalogue",
    )
    def get_theme(self, request, principal, name):
        return json_response(call(self.catalogue, "get_theme", name))

    @api(
        "GET",
        "/api/v1/catalogues/{name}/export",
        roles=ANYONE,
        query=schemas.ExportQuery,
        answer_type=("text/html", "application/pdf", "text/csv"),
        tag="catalogue",
        summary="A themed catalogue as a web page, a CSV file or a PDF (flyer, leaflet or booklet), in en, fr or ja",
    )
    def export_theme(self, request, principal, name):
        document = call(self.catalogue, "export_theme", name, read_query(request, schemas.ExportQuery()))
        return Response(
            base64.b64decode(document["data"]),
            content_type=document["content_type"],
            headers={"Content-Disposition": f'inline; filename="{document["filename"]}"'},
        )

    @api(
        "GET",
        "/api/v1/offerings/{offering_id}/capacity",
        roles=MANAGERS,
        answer="aggregation.answers.OfferingCapacity",
        tag="catalogue",
        summary="Declared, committed and held capacity of an offering, as allocation sees it",
    )
    def offering_capacity(self, request, principal, offering_id):
        self._offering(principal, offering_id)
        return json_response(call(self.aggregation, "capacity", offering_id))

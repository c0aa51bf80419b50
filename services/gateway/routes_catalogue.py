"""Routes of the catalogue: producers, offerings, capacity calendars, themed catalogues."""
import base64

from nameko.web.handlers import http
from werkzeug.wrappers import Response

from services.gateway import schemas
from services.gateway.http import call, endpoint, json_response, read_csv, read_json, read_query


class CatalogueRoutes:
    """Mixed into the gateway, whose ``catalogue`` RPC proxy they call."""

    @http("POST", "/api/v1/producers")
    @endpoint("/api/v1/producers")
    def register_producer(self, request):
        return json_response(call(self.catalogue, "register_producer", read_json(request)), 201)

    @http("GET", "/api/v1/producers")
    @endpoint("/api/v1/producers")
    def search_producers(self, request):
        return json_response(call(self.catalogue, "search_producers", request.args.to_dict()))

    @http("GET", "/api/v1/producers/<string:producer_id>")
    @endpoint("/api/v1/producers/{id}")
    def get_producer(self, request, producer_id):
        return json_response(call(self.catalogue, "get_producer", producer_id))

    @http("PATCH", "/api/v1/producers/<string:producer_id>")
    @endpoint("/api/v1/producers/{id}")
    def update_producer(self, request, producer_id):
        return json_response(call(self.catalogue, "update_producer", producer_id, read_json(request)))

    @http("PUT", "/api/v1/producers/<string:producer_id>/readiness")
    @endpoint("/api/v1/producers/{id}/readiness")
    def submit_readiness(self, request, producer_id):
        return json_response(call(self.catalogue, "submit_readiness", producer_id, read_json(request)))

    @http("GET", "/api/v1/producers/<string:producer_id>/readiness")
    @endpoint("/api/v1/producers/{id}/readiness")
    def get_readiness(self, request, producer_id):
        return json_response(call(self.catalogue, "get_readiness", producer_id))

    @http("POST", "/api/v1/producers/<string:producer_id>/capacity")
    @endpoint("/api/v1/producers/{id}/capacity")
    def declare_capacity(self, request, producer_id):
        return json_response(call(self.catalogue, "declare_capacity", producer_id, read_json(request)))

    @http("GET", "/api/v1/producers/<string:producer_id>/capacity")
    @endpoint("/api/v1/producers/{id}/capacity")
    def capacity_calendar(self, request, producer_id):
        query = read_query(request, schemas.CalendarQuery())
        return json_response(call(self.catalogue, "capacity_calendar", producer_id, query.get("offering_id")))

    @http("POST", "/api/v1/capacity/imports")
    @endpoint("/api/v1/capacity/imports")
    def import_capacity(self, request):
        return json_response(call(self.catalogue, "import_capacity", read_csv(request)), 201)

    @http("POST", "/api/v1/offerings")
    @endpoint("/api/v1/offerings")
    def publish_offering(self, request):
        return json_response(call(self.catalogue, "publish_offering", read_json(request)), 201)

    @http("GET", "/api/v1/offerings")
    @endpoint("/api/v1/offerings")
    def search_offerings(self, request):
        return json_response(call(self.catalogue, "search_offerings", request.args.to_dict()))

    @http("GET", "/api/v1/offerings/<string:offering_id>")
    @endpoint("/api/v1/offerings/{id}")
    def get_offering(self, request, offering_id):
        return json_response(call(self.catalogue, "get_offering", offering_id))

    @http("POST", "/api/v1/offerings/<string:offering_id>/withdraw")
    @endpoint("/api/v1/offerings/{id}/withdraw")
    def withdraw_offering(self, request, offering_id):
        return json_response(call(self.catalogue, "withdraw_offering", offering_id, read_json(request)))

    @http("GET", "/api/v1/offerings/<string:offering_id>/images/<int:position>")
    @endpoint("/api/v1/offerings/{id}/images/{position}")
    def offering_image(self, request, offering_id, position):
        image = call(self.catalogue, "get_offering_image", offering_id, position)
        return Response(base64.b64decode(image["data"]), mimetype=image["content_type"],
                        headers={"Cache-Control": "public, max-age=3600"})

    @http("POST", "/api/v1/offerings/<string:offering_id>/approvals")
    @endpoint("/api/v1/offerings/{id}/approvals")
    def set_approval(self, request, offering_id):
        return json_response(call(self.catalogue, "set_approval", offering_id, read_json(request)))

    @http("GET", "/api/v1/offerings/<string:offering_id>/availability")
    @endpoint("/api/v1/offerings/{id}/availability")
    def availability(self, request, offering_id):
        return json_response(call(self.catalogue, "availability", offering_id, request.args.to_dict()))

    @http("POST", "/api/v1/catalogues")
    @endpoint("/api/v1/catalogues")
    def save_theme(self, request):
        return json_response(call(self.catalogue, "save_theme", read_json(request)), 201)

    @http("GET", "/api/v1/catalogues")
    @endpoint("/api/v1/catalogues")
    def list_themes(self, request):
        return json_response(call(self.catalogue, "list_themes"))

    @http("GET", "/api/v1/catalogues/<string:name>")
    @endpoint("/api/v1/catalogues/{name}")
    def get_theme(self, request, name):
        return json_response(call(self.catalogue, "get_theme", name))

    @http("GET", "/api/v1/catalogues/<string:name>/export")
    @endpoint("/api/v1/catalogues/{name}/export")
    def export_theme(self, request, name):
        export_format = read_query(request, schemas.ExportQuery())["format"]
        document = call(self.catalogue, "export_theme", name, export_format)
        return Response(base64.b64decode(document["data"]), content_type=document["content_type"], headers={
            "Content-Disposition": f'inline; filename="{name}.{export_format}"'})

    @http("GET", "/api/v1/offerings/<string:offering_id>/capacity")
    @endpoint("/api/v1/offerings/{id}/capacity")
    def offering_capacity(self, request, offering_id):
        return json_response(call(self.aggregation, "capacity", offering_id))

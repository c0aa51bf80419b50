"""The gateway: the HTTP API under /api/v1 and the web pages. It owns no data; it calls the services."""
import base64
from pathlib import Path

from nameko.rpc import RpcProxy
from nameko.web.handlers import http
from werkzeug.wrappers import Response

from services.gateway import schemas
from services.gateway.http import (
    call, endpoint, json_response, now_iso, read_csv, read_headers, read_json, read_query, start, wait,
)

PAGES = Path(__file__).resolve().parent / "pages"


class GatewayService:
    name = "gateway"

    catalogue = RpcProxy("catalogue")
    orders = RpcProxy("orders")
    aggregation = RpcProxy("aggregation")
    consolidation = RpcProxy("consolidation")
    notification = RpcProxy("notification")

    @http("GET", "/")
    def index(self, request):
        return Response(status=302, headers={"Location": "/dashboard"})

    @http("GET", "/dashboard")
    def dashboard_page(self, request):
        return Response((PAGES / "dashboard.html").read_bytes(), mimetype="text/html")

    @http("GET", "/api/v1/dashboard")
    @endpoint("/api/v1/dashboard")
    def dashboard(self, request):
        replies = {
            "orders": start(self.orders, "summary"),
            "quotas": start(self.aggregation, "quota_counts"),
            "shipments": start(self.consolidation, "shipment_counts"),
            "producers": start(self.catalogue, "producer_count"),
        }
        figures = {name: wait(reply) for name, reply in replies.items()}
        summary = figures["orders"]
        return json_response({
            "generated_at": now_iso(),
            "orders": summary["orders"],
            "units": summary["units"],
            "fill_rate": summary["fill_rate"],
            "quotas": figures["quotas"],
            "shipments": figures["shipments"],
            "producers": figures["producers"],
            "recent_orders": summary["recent_orders"],
        })

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

    @http("POST", "/api/v1/orders")
    @endpoint("/api/v1/orders")
    def place_order(self, request):
        key = read_headers(request, schemas.CommandHeaders())["idempotency_key"]
        return json_response(call(self.orders, "place_order", read_json(request), key), 201)

    @http("GET", "/api/v1/orders")
    @endpoint("/api/v1/orders")
    def list_orders(self, request):
        query = read_query(request, schemas.OrderQuery())
        return json_response(call(self.orders, "list_orders", query["page"], query["page_size"],
                                  query.get("status")))

    @http("GET", "/api/v1/orders/<string:order_id>")
    @endpoint("/api/v1/orders/{id}")
    def get_order(self, request, order_id):
        return json_response(call(self.orders, "get_order", order_id))

    @http("GET", "/api/v1/quotas")
    @endpoint("/api/v1/quotas")
    def list_quotas(self, request):
        return json_response(call(self.aggregation, "list_quotas", read_query(request, schemas.QuotaQuery())))

    @http("GET", "/api/v1/quotas/<string:quota_id>")
    @endpoint("/api/v1/quotas/{id}")
    def get_quota(self, request, quota_id):
        return json_response(call(self.aggregation, "get_quota", quota_id))

    @http("POST", "/api/v1/quotas/<string:quota_id>/accept")
    @endpoint("/api/v1/quotas/{id}/accept")
    def accept_quota(self, request, quota_id):
        return json_response(call(self.aggregation, "accept_quota", quota_id))

    @http("POST", "/api/v1/quotas/<string:quota_id>/decline")
    @endpoint("/api/v1/quotas/{id}/decline")
    def decline_quota(self, request, quota_id):
        return json_response(call(self.aggregation, "decline_quota", quota_id))

    @http("POST", "/api/v1/lots")
    @endpoint("/api/v1/lots")
    def report_lot(self, request):
        return json_response(call(self.aggregation, "report_lot", read_json(request)), 201)

    @http("GET", "/api/v1/lots")
    @endpoint("/api/v1/lots")
    def list_lots(self, request):
        return json_response(call(self.aggregation, "list_lots", read_query(request, schemas.LotQuery())))

    @http("GET", "/api/v1/lots/<string:lot_id>")
    @endpoint("/api/v1/lots/{id}")
    def get_lot(self, request, lot_id):
        return json_response(call(self.aggregation, "get_lot", lot_id))

    @http("POST", "/api/v1/lots/<string:lot_id>/inspections")
    @endpoint("/api/v1/lots/{id}/inspections")
    def record_inspection(self, request, lot_id):
        return json_response(call(self.aggregation, "record_inspection", lot_id, read_json(request)), 201)

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

    @http("GET", "/api/v1/notifications")
    @endpoint("/api/v1/notifications")
    def delivery_log(self, request):
        query = read_query(request, schemas.NotificationQuery())
        return json_response({"items": call(self.notification, "delivery_log", query.get("correlation_id"),
                                             query["limit"])})

"""The gateway: the HTTP API under /api/v1 and the web pages. It owns no business data, only who may call; it calls
the services.

Each service's routes live in a mixin of their own (``routes_*.py``); this class adds the RPC proxies they call, the
pages and the dashboard that draws on every service."""
from pathlib import Path

from nameko.rpc import RpcProxy
from nameko.web.handlers import http
from werkzeug.wrappers import Response

from services.gateway.auth import ADMIN, AGGREGATOR
from services.gateway.http import api, json_response, now_iso, start, wait
from services.gateway.identity import Identity
from services.gateway.routes_accounts import AccountRoutes
from services.gateway.routes_catalogue import CatalogueRoutes
from services.gateway.routes_fulfilment import FulfilmentRoutes
from services.gateway.routes_notifications import NotificationRoutes
from services.gateway.routes_shipments import ShipmentRoutes

PAGES = Path(__file__).resolve().parent / "pages"
# Made from the declared operations and the services' schemas by `bilum openapi --write`; a test keeps it fresh.
OPENAPI_DOCUMENT = Path(__file__).resolve().parent / "openapi.json"


class GatewayService(AccountRoutes, CatalogueRoutes, FulfilmentRoutes, ShipmentRoutes, NotificationRoutes):
    name = "gateway"

    identity = Identity()

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

    @http("GET", "/api/openapi.json")
    def openapi(self, request):
        return Response(OPENAPI_DOCUMENT.read_bytes(), mimetype="application/json")

    @api("GET", "/api/v1/dashboard", roles=frozenset({ADMIN, AGGREGATOR}), tag="dashboard",
         summary="Fulfilment figures of the caller's organisation")
    def dashboard(self, request, principal):
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

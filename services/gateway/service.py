"""The gateway: the HTTP API under /api/v1 and the web pages. It owns no business data, only who may call; it calls
the services.

Each service's routes live in a mixin of their own (``routes_*.py``); this class adds the RPC proxies they call and
the dashboard that draws on every service; the pages are served by ``routes_pages``."""
from pathlib import Path

from nameko.rpc import RpcProxy
from werkzeug.wrappers import Response

from services.gateway.auth import ADMIN, AGGREGATOR
from services.gateway.http import api, http, json_response, now_iso, start, wait
from services.gateway.identity import Identity
from services.gateway.routes_accounts import AccountRoutes
from services.gateway.routes_catalogue import CatalogueRoutes
from services.gateway.routes_fulfilment import FulfilmentRoutes
from services.gateway.routes_notifications import NotificationRoutes
from services.gateway.routes_pages import DashboardQuery, PageRoutes
from services.gateway.routes_shipments import ShipmentRoutes

# Made from the declared operations and the services' schemas by `bilum openapi --write`; a test keeps it fresh.
OPENAPI_DOCUMENT = Path(__file__).resolve().parent / "openapi.json"


class GatewayService(AccountRoutes, CatalogueRoutes, FulfilmentRoutes, ShipmentRoutes, NotificationRoutes,
                     PageRoutes):
    name = "gateway"

    identity = Identity()

    catalogue = RpcProxy("catalogue")
    orders = RpcProxy("orders")
    aggregation = RpcProxy("aggregation")
    consolidation = RpcProxy("consolidation")
    notification = RpcProxy("notification")

    @http("GET", "/api/openapi.json")
    def openapi(self, request):
        return Response(OPENAPI_DOCUMENT.read_bytes(), mimetype="application/json")

    @api("GET", "/api/v1/dashboard", roles=frozenset({ADMIN, AGGREGATOR}), query=DashboardQuery, tag="dashboard",
         summary="Fulfilment figures of the caller's organisation (an admin: everyone's, or one organisation's)")
    def dashboard(self, request, principal):
        """Every figure of the fulfilment dashboard, each computed by the service that owns it, in parallel."""
        organisation_id = self.dashboard_scope(request, principal)
        replies = {
            "orders": start(self.orders, "summary", organisation_id),
            "quotas": start(self.aggregation, "quota_counts", organisation_id),
            "allocation": start(self.aggregation, "fulfilment_figures", organisation_id),
            "shipments": start(self.consolidation, "shipment_counts", organisation_id),
            "producers": start(self.catalogue, "producer_count", organisation_id),
            "regions": start(self.catalogue, "producer_regions", organisation_id),
        }
        figures = {name: wait(reply) for name, reply in replies.items()}
        summary, allocation = figures["orders"], figures["allocation"]
        shares = allocation["work_shares"]
        rated = sorted({rate["producer_id"] for rate in allocation["pass_rates"]}
                       | {share["producer_id"] for share in shares["producers"]})
        names = wait(start(self.catalogue, "producer_names", rated)) if rated else {}
        return json_response({
            "generated_at": now_iso(),
            "organisation_id": organisation_id,
            "orders": summary["orders"],
            "units": summary["units"],
            "fill_rate": summary["fill_rate"],
            "otif": summary["otif"],
            "shortfalls": summary["shortfalls"],
            "quotas": figures["quotas"],
            "open_quota_ages": allocation["open_quota_ages"],
            "qc_pass_rates": [{**rate, "name": names.get(rate["producer_id"])} for rate in allocation["pass_rates"]],
            "capacity": allocation["capacity"],
            "work_shares": {**shares, "producers": [{**share, "name": names.get(share["producer_id"])}
                                                    for share in shares["producers"]]},
            "shipments": figures["shipments"],
            "producers": figures["producers"],
            "regions": figures["regions"],
            "recent_orders": summary["recent_orders"],
        })

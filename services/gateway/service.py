"""The gateway: the HTTP API under /api/v1 and the web pages. It owns no business data, only who may call; it calls
the services.

Each group of routes lives in a mixin of its own (``routes_*.py``); this class adds the dependencies they use: the
gateway's own accounts (``identity``) and an RPC proxy of every service."""

from pathlib import Path

from nameko.rpc import RpcProxy
from werkzeug.wrappers import Response

from services.gateway.http import http
from services.gateway.identity import Identity
from services.gateway.routes_accounts import AccountRoutes
from services.gateway.routes_catalogue import CatalogueRoutes
from services.gateway.routes_catalogue_media import CatalogueMediaRoutes
from services.gateway.routes_dashboard import DashboardRoutes
from services.gateway.routes_exchange_rates import ExchangeRateRoutes
from services.gateway.routes_fulfilment import FulfilmentRoutes
from services.gateway.routes_notifications import NotificationRoutes
from services.gateway.routes_pages import PageRoutes
from services.gateway.routes_payouts import PayoutRoutes
from services.gateway.routes_settlement import SettlementRoutes
from services.gateway.routes_shared_catalogue import SharedCatalogueRoutes
from services.gateway.routes_shipments import ShipmentRoutes
from services.gateway.routes_sms import SmsProviderRoutes
from services.gateway.routes_trade import TradeRoutes

# Made from the declared operations and the services' schemas by `bilum openapi --write`; a test keeps it fresh.
OPENAPI_DOCUMENT = Path(__file__).resolve().parent / "openapi.json"


class GatewayService(
    AccountRoutes,
    CatalogueRoutes,
    CatalogueMediaRoutes,
    SharedCatalogueRoutes,
    FulfilmentRoutes,
    ExchangeRateRoutes,
    ShipmentRoutes,
    NotificationRoutes,
    SmsProviderRoutes,
    SettlementRoutes,
    PayoutRoutes,
    TradeRoutes,
    DashboardRoutes,
    PageRoutes,
):
    name = "gateway"

    identity = Identity()

    catalogue = RpcProxy("catalogue")
    orders = RpcProxy("orders")
    aggregation = RpcProxy("aggregation")
    consolidation = RpcProxy("consolidation")
    notification = RpcProxy("notification")
    settlement = RpcProxy("settlement")

    @http("GET", "/api/openapi.json")
    def openapi(self, request):
        return Response(OPENAPI_DOCUMENT.read_bytes(), mimetype="application/json")

"""The gateway: the HTTP API under /api/v1 and the web pages. It owns no business data, only who may call; it calls
the services.

Each group of routes lives in a mixin of its own (``routes_*.py``); this class adds the dependencies they use: the
gateway's own accounts (``identity``) and an RPC proxy of every service."""

import gzip
from functools import lru_cache
from pathlib import Path

from nameko.rpc import RpcProxy
from werkzeug.wrappers import Response

from services.gateway.http import http
from services.gateway.identity import Identity
from services.gateway.routes_accounts import AccountRoutes
from services.gateway.routes_catalogue import CatalogueRoutes
from services.gateway.routes_catalogue_media import CatalogueMediaRoutes
from services.gateway.routes_dashboard import DashboardRoutes
from services.gateway.routes_docs import DocsRoutes
from services.gateway.routes_exchange_rates import ExchangeRateRoutes
from services.gateway.routes_fulfilment import FulfilmentRoutes
from services.gateway.routes_lots import LotRoutes
from services.gateway.routes_notifications import NotificationRoutes
from services.gateway.routes_pages import PageRoutes
from services.gateway.routes_payouts import PayoutRoutes
from services.gateway.routes_profile import ProfileRoutes
from services.gateway.routes_settlement import SettlementRoutes
from services.gateway.routes_shared_catalogue import SharedCatalogueRoutes
from services.gateway.routes_shipments import ShipmentRoutes
from services.gateway.routes_sms import SmsProviderRoutes
from services.gateway.routes_trade import TradeRoutes

# Made from the declared operations and the services' schemas by `bilum openapi --write`; a test keeps it fresh.
OPENAPI_DOCUMENT = Path(__file__).resolve().parent / "openapi.json"


@lru_cache(maxsize=None)
def openapi_document(zipped: bool) -> bytes:
    raw = OPENAPI_DOCUMENT.read_bytes()
    return gzip.compress(raw, mtime=0) if zipped else raw


class GatewayService(
    AccountRoutes,
    CatalogueRoutes,
    CatalogueMediaRoutes,
    SharedCatalogueRoutes,
    FulfilmentRoutes,
    LotRoutes,
    ExchangeRateRoutes,
    ShipmentRoutes,
    NotificationRoutes,
    SmsProviderRoutes,
    SettlementRoutes,
    PayoutRoutes,
    TradeRoutes,
    DashboardRoutes,
    PageRoutes,
    DocsRoutes,
    ProfileRoutes,
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
        """Public, as the API's reference (/api/docs) that reads it. Gzipped for a client that takes it: the examples
        make it a megabyte, a tenth of that so."""
        zipped = "gzip" in request.headers.get("Accept-Encoding", "")
        return Response(
            openapi_document(zipped),
            mimetype="application/json",
            headers={"Vary": "Accept-Encoding", **({"Content-Encoding": "gzip"} if zipped else {})},
        )

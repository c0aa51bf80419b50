"""Routes of notification: the delivery log."""

from nameko.web.handlers import http

from services.gateway import schemas
from services.gateway.http import call, endpoint, json_response, read_query


class NotificationRoutes:
    """Mixed into the gateway, whose ``notification`` RPC proxy they call."""

    @http("GET", "/api/v1/notifications")
    @endpoint("/api/v1/notifications")
    def delivery_log(self, request):
        query = read_query(request, schemas.NotificationQuery())
        return json_response({"items": call(self.notification, "delivery_log", query.get("correlation_id"),
                                             query["limit"])})

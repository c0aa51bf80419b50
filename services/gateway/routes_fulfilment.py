"""Routes of fulfilment: orders, quotas, lots and inspections."""

from nameko.web.handlers import http

from services.gateway import schemas
from services.gateway.http import call, endpoint, json_response, read_headers, read_json, read_query


class FulfilmentRoutes:
    """Mixed into the gateway, whose ``orders`` and ``aggregation`` RPC proxies they call."""

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
        return json_response(call(self.aggregation, "accept_quota", quota_id, read_json(request)))

    @http("POST", "/api/v1/quotas/<string:quota_id>/decline")
    @endpoint("/api/v1/quotas/{id}/decline")
    def decline_quota(self, request, quota_id):
        return json_response(call(self.aggregation, "decline_quota", quota_id, read_json(request)))

    @http("POST", "/api/v1/quotas/<string:quota_id>/lots")
    @endpoint("/api/v1/quotas/{id}/lots")
    def report_lot(self, request, quota_id):
        return json_response(call(self.aggregation, "report_lot", quota_id, read_json(request)), 201)

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

    @http("POST", "/api/v1/lots/<string:lot_id>/decision")
    @endpoint("/api/v1/lots/{id}/decision")
    def decide_rejected_lot(self, request, lot_id):
        return json_response(call(self.aggregation, "decide_rejected_lot", lot_id, read_json(request)))

    @http("POST", "/api/v1/lots/<string:lot_id>/resubmit")
    @endpoint("/api/v1/lots/{id}/resubmit")
    def resubmit_lot(self, request, lot_id):
        return json_response(call(self.aggregation, "resubmit_lot", lot_id))

    @http("GET", "/api/v1/producers/<string:producer_id>/inspections")
    @endpoint("/api/v1/producers/{id}/inspections")
    def inspection_history(self, request, producer_id):
        query = read_query(request, schemas.InspectionHistoryQuery())
        return json_response(call(self.aggregation, "inspection_history", producer_id, query["offering_id"]))

    @http("POST", "/api/v1/orders/<string:order_id>/cancel")
    @endpoint("/api/v1/orders/{id}/cancel")
    def cancel_order(self, request, order_id):
        return json_response(call(self.orders, "cancel_order", order_id, read_json(request)))

    @http("POST", "/api/v1/order-lines/<string:line_id>/widen")
    @endpoint("/api/v1/order-lines/{id}/widen")
    def widen_search(self, request, line_id):
        return json_response(call(self.aggregation, "widen_search", line_id, read_json(request)))

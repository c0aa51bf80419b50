"""What the gateway itself validates: the HTTP layer's query strings. Bodies are validated by the service that owns
them, whose refusal comes back as a 422 with the fields at fault."""
from marshmallow import Schema, fields, validate

MAX_PAGE_SIZE = 100


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class OrderQuery(PageQuery):
    status = fields.String()


class QuotaQuery(PageQuery):
    order_id = fields.String()
    producer_id = fields.String()
    status = fields.String()


class LotQuery(QuotaQuery):
    pass


class ShipmentQuery(PageQuery):
    status = fields.String()


class NotificationQuery(Schema):
    correlation_id = fields.String()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))

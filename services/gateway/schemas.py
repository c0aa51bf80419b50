"""What the gateway itself validates: the HTTP layer's query strings. Bodies are validated by the service that owns
them, whose refusal comes back as a 422 with the fields at fault."""
from marshmallow import EXCLUDE, Schema, fields, validate

MAX_PAGE_SIZE = 100


class CommandHeaders(Schema):
    """Headers of a creating request; a retry with the same key returns the first answer."""

    class Meta:
        unknown = EXCLUDE

    idempotency_key = fields.String(data_key="Idempotency-Key", load_default=None,
                                    validate=validate.Length(min=1, max=200))


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


class CalendarQuery(Schema):
    offering_id = fields.String(validate=validate.Length(min=1, max=64))


class ExportQuery(Schema):
    format = fields.String(required=True, validate=validate.OneOf(("html", "pdf", "csv")))


class InspectionHistoryQuery(Schema):
    offering_id = fields.String(required=True, validate=validate.Length(min=1, max=64))

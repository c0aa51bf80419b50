"""What the gateway itself validates: query strings, sign-in and its own users. Bodies of business requests are
validated by the service that owns them, whose refusal comes back as a 422 with the fields at fault."""

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from services.gateway import auth

MAX_PAGE_SIZE = 100


class CommandHeaders(Schema):
    """Headers of a creating request; a retry with the same key returns the first answer."""

    class Meta:
        unknown = EXCLUDE

    idempotency_key = fields.String(
        data_key="Idempotency-Key", load_default=None, validate=validate.Length(min=1, max=200)
    )


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class OrderQuery(PageQuery):
    status = fields.String()


class LotQuery(PageQuery):
    order_id = fields.String()
    producer_id = fields.String()
    status = fields.String()
    newest_first = fields.Boolean()


class QuotaQuery(LotQuery):
    finished = fields.Boolean()


class ShipmentQuery(PageQuery):
    status = fields.String()


class CalendarQuery(Schema):
    offering_id = fields.String(validate=validate.Length(min=1, max=64))


class ExportQuery(Schema):
    """The catalogue service checks the language, layout and paper against what it can print."""

    format = fields.String(required=True, validate=validate.OneOf(("html", "pdf", "csv")))
    language = fields.String(validate=validate.Length(min=2, max=8))
    layout = fields.String(validate=validate.Length(min=1, max=16))
    paper = fields.String(validate=validate.Length(min=1, max=16))


class InspectionHistoryQuery(Schema):
    offering_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class SignIn(Schema):
    class Meta:
        unknown = RAISE

    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))


def _password(**kwargs):
    return fields.String(validate=validate.Length(min=12, max=1000, error="12 to 1,000 characters"), **kwargs)


class NewPassword(Schema):
    class Meta:
        unknown = RAISE

    password = _password(required=True)


class NewUser(Schema):
    """A user made by an admin, or by an aggregator for its own organisation."""

    class Meta:
        unknown = RAISE

    username = fields.String(
        required=True,
        validate=[
            validate.Length(min=3, max=100),
            validate.Regexp(r"^[A-Za-z0-9._@+-]+$", error="letters, digits and ._@+- only"),
        ],
    )
    password = _password(load_default=None)
    role = fields.String(required=True, validate=validate.OneOf(auth.ROLES))
    organisation_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    producer_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))

    @validates_schema
    def _tied_as_the_role_needs(self, data, **kwargs):
        try:
            auth.check_identity(data["role"], data.get("organisation_id"), data.get("producer_id"))
        except ValueError as error:
            raise ValidationError(str(error), "role") from None


class NewApiKey(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class UserQuery(PageQuery):
    organisation_id = fields.String(validate=validate.Length(min=1, max=64))

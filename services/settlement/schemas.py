"""Inputs of the settlement service's RPC API. Amounts are decimal strings; whether they fit the currency's minor
unit is checked where the currency is known (the offering's, the quota's)."""

from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from services.settlement.domain import ADVANCE_KINDS
from shared.money import CURRENCIES

MAX_AMOUNT = Decimal("1e12")


class Strict(Schema):
    class Meta:
        unknown = RAISE


def _id(required: bool = True):
    return fields.String(required=required, validate=validate.Length(min=1, max=64))


def _positive_amount():
    return fields.Decimal(
        required=True,
        as_string=True,
        allow_nan=False,
        validate=validate.Range(min=0, max=MAX_AMOUNT, min_inclusive=False, error="must be more than 0"),
    )


def _currency(required: bool = True):
    return fields.String(
        required=required, validate=validate.OneOf(sorted(CURRENCIES), error="an ISO 4217 currency code, e.g. PGK")
    )


def _reason():
    return fields.String(required=True, validate=validate.Length(min=3, max=500))


class RateInput(Strict):
    """What the producer earns per passed unit of the offering, from now on, in the offering's currency."""

    producer_id = _id()
    offering_id = _id()
    rate = _positive_amount()
    currency = _currency(required=False)


class TermsInput(Strict):
    """``advance_cap_share``: how much of an accepted quota's value may be advanced (0.5: half)."""

    advance_cap_share = fields.Decimal(required=True, as_string=True, places=4, validate=validate.Range(min=0, max=1))


class AdvanceInput(Strict):
    """Cash or materials (yarn, dye) handed to a producer against her accepted quota, at their value."""

    quota_id = _id()
    kind = fields.String(required=True, validate=validate.OneOf(ADVANCE_KINDS))
    description = fields.String(required=True, validate=validate.Length(min=1, max=500))
    amount = _positive_amount()
    currency = _currency()


class WriteOffInput(Strict):
    """Giving up what an advance left owed: never more than is owed, always with a reason."""

    advance_id = _id()
    amount = _positive_amount()
    reason = _reason()


class CorrectionInput(Strict):
    """A mistake put right by a new entry (the wrong one stays): positive adds to what she earned, negative takes
    away."""

    producer_id = _id()
    currency = _currency()
    amount = fields.Decimal(
        required=True, as_string=True, allow_nan=False, validate=validate.Range(min=-MAX_AMOUNT, max=MAX_AMOUNT)
    )
    reason = _reason()
    lot_id = _id(required=False)

    @validates_schema
    def _not_zero(self, data, **kwargs):
        if data.get("amount") == 0:
            raise ValidationError("a correction of 0 corrects nothing", "amount")


class DraftInput(Strict):
    """A batch pays what is owed in one currency: to every producer with a positive balance, or to the chosen ones.
    Each line is paid by mobile money unless ``cash`` names her."""

    currency = _currency()
    producer_ids = fields.List(_id(), validate=validate.Length(min=1, max=10_000))
    cash = fields.List(_id(), load_default=list, validate=validate.Length(max=10_000))


class CashReceiptInput(Strict):
    receipt_number = fields.String(required=True, validate=validate.Length(min=1, max=100))


class PageFilter(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class RateFilter(PageFilter):
    producer_id = _id(required=False)
    offering_id = _id(required=False)


class AdvanceFilter(PageFilter):
    producer_id = _id(required=False)
    quota_id = _id(required=False)
    outstanding = fields.Boolean()


class BatchFilter(PageFilter):
    status = fields.String(validate=validate.OneOf(("draft", "approved", "sending", "done", "cancelled")))


class StatementQuery(Schema):
    """``from`` and ``to`` are days (UTC) included in the statement; without them, everything. As JSON, the entries
    come a page at a time (each with the balance after it); CSV and PDF hold them all."""

    currency = _currency(required=False)
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "pdf")))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))

    @validates_schema
    def _in_order(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("from must not be after to", "from")

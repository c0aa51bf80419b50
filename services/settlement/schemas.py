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


# What the API answers (documented in the OpenAPI document, and checked against real answers by the use-case
# tests). Amounts are decimal strings in the currency's minor unit; times ISO 8601 in UTC.
def _amount_text():
    return fields.String(required=True, metadata={"description": "a decimal amount, e.g. 240.00"})


def _time_text(allow_none: bool = False):
    return fields.String(required=True, allow_none=allow_none, metadata={"description": "ISO 8601, UTC"})


class Page(Schema):
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)


class RateView(Schema):
    producer_id = fields.String(required=True)
    offering_id = fields.String(required=True)
    rate = _amount_text()
    currency = fields.String(required=True)
    source = fields.String(required=True, validate=validate.OneOf(("set", "producer_price")))
    set_by = fields.String(required=True, allow_none=True)
    set_at = _time_text(allow_none=True)


class RatePage(Page):
    items = fields.List(fields.Nested(RateView), required=True)


class TermsView(Schema):
    organisation_id = fields.String(required=True)
    advance_cap_share = fields.String(required=True, metadata={"description": "0.5: half a quota's value"})


class AdvanceView(Schema):
    advance_id = fields.String(required=True)
    producer_id = fields.String(required=True)
    quota_id = fields.String(required=True)
    order_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ADVANCE_KINDS))
    description = fields.String(required=True)
    currency = fields.String(required=True)
    amount = _amount_text()
    outstanding = _amount_text()
    recorded_by = fields.String(required=True)
    recorded_at = _time_text()


class AdvancePage(Page):
    items = fields.List(fields.Nested(AdvanceView), required=True)


class BalanceView(Schema):
    producer_id = fields.String(required=True)
    currency = fields.String(required=True)
    balance = _amount_text()


class StatementEntry(Schema):
    entry_id = fields.Integer(required=True)
    recorded_at = _time_text()
    kind = fields.String(required=True)
    description = fields.String(required=True, metadata={"description": "in her language"})
    lot_id = fields.String(required=True, allow_none=True)
    order_id = fields.String(required=True, allow_none=True)
    quota_id = fields.String(required=True, allow_none=True)
    amount = _amount_text()
    effect = fields.String(required=True, metadata={"description": "what it did to her balance, signed"})
    balance = fields.String(required=True, metadata={"description": "her balance after it"})
    recorded_by = fields.String(required=True)


class StatementAccount(Page):
    currency = fields.String(required=True)
    opening_balance = _amount_text()
    closing_balance = _amount_text()
    earned = _amount_text()
    advanced = _amount_text()
    written_off = _amount_text()
    paid = _amount_text()
    entries = fields.List(fields.Nested(StatementEntry), required=True)


class StatementView(Schema):
    producer_id = fields.String(required=True)
    name = fields.String(required=True)
    language = fields.String(required=True)
    from_ = fields.String(data_key="from", required=True, allow_none=True)
    to = fields.String(required=True, allow_none=True)
    accounts = fields.List(fields.Nested(StatementAccount), required=True)


class PaymentView(Schema):
    amount = _amount_text()
    confirmed_at = _time_text()


class MoneyAccount(Schema):
    currency = fields.String(required=True)
    balance = _amount_text()
    earned = _amount_text()
    advanced = _amount_text()
    written_off = _amount_text()
    paid = _amount_text()
    last_payments = fields.List(fields.Nested(PaymentView), required=True)


class MoneyView(Schema):
    producer_id = fields.String(required=True)
    accounts = fields.List(fields.Nested(MoneyAccount), required=True)


class EarnedLot(Schema):
    lot_id = fields.String(required=True)
    order_id = fields.String(required=True)
    line_id = fields.String(required=True)
    passed = fields.Integer(required=True)
    rate = _amount_text()
    amount = _amount_text()


class ProducerAccount(Schema):
    producer_id = fields.String(required=True)
    currency = fields.String(required=True)
    earned = _amount_text()
    advanced = _amount_text()
    written_off = _amount_text()
    paid = _amount_text()
    balance = _amount_text()
    lots = fields.List(fields.Nested(EarnedLot), required=True)


class ProducerAccounts(Schema):
    items = fields.List(fields.Nested(ProducerAccount), required=True)


class PremiumOffering(Schema):
    offering_id = fields.String(required=True)
    units = fields.Integer(required=True)
    amount = _amount_text()


class PremiumFund(Schema):
    currency = fields.String(required=True)
    total = _amount_text()
    offerings = fields.List(fields.Nested(PremiumOffering), required=True)


class PremiumFunds(Schema):
    items = fields.List(fields.Nested(PremiumFund), required=True)


class LineView(Schema):
    line_id = fields.String(required=True)
    producer_id = fields.String(required=True)
    producer_name = fields.String(required=True, allow_none=True)
    amount = _amount_text()
    currency = fields.String(required=True)
    method = fields.String(required=True, validate=validate.OneOf(("mobile_money", "cash")))
    msisdn = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)
    attempt = fields.Integer(required=True)
    reference_id = fields.String(required=True, allow_none=True)
    provider_transaction_id = fields.String(required=True, allow_none=True)
    receipt_number = fields.String(required=True, allow_none=True)
    failure_reason = fields.String(required=True, allow_none=True)
    closed_by = fields.String(required=True, allow_none=True)
    updated_at = _time_text()


class BatchSummary(Schema):
    batch_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    currency = fields.String(required=True)
    status = fields.String(required=True)
    drafted_by = fields.String(required=True)
    drafted_at = _time_text()
    approved_by = fields.String(required=True, allow_none=True)
    approved_at = _time_text(allow_none=True)
    sent_by = fields.String(required=True, allow_none=True)
    sent_at = _time_text(allow_none=True)


class BatchView(BatchSummary):
    total = _amount_text()
    lines = fields.List(fields.Nested(LineView), required=True)


class BatchPage(Page):
    items = fields.List(fields.Nested(BatchSummary), required=True)


class CallbackAnswer(Schema):
    line_id = fields.String(required=True)
    status = fields.String(required=True)
    reported = fields.String(metadata={"description": "what the callback said, when the provider could not be asked"})

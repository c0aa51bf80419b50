"""Inputs and answers of the trade with buyers: the organisation's trade terms, payments received, claims and their
decisions, and what documents, accounts and claims look like in JSON. Amounts are decimal strings in the order's
currency; whether they fit its minor unit is checked where the order is known."""

from datetime import date, datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from services.settlement.schemas import Page, Strict, _currency, _id, _positive_amount
from shared.contract import DOCUMENT_KINDS

RECEIPT_KINDS = ("deposit", "balance", "partial")
CLAIM_KINDS = ("damaged", "missing")
DECISIONS = ("accept", "reject")
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_PHOTO_BYTES = 1_500_000
MAX_PHOTOS = 5


def _days(most: int):
    return fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=most))


def _share():
    return fields.Decimal(required=True, as_string=True, places=4, validate=validate.Range(min=0, max=1))


def _text(most: int, required: bool = True):
    return fields.String(required=required, validate=validate.Length(min=3, max=most))


class TradeTermsInput(Strict):
    """``deposit_share`` of a pro-forma asked on confirmation (0.5, as fair-trade practice asks), due within
    ``deposit_days``; invoices due ``payment_days`` after issue; claims accepted ``claim_window_days`` after
    delivery; ``tax_rate`` on goods and invoiced freight (0 for none), printed as ``tax_name``."""

    deposit_share = _share()
    deposit_days = _days(365)
    payment_days = _days(365)
    claim_window_days = _days(365)
    tax_rate = _share()
    tax_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=40))


class ReceiptInput(Strict):
    """A payment the organisation received from the buyer of an order (bank transfer, letter of credit, ...)."""

    kind = fields.String(required=True, validate=validate.OneOf(RECEIPT_KINDS))
    amount = _positive_amount()
    currency = _currency()
    reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    received_on = fields.Date(required=True)

    @validates("received_on")
    def _not_in_the_future(self, value: date, **_) -> None:
        if value > datetime.now(timezone.utc).date():
            raise ValidationError("a payment is recorded once received, not before")


class PhotoInput(Strict):
    content_type = fields.String(required=True, validate=validate.OneOf(PHOTO_TYPES))
    data = fields.String(required=True, metadata={"description": f"base64, at most {MAX_PHOTO_BYTES} bytes decoded"})


class ClaimLineInput(Strict):
    """``lot_id``: the lot on the packing list the units came from, when the buyer can tell."""

    line_id = _id()
    lot_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    kind = fields.String(required=True, validate=validate.OneOf(CLAIM_KINDS))
    units = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10_000_000))


class ClaimInput(Strict):
    lines = fields.List(fields.Nested(ClaimLineInput), required=True, validate=validate.Length(min=1, max=100))
    reason = _text(1000)
    photos = fields.List(fields.Nested(PhotoInput), load_default=list, validate=validate.Length(max=MAX_PHOTOS))

    @validates_schema
    def _one_entry_per_line_and_photos_of_damage(self, data: dict, **_) -> None:
        lines = [line["line_id"] for line in data["lines"]]
        if len(set(lines)) != len(lines):
            raise ValidationError("one entry per order line", "lines")
        if any(line["kind"] == "damaged" for line in data["lines"]) and not data.get("photos"):
            raise ValidationError("a claim for damaged units shows them: add at least one photo", "photos")


class DecisionLineInput(Strict):
    line_id = _id()
    accepted_units = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=10_000_000))


class ChargeInput(Strict):
    """Part of an accepted claim's loss charged to a producer, through her account, with a reason."""

    producer_id = _id()
    amount = _positive_amount()
    currency = _currency()
    reason = _text(500)


class DecisionInput(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    lines = fields.List(fields.Nested(DecisionLineInput), load_default=list, validate=validate.Length(max=100))
    reason = _text(1000)
    charges = fields.List(fields.Nested(ChargeInput), load_default=list, validate=validate.Length(max=100))

    @validates_schema
    def _accepting_names_units(self, data: dict, **_) -> None:
        if data["decision"] == "accept" and not any(line["accepted_units"] for line in data["lines"]):
            raise ValidationError("an accepted claim names the units accepted per line", "lines")
        if data["decision"] == "reject" and (data["lines"] or data["charges"]):
            raise ValidationError("a rejected claim accepts no units and charges nobody", "decision")


class DocumentFilter(Strict):
    order_id = fields.String(validate=validate.Length(min=1, max=64))
    kind = fields.String(validate=validate.OneOf(DOCUMENT_KINDS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


def _money():
    return fields.String(
        required=True, metadata={"description": "decimal, in the document's currency", "example": "1234.50"}
    )


class TradeTermsView(Schema):
    organisation_id = fields.String(required=True)
    deposit_share = fields.String(required=True)
    deposit_days = fields.Integer(required=True)
    payment_days = fields.Integer(required=True)
    claim_window_days = fields.Integer(required=True)
    tax_rate = fields.String(required=True)
    tax_name = fields.String(required=True, allow_none=True)


class DocumentLineView(Schema):
    line_id = fields.String(required=True)
    offering = fields.String(required=True)
    sku = fields.String(required=True)
    hs_code = fields.String(required=True, allow_none=True)
    origin_country = fields.String(required=True, allow_none=True)
    quantity = fields.Integer(required=True)
    unit_price = _money()
    amount = _money()


class DocumentView(Schema):
    document_id = fields.String(required=True)
    number = fields.String(required=True, metadata={"example": "INV-2026-00001"})
    kind = fields.String(required=True, validate=validate.OneOf(DOCUMENT_KINDS))
    organisation_id = fields.String(required=True)
    order_id = fields.String(required=True)
    shipment_id = fields.String(required=True, allow_none=True)
    currency = fields.String(required=True)
    incoterm = fields.String(required=True, metadata={"example": "CIF Brisbane"})
    trade_terms = fields.Dict(required=True)
    rate = fields.Dict(required=True, allow_none=True, metadata={"description": "the exchange rate used, if any"})
    buyer = fields.Dict(required=True)
    lines = fields.List(fields.Nested(DocumentLineView), required=True)
    freight = _money()
    freight_legs = fields.Dict(required=True, metadata={"description": "per leg: billed to the buyer or carried"})
    goods = _money()
    tax_rate = fields.String(required=True)
    tax = _money()
    total = _money()
    amount_due = fields.String(required=True, allow_none=True)
    due_on = fields.String(required=True, allow_none=True)
    corrects = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    deposit = fields.Dict(
        required=True, allow_none=True, metadata={"description": "a pro-forma's: share, amount, due_on"}
    )
    promised_date = fields.String(required=True, allow_none=True)
    packages = fields.List(fields.Dict(), required=True, metadata={"description": "a packing list's lots"})
    notes = fields.List(fields.String(), required=True)
    issued_by = fields.String(required=True)
    issued_at = fields.String(required=True)


class DocumentPage(Page):
    items = fields.List(fields.Nested(DocumentView), required=True)


class AccountView(Schema):
    order_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    buyer = fields.String(required=True)
    currency = fields.String(required=True)
    ordered = _money()
    deposit_requested = _money()
    invoiced = _money()
    credited = _money()
    received = _money()
    outstanding = fields.String(required=True, metadata={"description": "negative: paid ahead"})
    overdue = _money()
    overdue_since = fields.Date(required=True, allow_none=True, metadata={"description": "the first day unpaid"})
    documents = fields.List(fields.String(), required=True, metadata={"description": "the numbers of its documents"})
    receipts = fields.List(fields.Dict(), required=True)


class AccountPage(Page):
    items = fields.List(fields.Nested(AccountView), required=True)


class ReceivablesView(Schema):
    currencies = fields.List(fields.Dict(), required=True, metadata={"description": "per currency, by age"})


class ClaimView(Schema):
    claim_id = fields.String(required=True)
    order_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    status = fields.String(required=True)
    reason = fields.String(required=True)
    lines = fields.List(fields.Dict(), required=True)
    photos = fields.List(fields.Dict(), required=True)
    traceability = fields.List(fields.Dict(), required=True, metadata={"description": "lots and producers"})
    decision_reason = fields.String(required=True, allow_none=True)
    credit_notes = fields.List(fields.String(), required=True)
    charges = fields.List(fields.Dict(), required=True)
    claimed_by = fields.String(required=True)
    claimed_at = fields.String(required=True)
    decided_by = fields.String(required=True, allow_none=True)
    decided_at = fields.String(required=True, allow_none=True)


class ClaimPage(Page):
    items = fields.List(fields.Nested(ClaimView), required=True)

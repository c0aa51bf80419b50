"""What a buyer is told of the trade documents issued to it, of a payment overdue and of a claim decided: the notice
chosen for what the event names, its figures written as statements write money, and the words it renders to."""

from datetime import date
from decimal import Decimal

import pytest

from services.notification import buyer_notices
from services.notification.domain import Order
from services.notification.templates import LANGUAGES, render

ORDER = Order("ord_x", "byr_1", date(2027, 3, 1), None)
DUE = date(2027, 1, 15)


def document(kind: str, **overrides) -> dict:
    return {
        "document_id": "doc_1",
        "number": "PF-2026-00001",
        "kind": kind,
        "organisation_id": "org_goroka",
        "order_id": "ord_x",
        "currency": "USD",
        "total": Decimal("1234.00"),
        "amount_due": None,
        "due_on": None,
        "corrects": None,
        **overrides,
    }


def english(notice) -> str:
    return render(notice.kind, ["en"], name="Southern Cross", **notice.values).text


@pytest.mark.parametrize(
    "payload, kind, says",
    [
        (
            document("proforma", amount_due=Decimal("617.00"), due_on=DUE),
            "document_proforma",
            "Pro-forma PF-2026-00001 for order ord_x: total USD 1,234.00; deposit USD 617.00 due by Friday 15 "
            "January 2027.",
        ),
        (
            document("proforma"),
            "document_proforma_total",
            "Pro-forma PF-2026-00001 for order ord_x: total USD 1,234.00.",
        ),
        (
            document("invoice", number="INV-2026-00007", total=Decimal("2468.5"), due_on=DUE),
            "document_invoice",
            "Commercial invoice INV-2026-00007 for order ord_x: total USD 2,468.50, due by Friday 15 January 2027.",
        ),
        (
            document("invoice", number="INV-2026-00007"),
            "document_invoice_total",
            "Commercial invoice INV-2026-00007 for order ord_x: total USD 1,234.00.",
        ),
        (
            document("credit_note", number="CN-2026-00002", total=Decimal("86.40"), corrects="INV-2026-00007"),
            "document_credit_note",
            "Credit note CN-2026-00002 correcting INV-2026-00007 (order ord_x): USD 86.40.",
        ),
        (
            document("credit_note", number="CN-2026-00002", total=Decimal("86.40")),
            "document_credit_note_order",
            "Credit note CN-2026-00002 for order ord_x: USD 86.40.",
        ),
        (
            document("packing_list", number="PL-2026-00003", total=Decimal(0)),
            "document_packing_list",
            "Packing list PL-2026-00003 for your shipment of order ord_x.",
        ),
    ],
)
def test_a_document_is_told_to_the_buyer_of_its_order_with_its_figures_and_where_to_find_it(payload, kind, says):
    notice = buyer_notices.document_issued("evt_1", ORDER, payload)
    assert (notice.recipient_id, notice.kind, notice.key, notice.correlation_id) == ("byr_1", kind, "evt_1", "ord_x")
    text = english(notice)
    assert says in text
    assert "buyer page" in text and "/buyer" in text


def test_a_proforma_without_a_deposit_to_pay_says_its_total_only():
    notice = buyer_notices.document_issued("evt_1", ORDER, document("proforma", amount_due=Decimal(0), due_on=DUE))
    assert notice.kind == "document_proforma_total" and "deposit" not in english(notice)


def test_yen_are_written_without_decimals():
    notice = buyer_notices.document_issued(
        "evt_1",
        ORDER,
        document("proforma", currency="JPY", total=Decimal("123400"), amount_due=Decimal("61700"), due_on=DUE),
    )
    assert (notice.values["amount"], notice.values["deposit"]) == ("JPY 123,400", "JPY 61,700")


def test_an_overdue_payment_names_the_order_amount_due_date_days_and_documents():
    notice = buyer_notices.payment_overdue(
        "evt_2",
        ORDER,
        {
            "order_id": "ord_x",
            "organisation_id": "org_goroka",
            "currency": "PGK",
            "outstanding": Decimal("4321.5"),
            "due_on": DUE,
            "days_overdue": 12,
            "documents": ["INV-2026-00007", "PF-2026-00001"],
        },
    )
    assert (notice.recipient_id, notice.kind, notice.key) == ("byr_1", "payment_overdue", "evt_2")
    assert (
        "PGK 4,321.50 for order ord_x was due on Friday 15 January 2027 and is now 12 days overdue (documents: "
        "INV-2026-00007, PF-2026-00001)" in english(notice)
    )


def claim(decision: str, accepted: int, credit_note: str | None = None) -> dict:
    return {
        "claim_id": "clm_1",
        "order_id": "ord_x",
        "organisation_id": "org_goroka",
        "decision": decision,
        "claimed_units": 20,
        "accepted_units": accepted,
        "reason": "Straps torn on arrival, as the photos show.",
        "credit_note": credit_note,
    }


@pytest.mark.parametrize(
    "payload, kind, says",
    [
        (claim("accepted", 20), "claim_accepted", "accepted your claim on order ord_x for all 20 units"),
        (claim("accepted", 20, "CN-2026-00002"), "claim_accepted_credited", "We have issued credit note CN-2026-00002"),
        (claim("partly_accepted", 12), "claim_partly_accepted", "for 12 of the 20 units claimed"),
        (
            claim("partly_accepted", 12, "CN-2026-00002"),
            "claim_partly_accepted_credited",
            "for 12 of the 20 units claimed.\nReason: Straps torn on arrival, as the photos show.\nWe have issued "
            "credit note CN-2026-00002",
        ),
        (claim("rejected", 0), "claim_rejected", "cannot accept it.\nReason: Straps torn on arrival"),
    ],
)
def test_a_claim_decided_tells_the_buyer_the_decision_the_reason_and_any_credit_note(payload, kind, says):
    notice = buyer_notices.claim_decided("evt_3", ORDER, payload)
    assert (notice.recipient_id, notice.kind, notice.key) == ("byr_1", kind, "evt_3")
    text = english(notice)
    assert says in text and "Straps torn on arrival, as the photos show." in text


def test_a_rejection_names_no_credit_note():
    notice = buyer_notices.claim_decided("evt_3", ORDER, claim("rejected", 0, "CN-2026-00002"))
    assert notice.kind == "claim_rejected" and "CN-2026-00002" not in english(notice)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_writes_the_figures_the_buyer_needs(language):
    notice = buyer_notices.document_issued(
        "evt_1", ORDER, document("proforma", amount_due=Decimal("617.00"), due_on=DUE)
    )
    rendered = render(notice.kind, [language], name="Southern Cross", **notice.values)
    assert rendered.language == language
    for figure in ("PF-2026-00001", "ord_x", "USD 1,234.00", "USD 617.00", "/buyer"):
        assert figure in rendered.text

"""Settlement on a real database: what lots earn, advances and their recovery, payout batches from draft to
confirmation, statements and the balance a producer asks for by SMS."""

import base64
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.settlement import (
    advances,
    journal,
    payout_sending,
    payout_views,
    payouts,
    projections,
    rates,
    statements,
    views,
)
from services.settlement.momo import TransferStatus
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events import Event

ORG = "org_highlands"
OFFERED_AT = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)


def fact(event_type, payload, at=OFFERED_AT):
    return Event(event_type, payload, correlation_id=payload.get("order_id", "test"), occurred_at=at)


def producer(producer_id="prd_mary", name="Mary Kewa", mobile="+67570000001", languages=("tpi", "en")):
    return fact(
        "producer.registered",
        {
            "producer_id": producer_id,
            "organisation_id": ORG,
            "name": name,
            "mobile": mobile,
            "languages": list(languages),
        },
    )


OFFERING = {
    "offering_id": "off_bilum",
    "organisation_id": ORG,
    "sku": "BILUM-M",
    "name": "Bilum bag",
    "currency": "PGK",
    "producer_price": Decimal("24.00"),
    "fair_trade_premium": Decimal("1.50"),
    "unit_weight_g": 400,
    "unit_volume_cm3": 6000,
}


def quota(quota_id="q1", producer_id="prd_mary", quantity=10, **extra):
    return {
        "quota_id": quota_id,
        "order_id": "ord_1",
        "line_id": "ln_1",
        "offering_id": "off_bilum",
        "producer_id": producer_id,
        "quantity": quantity,
        **extra,
    }


def lot(lot_id, quota_id="q1", quantity=5, passed=True, attempt=1, producer_id="prd_mary"):
    return fact(
        "lot.inspected",
        {**quota(quota_id, producer_id, quantity), "lot_id": lot_id, "passed": passed, "attempt": attempt},
        at=OFFERED_AT + timedelta(days=10),
    )


@pytest.fixture
def db(service_db):
    db = service_db("settlement")
    db(projections.record_producer, producer())
    db(projections.record_producer, producer("prd_ruth", "Ruth Aka", mobile=None, languages=("en",)))
    db(projections.record_offering, fact("offering.published", OFFERING))
    return db


def offer_and_accept(db, quota_id="q1", producer_id="prd_mary", quantity=10, at=OFFERED_AT):
    db(projections.record_offer, fact("quota.offered", quota(quota_id, producer_id, quantity), at=at))
    db(projections.record_acceptance, fact("quota.accepted", quota(quota_id, producer_id, quantity), at=at))


def account(db, producer_id="prd_mary"):
    return db(lambda uow: journal.totals(uow.session, producer_id, "PGK"))


def test_a_passed_lot_earns_its_units_at_the_quota_rate_once(db):
    offer_and_accept(db)
    passed = lot("L-12")
    db(projections.record_inspection, passed)
    db(projections.record_inspection, passed)
    db(projections.record_inspection, lot("L-12"))
    totals = account(db)
    assert totals.earned == Decimal("120.00")
    assert totals.balance == Decimal("120.00")


def test_a_rejected_lot_earns_nothing_until_it_passes_after_rework(db):
    offer_and_accept(db)
    db(projections.record_inspection, lot("L-13", passed=False))
    assert account(db).earned == 0
    db(projections.record_inspection, lot("L-13", passed=True, attempt=2))
    assert account(db).earned == Decimal("120.00")


def test_the_rate_in_force_when_the_quota_was_offered_is_the_rate_it_earns(db):
    db(rates.set_rate, ORG, "anna", {"producer_id": "prd_mary", "offering_id": "off_bilum", "rate": "30.00"})
    offer_and_accept(db, at=datetime.now(timezone.utc))
    db(rates.set_rate, ORG, "anna", {"producer_id": "prd_mary", "offering_id": "off_bilum", "rate": "40.00"})
    db(projections.record_inspection, lot("L-1", quantity=2))
    assert account(db).earned == Decimal("60.00")
    listed = db(rates.list_rates, ORG, {"producer_id": "prd_mary"})["items"]
    assert [(item["rate"], item["source"]) for item in listed] == [("40.00", "set")]
    assert db.emitted("piece_rate.set")[-1]["payload"]["rate"] == "40.00"


def test_without_a_rate_set_the_producer_price_is_the_rate(db):
    listed = db(rates.list_rates, ORG, {"producer_id": "prd_ruth"})["items"]
    assert [(item["rate"], item["source"]) for item in listed] == [("24.00", "producer_price")]


def test_a_rate_is_refused_in_another_currency_or_for_another_organisation(db):
    with pytest.raises(InvalidInput, match="piece rate"):
        db(
            rates.set_rate,
            ORG,
            "anna",
            {"producer_id": "prd_mary", "offering_id": "off_bilum", "rate": "3", "currency": "AUD"},
        )
    with pytest.raises(NotFound):
        db(rates.set_rate, "org_other", "eve", {"producer_id": "prd_mary", "offering_id": "off_bilum", "rate": "3"})
    with pytest.raises(InvalidInput):
        db(rates.set_rate, ORG, "anna", {"producer_id": "prd_mary", "offering_id": "off_bilum", "rate": "-3"})


def test_the_fair_trade_premium_goes_to_the_fund_not_to_her_balance(db):
    offer_and_accept(db)
    db(projections.record_inspection, lot("L-12", quantity=4))
    assert account(db).balance == Decimal("96.00")
    premiums = db(
        lambda uow: (
            uow.session.execute(journal.select(journal.journal.c.amount).where(journal.journal.c.kind == "premium"))
            .scalars()
            .all()
        )
    )
    assert premiums == [Decimal("6.00")]


def test_an_advance_is_capped_at_half_the_quota_value_and_recovered_first_from_its_earnings(db):
    offer_and_accept(db)
    with pytest.raises(InvalidInput, match="advance refused") as refused:
        db(
            advances.record_advance,
            ORG,
            "anna",
            {"quota_id": "q1", "kind": "materials", "description": "yarn", "amount": "120.01", "currency": "PGK"},
        )
    assert "PGK 120.00" in str(refused.value)
    db(
        advances.record_advance,
        ORG,
        "anna",
        {"quota_id": "q1", "kind": "materials", "description": "yarn and dye", "amount": "100.00", "currency": "PGK"},
    )
    assert account(db).balance == Decimal("-100.00")
    assert db.emitted("advance.recorded")[0]["payload"]["balance"] == "-100.00"
    db(projections.record_inspection, lot("L-12", quantity=5))
    assert db(advances.list_advances, ORG, {"outstanding": True})["items"] == []
    assert [item["outstanding"] for item in db(advances.list_advances, ORG, {})["items"]] == ["0.00"]
    assert account(db).balance == Decimal("20.00")


def test_advances_are_refused_in_another_currency_or_on_a_quota_not_accepted(db):
    db(projections.record_offer, fact("quota.offered", quota("q2")))
    with pytest.raises(Conflict, match="offered"):
        db(
            advances.record_advance,
            ORG,
            "anna",
            {"quota_id": "q2", "kind": "cash", "description": "bus fare", "amount": "10", "currency": "PGK"},
        )
    offer_and_accept(db)
    with pytest.raises(InvalidInput, match="advance"):
        db(
            advances.record_advance,
            ORG,
            "anna",
            {"quota_id": "q1", "kind": "cash", "description": "x", "amount": "10", "currency": "AUD"},
        )
    with pytest.raises(InvalidInput):
        db(
            advances.record_advance,
            ORG,
            "anna",
            {"quota_id": "q1", "kind": "cash", "description": "x", "amount": "0", "currency": "PGK"},
        )
    with pytest.raises(NotFound):
        db(
            advances.record_advance,
            "org_other",
            "eve",
            {"quota_id": "q1", "kind": "cash", "description": "x", "amount": "1", "currency": "PGK"},
        )


def test_what_a_declined_quota_left_owed_is_recovered_from_later_earnings_or_written_off(db):
    offer_and_accept(db, "q1")
    db(
        advances.record_advance,
        ORG,
        "anna",
        {"quota_id": "q1", "kind": "cash", "description": "bus fare", "amount": "50", "currency": "PGK"},
    )
    db(projections.record_end, fact("quota.released", quota("q1"), at=OFFERED_AT + timedelta(days=1)))
    offer_and_accept(db, "q2")
    db(projections.record_inspection, lot("L-20", quota_id="q2", quantity=1))
    left = db(advances.list_advances, ORG, {"producer_id": "prd_mary"})["items"][0]
    assert (left["amount"], left["outstanding"]) == ("50.00", "26.00")
    with pytest.raises(InvalidInput, match="still owed"):
        db(advances.write_off, ORG, "anna", {"advance_id": left["advance_id"], "amount": "27", "reason": "moved away"})
    db(
        advances.write_off,
        ORG,
        "anna",
        {"advance_id": left["advance_id"], "amount": "26", "reason": "the road was cut"},
    )
    totals = account(db)
    assert (totals.earned, totals.advanced, totals.written_off, totals.balance) == (24, 50, 26, 0)


def _owe_mary_and_ruth(db):
    offer_and_accept(db, "q1")
    offer_and_accept(db, "q2", producer_id="prd_ruth")
    db(projections.record_inspection, lot("L-12", quantity=5))
    db(projections.record_inspection, lot("L-13", quantity=5))
    db(projections.record_inspection, lot("L-30", quota_id="q2", quantity=2, producer_id="prd_ruth"))


def test_a_payout_batch_is_approved_by_a_second_person_then_confirmed_and_settles_earnings(db, momo):
    _owe_mary_and_ruth(db)
    with pytest.raises(InvalidInput, match="no mobile number"):
        db(payouts.draft_batch, ORG, "anna", {"currency": "PGK"})
    batch = db(payouts.draft_batch, ORG, "anna", {"currency": "PGK", "cash": ["prd_ruth"]})
    assert (batch["total"], [line["amount"] for line in batch["lines"]]) == ("288.00", ["240.00", "48.00"])
    with pytest.raises(Conflict, match="nothing is owed"):
        db(payouts.draft_batch, ORG, "ben", {"currency": "PGK"})
    with pytest.raises(Conflict, match="cannot approve"):
        db(payouts.approve_batch, ORG, "anna", batch["batch_id"])
    db(payouts.approve_batch, ORG, "ben", batch["batch_id"])
    sent = db(payouts.send_batch, ORG, "ben", batch["batch_id"])
    assert account(db).balance == 0 and account(db, "prd_ruth").balance == 0
    mary, ruth = sent["lines"]
    db(payout_sending.apply_status, TransferStatus(mary["reference_id"], "successful", None, "tx-1"))
    db(payout_sending.apply_status, TransferStatus(mary["reference_id"], "successful", None, "tx-1"))
    db(payouts.close_cash_line, ORG, "ben", ruth["line_id"], {"receipt_number": "R-0042"})
    confirmed = [event["payload"] for event in db.emitted("payout.confirmed")]
    assert [(p["producer_id"], p["lots"], p["reference"]) for p in confirmed] == [
        ("prd_mary", ["L-12", "L-13"], "tx-1"),
        ("prd_ruth", ["L-30"], "R-0042"),
    ]
    assert db(payout_views.get_batch, ORG, batch["batch_id"])["status"] == "done"
    assert account(db).paid == Decimal("240.00")


def test_a_failed_line_returns_its_amount_and_is_tried_again_under_a_new_reference(db, momo):
    _owe_mary_and_ruth(db)
    batch = db(payouts.draft_batch, ORG, "anna", {"currency": "PGK", "producer_ids": ["prd_mary"]})
    db(payouts.approve_batch, ORG, "ben", batch["batch_id"])
    line = db(payouts.send_batch, ORG, "ben", batch["batch_id"])["lines"][0]
    db(payout_sending.apply_status, TransferStatus(line["reference_id"], "failed", "PAYEE_NOT_FOUND", None))
    assert account(db).balance == Decimal("240.00")
    retried = db(payouts.retry_line, ORG, "ben", line["line_id"])
    assert retried["attempt"] == 2 and retried["reference_id"] != line["reference_id"]
    assert account(db).balance == 0
    db(payout_sending.apply_status, TransferStatus(line["reference_id"], "successful", None, "late"))
    assert db(payout_views.get_batch, ORG, batch["batch_id"])["lines"][0]["status"] == "sending"
    db(payout_sending.apply_status, TransferStatus(retried["reference_id"], "successful", None, "tx-2"))
    totals = account(db)
    assert (totals.paid, totals.balance) == (Decimal("240.00"), 0)


def test_mobile_money_needs_a_provider(db):
    _owe_mary_and_ruth(db)
    batch = db(payouts.draft_batch, ORG, "anna", {"currency": "PGK", "producer_ids": ["prd_mary"]})
    db(payouts.approve_batch, ORG, "ben", batch["batch_id"])
    with pytest.raises(Conflict, match="BILUM_MOMO_URL"):
        db(payouts.send_batch, ORG, "ben", batch["batch_id"])


def test_a_statement_gives_opening_entries_and_closing_in_her_language(db):
    offer_and_accept(db)
    db(
        advances.record_advance,
        ORG,
        "anna",
        {"quota_id": "q1", "kind": "materials", "description": "yarn", "amount": "40", "currency": "PGK"},
    )
    db(projections.record_inspection, lot("L-12", quantity=5))
    today = datetime.now(timezone.utc).date()
    document = db(statements.statement, ORG, "prd_mary", {"from": today.isoformat()})
    (pgk,) = document["accounts"]
    assert document["language"] == "tpi"
    assert (pgk["opening_balance"], pgk["closing_balance"]) == ("120.00", "80.00")
    assert [entry["kind"] for entry in pgk["entries"]] == ["advance"]
    everything = db(statements.statement, ORG, "prd_mary", {})["accounts"][0]
    assert everything["entries"][0]["description"].startswith("Mani bilong lot L-12")
    assert everything["closing_balance"] == "80.00"
    first, second = (
        db(statements.statement, ORG, "prd_mary", {"page": n, "page_size": 2})["accounts"][0] for n in (1, 2)
    )
    assert [(e["kind"], e["balance"]) for e in first["entries"] + second["entries"]] == [
        ("earning", "120.00"),
        ("recovery", "120.00"),
        ("advance", "80.00"),
    ]
    assert (second["total"], second["closing_balance"]) == (3, "80.00")
    pdf = db(statements.statement, ORG, "prd_mary", {"format": "pdf"})
    assert base64.b64decode(pdf["data"]).startswith(b"%PDF")
    csv = base64.b64decode(db(statements.statement, ORG, "prd_mary", {"format": "csv"})["data"]).decode()
    assert "L-12" in csv and "80.00" in csv
    with pytest.raises(NotFound):
        db(statements.statement, "org_other", "prd_mary", {})
    with pytest.raises(InvalidInput):
        db(statements.statement, ORG, "prd_mary", {"from": "2026-12-02", "to": "2026-12-01"})


def test_her_balance_request_is_answered_with_balance_earned_and_last_payment(db):
    offer_and_accept(db)
    db(projections.record_inspection, lot("L-12", quantity=2))
    db.handle(
        "settlement.on_balance_requested",
        fact("balance.requested", {"request_id": "r1", "producer_id": "prd_mary"}),
        views.report_balance,
    )
    (reported,) = db.emitted("balance.reported")
    assert reported["payload"]["balances"] == [
        {"currency": "PGK", "balance": "48.00", "earned": "48.00", "last_payment": None}
    ]


def test_the_rate_an_offer_carries_is_the_rate_its_lots_earn(db):
    db(rates.set_rate, ORG, "anna", {"producer_id": "prd_mary", "offering_id": "off_bilum", "rate": "30.00"})
    carried = fact("quota.offered", {**quota("q1", quantity=10), "rate": Decimal("26.00")})
    db(projections.record_offer, carried)
    db(projections.record_acceptance, fact("quota.accepted", quota("q1")))
    db(projections.record_inspection, lot("L-1", quantity=10))
    assert account(db).earned == Decimal("260.00"), "allocation weighed 26.00: she earns what it offered"


def test_every_answer_is_what_the_api_document_says(db, momo):
    """The OpenAPI document describes settlement's answers with these schemas: real answers must fit them."""
    from services.settlement import schemas

    def fits(schema, answer):
        assert schema().validate(answer) == {}, (schema.__name__, answer)

    offer_and_accept(db)
    fits(
        schemas.RateView,
        db(rates.set_rate, ORG, "anna", {"producer_id": "prd_ruth", "offering_id": "off_bilum", "rate": "20"}),
    )
    fits(schemas.RatePage, db(rates.list_rates, ORG, {}))
    fits(schemas.TermsView, db(advances.set_terms, ORG, "anna", {"advance_cap_share": "0.4"}))
    body = {"quota_id": "q1", "kind": "cash", "description": "bus fare", "amount": "10", "currency": "PGK"}
    fits(schemas.AdvanceView, db(advances.record_advance, ORG, "anna", body))
    fits(schemas.AdvancePage, db(advances.list_advances, ORG, {}))
    db(projections.record_inspection, lot("L-12", quantity=5))
    fits(schemas.StatementView, db(statements.statement, ORG, "prd_mary", {}))
    fits(schemas.ProducerAccounts, {"items": db(views.accounts, ORG)})
    fits(schemas.PremiumFunds, db(views.premium_fund, ORG))
    batch = db(
        payouts.draft_batch, ORG, "anna", {"currency": "PGK", "producer_ids": ["prd_mary"], "cash": ["prd_mary"]}
    )
    fits(schemas.BatchView, batch)
    fits(schemas.BatchPage, db(payout_views.list_batches, ORG, {}))
    db(payouts.approve_batch, ORG, "ben", batch["batch_id"])
    db(payouts.send_batch, ORG, "ben", batch["batch_id"])
    receipt = {"receipt_number": "R-1"}
    fits(schemas.LineView, db(payouts.close_cash_line, ORG, "ben", batch["lines"][0]["line_id"], receipt))
    fits(schemas.MoneyView, db(views.producer_money, ORG, "prd_mary"))
    correction = {"producer_id": "prd_mary", "currency": "PGK", "amount": "-1.00", "reason": "miscounted"}
    fits(schemas.BalanceView, db(advances.record_correction, ORG, "anna", correction))

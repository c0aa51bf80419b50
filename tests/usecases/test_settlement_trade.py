"""Trade documents on a real database: a pro-forma when an order is placed, an invoice and a packing list per order
and shipment when it leaves, credit notes for what never ships and for accepted claims, buyers' payments and
accounts, overdue reminders, and who may see what."""

import base64
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pypdf import PdfReader

from services.settlement import (
    buyer_accounts,
    claim_views,
    claims,
    journal,
    projections,
    trade_projections,
    trade_views,
)
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events import Event

ORG = "org_highlands"
BUYER_ORG = "org_tokyo_shop"
STAFF = {"organisation_id": ORG}
BUYER = {"buyer_organisation_id": BUYER_ORG}
PLACED_AT = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
YEAR = datetime.now(timezone.utc).year


def fact(event_type, payload, at=PLACED_AT):
    return Event(event_type, payload, correlation_id=payload.get("order_id", "test"), occurred_at=at)


def placed(order_id="ord_1", incoterm="CIF", mode="sea", currency="PGK", rate=None, lines=None):
    lines = lines or [("ln_1", "off_bag", "BAG", 10, "38.50"), ("ln_2", "off_coffee", "COF", 4, "120.00")]
    return fact(
        "order.placed",
        {
            "order_id": order_id,
            "organisation_id": ORG,
            "buyer": {
                "buyer_id": "byr_1",
                "name": "Kiriko Shop",
                "email": "k@example.jp",
                "organisation_id": BUYER_ORG,
            },
            "destination": {"name": "Shop", "city": "Tokyo", "country": "JP", "latitude": 35.6, "longitude": 139.7},
            "due_date": date(2027, 3, 1),
            "promised_date": date(2027, 2, 20),
            "lines": [
                {
                    "line_id": line_id,
                    "offering_id": offering,
                    "sku": sku,
                    "quantity": units,
                    "unit_price": Decimal(price),
                }
                for line_id, offering, sku, units, price in lines
            ],
            "currency": currency,
            "trade_terms": {"incoterm": incoterm, "named_place": "Brisbane", "transport_mode": mode},
            "exchange_rate": rate,
        },
    )


def _lots(lots):
    return [
        {"lot_id": lot_id, "order_id": order_id, "line_id": line_id, "quantity": quantity}
        for lot_id, order_id, line_id, quantity in lots
    ]


def planned(shipment_id, lots, freight):
    return fact(
        "shipment.planned",
        {
            "shipment_id": shipment_id,
            "destination": {"name": "Shop", "city": "Tokyo", "country": "JP", "latitude": 35.6, "longitude": 139.7},
            "lots": _lots(lots),
            "freight": [
                {"order_id": o, "line_id": ln, "pickup": Decimal(p), "main": Decimal(m)} for o, ln, p, m in freight
            ],
            "freight_currency": "PGK",
        },
    )


def moved(shipment_id, lots, status="in_transit", at=PLACED_AT):
    payload = {"shipment_id": shipment_id, "previous_status": "at_hub", "status": status, "lots": _lots(lots)}
    return fact("shipment.status_changed", payload, at=at)


def delivered(shipment_id, lots, at=None):
    payload = {"shipment_id": shipment_id, "lots": _lots(lots)}
    return fact("shipment.delivered", payload, at=at or datetime.now(timezone.utc))


LOTS = [("lot_a", "ord_1", "ln_1", 6), ("lot_b", "ord_1", "ln_2", 4)]
FREIGHT = [("ord_1", "ln_1", "10.00", "30.00"), ("ord_1", "ln_2", "5.55", "20.45")]


@pytest.fixture
def db(service_db):
    db = service_db("settlement")
    for offering_id, name, hs in (("off_bag", "Bilum bag", "630510"), ("off_coffee", "Highland coffee", "090111")):
        db(
            projections.record_offering,
            fact(
                "offering.published",
                {
                    "offering_id": offering_id,
                    "organisation_id": ORG,
                    "sku": offering_id,
                    "name": name,
                    "currency": "PGK",
                    "producer_price": Decimal("20.00"),
                    "fair_trade_premium": Decimal(0),
                    "unit_weight_g": 400,
                    "unit_volume_cm3": 6000,
                    "hs_code": hs,
                    "origin_country": "PG",
                },
            ),
        )
    return db


def documents(db, scope=STAFF, **query):
    return db(trade_views.list_documents, scope, query)["items"]


def ship(db, lots=LOTS, freight=FREIGHT, shipment_id="shp_1"):
    db(trade_projections.record_shipment, planned(shipment_id, lots, freight))
    db(trade_projections.record_shipment_status, moved(shipment_id, lots))


def test_a_placed_order_gets_one_pro_forma_with_its_deposit_and_promise(db):
    db.handle("settlement", placed(), trade_projections.record_sale)
    db.handle("settlement", placed(), trade_projections.record_sale)
    [proforma] = documents(db)
    assert proforma["number"] == f"PF-{YEAR}-00001"
    assert proforma["kind"] == "proforma"
    assert proforma["incoterm"] == "CIF Brisbane"
    assert [(line["quantity"], line["amount"], line["hs_code"]) for line in proforma["lines"]] == [
        (10, "385.00", "630510"),
        (4, "480.00", "090111"),
    ]
    assert proforma["total"] == "865.00"
    assert proforma["amount_due"] == "432.50"
    assert proforma["promised_date"] == "2027-02-20"
    assert proforma["issued_by"] == "system: order placed"
    assert [event["payload"]["number"] for event in db.emitted("document.issued")] == [proforma["number"]]


def test_an_order_in_yen_prints_the_rate_and_whole_yen(db):
    rate = {
        "rate_id": "xr_1",
        "base_currency": "PGK",
        "quote_currency": "JPY",
        "rate": Decimal("38.6"),
        "rate_date": date(2026, 11, 2),
    }
    db(trade_projections.record_sale, placed(currency="JPY", rate=rate, lines=[("ln_1", "off_bag", "BAG", 3, "1486")]))
    db(
        buyer_accounts.set_trade_terms,
        ORG,
        "anna",
        {
            "deposit_share": "0.3333",
            "deposit_days": 7,
            "payment_days": 30,
            "claim_window_days": 30,
            "tax_rate": "0.1",
            "tax_name": "JCT",
        },
    )
    db(
        trade_projections.record_shipment,
        planned("shp_1", [("lot_a", "ord_1", "ln_1", 3)], [("ord_1", "ln_1", "1.01", "2.02")]),
    )
    db(trade_projections.record_shipment_status, moved("shp_1", [("lot_a", "ord_1", "ln_1", 3)]))
    proforma, invoice, _ = documents(db)
    assert proforma["rate"]["rate"] == "38.6"
    assert proforma["total"] == "4458" and proforma["amount_due"] == "2229"
    # CIF: the seller pays the freight; the tax set since applies to the invoice.
    assert invoice["freight"] == "0" and invoice["freight_legs"]["main"] == {"amount": "78", "billed_to": "seller"}
    assert invoice["tax"] == "446" and invoice["total"] == "4904"


@pytest.mark.parametrize(
    "incoterm, mode, freight", [("EXW", "road", "66.00"), ("FCA", "sea", "50.45"), ("CIF", "sea", "0.00")]
)
def test_the_incoterm_decides_which_freight_legs_the_invoice_bills(db, incoterm, mode, freight):
    db(trade_projections.record_sale, placed(incoterm=incoterm, mode=mode))
    ship(db)
    [invoice] = documents(db, kind="invoice")
    assert invoice["freight"] == freight
    assert invoice["goods"] == "711.00"
    assert invoice["total"] == str(Decimal("711.00") + Decimal(freight))
    assert invoice["number"] == f"INV-{YEAR}-00001"
    assert invoice["shipment_id"] == "shp_1"


def test_a_packing_list_counts_each_lot_with_its_weight(db):
    db(trade_projections.record_sale, placed())
    ship(db)
    [packing] = documents(db, kind="packing_list")
    assert [(p["lot_id"], p["quantity"], p["net_weight_kg"], p["hs_code"]) for p in packing["packages"]] == [
        ("lot_a", 6, "2.4", "630510"),
        ("lot_b", 4, "1.6", "090111"),
    ]


def test_a_shipment_status_before_the_plan_waits_and_a_repeat_issues_nothing(db):
    db(trade_projections.record_sale, placed())
    with pytest.raises(trade_projections.invoicing.ShipmentUnknown):
        db(trade_projections.record_shipment_status, moved("shp_1", LOTS))
    ship(db)
    db(trade_projections.record_shipment_status, moved("shp_1", LOTS))
    assert [d["kind"] for d in documents(db)] == ["proforma", "invoice", "packing_list"]


def test_numbers_run_per_organisation_kind_and_year_without_gaps(db):
    for order in ("ord_1", "ord_2", "ord_3"):
        db(trade_projections.record_sale, placed(order_id=order, lines=[(f"ln_{order}", "off_bag", "BAG", 1, "38.50")]))
    assert [d["number"] for d in documents(db, kind="proforma")] == [f"PF-{YEAR}-0000{n}" for n in (1, 2, 3)]


def test_an_order_finished_short_is_credited_against_its_pro_forma_down_to_what_was_delivered(db):
    db(trade_projections.record_sale, placed())
    db(
        trade_projections.record_replacement,
        fact("lot.replaced", {"order_id": "ord_1", "line_id": "ln_1", "lot_id": "lot_x", "quantity": 4}),
    )
    ship(db)
    assert documents(db, kind="credit_note") == []
    db(
        trade_projections.record_shortfall,
        fact(
            "order.shortfall",
            {
                "order_id": "ord_1",
                "line_id": "ln_1",
                "offering_id": "off_bag",
                "ordered": 10,
                "covered": 6,
                "shortfall": 4,
            },
        ),
    )
    db(trade_projections.record_delivery, delivered("shp_1", LOTS))
    [credit] = documents(db, kind="credit_note")
    proforma = documents(db, kind="proforma")[0]
    invoice = documents(db, kind="invoice")[0]
    assert credit["corrects"] == proforma["number"]
    assert [(line["line_id"], line["quantity"]) for line in credit["lines"]] == [("ln_1", 4)]
    assert "replaced" in credit["reason"]
    assert Decimal(proforma["total"]) - Decimal(credit["total"]) == Decimal(invoice["goods"])
    account = db(buyer_accounts.accounts, STAFF)["items"][0]
    assert account["ordered"] == invoice["goods"]


def test_a_cancelled_order_is_credited_for_what_did_not_ship(db):
    db(trade_projections.record_sale, placed())
    db(trade_projections.record_cancellation, fact("order.cancelled", {"order_id": "ord_1", "reason": "buyer closed"}))
    [credit] = documents(db, kind="credit_note")
    assert credit["total"] == "865.00"
    assert "cancelled" in credit["reason"]


def test_receipts_make_the_account_and_overdue_buyers_are_reminded_weekly(db):
    db(trade_projections.record_sale, placed())
    deposit = {
        "kind": "deposit",
        "amount": "432.50",
        "currency": "PGK",
        "reference": "TT 1",
        "received_on": "2026-11-03",
    }
    with pytest.raises(InvalidInput, match="receipt"):
        db(buyer_accounts.record_receipt, STAFF, "anna", "ord_1", {**deposit, "currency": "AUD"})
    with pytest.raises(NotFound):
        db(buyer_accounts.record_receipt, {"organisation_id": "org_other"}, "eve", "ord_1", deposit)
    account = db(buyer_accounts.record_receipt, STAFF, "anna", "ord_1", deposit)
    assert (account["received"], account["outstanding"]) == ("432.50", "-432.50")
    ship(db)
    invoice = documents(db, kind="invoice")[0]
    due = date.fromisoformat(invoice["due_on"])
    assert db(buyer_accounts.send_reminders, due) == 0
    assert db(buyer_accounts.send_reminders, due + timedelta(days=1)) == 1
    assert db(buyer_accounts.send_reminders, due + timedelta(days=3)) == 0
    assert db(buyer_accounts.send_reminders, due + timedelta(days=8)) == 1
    reminder = db.emitted("payment.overdue")[-1]["payload"]
    assert reminder["outstanding"] == str(Decimal(invoice["total"]) - Decimal("432.50"))
    assert reminder["days_overdue"] == 8
    ageing = db(buyer_accounts.receivables, STAFF, due + timedelta(days=40))["currencies"]
    assert ageing == [
        {
            "currency": "PGK",
            "total": reminder["outstanding"],
            "buckets": {
                "current": "0.00",
                "1-30": "0.00",
                "31-60": reminder["outstanding"],
                "61-90": "0.00",
                "over_90": "0.00",
            },
        }
    ]


def test_a_buyer_sees_its_own_documents_only(db):
    db(trade_projections.record_sale, placed())
    [proforma] = documents(db, BUYER)
    assert documents(db, {"buyer_organisation_id": "org_other"}) == []
    with pytest.raises(NotFound):
        db(trade_views.get_document, {"buyer_organisation_id": "org_other"}, proforma["document_id"])
    for language, title in (("en", "Pro-forma invoice"), ("fr", "Facture pro forma")):
        pdf = db(trade_views.get_document, BUYER, proforma["document_id"], "pdf", language)
        text = PdfReader(io.BytesIO(base64.b64decode(pdf["data"]))).pages[0].extract_text()
        assert title in text and proforma["number"] in text and "CIF Brisbane" in text


def claim_body(units=2, kind="damaged", line_id="ln_1", photos=True):
    body = {"lines": [{"line_id": line_id, "kind": kind, "units": units}], "reason": "crushed in the container"}
    if photos:
        body["photos"] = [{"content_type": "image/png", "data": base64.b64encode(PNG).decode()}]
    return body


@pytest.fixture
def delivered_order(db):
    db(
        projections.record_producer,
        fact(
            "producer.registered",
            {
                "producer_id": "prd_mary",
                "organisation_id": ORG,
                "name": "Mary Kewa",
                "mobile": None,
                "languages": ["en"],
            },
        ),
    )
    db(
        lambda uow, *args, **kwargs: journal.append(uow.session, *args, **kwargs),
        "earning:lot_a",
        organisation_id=ORG,
        producer_id="prd_mary",
        currency="PGK",
        kind="earning",
        amount=Decimal("120"),
        lot_id="lot_a",
    )
    db(trade_projections.record_sale, placed())
    ship(db)
    db(trade_projections.record_delivery, delivered("shp_1", LOTS))
    return db


def test_a_claim_is_refused_before_delivery_past_the_window_or_beyond_what_arrived(db):
    db(trade_projections.record_sale, placed())
    ship(db)
    with pytest.raises(InvalidInput, match="claim"):
        db(claims.file_claim, BUYER, "kiriko", "ord_1", claim_body())
    db(trade_projections.record_delivery, delivered("shp_1", LOTS, at=datetime.now(timezone.utc) - timedelta(days=31)))
    with pytest.raises(InvalidInput) as late:
        db(claims.file_claim, BUYER, "kiriko", "ord_1", claim_body())
    assert "within 30 days" in str(late.value.fields)
    assert db(claim_views.list_claims, BUYER)["items"] == []


def test_a_claim_needs_photos_of_damage_real_pictures_and_no_more_units_than_delivered(delivered_order):
    db = delivered_order
    with pytest.raises(InvalidInput):
        db(claims.file_claim, BUYER, "kiriko", "ord_1", claim_body(photos=False))
    with pytest.raises(InvalidInput):
        db(
            claims.file_claim,
            BUYER,
            "kiriko",
            "ord_1",
            {**claim_body(), "photos": [{"content_type": "image/png", "data": base64.b64encode(b"GIF89a").decode()}]},
        )
    with pytest.raises(InvalidInput, match="claim"):
        db(claims.file_claim, BUYER, "kiriko", "ord_1", claim_body(units=7))
    with pytest.raises(NotFound):
        db(claims.file_claim, {"buyer_organisation_id": "org_other"}, "eve", "ord_1", claim_body())
    db(claims.file_claim, BUYER, "kiriko", "ord_1", claim_body(units=5))
    with pytest.raises(InvalidInput):
        db(claims.file_claim, BUYER, "kiriko", "ord_1", claim_body(units=2, kind="missing", photos=False))


def test_a_claim_accepted_in_part_credits_the_invoice_and_names_the_lots_and_producers(delivered_order):
    db = delivered_order
    claim = db(claims.file_claim, BUYER, "kiriko", "ord_1", claim_body(units=4))
    assert claim["traceability"] == [{"line_id": "ln_1", "lot_id": "lot_a", "shipment_id": "shp_1", "quantity": 6}]
    decision = {
        "decision": "accept",
        "lines": [{"line_id": "ln_1", "accepted_units": 3}],
        "reason": "three bags torn in the photos, the fourth is fine",
        "charges": [
            {"producer_id": "prd_mary", "amount": "10.00", "currency": "PGK", "reason": "handles not stitched"}
        ],
    }
    decided = db(claims.decide_claim, STAFF, "anna", claim["claim_id"], decision)
    assert decided["status"] == "partly_accepted"
    assert decided["traceability"][0]["producer"] == "Mary Kewa"
    [credit] = documents(db, kind="credit_note")
    invoice = documents(db, kind="invoice")[0]
    assert credit["corrects"] == invoice["number"] and credit["total"] == "115.50"
    assert credit["issued_by"] == "anna"
    assert decided["credit_notes"] == [credit["number"]]
    assert db(lambda uow: journal.totals(uow.session, "prd_mary", "PGK")).balance == Decimal("110")
    account = db(buyer_accounts.accounts, BUYER)["items"][0]
    assert Decimal(account["invoiced"]) - Decimal(account["credited"]) == Decimal(invoice["total"]) - Decimal("115.50")
    assert db.emitted("claim.decided")[-1]["payload"]["accepted_units"] == 3
    with pytest.raises(Conflict):
        db(claims.decide_claim, STAFF, "anna", claim["claim_id"], decision)
    assert db(claim_views.get_claim, BUYER, claim["claim_id"])["charges"] == []


def test_a_decision_charges_only_producers_the_claim_concerns_and_a_rejection_credits_nothing(delivered_order):
    db = delivered_order
    claim = db(claims.file_claim, BUYER, "kiriko", "ord_1", claim_body(units=1))
    with pytest.raises(InvalidInput, match="decision"):
        db(
            claims.decide_claim,
            STAFF,
            "anna",
            claim["claim_id"],
            {
                "decision": "accept",
                "lines": [{"line_id": "ln_1", "accepted_units": 1}],
                "reason": "ok then",
                "charges": [{"producer_id": "prd_other", "amount": "1.00", "currency": "PGK", "reason": "not hers"}],
            },
        )
    with pytest.raises(NotFound):
        db(
            claims.decide_claim,
            {"organisation_id": "org_other"},
            "eve",
            claim["claim_id"],
            {"decision": "reject", "reason": "not ours to decide"},
        )
    rejected = db(
        claims.decide_claim,
        STAFF,
        "anna",
        claim["claim_id"],
        {"decision": "reject", "reason": "the photo shows another bag"},
    )
    assert rejected["status"] == "rejected"
    assert documents(db, kind="credit_note") == []


def test_a_claim_naming_a_lot_traces_that_lot_and_holds_to_its_units(delivered_order):
    db = delivered_order
    body = claim_body(units=2)
    with pytest.raises(InvalidInput, match="claim"):
        db(claims.file_claim, BUYER, "kiriko", "ord_1", {**body, "lines": [{**body["lines"][0], "lot_id": "lot_b"}]})
    with pytest.raises(InvalidInput, match="claim"):
        db(
            claims.file_claim,
            BUYER,
            "kiriko",
            "ord_1",
            {**body, "lines": [{**body["lines"][0], "lot_id": "lot_a", "units": 7}]},
        )
    claim = db(
        claims.file_claim, BUYER, "kiriko", "ord_1", {**body, "lines": [{**body["lines"][0], "lot_id": "lot_a"}]}
    )
    assert claim["lines"][0]["lot_id"] == "lot_a"
    assert [entry["lot_id"] for entry in claim["traceability"]] == ["lot_a"]

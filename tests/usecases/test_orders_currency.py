"""Orders name their Incoterm and may be in another currency than the offerings', converted at the exchange rate the
organisation recorded for the day of placing: on a real database, what is recorded, shown and announced."""

from datetime import timedelta
from decimal import Decimal

import pytest

from services.orders import exchange_rates, placing, views
from shared.errors import InvalidInput
from shared.events import parse
from tests.usecases.test_orders_placing import TODAY, order_body, publish_offering

TOKYO = {"incoterm": "DAP", "named_place": "Tokyo", "transport_mode": "air"}


@pytest.fixture
def db(service_db):
    db = service_db("orders")
    publish_offering(db, "BAG-M", unit_price="38.50")
    publish_offering(db, "BAG-S", unit_price="24.99")
    return db


def _record(db, rate="155.32", organisation="org_a", **more):
    body = {"base_currency": "USD", "quote_currency": "JPY", "rate": rate, "valid_from": TODAY.isoformat(), **more}
    return db(exchange_rates.record_exchange_rate, organisation, "mele", body)


def _place(db, *lines, **more):
    return db(placing.place_and_show, order_body(*lines, **more), today=TODAY)


def test_an_order_in_yen_is_converted_at_the_recorded_rate_and_announces_its_terms_and_rate(db):
    rate = _record(db)
    order = _place(db, ("BAG-M", 120), ("BAG-S", 3), currency="JPY", trade_terms=TOKYO)
    # 38.50 x 155.32 = 5979.82 and 24.99 x 155.32 = 3881.4468: a yen has no decimals.
    assert [line["unit_price"] for line in order["lines"]] == ["5980", "3881"]
    assert (order["currency"], order["total"]) == ("JPY", str(120 * 5980 + 3 * 3881))
    assert order["trade_terms"] == TOKYO
    assert order["exchange_rate"] == {
        "rate_id": rate["rate_id"],
        "base_currency": "USD",
        "quote_currency": "JPY",
        "rate": "155.32",
        "rate_date": TODAY.isoformat(),
    }
    [message] = db.emitted("order.placed")
    placed = parse(message).payload
    assert placed["currency"] == "JPY" and placed["trade_terms"] == TOKYO
    assert [line["unit_price"] for line in placed["lines"]] == [Decimal("5980"), Decimal("3881")]
    assert placed["exchange_rate"]["rate"] == Decimal("155.32")
    assert placed["exchange_rate"]["rate_date"] == TODAY and placed["exchange_rate"]["rate_id"] == rate["rate_id"]


def test_the_latest_recording_covering_the_day_is_the_rate_and_other_days_keep_theirs(db):
    week = _record(
        db,
        "150",
        valid_from=(TODAY - timedelta(days=3)).isoformat(),
        valid_until=(TODAY + timedelta(days=3)).isoformat(),
    )
    corrected = _record(db, "155.32")
    order = _place(db, ("BAG-M", 1), currency="JPY", trade_terms=TOKYO)
    assert order["exchange_rate"]["rate_id"] == corrected["rate_id"] and order["lines"][0]["unit_price"] == "5980"
    tomorrow = db(placing.place_and_show, order_body(("BAG-M", 1), currency="JPY"), today=TODAY + timedelta(days=1))
    assert tomorrow["exchange_rate"]["rate_id"] == week["rate_id"] and tomorrow["lines"][0]["unit_price"] == "5775"


def test_a_currency_with_three_decimals_keeps_them(db):
    _record(db, "0.3075", quote_currency="KWD")
    order = _place(db, ("BAG-M", 2), currency="KWD")
    # 38.50 x 0.3075 = 11.83875: a dinar has 1,000 fils.
    assert order["lines"][0]["unit_price"] == "11.839" and order["total"] == "23.678"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"trade_terms": {**TOKYO, "incoterm": "CIX"}}, "incoterm"),
        ({"trade_terms": {**TOKYO, "incoterm": "CIF"}}, "incoterm"),
        ({"trade_terms": {"incoterm": "FCA", "transport_mode": "sea"}}, "named_place"),
        ({"trade_terms": {**TOKYO, "named_place": "   "}}, "named_place"),
        ({"trade_terms": {**TOKYO, "transport_mode": "teleport"}}, "transport_mode"),
        ({"trade_terms": None}, "trade_terms"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "EUR"}, "currency"),
        ({"currency": "JPY"}, "currency"),
    ],
)
def test_an_order_with_wrong_terms_or_no_rate_for_its_currency_is_refused_by_field_and_writes_nothing(
    db, change, field
):
    _record(db, valid_from=(TODAY + timedelta(days=1)).isoformat())
    _record(db, organisation="org_b")
    body = order_body(("BAG-M", 1), **change)
    with pytest.raises(InvalidInput) as refused:
        db(placing.place_and_show, body, today=TODAY)
    refused_fields = refused.value.fields
    assert field in (refused_fields["trade_terms"] if field in TOKYO else refused_fields)
    assert db.emitted() == [] and db(views.list_orders)["total"] == 0


def test_without_trade_terms_nothing_is_placed(db):
    body = order_body(("BAG-M", 1))
    del body["trade_terms"]
    with pytest.raises(InvalidInput) as refused:
        db(placing.place_and_show, body, today=TODAY)
    assert refused.value.fields == {"trade_terms": ["Missing data for required field."]}
    assert db.emitted() == []


def test_a_recorded_rate_is_for_its_first_day_alone_unless_told_and_lists_newest_first(db):
    first = _record(db)
    second = _record(db, "156", valid_until=(TODAY + timedelta(days=365)).isoformat())
    _record(db, "0.0064", organisation="org_b", base_currency="JPY", quote_currency="USD")
    assert (first["valid_from"], first["valid_until"]) == (TODAY.isoformat(), TODAY.isoformat())
    assert first["recorded_by"] == "mele" and first["organisation_id"] == "org_a"
    listed = db(exchange_rates.list_exchange_rates, "org_a", {"page_size": 1})
    assert listed["total"] == 2 and [rate["rate_id"] for rate in listed["items"]] == [second["rate_id"]]
    assert db(exchange_rates.list_exchange_rates, None, {"quote_currency": "USD"})["items"][0]["rate"] == "0.0064"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"quote_currency": "USD"}, "quote_currency"),
        ({"quote_currency": "YEN"}, "quote_currency"),
        ({"rate": "0"}, "rate"),
        ({"rate": "1.123456789"}, "rate"),
        ({"rate": "NaN"}, "rate"),
        ({"valid_until": (TODAY - timedelta(days=1)).isoformat()}, "valid_until"),
        ({"valid_until": (TODAY + timedelta(days=366)).isoformat()}, "valid_until"),
        ({"organisation_id": "org_b"}, "organisation_id"),
    ],
)
def test_a_rate_that_breaks_a_rule_is_refused_by_field_and_writes_nothing(db, change, field):
    with pytest.raises(InvalidInput) as refused:
        _record(db, **change)
    assert field in refused.value.fields
    assert db(exchange_rates.list_exchange_rates, None)["total"] == 0

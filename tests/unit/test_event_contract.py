import json
from datetime import date
from decimal import Decimal

import pytest

from shared.contract import CONTRACT
from shared.events import InvalidEvent, new_event, parse
from tests.payloads import offering_published

PLACED = {
    "order_id": "ord_1",
    "buyer": {"buyer_id": "byr_1", "name": "Kiriko", "email": "orders@example.org"},
    "destination": {"name": "Shop", "city": "Tokyo", "country": "JP", "latitude": 35.6, "longitude": 139.7},
    "due_date": date(2027, 3, 1),
    "promised_date": date(2027, 2, 20),
    "lines": [{"line_id": "lin_1", "offering_id": "off_1", "sku": "BLM-BAG-M", "quantity": 120}],
}


def test_an_event_survives_the_bus_with_its_python_types():
    event = new_event("order.placed", PLACED, correlation_id="ord_1")
    received = parse(json.loads(json.dumps(event.to_message())))
    assert received == event
    assert received.payload["due_date"] == date(2027, 3, 1)
    assert received.occurred_at.tzinfo is not None


def test_money_travels_as_an_exact_decimal_string():
    event = offering_published("off_1", "S", unit_price=Decimal("38.50"), producer_price=Decimal("21.00"))
    message = event.to_message()
    assert message["payload"]["unit_price"] == "38.50"
    assert parse(message).payload["unit_price"] == Decimal("38.50")


@pytest.mark.parametrize(
    "breakage, reason",
    [
        (lambda m: m.update(version=9), "unknown event"),
        (lambda m: m.update(event_type="order.teleported"), "unknown event"),
        (lambda m: m.pop("event_id"), "envelope invalid"),
        (lambda m: m.update(occurred_at="2026-11-23T10:00:00"), "envelope invalid"),
        (lambda m: m["payload"]["lines"][0].update(quantity=-3), "payload invalid"),
        (lambda m: m["payload"].pop("destination"), "payload invalid"),
    ],
)
def test_a_message_that_breaks_the_contract_is_refused_with_a_reason(breakage, reason):
    message = new_event("order.placed", PLACED, correlation_id="ord_1").to_message()
    breakage(message)
    with pytest.raises(InvalidEvent, match=reason):
        parse(message)


def test_a_producer_cannot_emit_an_event_its_consumers_would_refuse():
    with pytest.raises(InvalidEvent):
        new_event("order.placed", {**PLACED, "lines": []}, correlation_id="ord_1")


def test_every_event_names_its_source_service_and_a_description():
    services = {"catalogue", "orders", "aggregation", "consolidation", "notification", "settlement"}
    for spec in CONTRACT.values():
        assert spec.source in services
        assert spec.description.endswith(".")


def test_not_json_at_all_is_refused():
    with pytest.raises(InvalidEvent):
        parse("hello")


def test_the_documented_event_table_lists_every_event_of_the_contract_with_its_source():
    from pathlib import Path

    reference = (Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text()
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in reference.splitlines()
        if line.startswith("| `") and "." in line.split("|")[1]
    }
    for spec in CONTRACT.values():
        assert spec.event_type in rows, f"docs/events.md's event table lacks {spec.event_type}"
        cells = [cell.strip() for cell in rows[spec.event_type].split("|")]
        assert cells[2] == str(spec.version) and cells[3] == spec.source, rows[spec.event_type]

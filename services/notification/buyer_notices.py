"""What buyers and organisations are told about their orders and shipments: pure decisions, like ``domain``'s for
producers, on the models ``domain`` defines."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.notification.domain import Notice, Order, ShipmentDue, ShippedLot
from shared.money import show


def order_placed(event_id: str, order: Order, units: int) -> list[Notice]:
    """With a promise when allocation could give one; without, the buyer hears the date later."""
    if order.promised_date is None:
        return [
            Notice(
                order.buyer_id, "order_received", event_id, order.order_id, {"order_id": order.order_id, "units": units}
            )
        ]
    return [
        Notice(
            order.buyer_id,
            "order_confirmed",
            event_id,
            order.order_id,
            {"order_id": order.order_id, "units": units, "promised_by": order.promised_date},
        )
    ]


def shortfall(
    event_id: str, order: Order, aggregator_id: str | None, ordered: int, short: int, product: str
) -> list[Notice]:
    values = {"order_id": order.order_id, "ordered": ordered, "short": short, "product": product}
    notices = [Notice(order.buyer_id, "order_shortfall", event_id, order.order_id, values)]
    if aggregator_id:
        notices.append(Notice(aggregator_id, "aggregator_shortfall", event_id, order.order_id, values))
    return notices


def _units_per_order(lots: Iterable[ShippedLot]) -> dict[str, int]:
    units: dict[str, int] = {}
    for lot in lots:
        units[lot.order_id] = units.get(lot.order_id, 0) + lot.quantity
    return units


def orders_shipped(event_id: str, lots: Iterable[ShippedLot], orders: Mapping[str, Order]) -> list[Notice]:
    """Each buyer hears about the units of its own orders in the shipment, expected by the date it was promised
    (the due date when there was no promise)."""
    return [
        Notice(
            orders[order_id].buyer_id,
            "order_shipped",
            f"{event_id}/{order_id}",
            order_id,
            {
                "order_id": order_id,
                "units": units,
                "expected_on": orders[order_id].promised_date or orders[order_id].due_date,
            },
        )
        for order_id, units in sorted(_units_per_order(lots).items())
    ]


def orders_delivered(event_id: str, lots: Iterable[ShippedLot], orders: Mapping[str, Order]) -> list[Notice]:
    return [
        Notice(
            orders[order_id].buyer_id,
            "order_delivered",
            f"{event_id}/{order_id}",
            order_id,
            {"order_id": order_id, "units": units},
        )
        for order_id, units in sorted(_units_per_order(lots).items())
    ]


# Trade documents, payments and claims: the buyer only; the organisation issued them -----------------------------------


def document_issued(event_id: str, order: Order, document: Mapping) -> Notice:
    """Worded by the document's kind and what it names: a pro-forma's deposit and its date, an invoice's due date,
    the document a credit note corrects; without them, its total alone."""
    kind, currency, due_on = document["kind"], document["currency"], document["due_on"]
    values: dict[str, object] = {"number": document["number"], "order_id": order.order_id}
    if kind != "packing_list":
        values["amount"] = show(document["total"], currency)
    template = f"document_{kind}"
    if kind == "proforma" and document["amount_due"] and due_on is not None:
        values.update(deposit=show(document["amount_due"], currency), due_on=due_on)
    elif kind == "proforma":
        template = "document_proforma_total"
    elif kind == "invoice" and due_on is not None:
        values["due_on"] = due_on
    elif kind == "invoice":
        template = "document_invoice_total"
    elif kind == "credit_note" and document["corrects"]:
        values["corrects"] = document["corrects"]
    elif kind == "credit_note":
        template = "document_credit_note_order"
    return Notice(order.buyer_id, template, event_id, order.order_id, values)


def payment_overdue(event_id: str, order: Order, overdue: Mapping) -> Notice:
    values = {
        "order_id": order.order_id,
        "outstanding": show(overdue["outstanding"], overdue["currency"]),
        "due_on": overdue["due_on"],
        "days": overdue["days_overdue"],
        "documents": ", ".join(overdue["documents"]) or "-",
    }
    return Notice(order.buyer_id, "payment_overdue", event_id, order.order_id, values)


def claim_decided(event_id: str, order: Order, claim: Mapping) -> Notice:
    """A rejection never names a credit note; an acceptance names the one issued for it, if any."""
    decision, credit_note = claim["decision"], claim["credit_note"]
    values: dict[str, object] = {
        "order_id": order.order_id,
        "claimed_units": claim["claimed_units"],
        "reason": claim["reason"],
    }
    if decision == "partly_accepted":
        values["accepted_units"] = claim["accepted_units"]
    kind = f"claim_{decision}"
    if decision != "rejected" and credit_note:
        kind, values["credit_note"] = f"{kind}_credited", credit_note
    return Notice(order.buyer_id, kind, event_id, order.order_id, values)


# Aggregators ---------------------------------------------------------------------------------------------------------


def late_shipments(due: Iterable[ShipmentDue], today: date) -> list[Notice]:
    """A shipment still on its way after an order in it was due: told once, to each organisation concerned."""
    return [
        Notice(
            item.organisation_id,
            "aggregator_shipment_late",
            item.shipment_id,
            item.shipment_id,
            {"shipment_id": item.shipment_id, "due_on": item.due_on},
        )
        for item in due
        if item.due_on < today
    ]


def dead_letters(organisation_id: str, service: str, count: int, first_letter: int) -> Notice:
    return Notice(
        organisation_id,
        "aggregator_dead_letters",
        f"{service}/{first_letter}",
        f"dead-letters/{service}",
        {"service": service, "count": count},
    )


def digest(recipient_id: str, day: date, items: list[str]) -> Notice:
    return Notice(recipient_id, "daily_digest", day.isoformat(), recipient_id, {"day": day, "items": items})


def digest_day(now: datetime, timezone: str | None, digest_hour: int) -> date | None:
    """The recipient's local day once its digest hour has come, else None."""
    local = now.astimezone(ZoneInfo(timezone or "UTC"))
    return local.date() if local.hour >= digest_hour else None


# Preferences --------------------------------------------------------------------------------------------------------

"""The sweep's alert of late shipments on SQLite: each organisation whose order is in a shipment still on its way
after the order's due date is told once, however many sweeps follow and whatever else was already said."""

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from services.notification import contacts, sweeps
from services.notification.store import deliveries, offerings, order_buyers, order_lines, shipment_lots, shipments

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(service_db):
    """Two organisations with a contact; a shipment on its way carries an order of each, both past due; a
    delivered shipment carries another order past due."""
    db = service_db("notification")
    for organisation_id, name in (("org_goroka", "Goroka co-op"), ("org_kundiawa", "Kundiawa weavers")):
        db(contacts.set_contact, organisation_id, {"name": name, "email": f"desk@{organisation_id[4:]}.example"})
    with db.database.transaction() as uow:
        uow.session.execute(
            offerings.insert(),
            [
                {"offering_id": "off_bag", "name": "Bilum bag", "organisation_id": "org_goroka"},
                {"offering_id": "off_hat", "name": "Bilum hat", "organisation_id": "org_kundiawa"},
            ],
        )
        uow.session.execute(
            order_buyers.insert(),
            [
                {"order_id": order_id, "buyer_id": "byr_sc", "due_date": date(2027, 3, 1), "promised_date": None}
                for order_id in ("ord_bags", "ord_hats", "ord_done")
            ],
        )
        uow.session.execute(
            order_lines.insert(),
            [
                {"line_id": "lin_bags", "order_id": "ord_bags", "offering_id": "off_bag", "quantity": 40},
                {"line_id": "lin_hats", "order_id": "ord_hats", "offering_id": "off_hat", "quantity": 20},
                {"line_id": "lin_done", "order_id": "ord_done", "offering_id": "off_bag", "quantity": 10},
            ],
        )
        uow.session.execute(
            shipments.insert(),
            [
                {"shipment_id": "shp_way", "city": "Lae", "status": "in_transit", "planned_at": NOW},
                {"shipment_id": "shp_done", "city": "Lae", "status": "delivered", "planned_at": NOW},
            ],
        )
        uow.session.execute(
            shipment_lots.insert(),
            [
                {"shipment_id": "shp_way", "lot_id": "lot_bags", "order_id": "ord_bags", "quantity": 40},
                {"shipment_id": "shp_way", "lot_id": "lot_hats", "order_id": "ord_hats", "quantity": 20},
                {"shipment_id": "shp_done", "lot_id": "lot_done", "order_id": "ord_done", "quantity": 10},
            ],
        )
    return db


def alerts(db) -> list[tuple[str, str]]:
    with db.database.engine.connect() as connection:
        return sorted(
            connection.execute(
                select(deliveries.c.recipient_id, deliveries.c.dedupe_key).where(
                    deliveries.c.template == "aggregator_shipment_late"
                )
            ).all()
        )


def test_each_organisation_of_a_late_shipment_is_told_once_over_many_sweeps(db):
    first = db(sweeps.alert_late_shipments, NOW)
    assert len(first) == 2
    assert alerts(db) == [("org_goroka", "shp_way"), ("org_kundiawa", "shp_way")], "not of the delivered shipment"
    assert db(sweeps.alert_late_shipments, NOW) == [], "the next sweep finds both told"
    assert len(alerts(db)) == 2


def test_an_organisation_told_already_is_not_told_again_when_another_is(db):
    db(sweeps.alert_late_shipments, NOW)
    with db.database.transaction() as uow:
        uow.session.execute(
            deliveries.delete().where(
                deliveries.c.template == "aggregator_shipment_late", deliveries.c.recipient_id == "org_kundiawa"
            )
        )
    assert len(db(sweeps.alert_late_shipments, NOW)) == 1
    assert alerts(db) == [("org_goroka", "shp_way"), ("org_kundiawa", "shp_way")]


def test_a_shipment_before_its_orders_are_due_raises_no_alert(db):
    assert db(sweeps.alert_late_shipments, datetime(2027, 2, 27, tzinfo=timezone.utc)) == []
    assert alerts(db) == []

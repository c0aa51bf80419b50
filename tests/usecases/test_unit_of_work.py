"""The unit of work every use case runs in: what it writes and emits commits together, once per event."""

import pytest

from services.orders.store import orders
from shared.events import new_event


def _emit_one(uow, event):
    uow.emit(
        new_event(
            "order.cancelled",
            {"order_id": event.payload["order_id"], "reason": "test"},
            correlation_id=event.payload["order_id"],
        )
    )
    return "done"


def test_a_handled_event_emits_once_however_often_it_arrives(service_db):
    db = service_db("orders")
    event = new_event("order.cancelled", {"order_id": "o-1", "reason": "test"}, correlation_id="o-1")
    assert db.handle("orders.on_test", event, _emit_one) == "done"
    assert db.handle("orders.on_test", event, _emit_one) is None
    assert len(db.emitted("order.cancelled")) == 1


def test_a_failed_use_case_leaves_no_event_and_no_inbox_entry(service_db):
    db = service_db("orders")
    event = new_event("order.cancelled", {"order_id": "o-2", "reason": "test"}, correlation_id="o-2")

    def fails(uow, event):
        _emit_one(uow, event)
        raise RuntimeError("refused after emitting")

    with pytest.raises(RuntimeError):
        db.handle("orders.on_test", event, fails)
    assert db.emitted() == []
    assert db.handle("orders.on_test", event, _emit_one) == "done"


def test_a_use_case_reads_and_writes_through_its_session(service_db):
    db = service_db("orders")
    assert db(lambda uow: uow.session.execute(orders.select()).all()) == []

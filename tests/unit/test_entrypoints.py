"""Entrypoints built from use cases: named and signed like the use case, each run in one unit of work."""

import inspect

import pytest
from nameko.exceptions import IncorrectSignature
from nameko.extensions import Entrypoint

from shared.messaging import on_event, on_events, rpc_use_case
from shared.store import Database


def accept(uow, quota_id, body=None):
    """Accept a quota."""
    return {"uow": uow, "quota_id": quota_id, "body": body}


class _Units:
    """Stands for ServiceDatabase's worker view: hands out a marker instead of a transaction."""

    def __init__(self):
        self.handled = []

    def transaction(self):
        from contextlib import nullcontext

        return nullcontext("unit of work")

    def handle_once(self, event, effect):
        self.handled.append(("once", event))
        return effect("unit of work", event)

    def handle_batch(self, events, effect):
        self.handled.append(("batch", events))
        return effect("unit of work", events)


class ProbeService:
    name = "probe"
    accept_quota = rpc_use_case(accept)
    on_quota_offered = on_event("aggregation", "quota.offered", lambda uow, event: (uow, event))
    on_orders_placed = on_events("orders", "order.placed", lambda uow, events: (uow, len(events)))


def test_an_rpc_use_case_runs_in_a_unit_of_work_with_the_callers_arguments():
    service = ProbeService()
    service.db = _Units()
    assert service.accept_quota("q-1", {"quantity": 3}) == {
        "uow": "unit of work",
        "quota_id": "q-1",
        "body": {"quantity": 3},
    }
    assert ProbeService.accept_quota.__name__ == "accept"
    assert ProbeService.accept_quota.__doc__ == "Accept a quota."


def test_nameko_refuses_a_call_with_the_wrong_arguments_before_a_worker_starts():
    entrypoint = next(iter(ProbeService.accept_quota.nameko_entrypoints))
    container = type("Container", (), {"service_cls": ProbeService, "shared_extensions": {}})()
    bound = entrypoint.bind(container, "accept_quota")
    bound.check_signature(("q-1",), {})
    with pytest.raises(IncorrectSignature):
        bound.check_signature((), {})
    with pytest.raises(IncorrectSignature):
        bound.check_signature(("q-1", {}, "one too many"), {})
    assert list(inspect.signature(ProbeService.accept_quota).parameters) == ["self", "quota_id", "body"]


def test_event_handlers_apply_their_effect_once_per_event_or_per_batch():
    service = ProbeService()
    service.db = _Units()
    assert service.on_quota_offered("event") == ("unit of work", "event")
    assert service.on_orders_placed(["a", "b"]) == ("unit of work", 2)
    assert service.db.handled == [("once", "event"), ("batch", ["a", "b"])]
    assert all(isinstance(entrypoint, Entrypoint) for entrypoint in ProbeService.on_quota_offered.nameko_entrypoints)


def test_a_unit_of_work_is_what_a_transaction_yields(tmp_path):
    from services.orders.store import inbox, outbox
    from shared.store import UnitOfWork, make_engine

    database = Database("orders", outbox, inbox, engine=make_engine("orders", f"sqlite:///{tmp_path / 'o.db'}"))
    with database.transaction() as uow:
        assert isinstance(uow, UnitOfWork)

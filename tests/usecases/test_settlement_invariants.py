"""Any sequence of facts and actions, with duplicates and replays, keeps a producer's money consistent: her balance
is earned + written off - advanced - paid, each passed lot earns once at its quota's rate, and no earning is settled
beyond its amount."""

import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from services.settlement import advances, domain, journal, payout_sending, payout_views, payouts, projections
from services.settlement.momo import TransferStatus
from services.settlement.store import journal as entries
from services.settlement.store import quotas, settlements
from shared.errors import Conflict, InvalidInput, NotFound
from tests.usecases.conftest import ServiceDb
from tests.usecases.test_settlement import OFFERING, ORG, fact, lot, producer, quota

QUOTAS = ("q1", "q2", "q3")
steps = st.lists(
    st.one_of(
        st.tuples(st.just("offer"), st.sampled_from(QUOTAS), st.integers(1, 20)),
        st.tuples(st.just("inspect"), st.sampled_from(QUOTAS), st.integers(1, 6), st.booleans()),
        st.tuples(st.just("advance"), st.sampled_from(QUOTAS), st.integers(1, 60)),
        st.tuples(st.just("release"), st.sampled_from(QUOTAS)),
        st.tuples(st.just("write_off"), st.integers(1, 30)),
        st.tuples(st.just("pay"), st.sampled_from(("successful", "failed", "retry"))),
    ),
    min_size=1,
    max_size=25,
)


def _apply(db: ServiceDb, step) -> None:
    kind = step[0]
    if kind == "offer":
        offered = quota(step[1], quantity=step[2])
        db(projections.record_offer, fact("quota.offered", offered))
        db(projections.record_acceptance, fact("quota.accepted", offered))
    elif kind in ("inspect", "release") and not _offered(db, step[1]):
        return
    elif kind == "inspect":
        inspected = lot(f"L-{step[1]}-{step[2]}", quota_id=step[1], quantity=step[2], passed=step[3])
        db(projections.record_inspection, inspected)
        db(projections.record_inspection, inspected)
    elif kind == "advance":
        body = {"quota_id": step[1], "kind": "cash", "description": "fare", "amount": str(step[2]), "currency": "PGK"}
        _refusal_allowed(db, advances.record_advance, ORG, "anna", body)
    elif kind == "release":
        db(projections.record_end, fact("quota.released", quota(step[1])))
    elif kind == "write_off":
        owed = db(advances.list_advances, ORG, {"outstanding": True})["items"]
        if owed:
            body = {"advance_id": owed[0]["advance_id"], "amount": str(step[1]), "reason": "gave up"}
            _refusal_allowed(db, advances.write_off, ORG, "anna", body)
    else:
        _pay(db, step[1])


def _offered(db: ServiceDb, quota_id: str) -> bool:
    """A fact about a quota never offered waits for the offer (``NotYetKnown``): the bus would retry it later."""
    offered = select(quotas.c.quota_id).where(quotas.c.quota_id == quota_id)
    return db(lambda uow: uow.session.execute(offered).first()) is not None


def _refusal_allowed(db, use_case, *args) -> None:
    try:
        db(use_case, *args)
    except (InvalidInput, Conflict, NotFound):
        pass


def _pay(db: ServiceDb, outcome: str) -> None:
    if outcome == "retry":
        failed = [
            line
            for batch in db(payout_views.list_batches, ORG, {})["items"]
            for line in db(payout_views.get_batch, ORG, batch["batch_id"])["lines"]
            if line["status"] == "failed"
        ]
        for line in failed:
            _refusal_allowed(db, payouts.retry_line, ORG, "ben", line["line_id"])
        return
    try:
        batch = db(payouts.draft_batch, ORG, "anna", {"currency": "PGK"})
    except Conflict:
        return
    db(payouts.approve_batch, ORG, "ben", batch["batch_id"])
    for line in db(payouts.send_batch, ORG, "ben", batch["batch_id"])["lines"]:
        if line["status"] == "sending":
            status = TransferStatus(line["reference_id"], outcome, "NOT_ENOUGH_FUNDS", "tx")
            db(payout_sending.apply_status, status)
            db(payout_sending.apply_status, status)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(plan=steps)
def test_money_stays_consistent_whatever_happens(momo, plan):
    with tempfile.TemporaryDirectory() as directory:
        db = ServiceDb("settlement", Path(directory))
        db(projections.record_producer, producer())
        db(projections.record_offering, fact("offering.published", OFFERING))
        for step in plan:
            _apply(db, step)
        _check(db)
        db.database.engine.dispose()


def _check(db: ServiceDb) -> None:
    totals = db(lambda uow: journal.totals(uow.session, "prd_mary", "PGK"))
    effects = db(lambda uow: uow.session.execute(select(journal.sum_effect())).scalar_one())
    assert Decimal(effects) == totals.balance == totals.earned + totals.written_off - totals.advanced - totals.paid
    earnings = db(
        lambda uow: uow.session.execute(
            select(entries.c.lot_id, entries.c.units, entries.c.rate, entries.c.amount).where(
                entries.c.kind == domain.EARNING
            )
        ).all()
    )
    assert len({row.lot_id for row in earnings}) == len(earnings)
    assert all(Decimal(row.amount) == row.units * Decimal(row.rate) for row in earnings)
    settled = db(
        lambda uow: uow.session.execute(
            select(entries.c.amount, func.sum(settlements.c.amount))
            .join(settlements, settlements.c.earning_entry_id == entries.c.entry_id)
            .group_by(entries.c.entry_id, entries.c.amount)
        ).all()
    )
    assert all(Decimal(part) <= Decimal(amount) for amount, part in settled)

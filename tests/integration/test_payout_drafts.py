"""Two clerks drafting payout batches at the same moment (real PostgreSQL, two processes): both see the same earnings
owed, but a producer ends up in one batch only; the second draft waits for the first and is refused, instead of
paying the same earnings twice."""

import os
import subprocess
import sys
import textwrap

import psycopg2
from sqlalchemy import func, select

from bilum.waiting import eventually
from services.settlement import payouts, projections
from services.settlement.store import inbox, outbox, payout_batches, payout_lines
from shared import migrations
from shared.store import Database
from tests.usecases.test_settlement import OFFERING, ORG, fact, lot, producer, quota

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASH = {"currency": "PGK", "cash": ["prd_mary", "prd_ruth"]}

SECOND_CLERK = textwrap.dedent(
    f"""
    from services.settlement import payouts
    from services.settlement.store import inbox, outbox
    from shared.errors import Conflict
    from shared.store import Database

    try:
        with Database("settlement", outbox, inbox).transaction() as uow:
            payouts.draft_batch(uow, {ORG!r}, "ben", {CASH!r})
        print("drafted")
    except Conflict as refusal:
        print(f"refused: {{refusal}}")
    """
)


def _owe_two_producers(database: Database) -> None:
    with database.transaction() as uow:
        projections.record_producer(uow, producer())
        projections.record_producer(uow, producer("prd_ruth", "Ruth Aka", mobile=None, languages=("en",)))
        projections.record_offering(uow, fact("offering.published", OFFERING))
    for quota_id, producer_id in (("q1", "prd_mary"), ("q2", "prd_ruth")):
        with database.transaction() as uow:
            projections.record_offer(uow, fact("quota.offered", quota(quota_id, producer_id)))
            projections.record_acceptance(uow, fact("quota.accepted", quota(quota_id, producer_id)))
        with database.transaction() as uow:
            projections.record_inspection(uow, lot(f"L-{quota_id}", quota_id=quota_id, producer_id=producer_id))


def _waiting_on_a_lock(database_url: str) -> bool:
    connection = psycopg2.connect(database_url.replace("postgresql+psycopg2://", "postgresql://"))
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0] > 0
    finally:
        connection.close()


def test_two_clerks_drafting_at_once_never_put_a_producer_in_two_batches(database_url, monkeypatch):
    monkeypatch.setenv("BILUM_DATABASE_URL", database_url)
    migrations.upgrade("settlement")
    database = Database("settlement", outbox, inbox)
    _owe_two_producers(database)

    first = database.transaction()
    uow = first.__enter__()
    drafted = payouts.draft_batch(uow, ORG, "anna", CASH)
    second = subprocess.Popen(
        [sys.executable, "-c", SECOND_CLERK],
        cwd=ROOT,
        env={**os.environ, "BILUM_DATABASE_URL": database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        eventually(lambda: _waiting_on_a_lock(database_url), "the second draft to wait for the first", 60, 0.2)
    finally:
        first.__exit__(None, None, None)
    answer, errors = second.communicate(timeout=60)
    assert second.returncode == 0, errors[-2000:]

    assert answer.startswith("refused: another payout batch was drafted at the same moment"), answer
    with database.transaction() as uow:
        batches = uow.session.execute(select(func.count()).select_from(payout_batches)).scalar_one()
        lines = uow.session.execute(
            select(payout_lines.c.producer_id, func.count()).group_by(payout_lines.c.producer_id)
        ).all()
    assert batches == 1
    assert dict(lines) == {"prd_mary": 1, "prd_ruth": 1}
    assert {line["producer_id"] for line in drafted["lines"]} == {"prd_mary", "prd_ruth"}
    database.engine.dispose()

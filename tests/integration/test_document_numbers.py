"""Document numbers under concurrent issue and retries (real PostgreSQL, two processes): every pro-forma is issued
once, and the organisation's numbers for the kind and year run from 1 with no number used twice or skipped."""

import os
import subprocess
import sys
import time
from datetime import datetime, timezone

from sqlalchemy import select

from services.settlement.store import inbox, outbox
from services.settlement.trade_store import document_sequences, documents
from shared import migrations
from shared.store import Database

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_two_processes_issuing_at_once_leave_no_gap_and_no_duplicate(database_url, monkeypatch):
    monkeypatch.setenv("BILUM_DATABASE_URL", database_url)
    migrations.upgrade("settlement")
    start_at = time.time() + 3
    env = {**os.environ, "BILUM_DATABASE_URL": database_url}
    # Orders 21 to 40 are handled by both: each is the other's redelivery, racing it.
    issuers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.integration.document_issuer", first, last, str(start_at)],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for first, last in (("1", "40"), ("21", "60"))
    ]
    for issuer in issuers:
        _, errors = issuer.communicate(timeout=120)
        assert issuer.returncode == 0, errors[-2000:]

    database = Database("settlement", outbox, inbox)
    with database.transaction() as uow:
        rows = uow.session.execute(select(documents.c.number, documents.c.order_id)).all()
        last = uow.session.execute(select(document_sequences.c.last)).scalar_one()
    year = datetime.now(timezone.utc).year
    numbers = sorted(number for number, _ in rows)
    assert numbers == [f"PF-{year}-{n:05d}" for n in range(1, 61)]
    assert sorted(order_id for _, order_id in rows) == sorted(f"ord_{n}" for n in range(1, 61))
    assert last == 60
    database.engine.dispose()

"""One of the processes of the concurrent-refresh tests: refreshes each token read from stdin (one a line), starting at
the epoch second given, while its twin refreshes the same tokens in the same order. ``python -m
tests.usecases.refresh_racer START_AT`` with the gateway's database named as the platform names it
(``BILUM_GATEWAY_DB`` or ``BILUM_DATABASE_URL``); prints one JSON line a token: ``"rotated"``, or the refusal."""

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from services.gateway import sessions
from services.gateway.session_rules import SessionPolicy
from shared.store import Database

ROOT = Path(__file__).resolve().parents[2]
POLICY = SessionPolicy(timedelta(minutes=15), timedelta(hours=4), timedelta(hours=12))


def main(start_at: float) -> None:
    tokens = [line.strip() for line in sys.stdin if line.strip()]
    database = Database("gateway", outbox=None, inbox=None)
    time.sleep(max(0.0, start_at - time.time()))
    for token in tokens:
        with database.transaction() as uow:
            outcome = sessions.refresh(uow, token, datetime.now(timezone.utc), POLICY)
        print(json.dumps("rotated" if isinstance(outcome, sessions.Grant) else outcome.reason), flush=True)
    database.engine.dispose()


def race(environment: dict, tokens: list[str]) -> list[list[str]]:
    """Two processes refresh the same tokens, in the same order, from the same instant."""
    start_at = time.time() + 3
    racers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.usecases.refresh_racer", str(start_at)],
            cwd=ROOT,
            env={**os.environ, **environment},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = []
    for racer in racers:
        racer.stdin.write("".join(token + "\n" for token in tokens))
        racer.stdin.close()
    for racer in racers:
        racer.wait(timeout=120)
        errors = racer.stderr.read()
        assert racer.returncode == 0, errors[-2000:]
        outcomes.append([json.loads(line) for line in racer.stdout.read().splitlines()])
    return outcomes


def assert_one_won_each(outcomes: list[list[str]], count: int) -> None:
    assert [len(racer) for racer in outcomes] == [count, count]
    for first, second in zip(*outcomes):
        assert sorted([first == "rotated", second == "rotated"]) == [False, True], (first, second)
        assert "already used" in (second if first == "rotated" else first)


if __name__ == "__main__":
    main(float(sys.argv[1]))

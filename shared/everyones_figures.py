"""Everyone's dashboard figures: every organisation's at once, as an admin sees them. On a small network they are
counted per request, like one organisation's. Over a platform's history (a year of 200 organisations: a million
quotas, lots, inspections and journal entries) counting them takes seconds, far more than a dashboard's answer may
take.

So a service counts them per request for as long as that is cheap; once two counts in a row took ``COSTLY_S`` or
more (one slow count proves nothing: the first after a start is slow anyway), it keeps them in its memory and answers
from there, and its timer (``recount``, every ``TICK_S``) counts them again every ``recount_every_s`` (a minute, five
for the costliest) for as long as someone keeps asking. Kept figures say when they were counted (``COUNTED_AT``), and
the dashboard shows that moment. Figures the timer has not kept up to date (nobody asked for them in
``ASKED_WITHIN_S``, or it fell behind) are counted before they are answered: the first admin after a quiet spell
waits for them, and never sees figures older than ``recount_every_s`` and a tick."""

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import text

from shared.store import Database, UnitOfWork, is_postgres

log = logging.getLogger(__name__)

TICK_S = 60.0
ASKED_WITHIN_S = 600.0
COSTLY_S = 0.2
COUNTED_AT = "counted_at"


@dataclass
class _Kept:
    figures: dict
    counted_at: float
    moment: str
    slow: bool  # this count took COSTLY_S or more
    costly: bool  # and so did the one before it


def _moment() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class EveryonesFigures:
    """One service's figures of everyone: ``counts`` names each and says how it is counted, in a unit of work, into
    a dict; each is counted again every ``recount_every_s`` (a multiple of ``TICK_S``) once it is kept."""

    def __init__(
        self,
        counts: Mapping[str, Callable[[UnitOfWork], dict]],
        recount_every_s: float = TICK_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._counts = counts
        self.recount_every_s = recount_every_s
        self._clock = clock
        # By figures' name and the database they were counted in (one per service; a test process opens many).
        self._kept: dict[tuple[str, str], _Kept] = {}
        self._asked: dict[tuple[str, str], float] = {}
        # Counted at the first tick, asked for or not: the first admin after a start finds them counted.
        self._first = True

    def answer(self, name: str, uow: UnitOfWork) -> dict:
        """The figures under ``name``: counted now, in ``uow``, unless they are costly and kept up to date; else as
        kept, with the moment they were counted under ``COUNTED_AT``."""
        now, key = self._clock(), (name, str(uow.session.get_bind().engine.url))
        self._asked[key] = now
        kept = self._kept.get(key)
        if kept is None or not kept.costly or now - kept.counted_at > self.recount_every_s + TICK_S:
            kept = self._kept[key] = self._count(name, uow, kept)
            return kept.figures
        return {**kept.figures, COUNTED_AT: kept.moment}

    def _count(self, name: str, uow: UnitOfWork, before: _Kept | None) -> _Kept:
        started, moment = self._clock(), _moment()
        if is_postgres(uow.session.get_bind()):
            # Whole tables are read: by hash joins, on one core, leaving the other to the other requests.
            uow.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
            uow.session.execute(text("SET LOCAL enable_nestloop = off"))
        figures = self._counts[name](uow)
        took_s = self._clock() - started
        log.info("everyone's figures counted", extra={"figures": name, "seconds": round(took_s, 3)})
        slow = took_s >= COSTLY_S
        return _Kept(figures, started, moment, slow, costly=slow and before is not None and before.slow)

    def recount(self, database: Database) -> None:
        """Count again, each in a transaction of its own, the figures asked for within ``ASKED_WITHIN_S`` that are
        due (the service's timer calls this every ``TICK_S``)."""
        now, where = self._clock(), str(database.engine.url)
        asked = {name for (name, at_db), at in self._asked.items() if at_db == where and now - at <= ASKED_WITHIN_S}
        for name in sorted(set(self._counts) if self._first else asked):
            kept = self._kept.get((name, where))
            if kept is not None and now - kept.counted_at < self.recount_every_s - TICK_S / 2:
                continue
            with database.transaction() as uow:
                self._kept[(name, where)] = self._count(name, uow, kept)
        self._first = False

"""Everyone's dashboard figures are kept between requests and counted again in the background while asked for."""

from contextlib import contextmanager
from types import SimpleNamespace

from shared.everyones_figures import ASKED_WITHIN_S, COUNTED_AT, LIVE_BELOW_S, TICK_S, EveryonesFigures


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


ORDERS_DB = "sqlite:///orders.db"


class UnitOfWork:
    """A unit of work on a SQLite database, named after the request or transaction it belongs to."""

    def __init__(self, name: str, url: str = ORDERS_DB):
        self.name = name
        bind = SimpleNamespace(dialect=SimpleNamespace(name="sqlite"), engine=SimpleNamespace(url=url))
        self.session = SimpleNamespace(get_bind=lambda: bind)


class Database:
    """What ``recount`` needs of a service's database: its address, and transactions each handing out a unit of
    work."""

    def __init__(self, url: str = ORDERS_DB):
        self.transactions = 0
        self.engine = SimpleNamespace(url=url)

    @contextmanager
    def transaction(self):
        self.transactions += 1
        yield UnitOfWork(f"transaction {self.transactions}", self.engine.url)


def _counting(clock: Clock | None = None, taking_s: float = 2.0):
    """A count that takes ``taking_s`` on ``clock``: costly by default, as everyone's figures are over a history."""
    counted = []

    def count(uow):
        counted.append(uow.name)
        if clock is not None:
            clock.now += taking_s
        return {"counted": len(counted)}

    return counted, count


def _answered(figures: dict) -> dict:
    """The figures as answered, without the moment they were counted."""
    return {key: value for key, value in figures.items() if key != COUNTED_AT}


def test_figures_are_counted_when_first_asked_then_answered_as_kept():
    clock = Clock()
    counted, count = _counting(clock)
    figures = EveryonesFigures({"orders": count}, clock=clock)
    assert figures.answer("orders", UnitOfWork("request a")) == {"counted": 1}, "counted for this answer: no moment"
    clock.now += TICK_S
    kept = figures.answer("orders", UnitOfWork("request b"))
    assert _answered(kept) == {"counted": 1}, "kept, not counted again"
    assert kept[COUNTED_AT].endswith("Z") and kept[COUNTED_AT][:4].isdigit(), "the moment it was counted, in UTC"
    assert counted == ["request a"]


def test_figures_cheap_to_count_are_counted_for_every_answer():
    clock = Clock()
    counted, count = _counting(clock, taking_s=LIVE_BELOW_S / 2)
    figures = EveryonesFigures({"orders": count}, clock=clock)
    answers = [figures.answer("orders", UnitOfWork(f"request {n}")) for n in range(3)]
    assert answers == [{"counted": 1}, {"counted": 2}, {"counted": 3}], "live, never kept"
    assert counted == ["request 0", "request 1", "request 2"]


def test_the_first_tick_counts_every_figure_and_the_next_ones_only_those_asked_for():
    clock = Clock()
    counted, count = _counting(clock)
    quota_counted, quota_count = _counting(clock)
    figures = EveryonesFigures({"orders": count, "quotas": quota_count}, clock=clock)
    database = Database()
    clock.now += TICK_S
    figures.recount(database)
    assert (counted, quota_counted) == (["transaction 1"], ["transaction 2"]), "each in a transaction of its own"
    assert _answered(figures.answer("orders", UnitOfWork("request"))) == {"counted": 1}, "the first admin finds them"
    clock.now += TICK_S
    figures.recount(database)
    assert (counted, quota_counted) == (["transaction 1", "transaction 3"], ["transaction 2"])
    assert _answered(figures.answer("orders", UnitOfWork("request"))) == {"counted": 2}, "the recount is answered"


def test_figures_nobody_asks_for_any_more_are_no_longer_counted():
    clock = Clock()
    counted, count = _counting(clock)
    figures = EveryonesFigures({"orders": count}, clock=clock)
    database = Database()
    figures.answer("orders", UnitOfWork("request"))
    clock.now += ASKED_WITHIN_S + TICK_S
    figures.recount(database)
    clock.now += TICK_S
    figures.recount(database)
    assert counted == ["request", "transaction 1"], "only the first tick's count, however long nobody asks"


def test_figures_gone_stale_are_counted_before_they_are_answered():
    clock = Clock()
    counted, count = _counting(clock)
    figures = EveryonesFigures({"orders": count}, clock=clock)
    figures.answer("orders", UnitOfWork("first"))
    clock.now += 3 * TICK_S + 1
    assert figures.answer("orders", UnitOfWork("later")) == {"counted": 2}
    assert counted == ["first", "later"]


def test_costly_figures_are_counted_again_only_as_often_as_their_period_says():
    clock = Clock()
    counted, count = _counting(clock)
    figures = EveryonesFigures({"money": count}, recount_every_s=5 * TICK_S, clock=clock)
    database = Database()
    figures.answer("money", UnitOfWork("request"))
    for _ in range(4):
        clock.now += TICK_S
        figures.recount(database)
        figures.answer("money", UnitOfWork("request"))
    assert counted == ["request"], "four ticks: not yet due"
    clock.now += TICK_S
    figures.recount(database)
    assert counted == ["request", "transaction 1"]


def test_figures_kept_from_one_database_are_never_the_answer_in_another():
    clock = Clock()
    counted, count = _counting(clock)
    figures = EveryonesFigures({"orders": count}, clock=clock)
    figures.answer("orders", UnitOfWork("request in one", "sqlite:///one.db"))
    assert figures.answer("orders", UnitOfWork("request in another", "sqlite:///another.db")) == {"counted": 2}
    assert counted == ["request in one", "request in another"]

"""Everyone's dashboard figures are counted per request while that is cheap; once costly, kept between requests and
counted again in the background while asked for, and never answered older than the timer keeps them."""

from contextlib import contextmanager
from types import SimpleNamespace

from shared.everyones_figures import ASKED_WITHIN_S, COSTLY_S, COUNTED_AT, TICK_S, EveryonesFigures


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


def _counting(clock: Clock, *taking_s: float):
    """A count that takes the next of ``taking_s`` on ``clock`` (the last one from then on): 2 s by default, as
    everyone's figures do over a history."""
    counted = []
    durations = list(taking_s or (2.0,))

    def count(uow):
        counted.append(uow.name)
        clock.now += durations.pop(0) if len(durations) > 1 else durations[0]
        return {"counted": len(counted)}

    return counted, count


def _answered(figures: dict) -> dict:
    """The figures as answered, without the moment they were counted."""
    return {key: value for key, value in figures.items() if key != COUNTED_AT}


def _kept(figures: EveryonesFigures, name: str = "orders") -> None:
    """Two slow counts in a row, by two requests: from then on they are kept."""
    figures.answer(name, UnitOfWork("request 1"))
    figures.answer(name, UnitOfWork("request 2"))


def test_figures_cheap_to_count_are_counted_for_every_answer():
    clock = Clock()
    counted, count = _counting(clock, COSTLY_S / 2)
    figures = EveryonesFigures({"orders": count}, clock=clock)
    answers = [figures.answer("orders", UnitOfWork(f"request {n}")) for n in range(3)]
    assert answers == [{"counted": 1}, {"counted": 2}, {"counted": 3}], "live, never kept"


def test_one_slow_count_proves_nothing_two_in_a_row_make_them_kept():
    clock = Clock()
    counted, count = _counting(clock, 0.01, 3.0, 0.01, 3.0, 3.0)
    figures = EveryonesFigures({"orders": count}, clock=clock)
    answers = [figures.answer("orders", UnitOfWork(f"request {n}")) for n in range(6)]
    assert [_answered(answer) for answer in answers] == [{"counted": n} for n in (1, 2, 3, 4, 5, 5)]
    assert [COUNTED_AT in answer for answer in answers] == [False] * 5 + [True], "kept after two slow counts"
    assert answers[-1][COUNTED_AT].endswith("Z") and answers[-1][COUNTED_AT][:4].isdigit(), "a moment, in UTC"


def test_costly_figures_are_counted_again_by_the_timer_and_the_recount_is_answered():
    clock = Clock()
    counted, count = _counting(clock)
    figures = EveryonesFigures({"orders": count}, clock=clock)
    database = Database()
    _kept(figures)
    clock.now += TICK_S
    figures.recount(database)
    assert counted == ["request 1", "request 2", "transaction 1"], "each in a transaction of its own"
    assert _answered(figures.answer("orders", UnitOfWork("request 3"))) == {"counted": 3}, "the recount, not counted"


def test_the_first_tick_counts_every_figure_and_the_next_ones_only_those_asked_for():
    clock = Clock()
    counted, count = _counting(clock)
    quota_counted, quota_count = _counting(clock)
    figures = EveryonesFigures({"orders": count, "quotas": quota_count}, clock=clock)
    database = Database()
    clock.now += TICK_S
    figures.recount(database)
    assert (counted, quota_counted) == (["transaction 1"], ["transaction 2"])
    figures.answer("orders", UnitOfWork("request"))
    clock.now += TICK_S
    figures.recount(database)
    assert (counted, quota_counted) == (["transaction 1", "request", "transaction 3"], ["transaction 2"])


def test_figures_nobody_asks_for_any_more_are_no_longer_counted():
    clock = Clock()
    counted, count = _counting(clock)
    figures = EveryonesFigures({"orders": count}, clock=clock)
    database = Database()
    _kept(figures)
    clock.now += ASKED_WITHIN_S + TICK_S
    figures.recount(database)
    clock.now += TICK_S
    figures.recount(database)
    assert counted == ["request 1", "request 2", "transaction 1"], "only the first tick's count, however long"


def test_kept_figures_the_timer_did_not_keep_up_to_date_are_counted_before_they_are_answered():
    clock = Clock()
    counted, count = _counting(clock)
    figures = EveryonesFigures({"orders": count}, clock=clock)
    _kept(figures)
    clock.now += TICK_S
    assert COUNTED_AT in figures.answer("orders", UnitOfWork("soon after")), "still as kept"
    clock.now += TICK_S + 1
    assert figures.answer("orders", UnitOfWork("later")) == {"counted": 3}, "counted, not a stale answer"
    assert counted == ["request 1", "request 2", "later"]


def test_the_costliest_figures_are_counted_again_only_as_often_as_their_period_says():
    clock = Clock()
    counted, count = _counting(clock)
    figures = EveryonesFigures({"money": count}, recount_every_s=5 * TICK_S, clock=clock)
    database = Database()
    _kept(figures, "money")
    for _ in range(4):
        clock.now += TICK_S
        figures.recount(database)
        figures.answer("money", UnitOfWork("request"))
    assert counted == ["request 1", "request 2"], "four ticks: not yet due"
    clock.now += TICK_S
    figures.recount(database)
    assert counted == ["request 1", "request 2", "transaction 1"]


def test_figures_kept_from_one_database_are_never_the_answer_in_another():
    clock = Clock()
    counted, count = _counting(clock)
    figures = EveryonesFigures({"orders": count}, clock=clock)
    _kept(figures)
    assert figures.answer("orders", UnitOfWork("request in another", "sqlite:///another.db")) == {"counted": 3}
    assert counted == ["request 1", "request 2", "request in another"]

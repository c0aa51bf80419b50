"""The dashboard's weekly trends, counted by the database over a history spread across weeks (and across a new
year): each week's figures, the gaps of weeks with nothing to measure, the organisation's own only, and the twelve
weeks adding up to the present figures they break down."""

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.aggregation import trends as aggregation_trends
from services.aggregation import views as aggregation_views
from services.orders import trends as orders_trends
from services.orders import views as orders_views
from services.orders.domain import OrderOutcome, otif
from shared.errors import InvalidInput
from tests.trend_history import ORGANISATION, OTHER, add_inspection, add_offerings, add_order, add_quota

# A Wednesday of ISO week 2026-W11; the twelve weeks run from 2025-W52 (Monday 22 December 2025).
NOW = datetime(2026, 3, 11, 9, 30, tzinfo=timezone.utc)
THIS_MONDAY = datetime(2026, 3, 9, tzinfo=timezone.utc)
FIRST_MONDAY = datetime(2025, 12, 22, tzinfo=timezone.utc)


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=timezone.utc)


def week(weeks: list, label: str) -> dict:
    return next(entry for entry in weeks if entry["week"] == label)


@pytest.fixture
def orders_db(service_db):
    return service_db("orders")


@pytest.fixture
def aggregation_db(service_db):
    db = service_db("aggregation")
    add_offerings(db)
    return db


def test_twelve_weeks_oldest_first_ending_with_the_current_one_across_the_new_year(orders_db, aggregation_db):
    for weeks in (
        orders_db(orders_trends.weekly_trends, ORGANISATION, NOW.isoformat()),
        aggregation_db(aggregation_trends.weekly_trends, ORGANISATION, NOW.isoformat()),
    ):
        assert [entry["week"] for entry in weeks] == ["2025-W52"] + [f"2026-W{n:02d}" for n in range(1, 12)]
        assert weeks[0]["week_start"] == "2025-12-22" and weeks[-1]["week_start"] == "2026-03-09"


def test_a_week_with_no_order_counts_none_and_has_no_rate_to_show(orders_db):
    weeks = orders_db(orders_trends.weekly_trends, ORGANISATION, NOW.isoformat())
    assert {(e["orders"], e["units"], e["fill_rate"], e["orders_due"], e["otif"]) for e in weeks} == {
        (0, 0, None, 0, None)
    }


def test_orders_and_units_count_in_the_week_they_were_placed_and_fill_as_their_units_arrive(orders_db):
    later = NOW + timedelta(days=60)
    add_order(orders_db, placed_at=THIS_MONDAY, promised_on=later.date(), lines=((100, 0, 0), (20, 0, 0)))
    add_order(orders_db, placed_at=at("2026-03-11", 8), promised_on=later.date(), lines=((30, 0, 0),))
    add_order(orders_db, placed_at=at("2026-03-10"), promised_on=later.date(), status="cancelled")
    add_order(orders_db, placed_at=THIS_MONDAY - timedelta(seconds=1), promised_on=later.date(), lines=((100, 40, 0),))
    add_order(orders_db, placed_at=FIRST_MONDAY, promised_on=date(2026, 4, 1), lines=((50, 50, 0),), status="delivered")
    add_order(orders_db, placed_at=FIRST_MONDAY - timedelta(seconds=1), promised_on=later.date())
    add_order(orders_db, placed_at=at("2026-03-10"), promised_on=later.date(), organisation_id=OTHER)

    weeks = orders_db(orders_trends.weekly_trends, ORGANISATION, NOW.isoformat())
    this_week, last_week, first_week = week(weeks, "2026-W11"), week(weeks, "2026-W10"), week(weeks, "2025-W52")
    assert (this_week["orders"], this_week["units"], this_week["fill_rate"]) == (3, 150, 0.0), "cancelled: no units"
    assert (last_week["orders"], last_week["units"], last_week["fill_rate"]) == (1, 100, 0.4)
    assert (first_week["orders"], first_week["units"], first_week["fill_rate"]) == (1, 50, 1.0)
    assert sum(entry["orders"] for entry in weeks) == 5, "the order of the week before, and the other's, are left out"
    everyone = orders_db(orders_trends.weekly_trends, None, NOW.isoformat())
    assert week(everyone, "2026-W11")["orders"] == 4


def test_otif_counts_each_order_in_the_week_its_outcome_was_settled(orders_db):
    def order(promised_on: str, status: str = "shipped", delivered: str | None = None, **kwargs):
        add_order(
            orders_db,
            placed_at=FIRST_MONDAY,
            promised_on=date.fromisoformat(promised_on),
            status="delivered" if delivered else status,
            updated_at=at(delivered, 23) if delivered else FIRST_MONDAY,
            lines=((60, 60 if delivered else 10, 0),),
            **kwargs,
        )

    order("2026-03-20", delivered="2026-02-04")  # early: a hit in W06, the week it arrived
    order("2026-02-10", delivered="2026-02-10")  # on its day: a hit in W07
    order("2026-02-15", delivered="2026-02-20")  # promised on a Sunday, late: a miss on Monday 16th, W08
    order("2026-03-01")  # promised on a Sunday, not arrived: a miss in W10, when it turned late
    order("2026-03-10")  # promised yesterday, not arrived: a miss today, W11
    order("2026-03-11")  # promised today: not judged yet
    order("2026-03-04", status="cancelled")  # never judged
    order("2026-03-03", promised=False)  # no promise: its due date stands for it, a miss in W10
    add_order(  # delivered by its promise but short of capacity: not in full, a miss in W09
        orders_db,
        placed_at=FIRST_MONDAY,
        promised_on=date(2026, 3, 6),
        status="delivered",
        updated_at=at("2026-02-27"),
        lines=((60, 50, 10),),
    )

    weeks = orders_db(orders_trends.weekly_trends, ORGANISATION, NOW.isoformat())
    assert {e["week"]: (e["orders_due"], e["otif"]) for e in weeks if e["orders_due"]} == {
        "2026-W06": (1, 1.0),
        "2026-W07": (1, 1.0),
        "2026-W08": (1, 0.0),
        "2026-W09": (1, 0.0),
        "2026-W10": (2, 0.0),
        "2026-W11": (1, 0.0),
    }
    assert week(weeks, "2026-W05")["otif"] is None, "a week with nothing due is a gap, not 0 %"


def test_first_time_pass_rate_by_week_of_the_first_inspection(aggregation_db):
    db = aggregation_db
    add_inspection(db, inspected_at=THIS_MONDAY, passed=True)
    add_inspection(db, inspected_at=at("2026-03-10"), passed=True)
    failed = add_inspection(db, inspected_at=at("2026-03-10"), passed=False)
    add_inspection(db, inspected_at=at("2026-03-11", 8), passed=True, attempt=2, lot_id=failed)  # after rework
    add_inspection(db, inspected_at=THIS_MONDAY - timedelta(seconds=1), passed=False)
    add_inspection(db, inspected_at=at("2026-03-10"), passed=False, organisation_id=OTHER)

    weeks = db(aggregation_trends.weekly_trends, ORGANISATION, NOW.isoformat())
    assert (week(weeks, "2026-W11")["lots_inspected"], week(weeks, "2026-W11")["first_time_pass_rate"]) == (3, 0.6667)
    assert (week(weeks, "2026-W10")["lots_inspected"], week(weeks, "2026-W10")["first_time_pass_rate"]) == (1, 0.0)
    assert week(weeks, "2026-W09")["first_time_pass_rate"] is None
    everyone = db(aggregation_trends.weekly_trends, None, NOW.isoformat())
    assert week(everyone, "2026-W11")["lots_inspected"] == 4


def test_days_to_accept_is_the_mean_over_the_quotas_accepted_that_week(aggregation_db):
    db = aggregation_db
    answered = at("2026-03-10")
    add_quota(db, offered_at=answered - timedelta(hours=12), answered_at=answered, status="accepted")
    add_quota(db, offered_at=answered - timedelta(hours=36), answered_at=answered, status="in_production")
    # Accepted, then the order was cancelled: she answered all the same.
    add_quota(db, offered_at=answered - timedelta(hours=6), answered_at=answered, status="released")
    add_quota(db, offered_at=answered - timedelta(hours=40), answered_at=answered, status="declined")
    add_quota(db, offered_at=answered - timedelta(hours=48), answered_at=answered, status="expired")
    add_quota(db, offered_at=answered, answered_at=None, status="offered")
    add_quota(db, offered_at=answered, answered_at=None, status="released")  # released before any answer
    add_quota(db, offered_at=at("2026-02-01"), answered_at=at("2026-02-03"), status="delivered")
    add_quota(
        db, offered_at=answered - timedelta(hours=1), answered_at=answered, status="accepted", organisation_id=OTHER
    )

    weeks = db(aggregation_trends.weekly_trends, ORGANISATION, NOW.isoformat())
    assert (week(weeks, "2026-W11")["quotas_accepted"], week(weeks, "2026-W11")["days_to_accept"]) == (3, 0.8)
    assert (week(weeks, "2026-W06")["quotas_accepted"], week(weeks, "2026-W06")["days_to_accept"]) == (1, 2.0)
    assert week(weeks, "2026-W10")["days_to_accept"] is None


def test_a_moment_without_its_zone_is_refused(orders_db, aggregation_db):
    with pytest.raises(InvalidInput):
        orders_db(orders_trends.weekly_trends, ORGANISATION, "2026-03-11T09:30:00")
    with pytest.raises(InvalidInput):
        aggregation_db(aggregation_trends.weekly_trends, ORGANISATION, "yesterday")


def _clear(db, *tables) -> None:
    with db.database.transaction() as uow:
        for table in tables:
            uow.session.execute(table.delete())


STATUSES = ("placed", "allocated", "in_production", "shipped", "delivered", "cancelled")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.integers(1, 76),  # placed, days after the first Monday
            st.integers(-5, 40),  # promised, days after placing
            st.sampled_from(STATUSES),
            st.integers(0, 40),  # delivered, days after placing (when the status says so)
            st.integers(1, 200),
            st.integers(0, 200),  # delivered units, at most the ordered
            st.booleans(),  # short of capacity
        ),
        max_size=12,
    )
)
def test_the_twelve_weeks_add_up_to_the_present_figures(orders_db, history):
    """Run on today's clock, as the present figures are: every order of the history falls within the twelve weeks.
    The present OTIF, counted by the database, is the domain's rule applied to every order."""
    from services.orders.store import order_lines, orders

    _clear(orders_db, order_lines, orders)
    now = datetime.now(timezone.utc)
    first = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=now.weekday() + 77)
    outcomes = []
    for placed, promised, status, arrived, ordered, delivered, short in history:
        placed_at = min(first + timedelta(days=placed, hours=1), now - timedelta(minutes=1))
        delivered_at = min(placed_at + timedelta(days=arrived), now - timedelta(minutes=1))
        promised_on = max(placed_at.date() + timedelta(days=promised), first.date() + timedelta(days=1))
        delivered_on = delivered_at.date() if status == "delivered" else None
        outcomes.append(OrderOutcome(promised_on, delivered_on, status, short))
        add_order(
            orders_db,
            placed_at=placed_at,
            promised_on=promised_on,
            status=status,
            updated_at=delivered_at if status == "delivered" else placed_at,
            lines=((ordered, ordered if status == "delivered" else min(delivered, ordered), 1 if short else 0),),
        )
    weeks = orders_db(orders_trends.weekly_trends, ORGANISATION, now.isoformat())
    present = orders_db(orders_views.summary, ORGANISATION)
    assert sum(e["orders"] for e in weeks) == present["orders"]["total"]
    assert sum(e["units"] for e in weeks) == present["units"]["ordered"]
    delivered_units = sum(round((e["fill_rate"] or 0) * e["units"]) for e in weeks)
    assert delivered_units == present["units"]["delivered"]
    assert sum(e["orders_due"] for e in weeks) == present["otif"]["due"]
    assert sum(round((e["otif"] or 0) * e["orders_due"]) for e in weeks) == present["otif"]["on_time_in_full"]
    assert present["otif"] == otif(outcomes, now.date())


def test_the_first_inspections_of_the_twelve_weeks_are_those_of_the_present_pass_rates(aggregation_db):
    now = datetime.now(timezone.utc)
    for days_ago, passed in ((0, True), (3, False), (20, True), (40, True), (76, False)):
        add_inspection(aggregation_db, inspected_at=now - timedelta(days=days_ago, minutes=1), passed=passed)
    weeks = aggregation_db(aggregation_trends.weekly_trends, ORGANISATION, now.isoformat())
    [present] = aggregation_db(aggregation_views.fulfilment_figures, ORGANISATION)["pass_rates"]
    assert sum(e["lots_inspected"] for e in weeks) == present["inspected"] == 5
    assert sum(round((e["first_time_pass_rate"] or 0) * e["lots_inspected"]) for e in weeks) == present["passed"] == 3

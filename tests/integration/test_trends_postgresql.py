"""The weekly trends' SQL on PostgreSQL, in the schemas the migrations make (indexes included): the use-case tests of
``tests/usecases/test_trends.py``, run again here, since the two databases bucket days and measure time differently
(the UTC day of a timestamp, the days between two)."""

import pytest

from services.aggregation import store as aggregation_store
from services.orders import store as orders_store
from shared import migrations
from shared.store import Database, make_engine
from tests.trend_history import add_offerings
from tests.usecases import test_trends as on_sqlite


class PostgresDb:
    """A service's migrated database, used as the use-case tests use their SQLite one."""

    def __init__(self, service: str, url: str, store):
        migrations.upgrade(service, url)
        self.database = Database(service, store.outbox, store.inbox, engine=make_engine(service, url))

    def __call__(self, use_case, *args, **kwargs):
        with self.database.transaction() as uow:
            return use_case(uow, *args, **kwargs)


@pytest.fixture
def orders_db(database_url):
    db = PostgresDb("orders", database_url, orders_store)
    yield db
    db.database.engine.dispose()


@pytest.fixture
def aggregation_db(database_url):
    db = PostgresDb("aggregation", database_url, aggregation_store)
    add_offerings(db)
    yield db
    db.database.engine.dispose()


def test_orders_by_week_placed_on_postgresql(orders_db):
    on_sqlite.test_orders_and_units_count_in_the_week_they_were_placed_and_fill_as_their_units_arrive(orders_db)


def test_otif_by_week_settled_on_postgresql(orders_db):
    on_sqlite.test_otif_counts_each_order_in_the_week_its_outcome_was_settled(orders_db)


def test_the_weeks_add_up_to_the_present_figures_on_postgresql(orders_db):
    on_sqlite.test_the_twelve_weeks_add_up_to_the_present_figures(orders_db)


def test_first_time_pass_rate_on_postgresql(aggregation_db):
    on_sqlite.test_first_time_pass_rate_by_week_of_the_first_inspection(aggregation_db)


def test_days_to_accept_on_postgresql(aggregation_db):
    on_sqlite.test_days_to_accept_is_the_mean_over_the_quotas_accepted_that_week(aggregation_db)


def test_the_weeks_of_first_inspections_are_those_of_the_present_rates_on_postgresql(aggregation_db):
    on_sqlite.test_the_first_inspections_of_the_twelve_weeks_are_those_of_the_present_pass_rates(aggregation_db)

"""Which failures are the database being away (the work waits and is tried again) and which are faults of the work
(a refused write, a bug: retried a bounded number of times, then dead-lettered)."""

from sqlalchemy import exc

from shared.store import database_unreachable


def _driver_error(kind, **kwargs):
    return kind("SELECT 1", {}, Exception("driver says no"), **kwargs)


def test_a_lost_connection_a_refused_connection_and_a_lost_deadlock_are_the_database_away():
    assert database_unreachable(_driver_error(exc.OperationalError))
    assert database_unreachable(_driver_error(exc.InterfaceError))
    assert database_unreachable(_driver_error(exc.DBAPIError, connection_invalidated=True))
    assert database_unreachable(exc.TimeoutError("QueuePool limit reached"))


def test_a_refused_write_a_bad_statement_or_a_bug_are_not():
    assert not database_unreachable(_driver_error(exc.IntegrityError))
    assert not database_unreachable(_driver_error(exc.ProgrammingError))
    assert not database_unreachable(_driver_error(exc.DBAPIError))
    assert not database_unreachable(ValueError("a bug"))

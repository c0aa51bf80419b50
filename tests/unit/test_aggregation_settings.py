"""Aggregation's settings keep today's names and defaults, and a wrong value stops the service with the variable."""

from datetime import timedelta

import pytest
from environs import EnvError

from services.aggregation import settings

NAMES = (
    "BILUM_QUOTA_RESPONSE_HOURS",
    "BILUM_ALLOCATION_POLICY",
    "BILUM_TRANSIT_DAYS",
    "BILUM_FAIRNESS_WINDOW_WEEKS",
    "BILUM_EXPIRY_INTERVAL_S",
)


def test_the_defaults_are_the_ones_the_demo_runs_with(monkeypatch):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    assert settings.load() == settings.Settings(
        response_window=timedelta(hours=48),
        allocation_policy="proportional",
        transit_time=timedelta(days=21),
        fairness_window=timedelta(weeks=8),
        expiry_interval_s=2.0,
    )


def test_values_are_read_when_loaded_not_when_imported(monkeypatch):
    monkeypatch.setenv("BILUM_QUOTA_RESPONSE_HOURS", "0.5")
    monkeypatch.setenv("BILUM_ALLOCATION_POLICY", "fair")
    monkeypatch.setenv("BILUM_FAIRNESS_WINDOW_WEEKS", "4")
    loaded = settings.load()
    assert (loaded.response_window, loaded.allocation_policy, loaded.fairness_window) == (
        timedelta(minutes=30),
        "fair",
        timedelta(weeks=4),
    )


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("BILUM_ALLOCATION_POLICY", "cheapest", "Must be one of"),
        ("BILUM_QUOTA_RESPONSE_HOURS", "0", "greater than 0"),
        ("BILUM_TRANSIT_DAYS", "-1", "greater than or equal to 0"),
        ("BILUM_FAIRNESS_WINDOW_WEEKS", "0", "greater than or equal to 1"),
        ("BILUM_EXPIRY_INTERVAL_S", "soon", "Not a valid number"),
    ],
)
def test_a_wrong_value_names_the_variable_and_the_form_expected(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(EnvError, match=f'"{name}".*{expected}'):
        settings.load()

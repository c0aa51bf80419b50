"""Settings are read in one place and a wrong value stops the service with the variable and the form expected."""

import pytest
from environs import EnvError

from shared import config


def test_defaults_run_on_a_laptop(monkeypatch):
    for name in (
        "BILUM_MAX_ATTEMPTS",
        "BILUM_OPS_PORT",
        "BILUM_ORDERS_OPS_PORT",
        "BILUM_ORDERS_DB",
        "BILUM_DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BILUM_VAR_DIR", "/srv/bilum")
    assert config.messaging().max_attempts == 5
    assert config.ops_port("orders") == 9102
    assert config.database_url("orders") == "sqlite:////srv/bilum/orders.db"


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("BILUM_MAX_ATTEMPTS", "five", "Not a valid integer"),
        ("BILUM_MAX_ATTEMPTS", "0", "greater than or equal to 1"),
        ("BILUM_RPC_TIMEOUT_S", "-2", "greater than 0"),
    ],
)
def test_a_wrong_value_names_the_variable_and_the_form_expected(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(EnvError, match=f'"{name}".*{expected}'):
        config.messaging()


def test_a_port_out_of_range_is_refused(monkeypatch):
    monkeypatch.setenv("BILUM_OPS_PORT", "70000")
    with pytest.raises(EnvError, match="BILUM_OPS_PORT"):
        config.ops_port("orders")
    monkeypatch.setenv("BILUM_OPS_PORT", "9200")
    assert config.ops_port("orders") == 9200

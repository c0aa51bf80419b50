import json
import logging

from shared.logging import JsonFormatter, correlation


def _record(message, **extra):
    record = logging.LogRecord("bilum.test", logging.INFO, __file__, 1, message, (), None)
    record.__dict__.update(extra)
    return record


def test_a_log_line_is_one_json_object_with_the_correlation_id_of_the_work_at_hand():
    formatter = JsonFormatter("orders")
    with correlation("ord_42"):
        line = formatter.format(_record("order placed", lines=3))
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["correlation_id"] == "ord_42"
    assert entry["service"] == "orders" and entry["message"] == "order placed" and entry["lines"] == 3
    assert entry["ts"].endswith("+00:00")


def test_without_a_correlation_there_is_no_correlation_id():
    assert "correlation_id" not in json.loads(JsonFormatter("orders").format(_record("tick")))

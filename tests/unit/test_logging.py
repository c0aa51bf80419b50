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


def test_no_broker_password_is_logged_even_of_the_second_and_third_node_of_a_cluster():
    uri = "amqp://orders:s3cret@rabbit-0:5672/bilum;amqp://orders:s3cret@rabbit-1:5672/bilum"
    entry = json.loads(JsonFormatter("orders").format(_record(f"Error connecting to broker at {uri} (refused)")))
    assert "s3cret" not in entry["message"]
    assert entry["message"].count("amqp://orders:********@rabbit-") == 2

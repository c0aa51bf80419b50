"""Checks of the Prometheus and Grafana files under deploy/.

promtool (Debian's `prometheus` package) checks the configuration and the rules and runs the rules' unit tests in
deploy/prometheus/tests/. Every PromQL expression (alert rules and dashboard panels) is parsed with promql-parser and
may only use the metrics the code registers (read from prometheus_client's registry after importing every service)
or the broker metrics the compose Prometheus scrapes.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import promql_parser
import pytest
import yaml
from prometheus_client import REGISTRY
from prometheus_client.metrics import MetricWrapperBase

from .broker_access import SERVICE_CLASSES
from .conftest import BILUM_SERVICES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PROMETHEUS = DEPLOY / "prometheus"
# rabbitmq_prometheus' /metrics/detailed families that the compose Prometheus asks for (job rabbitmq-queues).
BROKER_FAMILIES = {
    "queue_coarse_metrics": {
        "rabbitmq_detailed_queue_messages",
        "rabbitmq_detailed_queue_messages_ready",
        "rabbitmq_detailed_queue_messages_unacked",
    },
    "queue_consumer_count": {"rabbitmq_detailed_queue_consumers"},
}
# Node-wide figures of rabbitmq_prometheus' /metrics (job rabbitmq) that the rules use.
BROKER_NODE_METRICS = {"rabbitmq_connections_closed_total"}
BROKER_METRICS = set().union(*BROKER_FAMILIES.values(), BROKER_NODE_METRICS)
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$service": ".*"}


def _exported(family) -> set[str]:
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}[family.type]
    return {family.name + suffix for suffix in suffixes}


@pytest.fixture(scope="module")
def code_metrics() -> set[str]:
    """Every bilum_* metric the services register once their modules are imported."""
    for target in SERVICE_CLASSES.values():
        importlib.import_module(target.partition(":")[0])
    names = set()
    for family in REGISTRY.collect():
        if family.name.startswith("bilum_"):
            names |= _exported(family)
    return names


@pytest.fixture(scope="module")
def known_metrics(code_metrics) -> set[str]:
    return code_metrics | BROKER_METRICS | {"up"}


def _metric_names(expr: str) -> set[str]:
    names = set(re.findall(r"\b(?:bilum|rabbitmq)_[a-z_]+\b", expr))
    return names | ({"up"} if re.search(r"\bup\s*\{", expr) else set())


def _parse(expr: str):
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return promql_parser.parse(expr)


def promtool(*args: str) -> subprocess.CompletedProcess:
    binary = shutil.which("promtool")
    assert binary, "promtool is missing: install Debian's prometheus package (apt-get install -y prometheus)"
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def prometheus_config() -> dict:
    return yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())


@pytest.fixture(scope="module")
def rule_groups() -> list[dict]:
    return yaml.safe_load((PROMETHEUS / "rules/bilum.yml").read_text())["groups"]


@pytest.fixture(scope="module")
def rules(rule_groups) -> dict[str, dict]:
    return {rule["alert"]: rule for group in rule_groups for rule in group["rules"]}


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads((DEPLOY / "grafana/dashboards/bilum-overview.json").read_text())


def _targets(dashboard: dict) -> list[dict]:
    return [t for panel in dashboard["panels"] for t in panel.get("targets", [])]


# --- the metrics themselves -------------------------------------------------------------


def test_the_metrics_the_alerts_and_operators_need_are_registered(code_metrics):
    for name in (
        "bilum_quotas",
        "bilum_planning_duration_seconds_bucket",
        "bilum_allocation_duration_seconds_bucket",
        "bilum_quotas_expired_total",
        "bilum_shipments_late",
        "bilum_messages_dead_lettered_total",
        "bilum_outbox_oldest_age_seconds",
    ):
        assert name in code_metrics, name


def test_no_metric_is_labelled_with_an_id(code_metrics):
    """Per-tenant figures belong in the dashboard behind the API: a label per order or producer would explode."""
    metrics = [
        value
        for name, module in list(sys.modules.items())
        if name.split(".")[0] in ("shared", "services")
        for value in vars(module).values()
        if isinstance(value, MetricWrapperBase)
    ]
    assert len(metrics) >= 14
    for metric in metrics:
        labels = set(metric._labelnames)
        assert not {label for label in labels if label.endswith("_id") or label in ("tenant", "order", "producer")}, (
            metric._name
        )


# --- Prometheus -------------------------------------------------------------------


def test_promtool_accepts_the_configuration_and_the_rules():
    config = promtool("check", "config", str(PROMETHEUS / "prometheus.yml"))
    assert config.returncode == 0, config.stdout + config.stderr
    assert "1 rule files found" in config.stdout  # the relative rule path resolves
    checked = promtool("check", "rules", str(PROMETHEUS / "rules/bilum.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_promtool_unit_tests_of_the_rules_pass():
    tests = sorted(str(p) for p in (PROMETHEUS / "tests").glob("*.yml"))
    assert tests
    result = promtool("test", "rules", *tests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_unit_test_where_it_fires_and_one_where_it_does_not(rules):
    fires, quiet = set(), set()
    for path in (PROMETHEUS / "tests").glob("*.yml"):
        document = yaml.safe_load(path.read_text())
        assert [(path.parent / f).resolve() for f in document["rule_files"]] == [PROMETHEUS / "rules/bilum.yml"]
        for case in document["tests"]:
            for check in case.get("alert_rule_test", []):
                (fires if check.get("exp_alerts") else quiet).add(check["alertname"])
    assert fires == set(rules), f"no firing test for {set(rules) - fires}"
    assert quiet == set(rules), f"no quiet test for {set(rules) - quiet}"


def test_prometheus_scrapes_every_service_ops_port_and_the_broker_queues(prometheus_config):
    jobs = {job["job_name"]: job for job in prometheus_config["scrape_configs"]}
    bilum = jobs["bilum"]
    assert bilum.get("metrics_path", "/metrics") == "/metrics"
    assert bilum["honor_labels"] is True
    targets = [t for group in bilum["static_configs"] for t in group["targets"]]
    assert sorted(targets) == sorted(f"{s}:9100" for s in BILUM_SERVICES)
    assert jobs["rabbitmq"]["static_configs"][0]["targets"] == ["rabbitmq:15692"]
    queues = jobs["rabbitmq-queues"]
    assert queues["metrics_path"] == "/metrics/detailed"
    assert queues["params"] == {"vhost": ["bilum"], "family": sorted(BROKER_FAMILIES, key=list(BROKER_FAMILIES).index)}
    assert queues["static_configs"][0]["targets"] == ["rabbitmq:15692"]


def test_prometheus_loads_the_rule_files_mounted_from_deploy(prometheus_config):
    (pattern,) = prometheus_config["rule_files"]
    # relative to the config file: docker-compose.yml mounts deploy/prometheus at /etc/prometheus
    assert not pattern.startswith("/")
    assert list(PROMETHEUS.glob(pattern)) == [PROMETHEUS / "rules/bilum.yml"]


def test_alert_rules_parse_and_use_known_metrics(rules, known_metrics):
    assert len(rules) >= 9
    for name, rule in rules.items():
        _parse(rule["expr"])
        used = _metric_names(rule["expr"])
        assert used and used <= known_metrics, f"{name}: {used - known_metrics}"
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]
        if "for" in rule:
            assert re.fullmatch(r"\d+[smh]", rule["for"])


def test_promql_parser_rejects_broken_expressions():
    with pytest.raises(ValueError):
        _parse("sum by (service) (rate(bilum_messages_consumed_total[$__rate_interval])")


def test_the_alerts_the_operators_asked_for_exist(rules):
    def alert_on(pattern: str) -> list[str]:
        return [name for name, rule in rules.items() if re.search(pattern, " ".join(rule["expr"].split()))]

    assert alert_on(r'rabbitmq_detailed_queue_messages\{[^}]*queue="bilum\.dead-letters"[^}]*\}\) > 0'), "dead letters"
    assert alert_on(r"bilum_outbox_oldest_age_seconds\) > 300"), "outbox older than 5 minutes"
    assert alert_on(r"rabbitmq_detailed_queue_consumers") and alert_on(r'up\{job="bilum"\} == 0'), "consumer down"
    assert alert_on(r"increase\(bilum_quotas_expired_total\[1h\]\)\) > \d+"), "quota offers expiring"
    assert alert_on(r"bilum_shipments_late"), "shipments late"
    assert alert_on(r"bilum_messages_failed_total") and alert_on(r"bilum_http_requests_total")


# --- Grafana ------------------------------------------------------------------------


def test_grafana_datasource_points_at_the_compose_prometheus():
    provisioning = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())
    (datasource,) = provisioning["datasources"]
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"
    assert datasource["uid"] == "prometheus"


def test_dashboard_queries_parse_and_use_known_metrics(dashboard, known_metrics):
    targets = _targets(dashboard)
    assert len(targets) >= 16
    for target in targets:
        _parse(target["expr"])
        used = _metric_names(target["expr"])
        assert used and used <= known_metrics, f"{target['expr']}: {used - known_metrics}"
    (variable,) = dashboard["templating"]["list"]
    match = re.fullmatch(r"label_values\((\w+), service\)", variable["query"]["query"])
    assert variable["name"] == "service" and match and match.group(1) in known_metrics


def test_dashboard_shows_throughput_latency_backlogs_and_dead_letters_per_service(dashboard):
    exprs = [t["expr"] for t in _targets(dashboard)]

    def has(pattern: str) -> bool:
        return any(re.search(pattern, e) for e in exprs)

    for counter in ("consumed", "failed", "dead_lettered"):
        assert has(rf"sum by \(service[^)]*\) \(rate\(bilum_messages_{counter}_total"), counter
    assert has(r"sum by \(service\) \(rate\(bilum_events_published_total")
    assert has(r"histogram_quantile\(0\.95, sum by \(service, le\) \(rate\(bilum_handler_duration_seconds_bucket")
    assert has(r"bilum_outbox_backlog")
    assert has(r"sum by \(service\) \(label_replace\(max by \(queue\) \(rabbitmq_detailed_queue_messages")
    assert has(r'rabbitmq_detailed_queue_messages\{vhost="bilum", queue="bilum\.dead-letters"\}')
    assert has(r"rabbitmq_detailed_queue_consumers")
    assert has(r"rate\(bilum_http_requests_total\{service=\"gateway\"\}")
    assert has(r"histogram_quantile\(0\.95, .*bilum_http_request_duration_seconds_bucket")
    for metric in (
        "bilum_quotas{",
        "bilum_quotas_expired_total",
        "bilum_shipments_late",
        "bilum_planning_duration_seconds_bucket",
        "bilum_allocation_duration_seconds_bucket",
    ):
        assert has(re.escape(metric)), metric


def test_dashboard_panels_use_the_provisioned_datasource_and_do_not_overlap(dashboard):
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    cells: set[tuple[int, int]] = set()
    for panel in dashboard["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}
        assert all(t["datasource"]["uid"] == "prometheus" for t in panel["targets"])
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24
        area = {
            (x, y) for x in range(grid["x"], grid["x"] + grid["w"]) for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & area, f"panel {panel['id']} overlaps another"
        cells |= area
    assert dashboard["uid"] == "bilum-overview"


def test_dashboard_provider_reads_the_dashboards_folder():
    provider = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/bilum.yml").read_text())
    (entry,) = provider["providers"]
    assert entry["type"] == "file"
    assert entry["options"]["path"].startswith("/etc/grafana/dashboards")

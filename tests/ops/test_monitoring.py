"""Checks of the Prometheus and Grafana files under deploy/.

Every PromQL expression (alert rules and dashboard panels) is parsed with
promql-parser and may only use the metric names the services export.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import promql_parser
import pytest
import yaml

from .conftest import BILUM_SERVICES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# The metric contract of the Bilum services (histograms also expose _bucket/_sum/_count).
COUNTERS_AND_GAUGES = {
    "bilum_messages_consumed_total",
    "bilum_messages_failed_total",
    "bilum_messages_dead_lettered_total",
    "bilum_outbox_backlog",
    "bilum_outbox_oldest_age_seconds",
    "bilum_events_published_total",
    "bilum_http_requests_total",
}
HISTOGRAMS = {"bilum_handler_duration_seconds", "bilum_http_request_duration_seconds"}
KNOWN_METRICS = COUNTERS_AND_GAUGES | {f"{h}_{s}" for h in HISTOGRAMS for s in ("bucket", "sum", "count")} | {"up"}
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$service": ".*"}


def _metric_names(expr: str) -> set[str]:
    return set(re.findall(r"\bbilum_[a-z_]+\b", expr)) | ({"up"} if re.search(r"\bup\s*\{", expr) else set())


def _parse(expr: str):
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return promql_parser.parse(expr)


@pytest.fixture(scope="module")
def prometheus_config() -> dict:
    return yaml.safe_load((DEPLOY / "prometheus/prometheus.yml").read_text())


@pytest.fixture(scope="module")
def rule_groups() -> list[dict]:
    return yaml.safe_load((DEPLOY / "prometheus/rules/bilum.yml").read_text())["groups"]


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads((DEPLOY / "grafana/dashboards/bilum-overview.json").read_text())


def _targets(dashboard: dict) -> list[dict]:
    return [t for panel in dashboard["panels"] for t in panel.get("targets", [])]


# --- Prometheus -------------------------------------------------------------------


def test_prometheus_scrapes_every_service_ops_port(prometheus_config):
    jobs = {job["job_name"]: job for job in prometheus_config["scrape_configs"]}
    bilum = jobs["bilum"]
    assert bilum.get("metrics_path", "/metrics") == "/metrics"
    assert bilum["honor_labels"] is True
    targets = [t for group in bilum["static_configs"] for t in group["targets"]]
    assert sorted(targets) == sorted(f"{s}:9100" for s in BILUM_SERVICES)
    assert jobs["rabbitmq"]["static_configs"][0]["targets"] == ["rabbitmq:15692"]


def test_prometheus_loads_the_rule_files_mounted_from_deploy(prometheus_config):
    (pattern,) = prometheus_config["rule_files"]
    # docker-compose.yml mounts deploy/prometheus at /etc/prometheus
    assert pattern.startswith("/etc/prometheus/")
    matched = list((DEPLOY / "prometheus").glob(pattern.removeprefix("/etc/prometheus/")))
    assert matched == [DEPLOY / "prometheus/rules/bilum.yml"]


def test_alert_rules_parse_and_use_known_metrics(rule_groups):
    rules = [rule for group in rule_groups for rule in group["rules"]]
    assert len(rules) >= 4
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        _parse(rule["expr"])
        used = _metric_names(rule["expr"])
        assert used and used <= KNOWN_METRICS, f"{rule['alert']}: {used - KNOWN_METRICS}"
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]
        if "for" in rule:
            assert re.fullmatch(r"\d+[smh]", rule["for"])


def test_promql_parser_rejects_broken_expressions():
    with pytest.raises(ValueError):
        _parse("sum by (service) (rate(bilum_messages_consumed_total[$__rate_interval])")


def test_alerts_cover_outbox_dead_letters_failures_and_gateway_errors(rule_groups):
    exprs = " ".join(rule["expr"] for group in rule_groups for rule in group["rules"])
    for metric in (
        "bilum_outbox_oldest_age_seconds",
        "bilum_messages_dead_lettered_total",
        "bilum_messages_failed_total",
        "bilum_http_requests_total",
    ):
        assert metric in exprs


# --- Grafana ------------------------------------------------------------------------


def test_grafana_datasource_points_at_the_compose_prometheus():
    provisioning = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())
    (datasource,) = provisioning["datasources"]
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"
    assert datasource["uid"] == "prometheus"


def test_dashboard_queries_parse_and_use_known_metrics(dashboard):
    targets = _targets(dashboard)
    assert len(targets) >= 8
    for target in targets:
        _parse(target["expr"])
        used = _metric_names(target["expr"])
        assert used and used <= KNOWN_METRICS, f"{target['expr']}: {used - KNOWN_METRICS}"
    (variable,) = dashboard["templating"]["list"]
    match = re.fullmatch(r"label_values\((\w+), service\)", variable["query"]["query"])
    assert variable["name"] == "service" and match and match.group(1) in KNOWN_METRICS


def test_dashboard_shows_the_required_views(dashboard):
    exprs = [t["expr"] for t in _targets(dashboard)]

    def has(pattern: str) -> bool:
        return any(re.search(pattern, e) for e in exprs)

    for counter in ("consumed", "failed", "dead_lettered"):
        assert has(rf"sum by \(service[^)]*\) \(rate\(bilum_messages_{counter}_total"), counter
    assert has(r"histogram_quantile\(0\.95, sum by \(service, le\) \(rate\(bilum_handler_duration_seconds_bucket")
    assert has(r"bilum_outbox_backlog")
    assert has(r"rate\(bilum_http_requests_total\{service=\"gateway\"\}")
    assert has(r"histogram_quantile\(0\.95, .*bilum_http_request_duration_seconds_bucket")


def test_dashboard_panels_use_the_provisioned_datasource_and_do_not_overlap(dashboard):
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    cells: set[tuple[int, int]] = set()
    for panel in dashboard["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}
        assert all(t["datasource"]["uid"] == "prometheus" for t in panel["targets"])
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24
        area = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"]) for y in range(grid["y"], grid["y"] + grid["h"])}
        assert not cells & area, f"panel {panel['id']} overlaps another"
        cells |= area
    assert dashboard["uid"] == "bilum-overview"


def test_dashboard_provider_reads_the_dashboards_folder():
    provider = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/bilum.yml").read_text())
    (entry,) = provider["providers"]
    assert entry["type"] == "file"
    assert entry["options"]["path"].startswith("/etc/grafana/dashboards")

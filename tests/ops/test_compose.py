"""Offline checks of docker-compose.yml (there is no Docker engine to ask).

The file is validated against the official Compose Specification JSON schema
that the check-jsonschema package ships (check_jsonschema/builtin_schemas/
vendor/compose-spec.json, vendored by that project from the compose-spec
repository), then against the promises the stack makes: start order, health
checks, no secrets in the file, one image for the six services, one broker user per service whose password only
that service's container receives, and every setting the services' code reads reaching the service that reads it.
"""

from __future__ import annotations

import copy
import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from .conftest import BILUM_SERVICES, REPO_ROOT

SUPPORT_SERVICES = ("rabbitmq", "postgres", "migrate", "prometheus", "grafana", "kannel-bearerbox", "kannel-smsbox")
TOOLS = ("dlq",)  # profile "tools": started only by `docker compose run`
# The SMS gateway beside the services: the operator's account, and what Kannel and notification share.
KANNEL_VARIABLES = {
    "BILUM_SMS_PROVIDER",
    "KANNEL_SMPP_HOST",
    "KANNEL_SMPP_PORT",
    "KANNEL_SMPP_SYSTEM_ID",
    "KANNEL_SMPP_PASSWORD",
    "KANNEL_SENDER_NUMBER",
    "KANNEL_ADMIN_PASSWORD",
    "BILUM_KANNEL_PASSWORD",
    "BILUM_KANNEL_CALLBACK_SECRET",
}
SECRET_KEY = re.compile(r"PASS|PASSWORD|SECRET|TOKEN|KEY", re.IGNORECASE)
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?+][^}]*)?\}")


@pytest.fixture(scope="module")
def compose_schema() -> dict:
    schema_file = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["title"] == "Compose Specification"
    return schema


def _schema_errors(schema: dict, document: dict) -> list[str]:
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def _env_files(service: dict) -> list[str]:
    files = service.get("env_file", [])
    files = [files] if isinstance(files, str) else files
    return [f if isinstance(f, str) else f["path"] for f in files]


# --- schema -----------------------------------------------------------------


def test_compose_file_matches_the_compose_specification(compose, compose_schema):
    errors = _schema_errors(compose_schema, compose)
    assert not errors, "\n".join(errors)


def test_schema_rejects_a_misspelt_service_key(compose, compose_schema):
    broken = copy.deepcopy(compose)
    broken["services"]["orders"]["healtcheck"] = broken["services"]["orders"].pop("healthcheck")
    assert _schema_errors(compose_schema, broken)


def test_uses_the_compose_specification_without_a_version_key(compose):
    assert "version" not in compose
    assert compose["name"] == "bilum"


# --- services ---------------------------------------------------------------


def test_the_six_services_run_one_image_with_their_own_command(compose):
    services = compose["services"]
    assert set(services) == set(BILUM_SERVICES) | set(SUPPORT_SERVICES) | set(TOOLS)
    images = set()
    for name in BILUM_SERVICES:
        service = services[name]
        assert service["command"] == ["run", name]
        assert service["build"] == {"context": ".", "dockerfile": "deploy/Dockerfile"}
        images.add(service["image"])
    assert services["migrate"]["command"] == ["migrate"]
    images.add(services["migrate"]["image"])
    assert services["dlq"]["entrypoint"] == ["bilum", "dlq"] and services["dlq"]["profiles"] == ["tools"]
    images.add(services["dlq"]["image"])
    assert len(images) == 1


def test_every_service_has_a_healthcheck_or_waits_on_conditions(compose):
    for name, service in compose["services"].items():
        healthcheck = service.get("healthcheck", {})
        has_healthcheck = bool(healthcheck.get("test")) and not healthcheck.get("disable", False)
        depends_on = service.get("depends_on", {})
        waits_on_conditions = (
            isinstance(depends_on, dict) and depends_on and all("condition" in d for d in depends_on.values())
        )
        assert has_healthcheck or waits_on_conditions, name


def test_dependencies_wait_for_health_and_for_migrations(compose):
    services = compose["services"]
    for name, service in services.items():
        for dependency, spec in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if spec["condition"] == "service_healthy":
                assert services[dependency].get("healthcheck", {}).get("test"), f"{dependency} has no healthcheck"
    for name in BILUM_SERVICES:
        assert services[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "rabbitmq": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
    migrate = services["migrate"]
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert migrate["restart"] == "no"
    assert services["grafana"]["depends_on"]["prometheus"]["condition"] == "service_healthy"


def test_bilum_healthchecks_ask_the_ready_endpoint_with_python(compose):
    for name in BILUM_SERVICES:
        service = compose["services"][name]
        test = service["healthcheck"]["test"]
        assert test[0] == "CMD" and test[1] == "python" and test[2] == "-c"
        assert "urllib.request" in test[3] and "http://127.0.0.1:9100/health/ready" in test[3]
        compile(test[3], f"{name}-healthcheck", "exec")
        env = _environment(service)
        assert env["BILUM_OPS_PORT"] == "9100"
        assert env["BILUM_GATEWAY_PORT"] == "8000"


def test_support_services_have_healthchecks(compose):
    services = compose["services"]
    assert "rabbitmq-diagnostics" in " ".join(services["rabbitmq"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "/-/ready" in " ".join(services["prometheus"]["healthcheck"]["test"])
    assert "/api/health" in " ".join(services["grafana"]["healthcheck"]["test"])
    assert services["postgres"]["image"] == "postgres:16"
    assert services["rabbitmq"]["image"] == "rabbitmq:3.13-management"


def test_published_ports(compose):
    published = {
        name: sorted(p.split(":")[0] for p in service.get("ports", []))
        for name, service in compose["services"].items()
        if service.get("ports")
    }
    assert published == {"gateway": ["8000"], "grafana": ["3000"], "prometheus": ["9090"], "rabbitmq": ["15672"]}


# --- secrets ----------------------------------------------------------------


def test_no_secret_values_in_the_compose_file(compose):
    assert "guest" not in yaml.safe_dump(compose).lower()  # comments aside
    for name, service in compose["services"].items():
        for key, value in _environment(service).items():
            if SECRET_KEY.search(key):
                # from .env, required, or passed through by name (empty here) when .env sets it
                assert value == "" or re.fullmatch(r"\$\{\w+:\?[^}]+\}", value), f"{name}.{key} must come from .env"
            for credentials in re.findall(r"://[^/@\s]+@", value):
                user_password = credentials[3:-1]
                _, _, password = user_password.partition(":")
                assert INTERPOLATION.fullmatch(password), f"{name}.{key} has an inline password"
    for key in ("RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS"):
        assert key not in _environment(compose["services"]["rabbitmq"])


def _amqp_user_and_variable(service: dict) -> tuple[str, str]:
    match = re.fullmatch(r"amqp://([\w-]+):\$\{(\w+):\?[^}]+\}@rabbitmq:5672/bilum", _environment(service)["AMQP_URI"])
    assert match, _environment(service)["AMQP_URI"]
    return match.group(1), match.group(2)


def test_each_service_connects_as_its_own_broker_user(compose):
    services = compose["services"]
    users = {name: _amqp_user_and_variable(services[name]) for name in BILUM_SERVICES}
    assert {name: user for name, (user, _) in users.items()} == {name: name for name in BILUM_SERVICES}
    assert len({variable for _, variable in users.values()}) == len(BILUM_SERVICES)
    assert _amqp_user_and_variable(services["dlq"])[0] == "bilum"
    assert "AMQP_URI" not in _environment(services["migrate"])


def test_the_broker_renders_the_users_its_definitions_grant_with_the_services_passwords(compose):
    definitions = json.loads((REPO_ROOT / "deploy/rabbitmq/definitions.json").read_text())
    broker = _environment(compose["services"]["rabbitmq"])
    rendered = {}
    for key, value in broker.items():
        if key.startswith("BILUM_RABBITMQ_PASSWORD_"):
            rendered[key.removeprefix("BILUM_RABBITMQ_PASSWORD_").lower()] = INTERPOLATION.fullmatch(value).group(1)
    assert set(rendered) == {p["user"] for p in definitions["permissions"]}
    # the password the broker sets for a user is the one that user's container connects with
    for name in (*BILUM_SERVICES, "dlq"):
        user, variable = _amqp_user_and_variable(compose["services"][name])
        assert rendered[user] == variable, name


def test_connection_urls_use_the_passwords_from_env(compose):
    env = _environment(compose["services"]["orders"])
    assert re.fullmatch(
        r"postgresql\+psycopg2://bilum:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432/bilum", env["BILUM_DATABASE_URL"]
    )
    assert _environment(compose["services"]["migrate"])["BILUM_DATABASE_URL"] == env["BILUM_DATABASE_URL"]
    postgres = _environment(compose["services"]["postgres"])
    assert INTERPOLATION.fullmatch(postgres["POSTGRES_PASSWORD"]).group(1) == "POSTGRES_PASSWORD"
    assert (postgres["POSTGRES_USER"], postgres["POSTGRES_DB"]) == ("bilum", "bilum")


def test_containers_do_not_receive_the_env_file_whole(compose, repo_root: Path):
    for name, service in compose["services"].items():
        assert not _env_files(service), f"{name} would receive every password in .env"
    for name in BILUM_SERVICES:
        _, own = _amqp_user_and_variable(compose["services"][name])
        text = json.dumps(compose["services"][name])
        assert set(re.findall(r"RABBITMQ_\w*PASSWORD", text)) == {own}, name
    ignored = {line.strip() for line in (repo_root / ".gitignore").read_text().splitlines()}
    assert ".env" in ignored


# Read by code that does not run in these containers: the local var directory (a database URL is always given
# here) and the gateway address of `bilum demo`.
NOT_FOR_CONTAINERS = {"BILUM_VAR_DIR", "BILUM_GATEWAY_URL"}


def _settings_read_by(folder: Path) -> set[str]:
    names = set()
    for source in folder.rglob("*.py"):
        names |= set(re.findall(r"[\"'](BILUM_[A-Z0-9_]+)[\"']", source.read_text(encoding="utf-8")))
    return names - NOT_FOR_CONTAINERS


@pytest.mark.parametrize("name", BILUM_SERVICES)
def test_every_setting_a_service_reads_can_reach_it_from_env(compose, name):
    wanted = _settings_read_by(REPO_ROOT / "shared") | _settings_read_by(REPO_ROOT / "services" / name)
    given = set(_environment(compose["services"][name]))
    missing = sorted(wanted - given)
    assert not missing, f"add {missing} to {name}'s environment in docker-compose.yml"


def test_env_example_documents_every_variable_with_placeholders(repo_root: Path):
    compose_text = (repo_root / "docker-compose.yml").read_text()
    used = {m.group(1) for m in INTERPOLATION.finditer(compose_text)}
    example: dict[str, str] = {}
    for line in (repo_root / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            example[key.strip()] = value.strip()
    broker_users = {f"RABBITMQ_{s.upper()}_PASSWORD" for s in BILUM_SERVICES}
    assert used == (
        {"RABBITMQ_PASSWORD", "POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD", "BILUM_JWT_SECRET"}
        | broker_users
        | KANNEL_VARIABLES
    )
    assert used <= set(example)
    for key, value in example.items():
        if SECRET_KEY.search(key):
            assert value.startswith("change-me"), f"{key} in .env.example must be a placeholder"
            assert re.fullmatch(r"[A-Za-z0-9._~-]+", value)


# --- mounted files ----------------------------------------------------------


def test_bind_mount_sources_exist(compose, repo_root: Path):
    mounts = 0
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith("./"):
                assert (repo_root / source).exists(), f"{name}: {source}"
                mounts += 1
    assert mounts >= 5


def test_broker_is_configured_from_deploy_rabbitmq(compose):
    rabbitmq = compose["services"]["rabbitmq"]
    volumes = rabbitmq["volumes"]
    assert "./deploy/rabbitmq:/etc/bilum/rabbitmq:ro" in volumes
    assert "./deploy/rabbitmq/rabbitmq.conf:/etc/rabbitmq/conf.d/90-bilum.conf:ro" in volumes
    assert rabbitmq["entrypoint"] == ["sh", "/etc/bilum/rabbitmq/docker-entrypoint-bilum.sh"]
    assert rabbitmq["command"] == ["rabbitmq-server"]
    assert rabbitmq["hostname"] == "rabbitmq"


def test_prometheus_and_grafana_mounts_match_their_configs(compose, repo_root: Path):
    prometheus = compose["services"]["prometheus"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    grafana = compose["services"]["grafana"]
    provider = yaml.safe_load((repo_root / "deploy/grafana/provisioning/dashboards/bilum.yml").read_text())
    dashboards_path = provider["providers"][0]["options"]["path"]
    assert f"./deploy/grafana/dashboards:{dashboards_path}:ro" in grafana["volumes"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    home = _environment(grafana)["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home.startswith(dashboards_path + "/")
    assert (repo_root / "deploy/grafana/dashboards" / home[len(dashboards_path) + 1 :]).is_file()

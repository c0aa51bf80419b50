"""Checks of deploy/rabbitmq: the committed definitions against what the services really do on the broker, the
broker config, and the entrypoint wrapper that renders the users from the environment.

The permissions are read as RabbitMQ reads them (a regular expression searched in the resource name) and compared
with the queues, exchanges and routing keys nameko will use for each service (tests/ops/broker_access.py). The
integration test tests/integration/test_broker_permissions.py applies the same definitions to the real broker.

The wrapper is run for real (POSIX sh) in a scratch directory, with a stub in place of the image's
docker-entrypoint.sh.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import uuid
from pathlib import Path

import pytest

from .broker_access import DEFAULT_EXCHANGE, RPC_EXCHANGE, SERVICE_CLASSES, all_broker_access

RABBITMQ_DIR = Path(__file__).resolve().parents[2] / "deploy" / "rabbitmq"
WRAPPER = RABBITMQ_DIR / "docker-entrypoint-bilum.sh"
OPERATOR = "bilum"
SERVICES = tuple(SERVICE_CLASSES)


@pytest.fixture(scope="module")
def definitions() -> dict:
    return json.loads((RABBITMQ_DIR / "definitions.json").read_text())


@pytest.fixture(scope="module")
def access():
    return all_broker_access()


@pytest.fixture(scope="module")
def permissions(definitions) -> dict[str, dict]:
    return {p["user"]: p for p in definitions["permissions"]}


@pytest.fixture(scope="module")
def rpc_topics(definitions) -> dict[str, dict]:
    return {t["user"]: t for t in definitions["topic_permissions"] if t["exchange"] == RPC_EXCHANGE}


def allows(pattern: str, name: str) -> bool:
    """RabbitMQ's test: the pattern is searched in the name (so every pattern here is anchored)."""
    return re.search(pattern, name) is not None


def _conf() -> dict[str, str]:
    settings = {}
    for line in (RABBITMQ_DIR / "rabbitmq.conf").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"not a key = value line: {line}"
            assert key.strip() not in settings, f"{key.strip()} set twice"
            settings[key.strip()] = value.strip()
    return settings


# --- definitions.json: shape ------------------------------------------------------


def test_definitions_hold_no_users_and_no_secrets(definitions):
    assert "users" not in definitions
    text = json.dumps(definitions).lower()
    assert "password" not in text and "guest" not in text


def test_the_bilum_vhost_makes_quorum_queues_by_default(definitions):
    (vhost,) = definitions["vhosts"]
    assert vhost["name"] == "bilum"
    assert vhost["metadata"]["default_queue_type"] == "quorum"


def test_one_user_per_service_and_the_operator(definitions, permissions, rpc_topics):
    assert len(permissions) == len(definitions["permissions"]), "a user has two permission entries"
    assert set(permissions) == {*SERVICES, OPERATOR}
    assert {p["vhost"] for p in definitions["permissions"] + definitions["topic_permissions"]} == {"bilum"}
    # every service talks RPC, as server or client; the operator does not
    assert set(rpc_topics) == set(SERVICES)


def test_every_pattern_is_anchored_and_compiles(definitions):
    entries = definitions["permissions"] + definitions["topic_permissions"]
    patterns = [entry[key] for entry in entries for key in ("configure", "write", "read") if key in entry]
    assert len(patterns) == 3 * len(definitions["permissions"]) + 2 * len(definitions["topic_permissions"])
    for pattern in patterns:
        assert pattern.startswith("^") and pattern.endswith("$"), pattern
        re.compile(pattern)
        assert not allows(pattern, ""), f"{pattern} allows the empty name"


def test_the_definitions_file_is_one_key_per_line_as_the_wrapper_reads_it():
    text = (RABBITMQ_DIR / "definitions.json").read_text()
    assert text == json.dumps(json.loads(text), indent=2) + "\n"


# --- definitions.json: each service can do its own work ------------------------------


def _rpc_methods(access) -> dict[str, tuple[str, ...]]:
    return {service: a.rpc_methods for service, a in access.items()}


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_user_is_allowed_everything_its_service_does(service, access, permissions, rpc_topics):
    needs = access[service].needs(_rpc_methods(access), str(uuid.uuid4()))
    granted = permissions[service]
    for permission in ("configure", "write", "read"):
        refused = sorted(name for name in getattr(needs, permission) if not allows(granted[permission], name))
        assert not refused, f"{service} needs {permission} on {refused}"
    topic = rpc_topics[service]
    assert not [k for k in needs.rpc_publish_keys if not allows(topic["write"], k)], "RPC routing keys refused"
    assert not [k for k in needs.rpc_bind_keys if not allows(topic["read"], k)], "RPC binding keys refused"


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of ``^(a|b|c)$`` (or the one of ``^a$``)."""
    body = pattern[1:-1]
    if not (body.startswith("(") and body.endswith(")")):
        return [body]
    alternatives, depth, current = [], 0, ""
    for char in body[1:-1]:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            alternatives.append(current)
            current = ""
        else:
            current += char
    return [*alternatives, current]


@pytest.mark.parametrize("service", SERVICES)
def test_every_grant_of_a_service_user_is_used_by_its_service(service, access, permissions, rpc_topics):
    """No grant outlives the handler or call it was made for."""
    needs = access[service].needs(_rpc_methods(access), str(uuid.uuid4()))
    wanted = {"configure": needs.configure, "write": needs.write, "read": needs.read}
    for permission, names in wanted.items():
        for alternative in _alternatives(permissions[service][permission]):
            assert any(re.fullmatch(alternative, name) for name in names), f"{service}: {permission} {alternative}"
    for permission, keys in (("write", needs.rpc_publish_keys), ("read", needs.rpc_bind_keys)):
        for alternative in _alternatives(rpc_topics[service][permission]):
            assert any(re.fullmatch(alternative, key) for key in keys), f"{service}: RPC {permission} {alternative}"


def test_alternatives_are_split_at_the_top_level_only():
    assert _alternatives(r"^(a\.events|evt-(b|c)-x|d)$") == [r"a\.events", "evt-(b|c)-x", "d"]
    assert _alternatives(r"^bilum\.dead-letters$") == [r"bilum\.dead-letters"]


# --- definitions.json: and nothing of the others' --------------------------------------


def _pairs():
    return [(s, t) for s in SERVICES for t in SERVICES if s != t]


@pytest.mark.parametrize(("service", "other"), _pairs())
def test_a_service_user_cannot_touch_another_services_exchange_or_queues(service, other, access, permissions):
    granted = permissions[service]
    exchange = access[other].events_exchange
    assert not allows(granted["write"], exchange), f"{service} may publish to {exchange}"
    if other not in access[service].sources:
        assert not allows(granted["read"], exchange), f"{service} may bind to {exchange} without handling its events"
        assert not allows(granted["configure"], exchange), f"{service} may declare or delete {exchange}"
    their_queues = [q.name for q in access[other].consumed if q.name != "bilum.dead-letters"]
    their_queues += [f"rpc-{other}", f"rpc.reply-{other}-{uuid.uuid4()}"]
    for queue in their_queues:
        for permission in ("configure", "write", "read"):
            assert not allows(granted[permission], queue), f"{service} has {permission} on {queue}"


@pytest.mark.parametrize("service", SERVICES)
def test_rpc_routing_keys_limit_whom_a_service_calls_and_what_it_hears(service, access, rpc_topics):
    topic = rpc_topics[service]
    for other in SERVICES:
        if other == service:
            continue
        some_method = (access[other].rpc_methods or ("any_method",))[0]
        called = other in access[service].calls
        assert allows(topic["write"], f"{other}.{some_method}") == called, f"{service} -> {other}.{some_method}"
        assert not allows(topic["read"], f"{other}.*"), f"{service} may bind a queue to {other}'s RPCs"
    assert not allows(topic["write"], f"{service}.*") and not allows(topic["read"], "#")


def test_the_operator_lists_and_replays_dead_letters_only(permissions, access):
    operator = permissions[OPERATOR]
    assert allows(operator["configure"], "bilum.dead-letters") and allows(operator["read"], "bilum.dead-letters")
    assert allows(operator["write"], DEFAULT_EXCHANGE)  # replay sends each letter back to its queue
    names = [a.events_exchange for a in access.values()] + [RPC_EXCHANGE]
    names += [q.name for a in access.values() for q in a.consumed if q.name != "bilum.dead-letters"]
    for name in names:
        for permission in ("configure", "write", "read"):
            assert not allows(operator[permission], name), f"the operator has {permission} on {name}"


# --- policies --------------------------------------------------------------------------


def _policy_for(definitions, queue: str) -> str | None:
    matches = [p for p in definitions["policies"] if p["apply-to"] in ("queues", "all") and allows(p["pattern"], queue)]
    assert len(matches) <= 1, f"{queue} matches {[p['name'] for p in matches]}: only one policy applies"
    return matches[0]["name"] if matches else None


def test_each_queue_the_services_declare_gets_its_policy(definitions, access):
    seen = set()
    for a in access.values():
        for queue in a.consumed:
            if queue.name.startswith("evt-"):
                expected = "bilum-events"
            elif queue.name.startswith("rpc-"):
                expected = "bilum-rpc"
            elif queue.name.startswith("rpc.reply-"):
                expected = None  # nameko gives them x-expires; a limit would only drop late replies
            else:
                expected = "bilum-dead-letters"
            assert _policy_for(definitions, queue.name) == expected, queue.name
            seen.add(expected)
    assert _policy_for(definitions, "bilum.dead-letters") == "bilum-dead-letters"
    assert seen == {"bilum-events", "bilum-rpc", "bilum-dead-letters", None}


def test_event_queues_dead_letter_poison_messages_after_a_delivery_limit(definitions):
    policies = {p["name"]: p for p in definitions["policies"]}
    events = policies["bilum-events"]["definition"]
    assert events["dead-letter-exchange"] == "bilum.dead-letters"
    assert 1 < events["delivery-limit"] <= 20
    # RPC requests are answered or given up by their caller: no dead-lettering, only a bound on crash loops
    assert set(policies["bilum-rpc"]["definition"]) == {"delivery-limit"}
    retention = policies["bilum-dead-letters"]["definition"]
    assert retention == {"message-ttl": 14 * 24 * 3600 * 1000, "max-length-bytes": 1024**3}
    assert all(p["vhost"] == "bilum" and p["apply-to"] == "queues" for p in policies.values())


def test_dead_letter_policy_matches_only_the_dead_letter_queues(definitions):
    (policy,) = [p for p in definitions["policies"] if p["name"] == "bilum-dead-letters"]
    for name in ("bilum.dead-letters", "notification.dead-letters"):
        assert allows(policy["pattern"], name)
    for other in (
        "bilum.dead-letters.extra",
        "bilumXdead-letters",
        "evt-orders-order.placed--aggregation.handle",
        "rpc-orders",
    ):
        assert not allows(policy["pattern"], other), other


# --- rabbitmq.conf --------------------------------------------------------------


def test_broker_config_loads_the_rendered_definitions_directory():
    settings = _conf()
    assert settings["load_definitions"] == "/etc/rabbitmq/definitions.d"
    assert settings["listeners.tcp.default"] == "5672"
    assert settings["management.tcp.port"] == "15672"
    assert settings["prometheus.tcp.port"] == "15692"
    assert settings["log.console.formatter"] == "json"
    # seeding a default user is skipped when definitions load, so it must not be configured
    assert not {"default_user", "default_pass"} & set(settings)


def test_wrapper_writes_where_the_config_reads():
    text = WRAPPER.read_text()
    assert f"BILUM_RABBITMQ_DEFINITIONS_DIR:-{_conf()['load_definitions']}}}" in text
    assert "BILUM_RABBITMQ_TOPOLOGY_FILE:-/etc/bilum/rabbitmq/definitions.json}" in text
    assert text.rstrip().endswith('exec docker-entrypoint.sh "$@"')


# --- the wrapper, run for real ------------------------------------------------------


def password_variable(user: str) -> str:
    return "BILUM_RABBITMQ_PASSWORD_" + user.upper().replace("-", "_")


@pytest.fixture
def run_wrapper(tmp_path: Path):
    shell = shutil.which("sh")
    assert shell, "the RabbitMQ wrapper is a POSIX sh script: install a sh to test it"
    stub_dir = tmp_path / "bin"
    stub_dir.mkdir()
    record = tmp_path / "exec-args"
    stub = stub_dir / "docker-entrypoint.sh"
    stub.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    defs_dir = tmp_path / "definitions.d"

    def run(passwords: dict[str, str]):
        env = {
            "PATH": f"{stub_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "BILUM_RABBITMQ_DEFINITIONS_DIR": str(defs_dir),
            "BILUM_RABBITMQ_TOPOLOGY_FILE": str(RABBITMQ_DIR / "definitions.json"),
            **{password_variable(user): password for user, password in passwords.items()},
        }
        result = subprocess.run(
            [shell, str(WRAPPER), "rabbitmq-server"], env=env, capture_output=True, text=True, timeout=30, check=False
        )
        args = record.read_text().splitlines() if record.exists() else None
        return result, defs_dir, args

    return run


def _passwords() -> dict[str, str]:
    return {user: f"s3cret-{user}_1.~" for user in (*SERVICES, OPERATOR)}


def test_wrapper_renders_every_user_then_runs_the_image_entrypoint(run_wrapper, definitions, permissions):
    result, defs_dir, args = run_wrapper(_passwords())
    assert result.returncode == 0, result.stderr
    assert args == ["rabbitmq-server"]
    files = sorted(p.name for p in defs_dir.iterdir())
    assert files == ["00-users.json", "10-topology.json"]  # RabbitMQ imports them in this order
    users = {u["name"]: u for u in json.loads((defs_dir / "00-users.json").read_text())["users"]}
    assert set(users) == set(permissions)
    for name, user in users.items():
        assert user["password"] == _passwords()[name]
        assert user["tags"] == ("monitoring" if name == OPERATOR else "")
    assert json.loads((defs_dir / "10-topology.json").read_text()) == definitions
    assert stat.S_IMODE((defs_dir / "00-users.json").stat().st_mode) == 0o600


@pytest.mark.parametrize("password", ["", 'with"quote', "with space", "with@at", "back\\slash", "pct%20"])
def test_wrapper_refuses_an_unsafe_password(run_wrapper, password):
    passwords = {**_passwords(), "orders": password}
    result, defs_dir, args = run_wrapper(passwords)
    assert result.returncode == 64
    assert password_variable("orders") in result.stderr
    assert args is None and not (defs_dir / "00-users.json").exists()


def test_wrapper_refuses_a_missing_password(run_wrapper):
    passwords = _passwords()
    del passwords["gateway"]
    result, defs_dir, args = run_wrapper(passwords)
    assert result.returncode == 64 and password_variable("gateway") in result.stderr
    assert args is None and not (defs_dir / "00-users.json").exists()

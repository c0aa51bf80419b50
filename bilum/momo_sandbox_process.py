"""The MoMo sandbox (``bilum.momo_sandbox``) as a process: its command line, and ``start`` that runs it as a
subprocess of a test or of the demonstration (a thread server would never run in a process under eventlet's monkey
patch)."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path

from bilum.momo_sandbox import DEFAULT_API_KEY, DEFAULT_API_USER, DEFAULT_SUBSCRIPTION_KEY, Handler, State
from bilum.settings import services_environment


def parser() -> argparse.ArgumentParser:
    arguments = argparse.ArgumentParser(
        prog="python -m bilum.momo_sandbox_process", description="A local stand-in for MTN MoMo's Disbursement API"
    )
    arguments.add_argument("--host", default="127.0.0.1")
    arguments.add_argument("--port", type=int, default=0)
    arguments.add_argument("--port-file", required=True, help="written with the port once listening")
    arguments.add_argument("--record", required=True, help="every request received, as JSON lines")
    arguments.add_argument("--api-user", default=DEFAULT_API_USER)
    arguments.add_argument("--api-key", default=DEFAULT_API_KEY)
    arguments.add_argument("--subscription-key", default=DEFAULT_SUBSCRIPTION_KEY)
    arguments.add_argument("--target-environment", default="sandbox")
    arguments.add_argument("--token-ttl", type=float, default=3600.0, help="seconds a token is valid")
    arguments.add_argument("--settle-after", type=float, default=0.5, help="seconds a transfer stays PENDING")
    arguments.add_argument("--delayed-after", type=float, default=5.0, help="extra seconds for 46733123454")
    arguments.add_argument("--callback-repeats", type=int, default=1)
    arguments.add_argument("--callback-delay", type=float, default=0.1, help="seconds between repeated callbacks")
    arguments.add_argument("--callback-method", choices=("PUT", "POST"), default="PUT")
    arguments.add_argument("--currencies", default="", help="comma-separated accepted currencies (default: any)")
    arguments.add_argument("--reason-as-string", action="store_true", help="reason as a bare code, as live")
    return arguments


def serve(argv: list[str] | None = None) -> None:
    options = parser().parse_args(argv)
    options.currencies = {code.strip() for code in options.currencies.split(",") if code.strip()}
    state = State(options)
    handler = type("SandboxHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer((options.host, options.port), handler)
    server.daemon_threads = True

    def tick():
        while True:
            time.sleep(0.05)
            state.settle()

    threading.Thread(target=tick, daemon=True).start()
    with open(options.port_file + ".tmp", "w") as ready:
        ready.write(str(server.server_address[1]))
    os.replace(options.port_file + ".tmp", options.port_file)
    server.serve_forever()


@dataclass
class Sandbox:
    """A running sandbox subprocess, with the credentials it accepts."""

    url: str
    process: subprocess.Popen
    record_path: Path
    api_user: str
    api_key: str
    subscription_key: str

    def records(self) -> list[dict]:
        if not self.record_path.exists():
            return []
        return [json.loads(line) for line in self.record_path.read_text(encoding="utf-8").splitlines()]

    def control(self, method: str, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + "/_sandbox/" + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def transfers(self) -> list[dict]:
        return self.control("GET", "transfers")["transfers"]

    def fail_next(self, status: int = 500, count: int = 1) -> None:
        self.control("POST", "fail-next", {"status": status, "count": count})

    def fail_payee(self, msisdn: str, reason: str = "PAYER_LIMIT_REACHED", count: int = 1) -> None:
        self.control("POST", "fail-payee", {"msisdn": msisdn, "reason": reason, "count": count})

    def slow_next(self, seconds: float, count: int = 1) -> None:
        self.control("POST", "slow-next", {"seconds": seconds, "count": count})

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(port: int = 0, directory: str | Path | None = None, **options) -> Sandbox:
    """Run a sandbox in a subprocess and wait until it listens. ``options`` are the command line's, in Python spelling
    (``callback_repeats=3``, ``reason_as_string=True``); port and record files go to ``directory`` (a new temporary
    one by default)."""
    directory = Path(directory or tempfile.mkdtemp(prefix="momo-sandbox-"))
    directory.mkdir(parents=True, exist_ok=True)
    port_file, record, errors_path = directory / "momo.port", directory / "momo.jsonl", directory / "momo.err"
    port_file.unlink(missing_ok=True)
    arguments = ["--port", str(port), "--port-file", str(port_file), "--record", str(record)]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            arguments.append(flag)
        elif value not in (None, False):
            arguments += [flag, ",".join(value) if isinstance(value, list | tuple | set) else str(value)]
    with open(errors_path, "wb") as errors:
        root = str(Path(__file__).resolve().parent.parent)
        environment = services_environment()
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [root, environment.get("PYTHONPATH")]))
        process = subprocess.Popen(
            [sys.executable, "-m", "bilum.momo_sandbox_process", *arguments],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    deadline = time.monotonic() + 20
    while not port_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"the MoMo sandbox did not start:\n{errors_path.read_text(errors='replace')}")
        time.sleep(0.02)
    host = options.get("host", "127.0.0.1")
    return Sandbox(
        f"http://{host}:{int(port_file.read_text())}",
        process,
        record,
        options.get("api_user", DEFAULT_API_USER),
        options.get("api_key", DEFAULT_API_KEY),
        options.get("subscription_key", DEFAULT_SUBSCRIPTION_KEY),
    )


if __name__ == "__main__":
    serve()

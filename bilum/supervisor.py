"""Start every service as its own process, wait until each is ready, and stop them all cleanly."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from kombu import Connection

from bilum import settings
from shared import config


class BrokerUnreachable(RuntimeError):
    pass


def check_broker(uri: str | None = None) -> None:
    uri = uri or config.amqp_uri()
    try:
        with Connection(uri, connect_timeout=3) as connection:
            # one try at each address (a cluster's nodes, separated by ';'); a single one is tried twice
            connection.ensure_connection(max_retries=max(1, len(connection.alt) - 1), timeout=3)
    except Exception as error:
        safe = Connection(uri).as_uri()
        raise BrokerUnreachable(
            f"RabbitMQ is not reachable at {safe} ({error}).\n"
            "Start it and try again: `rabbitmq-server -detached` on this machine "
            "(or `docker compose up -d rabbitmq`), or point AMQP_URI at a running broker."
        ) from None


def ready(service: str) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{config.ops_port(service)}/health/ready", timeout=1).ok
    except requests.RequestException:
        return False


class Supervisor:
    def __init__(self, log_dir: Path | None = None, out=sys.stderr):
        self.log_dir = log_dir or config.var_dir() / "log"
        self.processes: dict[str, subprocess.Popen] = {}
        self.out = out

    def start(self, timeout_s: float = 90) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for service in config.SERVICES:
            log_file = open(self.log_dir / f"{service}.log", "ab")
            self.processes[service] = subprocess.Popen(
                [sys.executable, "-m", "bilum.cli", "run", service],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=settings.services_environment(),
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout_s
        waiting = set(config.SERVICES)
        while waiting:
            for service in sorted(waiting):
                process = self.processes[service]
                if process.poll() is not None:
                    self.stop()
                    raise RuntimeError(
                        f"{service} exited with {process.returncode}; its log: "
                        f"{self.log_dir / (service + '.log')}\n{self.tail(service)}"
                    )
                if ready(service):
                    waiting.discard(service)
                    print(f"  {service} ready (pid {process.pid})", file=self.out)
            if waiting and time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"not ready after {timeout_s:.0f} s: {', '.join(sorted(waiting))}")
            time.sleep(0.2)

    def tail(self, service: str, lines: int = 20) -> str:
        path = self.log_dir / f"{service}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self, timeout_s: float = 20) -> None:
        """SIGTERM to every service, SIGKILL to any still running after ``timeout_s``; a second Ctrl-C meanwhile
        is ignored so no process is left behind."""
        previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self._stop(timeout_s)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, timeout_s: float) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def wait(self) -> None:
        """Block until Ctrl-C (or SIGTERM) or until a service dies."""
        try:
            while True:
                for service, process in self.processes.items():
                    if process.poll() is not None:
                        print(f"{service} exited with {process.returncode}:\n{self.tail(service)}", file=self.out)
                        return
                time.sleep(0.5)
        except KeyboardInterrupt:
            print("\nstopping...", file=self.out)

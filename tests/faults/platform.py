"""The platform of one fault scenario: each service a separate OS process (``bilum run``) that the test can kill,
pause and restart by its pid; TCP proxies between services and the broker; a second RabbitMQ node of the test's
own that it can restart without touching the machine's broker; and RPC clients that survive all of it."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import requests
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from bilum.ports import free_port
from bilum.waiting import eventually
from tests.integration.helpers import management

REPO = Path(__file__).resolve().parents[2]
# The gateway is left out (but for a scenario that needs it called back): the scenarios drive the services over RPC,
# as the gateway itself does.
SERVICES = ("catalogue", "orders", "aggregation", "consolidation", "notification", "settlement")

# Short clocks so a scenario lives through quota deadlines, expiries, retries and shipment plans in seconds; the
# retry budget of a failing message is the production one (five tries, 0.2 s backoff growing each try).
FAULT_SETTINGS = {
    "BILUM_MAX_ATTEMPTS": "5",
    "BILUM_RETRY_BACKOFF_S": "0.2",
    "BILUM_QUOTA_RESPONSE_HOURS": str(30 / 3600),
    "BILUM_EXPIRY_INTERVAL_S": "1",
    "BILUM_NOTIFY_TICK_S": "1",
    "BILUM_ROUTING_TIME_LIMIT_S": "0.5",
    "BILUM_ROUTING_MAX_ITERATIONS": "200",
}


def _python_env(env: dict) -> dict:
    return {**os.environ, **env, "PYTHONPATH": str(REPO)}


class ServiceProcess:
    """One service in its own process and session, its output in its own log file."""

    def __init__(self, service: str, env: dict, log_dir: Path):
        self.service = service
        self.env = env
        self.log_path = log_dir / f"{service}.log"
        self.process: subprocess.Popen | None = None
        self.ops_port = int(env[f"BILUM_{service.upper()}_OPS_PORT"])
        self.starts = 0

    @property
    def pid(self) -> int:
        return self.process.pid

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bilum.cli", "run", self.service],
                env=_python_env(self.env),
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    def ready(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            return False
        try:
            return requests.get(f"http://127.0.0.1:{self.ops_port}/health/ready", timeout=1).ok
        except requests.RequestException:
            return False

    def wait_ready(self, timeout_s: float = 120) -> None:
        def up():
            if self.process.poll() is not None:
                raise AssertionError(f"{self.service} exited with {self.process.returncode}:\n{self.tail()}")
            return self.ready()

        eventually(up, f"{self.service} to be ready", timeout_s)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        os.kill(self.process.pid, signum)

    def kill(self) -> None:
        """``kill -9``: no shutdown, no acks, no cleanup."""
        self.signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self, timeout_s: float = 20) -> None:
        if not self.alive():
            return
        self.signal(signal.SIGCONT)
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


class TcpProxy:
    """tests/faults/tcp_proxy.py in its own process, in front of a broker port."""

    def __init__(self, target_port: int, log_dir: Path, name: str):
        self.target_port = target_port
        self.port = free_port()
        self.state_path = log_dir / f"proxy-{name}.state"
        self.log_path = log_dir / f"proxy-{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.faults.tcp_proxy",
                    str(self.port),
                    "127.0.0.1",
                    str(self.target_port),
                    str(self.state_path),
                ],
                env=_python_env({}),
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        eventually(lambda: self.state() == ("up", 0), "the TCP proxy to listen", 20)

    def state(self):
        try:
            status, drops = self.state_path.read_text().split()
            return status, int(drops)
        except (OSError, ValueError):
            return None

    def drop(self) -> None:
        """Reset every connection through the proxy; new ones are let through again at once."""
        before = self.state()[1]
        self.process.send_signal(signal.SIGUSR1)
        eventually(lambda: self.state()[1] > before, "the proxy to drop its connections", 10)

    def outage(self, down: bool) -> None:
        if (self.state()[0] == "down") == down:
            return
        self.process.send_signal(signal.SIGUSR2)
        eventually(lambda: self.state()[0] == ("down" if down else "up"), "the proxy to switch", 10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class MainBroker:
    """The machine's RabbitMQ, on a vhost of the scenario's own (made and deleted by the caller)."""

    port = 5672

    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self.vhost = amqp_uri.rsplit("/", 1)[1]

    def uri_through(self, port: int) -> str:
        return self.amqp_uri.replace("127.0.0.1:5672", f"127.0.0.1:{port}")

    def queues(self) -> dict:
        """``{queue: (ready, unacknowledged)}``; the management figures lag by a few seconds."""
        response = management("GET", f"/queues/{self.vhost}?columns=name,messages_ready,messages_unacknowledged")
        return {
            queue["name"]: (queue.get("messages_ready", 0), queue.get("messages_unacknowledged", 0))
            for queue in response.json()
        }

    def consumers(self) -> dict:
        response = management("GET", f"/queues/{self.vhost}?columns=name,consumers")
        return {queue["name"]: queue.get("consumers", 0) for queue in response.json()}

    def consumer_connections(self) -> dict:
        """``{queue: {the connections its consumers are on}}``, as the broker lists its consumers."""
        connections: dict = {}
        for consumer in management("GET", f"/consumers/{self.vhost}").json():
            connections.setdefault(consumer["queue"]["name"], set()).add(consumer["channel_details"]["connection_name"])
        return connections

    def bound_queues(self, exchange: str, routing_key: str) -> list:
        response = management("GET", f"/exchanges/{self.vhost}/{quote(exchange, safe='')}/bindings/source")
        return sorted(
            binding["destination"]
            for binding in response.json()
            if binding["destination_type"] == "queue" and binding["routing_key"] == routing_key
        )


def _rabbit_tool(name: str) -> str:
    """RabbitMQ's own scripts, not the distribution's wrappers that switch to the rabbitmq user."""
    tool = shutil.which(name, path="/usr/lib/rabbitmq/bin") or shutil.which(name)
    if tool is None:
        raise AssertionError(
            f"{name} is not installed: the broker-restart scenario starts a RabbitMQ node of its "
            "own (apt-get install rabbitmq-server)"
        )
    return tool


class PrivateBroker:
    """A second RabbitMQ node that only this test uses, on ports of its own, with the management plugin off: the
    test stops and starts it at will while the machine's broker serves everyone else."""

    def __init__(self, base: Path):
        self.base = base
        self.port = free_port()
        self.dist_port = free_port()
        self.node = f"bilumfault{self.port}@localhost"
        self.process: subprocess.Popen | None = None
        self.starts = 0
        for folder in ("home", "mnesia", "log"):
            (base / folder).mkdir(parents=True, exist_ok=True)
        cookie = base / "home" / ".erlang.cookie"
        if not cookie.exists():
            cookie.write_text(os.urandom(12).hex())
            cookie.chmod(0o400)
        (base / "rabbitmq.conf").write_text(f"listeners.tcp.default = 127.0.0.1:{self.port}\n")
        (base / "enabled_plugins").write_text("[].\n")
        (base / "rabbitmq-env.conf").write_text("")
        self.amqp_uri = f"amqp://guest:guest@127.0.0.1:{self.port}/"

    @property
    def env(self) -> dict:
        return {
            **os.environ,
            "HOME": str(self.base / "home"),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
            "RABBITMQ_PID_FILE": str(self.base / "rabbitmq.pid"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    def start(self, timeout_s: float = 90) -> None:
        server = _rabbit_tool("rabbitmq-server")
        with open(self.base / "log" / "console.log", "ab") as log:
            self.process = subprocess.Popen(
                [server], env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.base, start_new_session=True
            )
        self.starts += 1
        eventually(self._accepting, f"RabbitMQ node {self.node} to accept connections", timeout_s, 0.5)

    def _accepting(self) -> bool:
        if self.process.poll() is not None:
            console = (self.base / "log" / "console.log").read_text(errors="replace").splitlines()
            why = [line for line in console if line.startswith("init terminating")] or console[-1:] or ["(nothing)"]
            raise AssertionError(
                f"RabbitMQ node {self.node} exited with {self.process.returncode} ({why[-1][:1000]}); "
                f"see {self.base / 'log'}"
            )
        import pika

        try:
            pika.BlockingConnection(pika.URLParameters(self.amqp_uri + "?connection_attempts=1")).close()
            return True
        except Exception:
            return False

    def stop(self, timeout_s: float = 60) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def uri_through(self, port: int) -> str:
        return self.amqp_uri.replace(f"127.0.0.1:{self.port}", f"127.0.0.1:{port}")

    def _list_queues(self, *columns) -> list:
        result = subprocess.run(
            [
                _rabbit_tool("rabbitmqctl"),
                "-n",
                self.node,
                "-q",
                "list_queues",
                "--formatter",
                "json",
                "name",
                *columns,
            ],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0:
            raise AssertionError(f"rabbitmqctl list_queues failed: {result.stderr}")
        return json.loads(result.stdout or "[]")

    def queues(self) -> dict:
        return {
            queue["name"]: (queue["messages_ready"], queue["messages_unacknowledged"])
            for queue in self._list_queues("messages_ready", "messages_unacknowledged")
        }

    def consumers(self) -> dict:
        return {queue["name"]: queue["consumers"] for queue in self._list_queues("consumers")}


class Rpc:
    """A standalone RPC client that makes a new connection after any failure, so a broker restart or a dropped
    connection costs one call, not the client. Services' refusals (``RemoteError``) pass through."""

    def __init__(self, amqp_uri: str, timeout_s: float = 30):
        self.config = {"AMQP_URI": amqp_uri}
        self.timeout_s = timeout_s
        self._cluster = None
        self._proxy = None

    def call(self, service: str, method: str, *args):
        if self._proxy is None:
            self._cluster = ClusterRpcProxy(self.config, timeout=self.timeout_s)
            self._proxy = self._cluster.start()
        try:
            return getattr(getattr(self._proxy, service), method)(*args)
        except RemoteError:
            raise
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        cluster, self._cluster, self._proxy = self._cluster, None, None
        if cluster is not None:
            try:
                cluster.stop()
            except Exception:
                pass


class Stack:
    """The services of one scenario, on its own database and vhost, with per-service broker addresses (so a
    proxy can stand between one service and the broker)."""

    def __init__(self, env: dict, log_dir: Path, broker, service_uris: dict | None = None, with_gateway: bool = False):
        """``with_gateway`` runs the gateway too, for a scenario whose outside parties call it back (the
        mobile-money provider)."""
        self.env = {**env, **FAULT_SETTINGS, "AMQP_URI": broker.amqp_uri}
        self.log_dir = log_dir
        self.broker = broker
        self.services = {
            service: ServiceProcess(
                service, {**self.env, "AMQP_URI": (service_uris or {}).get(service, broker.amqp_uri)}, log_dir
            )
            for service in (*SERVICES, *(("gateway",) if with_gateway else ()))
        }

    def migrate(self) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "bilum.cli", "migrate"],
            env=_python_env(self.env),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]

    def start(self) -> None:
        for process in self.services.values():
            process.start()
        for process in self.services.values():
            process.wait_ready()

    def restart(self, service: str) -> float:
        """Start a stopped service again; seconds until it was ready."""
        started = time.monotonic()
        self.services[service].start()
        self.services[service].wait_ready()
        return time.monotonic() - started

    def crashed(self) -> list:
        """Services whose process ended without the test ending it."""
        return [service for service, process in self.services.items() if not process.alive()]

    def stop(self) -> None:
        for process in self.services.values():
            process.stop()

    def rpc(self, timeout_s: float = 30) -> Rpc:
        return Rpc(self.broker.amqp_uri, timeout_s)

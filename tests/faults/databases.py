"""A PostgreSQL server of the scenario's own: ``initdb`` into a folder of its own, on a port of its own, so that the
test can restart it, kill it and cut it off while the machine's server goes on serving everyone else."""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2

from bilum.ports import free_port
from bilum.waiting import eventually

DATABASE = "bilum"
# PostgreSQL refuses to run as root: on a machine where the tests run as root, the server runs as this user.
SERVER_USER = "postgres"


def _server_binaries() -> Path:
    """The folder of the installed server's ``initdb``, ``pg_ctl`` and ``postgres`` (Debian keeps them out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise AssertionError(
            "initdb is not installed: the database scenarios run a PostgreSQL server of their own "
            "(apt-get install postgresql)"
        )
    return Path(initdb).parent


class PrivatePostgres:
    """One server, its data in a temporary folder (owned by the server's user), its log beside the scenario's."""

    def __init__(self, log_dir: Path):
        self.bin = _server_binaries()
        self.port = free_port()
        self.base = Path(tempfile.mkdtemp(prefix="bilum-pg-"))
        self.data = self.base / "data"
        self.log_path = log_dir / "postgresql.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self._as_server_user = os.geteuid() == 0
        if self._as_server_user:
            account = pwd.getpwnam(SERVER_USER)
            os.chown(self.base, account.pw_uid, account.pw_gid)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _command(self, *args: str) -> list[str]:
        return ["runuser", "-u", SERVER_USER, "--", *args] if self._as_server_user else list(args)

    def init(self) -> None:
        result = subprocess.run(
            self._command(
                str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"initdb failed: {result.stderr[-2000:]}"
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.base}'\n"
                "max_connections = 300\nshared_buffers = 64MB\nfsync = on\nsynchronous_commit = on\n"
            )
        self.start()
        connection = self._connect("postgres")
        try:
            connection.autocommit = True
            connection.cursor().execute(f'CREATE DATABASE "{DATABASE}"')
        finally:
            connection.close()

    def start(self, timeout_s: float = 60) -> float:
        """Start the server (after a crash, this is its recovery); the seconds until it accepted a connection."""
        started = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self._command(str(self.bin / "postgres"), "-D", str(self.data)),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        eventually(self._accepting, f"PostgreSQL on port {self.port} to accept connections", timeout_s, 0.2)
        return time.monotonic() - started

    def _connect(self, database: str = DATABASE):
        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database, connect_timeout=2)

    def _accepting(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"PostgreSQL exited with {self.process.returncode}; see {self.log_path}")
        try:
            self._connect("postgres").close()
            return True
        except psycopg2.OperationalError:
            return False

    def stop_fast(self, timeout_s: float = 60) -> None:
        """The administrator's restart: ``pg_ctl stop -m fast`` rolls back open transactions and closes every
        connection."""
        result = subprocess.run(
            self._command(str(self.bin / "pg_ctl"), "stop", "-m", "fast", "-D", str(self.data), "-w"),
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        assert result.returncode == 0, f"pg_ctl stop failed: {result.stderr[-2000:]}"
        self.process.wait(timeout=timeout_s)

    def kill_9(self) -> None:
        """The machine's crash, as the server sees it: every server process killed at once with SIGKILL; the next
        start replays the write-ahead log."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        eventually(lambda: not self._server_processes_left(), "every PostgreSQL process to be gone", 30, 0.2)

    def _server_processes_left(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
            return True
        except ProcessLookupError:
            return False

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        shutil.rmtree(self.base, ignore_errors=True)

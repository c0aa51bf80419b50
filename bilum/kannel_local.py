"""A real Kannel on this machine, for the demo and the tests: bearerbox and smsbox from Debian's ``kannel`` package,
with the phones played by ``fakesmsc`` from ``kannel-extras``. Importable without Kannel; starting it without Kannel
fails and says what to install (``deploy/local/ensure-tools.sh kannel``).

The configuration is deploy/kannel/kannel.conf rendered by deploy/kannel/start.sh, with free ports and a directory of
its own, and an SMSC file of its own in place of the operator's: two fake SMSC links. "handsets" takes every message
to a phone: a long-running ``fakesmsc -m 0`` receives them and logs each line. Numbers starting with ``DEAD_PREFIX``
are denied on it, so bearerbox finds no route for them: smsbox answers 403 and a dlr-mask with 16 gets a type 16
report. "phones-out" (``allowed-smsc-id``: nothing is routed to it) is where a short-lived ``fakesmsc -m 1`` sends
one message from a phone. A fake link takes one client at a time, hence two.
"""

import os
import re
import secrets
import subprocess
import time
import urllib.parse
from pathlib import Path

import requests

from bilum.kannel_logs import AccessLogEntry, PhoneMessage, access_log_entry, phone_messages
from bilum.ports import free_port
from services.notification.sms import is_gsm7

ROOT = Path(__file__).resolve().parents[1]
START_SCRIPT = ROOT / "deploy" / "kannel" / "start.sh"
BEARERBOX, SMSBOX, FAKESMSC = "/usr/sbin/bearerbox", "/usr/sbin/smsbox", "/usr/lib/kannel/test/fakesmsc"
PACKAGE_OF = {BEARERBOX: "kannel", SMSBOX: "kannel", FAKESMSC: "kannel-extras"}
DEAD_PREFIX = "+6757999"
SHORT_CODE = "4040"
HANDSETS, PHONES_OUT = "handsets", "phones-out"
START_WITHIN_S = 20

TEST_SMSC = """\
group = smsc
smsc = fake
smsc-id = {handsets}
port = {handsets_port}
connect-allow-ip = "127.0.0.1"
denied-prefix = "{dead_prefix}"

group = smsc
smsc = fake
smsc-id = {phones_out}
port = {phones_out_port}
connect-allow-ip = "127.0.0.1"
allowed-smsc-id = "{phones_out}"
"""


class KannelError(RuntimeError):
    """Kannel could not be started or did not do what a helper waited for; the message says why, with log tails."""


def _tail(path: Path, lines: int = 25) -> str:
    if not path.exists():
        return f"({path.name}: no file)"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return f"--- {path.name}\n" + "\n".join(text)


def wait_for(condition, within_s: float, interval_s: float = 0.05):
    """The condition's first true value, or None when the time is up."""
    deadline = time.monotonic() + within_s
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval_s)


def missing() -> str:
    """What of Kannel this machine lacks (the Debian packages to install), or nothing."""
    absent = [f"{path} (Debian package {PACKAGE_OF[path]})" for path in PACKAGE_OF if not os.access(path, os.X_OK)]
    if not START_SCRIPT.exists():
        absent.append(f"{START_SCRIPT} (a source checkout's deploy/kannel)")
    return ", ".join(absent)


class KannelGateway:
    """bearerbox, smsbox and the handsets' fakesmsc, configured into ``directory``; ``start()`` waits until the
    handsets' link is online and smsbox answers, ``stop()`` ends them all and keeps the logs."""

    def __init__(self, directory: Path, callback_url: str, callback_secret: str, sender_number: str = SHORT_CODE):
        self.directory = Path(directory)
        self.logs = self.directory / "logs"
        self.callback_url = callback_url.rstrip("/")
        self.callback_secret = callback_secret
        self.sender_number = sender_number
        self.username = "bilum"
        self.password = secrets.token_urlsafe(12)
        self.admin_password = secrets.token_urlsafe(12)
        self.ports = {name: free_port() for name in ("admin", "smsbox", "sendsms", HANDSETS, PHONES_OUT)}
        self.processes: dict[str, subprocess.Popen] = {}
        self.started_in_s: float | None = None

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['sendsms']}/cgi-bin/sendsms"

    @property
    def access_log(self) -> Path:
        return self.logs / "access.log"

    @staticmethod
    def dead_number(n: int) -> str:
        """A number bearerbox has no route to (denied on the handsets' link)."""
        return f"{DEAD_PREFIX}{n:04d}"

    def start(self) -> "KannelGateway":
        started = time.monotonic()
        absent = missing()
        if absent:
            raise KannelError(f"Kannel is not installed: missing {absent}; run deploy/local/ensure-tools.sh kannel")
        configuration = self._render()
        try:
            self._run("bearerbox", [BEARERBOX, "-v", "1", str(configuration)])
            self._until(self._links_listening, "bearerbox lists its fake SMSC links (then they are listening)")
            self._run(HANDSETS, [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.ports[HANDSETS]), "-m", "0", "0 0 text -"])
            self._run("smsbox", [SMSBOX, "-v", "1", str(configuration)])
            self._until(self._ready, "the handsets' link is online, smsbox connected and its sendsms answering")
        except BaseException:
            self.stop()
            raise
        self.started_in_s = time.monotonic() - started
        return self

    def stop(self) -> None:
        """Ends every process: terminate, then kill whatever is still running after 10 seconds."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def log_tails(self) -> str:
        """The end of every log, to show why something did not happen."""
        names = ("bearerbox.log", "smsbox.log", "access.log", "bearerbox.out", "smsbox.out", f"{HANDSETS}.out")
        return "\n".join(_tail(self.logs / name) for name in names)

    def _render(self) -> Path:
        self.logs.mkdir(parents=True, exist_ok=True)
        smsc = self.directory / "test-smsc.conf"
        smsc.write_text(
            TEST_SMSC.format(
                handsets=HANDSETS,
                phones_out=PHONES_OUT,
                handsets_port=self.ports[HANDSETS],
                phones_out_port=self.ports[PHONES_OUT],
                dead_prefix=DEAD_PREFIX,
            ),
            encoding="utf-8",
        )
        environment = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "KANNEL_RENDERED_DIR": str(self.directory / "config"),
            "KANNEL_SMSC_TEMPLATE": str(smsc),
            "KANNEL_LOG_DIR": str(self.logs),
            "KANNEL_SPOOL_DIR": str(self.directory / "spool"),
            "KANNEL_ADMIN_PORT": str(self.ports["admin"]),
            "KANNEL_SMSBOX_PORT": str(self.ports["smsbox"]),
            "KANNEL_SENDSMS_PORT": str(self.ports["sendsms"]),
            "KANNEL_ADMIN_PASSWORD": self.admin_password,
            "KANNEL_SENDER_NUMBER": self.sender_number,
            "BILUM_KANNEL_USERNAME": self.username,
            "BILUM_KANNEL_PASSWORD": self.password,
            "BILUM_KANNEL_CALLBACK_URL": self.callback_url,
            "BILUM_KANNEL_CALLBACK_SECRET": self.callback_secret,
        }
        rendered = subprocess.run(
            ["bash", str(START_SCRIPT), "render"], env=environment, capture_output=True, text=True, check=False
        )
        if rendered.returncode != 0:
            raise KannelError(f"deploy/kannel/start.sh could not render the configuration: {rendered.stderr.strip()}")
        return Path(rendered.stdout.strip())

    def _run(self, name: str, command: list[str]) -> subprocess.Popen:
        with open(self.logs / f"{name}.out", "ab") as output:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def _until(self, condition, what: str, within_s: float = START_WITHIN_S) -> None:
        def done():
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise KannelError(f"{name} ended (exit {process.returncode}) before {what}\n{self.log_tails()}")
            return condition()

        if not wait_for(done, within_s, interval_s=0.1):
            raise KannelError(f"Kannel did not start: not {what} within {within_s} s\n{self.log_tails()}")

    def status(self) -> str:
        """bearerbox's status page (text)."""
        return requests.get(
            f"http://127.0.0.1:{self.ports['admin']}/status.txt", params={"password": self.admin_password}, timeout=2
        ).text

    def _links_listening(self) -> bool:
        """bearerbox answers on its admin port before it opens the fake links' ports; a link it lists is open."""
        try:
            status = self.status()
        except requests.RequestException:
            return False
        return all(f"{link}[{link}]" in status for link in (HANDSETS, PHONES_OUT))

    def _ready(self) -> bool:
        try:
            status = self.status()
            requests.get(self.sendsms_url, timeout=2)
        except requests.RequestException:
            return False
        link_online = re.search(rf"{HANDSETS}\[{HANDSETS}\]\s+FAKE:\d+ \(online", status) is not None
        return link_online and re.search(r"Box connections:\s+smsbox:", status) is not None

    def access_log_entries(self) -> list[AccessLogEntry]:
        if not self.access_log.exists():
            return []
        lines = self.access_log.read_text(encoding="utf-8", errors="replace").splitlines()
        return [entry for entry in map(access_log_entry, lines) if entry is not None]

    def messages_to(self, number: str, expected: int = 1, within_s: float = 10) -> list[PhoneMessage]:
        """The messages the phone ``number`` has received, oldest first, waiting until there are ``expected``.

        The fake link writes a message to fakesmsc as ``text <text>`` (GSM-7, which Kannel holds as UTF-8),
        ``ucs-2 <url-encoded UTF-16>``, or, for a part of a concatenated message, ``udh <url-encoded UDH> data
        <url-encoded part>``, which does not say the coding. bearerbox logs each whole message once, after its last
        part, as ``Sent SMS`` with its coding in the flags: the n-th complete message a phone received is the n-th
        such entry, and is decoded with that entry's coding. (A text with a line break would split fakesmsc's line.)
        """

        def enough() -> list[PhoneMessage] | None:
            received = self._received(number)
            return received if len(received) >= expected else None

        return wait_for(enough, within_s) or self._received(number)

    def _received(self, number: str) -> list[PhoneMessage]:
        output = self.logs / f"{HANDSETS}.out"
        lines = output.read_bytes().decode("utf-8", errors="replace").splitlines() if output.exists() else []
        return phone_messages(lines, self.access_log_entries(), number)

    def send_from_phone(
        self, sender: str, text: str, receiver: str = SHORT_CODE, within_s: float = 10, ucs2: bool | None = None
    ):
        """A message typed on the phone ``sender``: GSM-7 text goes as fakesmsc's ``text`` type, anything else as
        ``ucs2`` (url-encoded UTF-16), as a handset would code it; ``ucs2=True`` codes even GSM-7 text so, as a phone
        set to Unicode does. Returns bearerbox's access-log entry for it, once bearerbox has it; the fakesmsc that
        sent it is then stopped, freeing the link for the next one."""
        if "\n" in text or "\r" in text:
            raise ValueError("fakesmsc sends one line per message: no line breaks")
        if is_gsm7(text) if ucs2 is None else not ucs2:
            line = f"{sender} {receiver} text {text}"
        else:
            line = f"{sender} {receiver} ucs2 {urllib.parse.quote_from_bytes(text.encode('utf-16-be'), safe='')}"

        def received() -> list[AccessLogEntry]:
            return [
                entry
                for entry in self.access_log_entries()
                if entry.event == "Receive SMS" and entry.smsc == PHONES_OUT and entry.sender == sender
            ]

        before = len(received())
        phone = self._run(PHONES_OUT, [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.ports[PHONES_OUT]), "-m", "1", line])
        try:
            arrived = wait_for(lambda: received()[before:], within_s)
        finally:
            phone.terminate()
            phone.wait(timeout=10)
            del self.processes[PHONES_OUT]
        if not arrived:
            raise KannelError(f"bearerbox never received the message from {sender}\n{self.log_tails()}")
        return arrived[0]

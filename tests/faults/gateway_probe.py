"""A client of the gateway that keeps signing in and listing orders through a fault: what it was answered, when.

Signing in reads the gateway's own tables; listing orders asks the orders service, which reads its own. While the
database is away both must answer 503 in the API's error format with a Retry-After, and both must come back by
themselves once it returns."""

import time
from dataclasses import dataclass

import eventlet
import requests

PASSWORD = "a long probe passphrase"


@dataclass
class Answer:
    at: float
    kind: str
    status: int
    code: str | None
    retry_after: str | None


class GatewayProbe:
    def __init__(self, gateway_url: str, username: str, interval_s: float = 0.5):
        self.url = gateway_url
        self.username = username
        self.interval_s = interval_s
        self.answers: list[Answer] = []
        self.session = requests.Session()
        self.token: str | None = None
        self._thread = None
        self._stopped = False

    def start(self) -> None:
        self._thread = eventlet.spawn(self._run)

    def stop(self) -> None:
        self._stopped = True
        if self._thread is not None:
            self._thread.wait()
        self.session.close()

    def _run(self) -> None:
        while not self._stopped:
            self._ask("sign-in", "POST", "/api/v1/auth/token", json={"username": self.username, "password": PASSWORD})
            if self.token:
                self._ask("orders", "GET", "/api/v1/orders", params={"page_size": 5})
            eventlet.sleep(self.interval_s)

    def _ask(self, kind: str, method: str, path: str, **kwargs) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token and kind != "sign-in" else {}
        try:
            response = self.session.request(method, self.url + path, headers=headers, timeout=15, **kwargs)
        except requests.RequestException:
            self.answers.append(Answer(time.monotonic(), kind, 0, "no answer", None))
            return
        body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
        code = body.get("error", {}).get("code") if isinstance(body, dict) else None
        if kind == "sign-in" and response.status_code == 200:
            self.token = body["access_token"]
        self.answers.append(
            Answer(time.monotonic(), kind, response.status_code, code, response.headers.get("Retry-After"))
        )

    def report(self, outage_started: float, outage_ended: float) -> dict:
        """Answers before, during and after the outage by kind and status; the seconds after it ended until every
        kind was answered 200 again; and every answer during it that was neither a 200 (a request that beat the
        cut) nor a 503 in the documented shape."""
        during = [answer for answer in self.answers if outage_started <= answer.at <= outage_ended]
        after = [answer for answer in self.answers if answer.at > outage_ended]
        kinds = {answer.kind for answer in self.answers}
        recovered = {}
        for kind in kinds:
            first_ok = next((a.at for a in after if a.kind == kind and a.status == 200), None)
            recovered[kind] = None if first_ok is None else round(first_ok - outage_ended, 1)
        return {
            "during": _tally(during),
            "after": _tally(after),
            "recovered_after_s": recovered,
            "misshapen_during": [
                f"{a.kind}: {a.status} {a.code} Retry-After={a.retry_after}"
                for a in during
                if a.status != 200 and not (a.status == 503 and a.code == "unavailable" and a.retry_after)
            ],
        }


def _tally(answers: list[Answer]) -> dict:
    tally: dict[str, dict[str, int]] = {}
    for answer in answers:
        by_status = tally.setdefault(answer.kind, {})
        by_status[str(answer.status)] = by_status.get(str(answer.status), 0) + 1
    return tally

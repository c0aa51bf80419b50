"""One fault scenario from start to verdict: set up the network, let buyers order and everyone work while the test
breaks something, wait for quiet, audit every business key and write the summary."""

import time

import eventlet

from tests.faults.audit import Audit, dead_letters, write_summary
from tests.faults.platform import SERVICES, Stack
from tests.faults.traffic import Actors, Buyers, Clients, setup_network

# Within the retry limit: bilum parks a failing message after this many tries (FAULT_SETTINGS).
MAX_ATTEMPTS = 5


class Scenario:
    def __init__(
        self, name: str, stack: Stack, database_url: str, ship: bool = True, lots: bool = True, mobile_money=False
    ):
        self.name = name
        self.stack = stack
        self.database_url = database_url
        self.ship = ship
        self.lots = lots
        self.audit = Audit(database_url)
        # Buyers' calls and the actors' answers share these clients: too few, and a producer's answer waits behind
        # buyers' orders until her offer lapses (the harness, not the platform, would be the bottleneck).
        self.clients = Clients(stack.broker.amqp_uri, size=16, timeout_s=30)
        self.buyers = Buyers(self.clients, name)
        self.actors = Actors(self.clients, database_url, ship=ship, report_lots=lots, mobile_money=mobile_money)
        self.placing = None
        self.started = None
        self.placed_in_s = None
        self.faults_over_at = None
        self.offerings = {}

    def begin(self, orders: int, rate_per_s: float) -> None:
        setup = self.stack.rpc()
        try:
            self.offerings = setup_network(setup, self.database_url)
        finally:
            setup.close()
        self.actors.start()
        self.started = time.monotonic()
        self.placing = eventlet.spawn(self.buyers.place, orders, rate_per_s)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def sleep_until(self, seconds_in: float) -> None:
        eventlet.sleep(max(0.0, self.started + seconds_in - time.monotonic()))

    def faults_over(self) -> None:
        self.faults_over_at = time.monotonic()

    def reconnected(self, broker, services, timeout_s: float, replacing: dict | None = None) -> dict:
        """Seconds until each service has a consumer on every one of its queues again (it reconnected by itself);
        a service not back within the timeout is missing from the answer. With ``replacing`` (each queue's consumer
        connections before the fault, from ``broker.consumer_connections()``), only consumers on other connections
        count: the broker's consumer counts lag by seconds and still show those the fault ended."""
        started = time.monotonic()
        back = {}
        while len(back) < len(services) and time.monotonic() - started < timeout_s:
            consumers = broker.consumers()
            if replacing is not None:
                connections = broker.consumer_connections()
                consumers = {
                    queue: len(connections.get(queue, set()) - replacing.get(queue, set())) for queue in consumers
                }
            for service in services:
                mine = [
                    count for name, count in consumers.items() if f"--{service}." in name or name == f"rpc-{service}"
                ]
                if service not in back and mine and all(mine):
                    back[service] = round(time.monotonic() - started, 1)
            eventlet.sleep(0.5)
        return back

    def finish(self, recovered, expected_dead_letters=None, quiet_timeout_s: float = 180, **extra) -> dict:
        """Wait for the orders to be answered and the platform to fall quiet, audit it and write the summary;
        ``expected_dead_letters(letter)`` says whether a parked message was one the test sent to be parked."""
        self.placing.wait()
        self.placed_in_s = self.elapsed()
        self.buyers.wait()
        self.faults_over_at = self.faults_over_at or time.monotonic()
        not_quiet = None
        try:
            quiet_s = self.audit.wait_quiet(self.stack.broker, self.ship, self.lots, quiet_timeout_s)
        except AssertionError as error:
            quiet_s, not_quiet = None, str(error)
        finally:
            self.actors.stop()
            self.clients.close()
        settled_s = time.monotonic() - self.faults_over_at
        findings, figures = self.audit.check(self.buyers.accepted, self.ship, self.lots)
        if not_quiet:
            findings.unexpected.insert(0, not_quiet)
        parked = dead_letters(self.stack.broker.amqp_uri)
        unexpected_letters = [
            letter for letter in parked if expected_dead_letters is None or not expected_dead_letters(letter)
        ]
        findings.unexpected.extend(
            f"dead letter on {letter.queue}: {letter.reason[:200]}" for letter in unexpected_letters
        )
        findings.unexpected.extend(
            f"{service} died by itself (exit {self.stack.services[service].process.returncode})"
            for service in self.stack.crashed()
        )
        findings.unexpected.extend(f"order {key} refused: {reason}" for key, reason in self.buyers.refused.items())
        self.audit.close()
        summary = write_summary(
            self.name,
            len(self.buyers.accepted),
            findings,
            recovered,
            submitted=len(self.buyers.submitted),
            buyer_retries=self.buyers.retries,
            placing_s=round(self.placed_in_s, 1),
            settled_after_faults_s=round(settled_s, 1),
            quiet_wait_s=quiet_s and round(quiet_s, 1),
            quiet_trace=self.audit.quiet_trace[::5],
            dead_letters=len(parked),
            actions=dict(self.actors.tally.actions),
            refused_actions=dict(self.actors.tally.refused),
            transient_failures=dict(self.actors.tally.transient),
            call_seconds=self.actors.tally.latency(),
            **figures,
            **extra,
        )
        return summary


def assert_clean(summary: dict) -> None:
    assert summary["orders"] >= 100, summary
    assert (summary["lost"], summary["duplicated"], summary["unexpected"]) == (0, 0, 0), summary["findings"]


__all__ = ["MAX_ATTEMPTS", "SERVICES", "Scenario", "assert_clean"]

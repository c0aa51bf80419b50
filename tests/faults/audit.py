"""After a fault: wait until the platform is quiet, then check every business key across the services' schemas.

Each finding is one of: **lost** (an accepted order, or the effect of a fact, missing somewhere it must be),
**duplicated** (an effect applied more than once: a ledger above its facts, capacity held or committed twice, a
producer told twice) or **unexpected** (a producer over capacity, an order neither final nor explained, a message
dead-lettered that was healthy, a service that died by itself, a refused valid order). The summary of a scenario
is written as JSON under ``BILUM_FAULT_REPORTS`` (default ``var/fault-reports``).
"""

import json
import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from shared.messaging import DEAD_LETTER_QUEUE
from tests.faults import money_audit, trade_audit
from tests.faults.platform import REPO, SERVICES

LEDGER_STAGES = ("allocated", "accepted", "produced", "passed", "shipped", "delivered")
# Quota statuses as SQL lists: taken on by the producer (and moving on with its lots), or counting towards its line
# (and holding its weeks); open ones are released when their order is cancelled.
TAKEN_ON = "('accepted', 'in_production', 'produced', 'passed', 'shipped', 'delivered', 'closed_short')"
COVERING = "('offered', 'accepted', 'in_production', 'produced', 'passed', 'shipped', 'delivered', 'closed_short')"
OPEN = "('offered', 'accepted', 'in_production', 'produced')"
TAKEN_ON_STATUSES = ("accepted", "in_production", "produced", "passed", "shipped", "delivered", "closed_short")
SHIPPED = ("in_transit", "delivered")


def reports_dir() -> Path:
    path = Path(os.environ.get("BILUM_FAULT_REPORTS") or REPO / "var" / "fault-reports")
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Findings:
    lost: list = field(default_factory=list)
    duplicated: list = field(default_factory=list)
    unexpected: list = field(default_factory=list)

    def compare(self, what: str, found: int, expected: int) -> None:
        """A figure kept from facts against the facts themselves: above is a doubled effect, below a lost one."""
        if found > expected:
            self.duplicated.append(f"{what}: {found}, the facts say {expected}")
        elif found < expected:
            self.lost.append(f"{what}: {found}, the facts say {expected}")

    def counts(self) -> dict:
        return {"lost": len(self.lost), "duplicated": len(self.duplicated), "unexpected": len(self.unexpected)}

    def as_dict(self, limit: int = 25) -> dict:
        return {name: getattr(self, name)[:limit] for name in ("lost", "duplicated", "unexpected")}


class Audit:
    def __init__(self, database_url: str):
        self.engine = create_engine(database_url, pool_size=2)
        self.quiet_trace: list[tuple[int, dict]] = []

    def close(self) -> None:
        self.engine.dispose()

    def rows(self, query: str, **params) -> list:
        with self.engine.connect() as connection:
            return connection.execute(text(query), params).all()

    def scalar(self, query: str) -> int:
        return int(self.rows(query)[0][0] or 0)

    # Quiet -----------------------------------------------------------------------------------------------------------

    def outbox_backlog(self) -> int:
        return sum(self.scalar(f"SELECT count(*) FROM {service}.outbox") for service in SERVICES)

    def pending_work(self, ship: bool, lots: bool) -> dict:
        """What some person or service still has to do; all zero once the flow has run its course."""
        work = {
            "outbox": self.outbox_backlog(),
            "orders unknown to allocation": self.scalar(
                "SELECT count(*) FROM orders.orders o WHERE NOT EXISTS "
                "(SELECT 1 FROM aggregation.order_lines l WHERE l.order_id = o.order_id)"
            ),
            "offers unanswered": self.scalar("SELECT count(*) FROM aggregation.quotas WHERE status = 'offered'")
            + self.scalar("SELECT count(*) FROM aggregation.top_ups WHERE status = 'offered'"),
            "notifications waiting": self.scalar(
                "SELECT count(*) FROM notification.deliveries WHERE status IN ('pending', 'deferred', 'retrying')"
            ),
        }
        if lots:
            work["quotas with units left to report"] = self.scalar(
                "SELECT count(*) FROM aggregation.quotas q WHERE q.status IN ('accepted', 'in_production') AND "
                "q.quantity > (SELECT coalesce(sum(l.quantity), 0) FROM aggregation.lots l "
                "WHERE l.quota_id = q.quota_id)"
            )
            work["lots awaiting inspection"] = self.scalar(
                "SELECT count(*) FROM aggregation.lots WHERE status IN ('reported', 'rework')"
            )
            work.update(money_audit.pending(self))
            work["passed lots unknown to consolidation"] = self.scalar(
                "SELECT count(*) FROM aggregation.lots l WHERE l.status = 'passed' AND NOT EXISTS "
                "(SELECT 1 FROM consolidation.ready_lots r WHERE r.lot_id = l.lot_id)"
            )
        work.update(trade_audit.pending(self))
        if ship:
            work["lots waiting for a shipment"] = self.scalar(
                "SELECT count(*) FROM consolidation.ready_lots r JOIN consolidation.order_destinations o "
                "ON o.order_id = r.order_id WHERE r.shipment_id IS NULL AND NOT o.cancelled"
            )
            work["shipments on the way"] = self.scalar(
                "SELECT count(*) FROM consolidation.shipments WHERE status <> 'delivered'"
            )
        return work

    def fingerprint(self) -> tuple:
        return tuple(self.scalar(f"SELECT count(*) FROM {service}.inbox") for service in SERVICES) + (
            self.scalar("SELECT count(*) FROM notification.delivery_attempts"),
        )

    def wait_quiet(self, broker, ship: bool, lots: bool, timeout_s: float) -> float:
        """Seconds until no work is pending, no message waits on the broker and nothing changes for 3 s."""
        started = time.monotonic()
        deadline = started + timeout_s
        previous = None
        while True:
            work = self.pending_work(ship, lots)
            queued = {
                name: figures
                for name, figures in broker.queues().items()
                if name != DEAD_LETTER_QUEUE.name and not name.startswith("rpc.reply-") and any(figures)
            }
            fingerprint = self.fingerprint()
            self.quiet_trace.append(
                (round(time.monotonic() - started), {name: count for name, count in work.items() if count})
            )
            if not any(work.values()) and not queued:
                if fingerprint == previous:
                    return time.monotonic() - started
                previous = fingerprint
            else:
                previous = None
            if time.monotonic() > deadline:
                raise AssertionError(f"not quiet after {timeout_s:.0f} s: work {work}, queues {queued}")
            time.sleep(3)

    # Checks ----------------------------------------------------------------------------------------------------------

    def check(self, accepted: dict, ship: bool, lots: bool) -> tuple[Findings, dict]:
        """Every business key across the services; ``accepted`` maps idempotency keys to the order ids answered."""
        findings = Findings()
        self._orders(findings, accepted)
        self._ledger(findings)
        self._capacity(findings)
        self._notifications(findings)
        self._lots_and_shipments(findings)
        figures = self._final_states(findings, ship, lots)
        figures["money"] = money_audit.check(self, findings)
        figures["trade"] = trade_audit.check(self, findings)
        return findings, figures

    def _orders(self, findings: Findings, accepted: dict) -> None:
        stored = dict(self.rows("SELECT idempotency_key, order_id FROM orders.orders"))
        for key, order_id in accepted.items():
            if stored.get(key) != order_id:
                findings.lost.append(f"order {order_id} (key {key}) was accepted but is not in orders")
        lines = self.rows("SELECT line_id, order_id FROM orders.order_lines")
        for schema, table in (("aggregation", "order_lines"), ("notification", "order_lines")):
            known = {row[0] for row in self.rows(f"SELECT line_id FROM {schema}.{table}")}
            findings.lost.extend(
                f"line {line_id} of {order_id} never reached {schema}"
                for line_id, order_id in lines
                if line_id not in known
            )
        for schema, table in (("consolidation", "order_destinations"), ("notification", "order_buyers")):
            known = {row[0] for row in self.rows(f"SELECT order_id FROM {schema}.{table}")}
            findings.lost.extend(
                f"order {order_id} never reached {schema}" for order_id in stored.values() if order_id not in known
            )

    def _ledger(self, findings: Findings) -> None:
        """Each line's ledger against the facts of the services that own them."""
        facts = defaultdict(Counter)
        for line_id, status, quantity in self.rows(
            f"SELECT line_id, status, quantity FROM aggregation.quotas WHERE status IN {COVERING}"
        ):
            facts[line_id]["allocated"] += quantity
            if status in TAKEN_ON_STATUSES:
                facts[line_id]["accepted"] += quantity
        for line_id, quantity in self.rows(
            "SELECT line_id, quantity FROM aggregation.top_ups WHERE status = 'offered'"
        ):
            facts[line_id]["allocated"] += quantity
        for line_id, status, quantity in self.rows(
            "SELECT line_id, status, quantity FROM aggregation.lots WHERE status <> 'replaced'"
        ):
            facts[line_id]["produced"] += quantity
            if status == "passed":
                facts[line_id]["passed"] += quantity
        for line_id, status, quantity in self.rows(
            "SELECT l.line_id, s.status, l.quantity FROM consolidation.shipment_lots l "
            "JOIN consolidation.shipments s ON s.shipment_id = l.shipment_id"
        ):
            if status in SHIPPED:
                facts[line_id]["shipped"] += quantity
            if status == "delivered":
                facts[line_id]["delivered"] += quantity
        for row in self.rows(f"SELECT line_id, quantity, {', '.join(LEDGER_STAGES)} FROM orders.order_lines"):
            line = row._mapping
            for stage in LEDGER_STAGES:
                findings.compare(f"ledger of {line['line_id']} {stage}", line[stage], facts[line["line_id"]][stage])
            if line["allocated"] > line["quantity"]:
                findings.unexpected.append(
                    f"line {line['line_id']} allocated {line['allocated']} of {line['quantity']} ordered"
                )

    def _capacity(self, findings: Findings) -> None:
        """Held units (open quotas) in allocation and committed units (accepted quotas) in the catalogue, week by
        week, against the quotas; and no producer past what it declared."""
        held = defaultdict(int)
        for producer_id, offering_id, week, units in self.rows(
            "SELECT w.producer_id, w.offering_id, w.week_start, w.units FROM aggregation.quota_weeks w "
            f"JOIN aggregation.quotas q ON q.quota_id = w.quota_id WHERE q.status IN {COVERING} "
            "UNION ALL SELECT t.producer_id, t.offering_id, w.week_start, w.units FROM aggregation.top_up_weeks w "
            "JOIN aggregation.top_ups t ON t.top_up_id = w.top_up_id WHERE t.status = 'offered'"
        ):
            held[(producer_id, offering_id, week)] += units
        for producer_id, offering_id, week, units, held_units in self.rows(
            "SELECT producer_id, offering_id, week_start, units, held FROM aggregation.capacity_weeks"
        ):
            key = (producer_id, offering_id, week)
            findings.compare(f"units held for {producer_id} in week {week}", held_units, held[key])
            if held_units > units:
                findings.unexpected.append(f"{producer_id} holds {held_units} of {units} units in week {week}")

        accepted_weeks = defaultdict(int)
        for quota_id, week, units in self.rows(
            "SELECT w.quota_id, w.week_start, w.units FROM aggregation.quota_weeks w "
            f"JOIN aggregation.quotas q ON q.quota_id = w.quota_id WHERE q.status IN {TAKEN_ON}"
        ):
            accepted_weeks[(quota_id, week)] += units
        committed_weeks = {
            (quota_id, week): units
            for quota_id, week, units in self.rows("SELECT quota_id, week_start, units FROM catalogue.commitments")
        }
        for key in set(accepted_weeks) | set(committed_weeks):
            findings.compare(
                f"commitment of quota {key[0]} in week {key[1]}",
                committed_weeks.get(key, 0),
                accepted_weeks.get(key, 0),
            )
        by_week = defaultdict(int)
        for producer_id, offering_id, week, units in self.rows(
            "SELECT producer_id, offering_id, week_start, units FROM catalogue.commitments"
        ):
            by_week[(producer_id, offering_id, week)] += units
        for producer_id, offering_id, week, units, committed in self.rows(
            "SELECT producer_id, offering_id, week_start, units, committed FROM catalogue.capacity_weeks"
        ):
            findings.compare(
                f"units committed by {producer_id} in week {week}", committed, by_week[(producer_id, offering_id, week)]
            )
            if committed > units:
                findings.unexpected.append(f"{producer_id} committed {committed} of {units} units in week {week}")

        closed = {
            row[0]
            for row in self.rows(
                "SELECT quota_id FROM aggregation.quotas WHERE status IN ('declined', 'expired', 'released')"
            )
        }
        released = {row[0] for row in self.rows("SELECT quota_id FROM catalogue.released_quotas")}
        findings.lost.extend(
            f"the catalogue never heard that quota {quota_id} closed" for quota_id in closed - released
        )
        findings.unexpected.extend(
            f"the catalogue released quota {quota_id}, which is open" for quota_id in released - closed
        )

    def _notifications(self, findings: Findings) -> None:
        """Every fact that tells someone something told them exactly once, and every message sent at most once."""
        quotas = {row[0]: row for row in self.rows("SELECT quota_id, ref, status, producer_id FROM aggregation.quotas")}
        mirrored = dict(self.rows("SELECT quota_id, status FROM notification.quotas"))
        for quota_id, (_, ref, status, _) in quotas.items():
            if quota_id not in mirrored:
                findings.lost.append(f"notification never heard of quota {quota_id}")
            elif mirrored[quota_id] != ("accepted" if status in TAKEN_ON_STATUSES else status) and status != "offered":
                findings.lost.append(f"notification has quota {quota_id} {mirrored[quota_id]}, allocation {status}")
        told = Counter()
        for template, ref in self.rows("SELECT template, ref FROM notification.deliveries WHERE ref IS NOT NULL"):
            told[(template, ref)] += 1
        inspections = Counter()
        failures = Counter()
        for ref, passed in self.rows(
            "SELECT q.ref, i.passed FROM aggregation.inspections i JOIN aggregation.lots l ON l.lot_id = i.lot_id "
            "JOIN aggregation.quotas q ON q.quota_id = l.quota_id"
        ):
            inspections[ref] += 1
            failures[ref] += 0 if passed else 1
        for quota_id, ref, status, _ in quotas.values():
            findings.compare(f"offers of quota {quota_id} told", told[("quota_offered", ref)], 1)
            findings.compare(
                f"closings of quota {quota_id} told",
                told[("quota_reallocated", ref)],
                1 if status in ("expired", "released") else 0,
            )
            findings.compare(
                f"inspections of quota {quota_id} told",
                told[("inspection_passed", ref)] + told[("inspection_failed", ref)],
                inspections[ref],
            )
            findings.compare(f"reworks of quota {quota_id} told", told[("lot_rework_requested", ref)], failures[ref])
        orders_told = Counter(
            row[0]
            for row in self.rows(
                "SELECT correlation_id FROM notification.deliveries"
                " WHERE template IN ('order_received', 'order_confirmed')"
            )
        )
        for (order_id,) in self.rows("SELECT order_id FROM orders.orders"):
            findings.compare(f"buyer of {order_id} told of the order", orders_told[order_id], 1)
        delivered_told = Counter(
            row[0]
            for row in self.rows(
                "SELECT correlation_id FROM notification.deliveries WHERE template = 'order_delivered'"
            )
        )
        for order_id, shipments in self.rows(
            "SELECT l.order_id, count(DISTINCT l.shipment_id) FROM consolidation.shipment_lots l "
            "JOIN consolidation.shipments s ON s.shipment_id = l.shipment_id WHERE s.status = 'delivered' "
            "GROUP BY l.order_id"
        ):
            findings.compare(f"deliveries of {order_id} told", delivered_told[order_id], shipments)
        for notification_id, sent in self.rows(
            "SELECT notification_id, count(*) FROM notification.delivery_attempts WHERE ok "
            "GROUP BY notification_id HAVING count(*) > 1"
        ):
            findings.duplicated.append(f"notification {notification_id} sent {sent} times")
        for notification_id, template, status in self.rows(
            "SELECT notification_id, template, status FROM notification.deliveries WHERE status <> 'sent'"
        ):
            findings.unexpected.append(f"notification {notification_id} ({template}) is {status}")

    def _lots_and_shipments(self, findings: Findings) -> None:
        passed = {
            lot_id: quantity
            for lot_id, quantity in self.rows("SELECT lot_id, quantity FROM aggregation.lots WHERE status = 'passed'")
        }
        ready = {
            lot_id: quantity for lot_id, quantity in self.rows("SELECT lot_id, quantity FROM consolidation.ready_lots")
        }
        findings.lost.extend(f"passed lot {lot_id} never reached consolidation" for lot_id in set(passed) - set(ready))
        findings.unexpected.extend(
            f"consolidation waits for lot {lot_id}, which has not passed" for lot_id in set(ready) - set(passed)
        )
        for lot_id, quantity in self.rows("SELECT lot_id, quantity FROM consolidation.shipment_lots"):
            if ready.get(lot_id) != quantity:
                findings.unexpected.append(f"lot {lot_id} ships {quantity} units, it passed with {ready.get(lot_id)}")

    def _final_states(self, findings: Findings, ship: bool, lots: bool) -> dict:
        """Every line of an order that stands is final (delivered, or fully allocated when the scenario stops
        there) or explained by a reported shortfall; a cancelled order holds no quota and commits no capacity."""
        covered = defaultdict(int)
        for line_id, quantity in self.rows(
            f"SELECT line_id, quantity FROM aggregation.quotas WHERE status IN {COVERING} "
            "UNION ALL SELECT line_id, quantity FROM aggregation.top_ups WHERE status = 'offered'"
        ):
            covered[line_id] += quantity
        statuses = Counter()
        shortfall_units = 0
        for row in self.rows(
            "SELECT o.order_id, o.status, l.line_id, l.quantity, l.allocated, l.delivered, l.shortfall, "
            "a.shortfall_reported FROM orders.orders o JOIN orders.order_lines l ON l.order_id = o.order_id "
            "LEFT JOIN aggregation.order_lines a ON a.line_id = l.line_id"
        ):
            order = row._mapping
            if order["status"] == "cancelled":
                continue
            short = order["quantity"] - covered[order["line_id"]]
            shortfall_units += short
            if short and order["shortfall_reported"] != short:
                findings.unexpected.append(
                    f"line {order['line_id']} is {short} short, allocation reported {order['shortfall_reported']}"
                )
            if order["shortfall"] != short:
                findings.lost.append(
                    f"the ledger of {order['line_id']} shows a shortfall of {order['shortfall']}, allocation {short}"
                )
            done = order["delivered"] if ship else order["allocated"]
            if done + short != order["quantity"]:
                findings.unexpected.append(
                    f"line {order['line_id']} of {order['order_id']} ({order['status']}) is "
                    f"neither final nor explained: {done} + {short} short of "
                    f"{order['quantity']}"
                )
        for order_id, status in self.rows("SELECT order_id, status FROM orders.orders"):
            statuses[status] += 1
            if ship and status not in ("delivered", "cancelled", "shipped"):
                findings.unexpected.append(f"order {order_id} is still {status}")
        for quota_id, order_id, status in self.rows(
            "SELECT q.quota_id, q.order_id, q.status FROM aggregation.quotas q JOIN orders.orders o "
            f"ON o.order_id = q.order_id WHERE o.status = 'cancelled' AND q.status IN {OPEN}"
        ):
            findings.unexpected.append(f"quota {quota_id} of cancelled order {order_id} is still {status}")
        return {
            "order_statuses": dict(statuses),
            "shortfall_units": shortfall_units,
            "quotas": dict(Counter(row[0] for row in self.rows("SELECT status FROM aggregation.quotas"))),
            "lots": self.scalar("SELECT count(*) FROM aggregation.lots"),
            "shipments": self.scalar("SELECT count(*) FROM consolidation.shipments"),
            "notifications_sent": self.scalar("SELECT count(*) FROM notification.deliveries WHERE status = 'sent'"),
        }


def dead_letters(amqp_uri: str) -> list:
    """Every parked message, read and put back (``bilum dlq list``)."""
    from bilum.dead_letters import list_dead_letters

    return list_dead_letters(amqp_uri)


def write_summary(scenario: str, orders: int, findings: Findings, recovered, **extra) -> dict:
    summary = {
        "scenario": scenario,
        "orders": orders,
        **findings.counts(),
        "recovered": recovered,
        **extra,
        "findings": findings.as_dict(),
    }
    path = reports_dir() / f"{scenario}.json"
    path.write_text(json.dumps(summary, indent=2, default=str, sort_keys=False) + "\n")
    return summary


def update_summary(scenario: str, **fields) -> dict:
    """Add figures a scenario only knows after its audit (what it dead-lettered, and how)."""
    path = reports_dir() / f"{scenario}.json"
    summary = {**json.loads(path.read_text()), **fields}
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n")
    return summary

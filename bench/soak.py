"""A soak: the whole flow at a steady rate for a long time, to see whether anything creeps.

Every service runs as its own process on a PostgreSQL database and a RabbitMQ vhost of its own (the fault suite's
harness). Buyers place orders at a steady rate; producers answer their offers and report lots, inspectors inspect,
clerks pay, logistics plan and track shipments, all along. Every few seconds it samples each process's resident
memory, open files and sockets, each service's outbox backlog, the broker's queue depths and the database's
connections. At the end it waits for the flow to run its course, audits every order (nothing lost, nothing
doubled), and reports each figure's slope after the warm-up (the first fifth of the run, while pools and caches
fill) and whether it grew beyond noise.

    python bench/soak.py [--minutes 30] [--orders-per-minute 12] [--sample-s 5] [--json report.json]

Not part of the test run. It needs the machine's RabbitMQ (with its management plugin) and PostgreSQL.
"""

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import scratch_database  # noqa: E402
from tests.faults.audit import Audit  # noqa: E402
from tests.faults.platform import SERVICES, MainBroker, Stack  # noqa: E402
from tests.faults.traffic import Actors, Buyers, Clients, setup_network  # noqa: E402
from tests.integration.conftest import _environment, _own_vhost  # noqa: E402

WARM_UP_SHARE = 0.2


def _process_figures(pid: int) -> dict:
    """Resident memory (MiB), open files and sockets of one process, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        rss_kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    descriptors = os.listdir(f"/proc/{pid}/fd")
    sockets = 0
    for descriptor in descriptors:
        try:
            sockets += os.readlink(f"/proc/{pid}/fd/{descriptor}").startswith("socket:")
        except OSError:
            pass
    return {"rss_mib": round(rss_kib / 1024, 1), "open_files": len(descriptors), "sockets": sockets}


def sample(stack: Stack, audit: Audit, broker: MainBroker, started: float) -> dict:
    figures: dict = {"t_s": round(time.monotonic() - started, 1)}
    for service, process in stack.services.items():
        if process.alive():
            for name, value in _process_figures(process.process.pid).items():
                figures[f"{service}.{name}"] = value
    for service in SERVICES:
        figures[f"{service}.outbox"] = audit.scalar(f"SELECT count(*) FROM {service}.outbox")
    queues = broker.queues()
    figures["broker.messages_queued"] = sum(ready + unacked for ready, unacked in queues.values())
    figures["broker.deepest_queue"] = max((ready + unacked for ready, unacked in queues.values()), default=0)
    figures["database.connections"] = audit.scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    )
    return figures


def _slope_per_hour(points: list[tuple[float, float]]) -> float:
    return statistics.linear_regression([t for t, _ in points], [v for _, v in points]).slope * 3600


def _growth(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """The slope per hour of a straight line through the points, the growth it makes over their span, and the noise
    around it (the standard deviation of the residuals)."""
    slope = _slope_per_hour(points)
    mean_t = statistics.fmean(t for t, _ in points)
    mean = statistics.fmean(value for _, value in points)
    residuals = [value - (mean + slope / 3600 * (t - mean_t)) for t, value in points]
    return slope, slope / 3600 * (points[-1][0] - points[0][0]), statistics.pstdev(residuals)


def trends(samples: list[dict]) -> dict:
    """Per figure, after the warm-up: its mean, slope per hour, the growth the slope makes over the measured span,
    and the same over the last half of it. A figure grows when its growth is beyond noise (more than three standard
    deviations of the residuals, 5% of the mean and one unit) over the span and still over its last half: a leak keeps
    growing, while a pool that opens connections as load peaks arrive levels off at its size (a backlog or queue must
    simply not build up)."""
    steady = samples[int(len(samples) * WARM_UP_SHARE) :]
    if len(steady) < 6:
        return {}
    result = {}
    for name in sorted({key for row in steady for key in row} - {"t_s"}):
        points = [(row["t_s"], float(row[name])) for row in steady if name in row]
        if len(points) < 6:
            continue
        mean = statistics.fmean(value for _, value in points)
        slope, growth, noise = _growth(points)
        late_slope, late_growth, late_noise = _growth(points[len(points) // 2 :])
        result[name] = {
            "mean": round(mean, 2),
            "slope_per_hour": round(slope, 3),
            "growth_over_run": round(growth, 2),
            "last_half_per_hour": round(late_slope, 3),
            "grows": growth > max(3 * noise, 0.05 * abs(mean), 1.0)
            and late_growth > max(3 * late_noise, 0.05 * abs(mean) / 2, 1.0),
        }
    return result


def run(minutes: float, orders_per_minute: float, sample_s: float, log_dir: Path) -> dict:
    orders = max(1, int(minutes * orders_per_minute))
    with _own_vhost() as amqp_uri, scratch_database() as (_, database_url):
        broker = MainBroker(amqp_uri)
        stack = Stack(_environment(amqp_uri, database_url, str(log_dir)), log_dir, broker)
        stack.migrate()
        stack.start()
        clients = Clients(amqp_uri, size=16, timeout_s=30)
        audit = Audit(database_url)
        try:
            setup = stack.rpc()
            try:
                setup_network(setup, database_url, weekly_units=2000, weeks=12)
            finally:
                setup.close()
            buyers, actors = Buyers(clients, "soak"), Actors(clients, database_url)
            actors.start()
            started = time.monotonic()
            placing = eventlet.spawn(buyers.place, orders, orders_per_minute / 60)
            samples = []
            while not placing.dead:
                samples.append(sample(stack, audit, broker, started))
                print(json.dumps(samples[-1]), file=sys.stderr, flush=True)
                eventlet.sleep(sample_s)
            buyers.wait()
            quiet_s = audit.wait_quiet(broker, True, True, 600)
            actors.stop()
            findings, figures = audit.check(buyers.accepted, True, True)
            return {
                "minutes": minutes,
                "orders_placed": len(buyers.accepted),
                "orders_refused": len(buyers.refused),
                "quiet_after_s": round(quiet_s, 1),
                "lost": len(findings.lost),
                "duplicated": len(findings.duplicated),
                "unexpected": len(findings.unexpected),
                "findings": findings.as_dict(),
                "services_died": stack.crashed(),
                "samples": len(samples),
                "trends": trends(samples),
                "flow": {key: figures[key] for key in ("order_statuses", "lots", "shipments", "notifications_sent")},
            }
        finally:
            clients.close()
            audit.close()
            stack.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--orders-per-minute", type=float, default=12)
    parser.add_argument("--sample-s", type=float, default=5)
    parser.add_argument("--json", help="also write the report to this file")
    args = parser.parse_args()
    log_dir = Path(tempfile.mkdtemp(prefix="bilum-soak-"))
    report = run(args.minutes, args.orders_per_minute, args.sample_s, log_dir)
    report["logs"] = str(log_dir)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    print(f"{report['orders_placed']} orders over {args.minutes:g} min; quiet {report['quiet_after_s']} s after")
    print(f"lost {report['lost']}, doubled {report['duplicated']}, unexpected {report['unexpected']}")
    print(f"{'figure':<34}{'mean':>10}{'per hour':>12}{'over run':>12}{'last half/h':>13}  grows")
    for name, trend in report["trends"].items():
        print(
            f"{name:<34}{trend['mean']:>10}{trend['slope_per_hour']:>12}{trend['growth_over_run']:>12}"
            f"{trend['last_half_per_hour']:>13}  {'YES' if trend['grows'] else 'no'}"
        )
    clean = not (report["lost"] or report["duplicated"] or report["unexpected"] or report["services_died"])
    growing = [name for name, trend in report["trends"].items() if trend["grows"]]
    print("verdict:", "clean" if clean else "NOT CLEAN", "/", f"growing: {growing}" if growing else "nothing grows")
    return 0 if clean and not growing else 1


if __name__ == "__main__":
    sys.exit(main())

"""The money of a fault scenario, audited like the goods: every passed lot earned exactly passed units x the rate its
quota carries, nothing else earned; no payment sent or confirmed twice, no earning settled beyond its amount; every
batch balanced (what left balances is what was confirmed, what failed came back); and, once quiet, nobody owed."""

from collections import Counter
from decimal import Decimal

from services.settlement.domain import BALANCE_EFFECT

_EFFECT = " ".join(f"WHEN '{kind}' THEN {sign}" for kind, sign in BALANCE_EFFECT.items())
BALANCES = (
    f"SELECT producer_id, currency, sum(amount * CASE kind {_EFFECT} END) AS balance "
    "FROM settlement.journal GROUP BY producer_id, currency"
)


def pending(audit) -> dict:
    """What the co-operative's clerks still have to do with money; all zero once they have paid everyone."""
    return {
        "producers owed": audit.scalar(f"SELECT count(*) FROM ({BALANCES}) b WHERE b.balance > 0"),
        "payments in flight": audit.scalar(
            "SELECT count(*) FROM settlement.payout_lines WHERE status IN ('draft', 'approved', 'sending', 'failed')"
        ),
        "passed lots not earned yet": audit.scalar(
            "SELECT count(*) FROM aggregation.lots l WHERE l.status = 'passed' AND NOT EXISTS "
            "(SELECT 1 FROM settlement.journal j WHERE j.kind = 'earning' AND j.lot_id = l.lot_id)"
        ),
    }


def check(audit, findings) -> dict:
    passed = {
        lot_id: quantity
        for lot_id, quantity in audit.rows("SELECT lot_id, quantity FROM aggregation.lots WHERE status = 'passed'")
    }
    earnings = audit.rows(
        "SELECT j.lot_id, j.units, j.amount, q.rate FROM settlement.journal j "
        "JOIN settlement.quotas q ON q.quota_id = j.quota_id WHERE j.kind = 'earning'"
    )
    earned = Counter(lot_id for lot_id, *_ in earnings)
    for lot_id, quantity in passed.items():
        findings.compare(f"earnings of passed lot {lot_id}", earned[lot_id], 1)
    for lot_id, units, amount, rate in earnings:
        if lot_id not in passed:
            findings.unexpected.append(f"lot {lot_id} earned {amount} but did not pass")
        elif units != passed[lot_id] or Decimal(amount) != units * Decimal(rate):
            findings.unexpected.append(f"lot {lot_id} earned {amount} for {units} units at {rate}")
    of_line = "SELECT count(*) FROM settlement.journal j WHERE j.payout_line_id = l.line_id AND j.kind"
    for line_id, status, attempt, sent, reversed_, confirmed in audit.rows(
        f"SELECT l.line_id, l.status, l.attempt, ({of_line} = 'payout_sent'), ({of_line} = 'payout_reversed'), "
        f"({of_line} = 'payout_confirmed') FROM settlement.payout_lines l"
    ):
        findings.compare(f"payments sent of line {line_id}", sent, attempt)
        findings.compare(f"confirmations of line {line_id}", confirmed, 1 if status == "confirmed" else 0)
        findings.compare(
            f"reversals of line {line_id}", reversed_, attempt - (1 if status in ("confirmed", "sending") else 0)
        )
    for entry_id, amount, settled in audit.rows(
        "SELECT j.entry_id, j.amount, sum(s.amount) FROM settlement.journal j "
        "JOIN settlement.settlements s ON s.earning_entry_id = j.entry_id GROUP BY j.entry_id, j.amount"
    ):
        if Decimal(settled) > Decimal(amount):
            findings.duplicated.append(f"earning {entry_id} of {amount} settled for {settled}")
    for batch_id, paid, confirmed in audit.rows(
        "SELECT l.batch_id, "
        "sum((SELECT coalesce(sum(amount * CASE kind WHEN 'payout_sent' THEN 1 ELSE -1 END), 0) "
        "FROM settlement.journal j WHERE j.payout_line_id = l.line_id "
        "AND j.kind IN ('payout_sent', 'payout_reversed'))), "
        "sum(CASE WHEN l.status IN ('confirmed', 'sending') THEN l.amount ELSE 0 END) "
        "FROM settlement.payout_lines l GROUP BY l.batch_id"
    ):
        if Decimal(paid) != Decimal(confirmed):
            findings.unexpected.append(f"batch {batch_id} took {paid} from balances but paid {confirmed}")
    lines = Counter(status for (status,) in audit.rows("SELECT status FROM settlement.payout_lines"))
    paid = "SELECT coalesce(sum(amount), 0) FROM settlement.payout_lines WHERE status = 'confirmed'"
    return {
        "lots_earned": len(earned),
        "payout_batches": audit.scalar("SELECT count(*) FROM settlement.payout_batches"),
        "payout_lines": dict(lines),
        "paid": str(
            audit.rows("SELECT coalesce(sum(amount), 0) FROM settlement.payout_lines WHERE status = 'confirmed'")[0][0]
        ),
    }

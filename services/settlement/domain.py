"""The rules of a producer's money, in plain Python: what a lot earns, how advances are capped and recovered, how a
balance is derived from the journal, what a payout batch pays and which earnings a payment settles.

The journal is append-only: every movement is an entry, never edited; balances are derived from the entries, per
producer and currency: balance = earned + written off - advanced - paid."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

from shared.money import to_minor

EARNING = "earning"
PREMIUM = "premium"
ADVANCE = "advance"
RECOVERY = "recovery"
PAYOUT_SENT = "payout_sent"
PAYOUT_CONFIRMED = "payout_confirmed"
PAYOUT_REVERSED = "payout_reversed"
WRITE_OFF = "write_off"
CORRECTION = "correction"

# What each kind of entry does to the producer's balance. A recovery only says which earning paid back which
# advance (the advance already lowered the balance); a confirmation closes a payment already counted when it was
# sent; a premium belongs to the organisation's premium fund, not to her.
BALANCE_EFFECT = {
    EARNING: 1,
    CORRECTION: 1,
    WRITE_OFF: 1,
    PAYOUT_REVERSED: 1,
    ADVANCE: -1,
    PAYOUT_SENT: -1,
    RECOVERY: 0,
    PAYOUT_CONFIRMED: 0,
    PREMIUM: 0,
}
KINDS = tuple(BALANCE_EFFECT)

CASH = "cash"
MOBILE_MONEY = "mobile_money"
PAYOUT_METHODS = (MOBILE_MONEY, CASH)
ADVANCE_KINDS = ("cash", "materials")

# A quota whose advance can still be recovered from its own earnings; any other has left what it did not recover
# to be recovered from her later earnings.
OPEN_QUOTA = ("offered", "accepted", "in_production", "produced")


class RuleBroken(ValueError):
    """A money action the rules refuse; the message says which rule, in words an aggregator understands."""


@dataclass(frozen=True)
class Entry:
    kind: str
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    earned: Decimal
    advanced: Decimal
    written_off: Decimal
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        return self.earned + self.written_off - self.advanced - self.paid


def totals(entries: Iterable[Entry]) -> Totals:
    """The four sums a balance is made of. A correction counts as earned (it corrects what was earned); a payment
    counts as paid from when it was sent until it fails and is reversed."""
    sums = dict.fromkeys(KINDS, Decimal(0))
    for entry in entries:
        sums[entry.kind] += entry.amount
    return Totals(
        earned=sums[EARNING] + sums[CORRECTION],
        advanced=sums[ADVANCE],
        written_off=sums[WRITE_OFF],
        paid=sums[PAYOUT_SENT] - sums[PAYOUT_REVERSED],
    )


def balance_effect(entry: Entry) -> Decimal:
    return BALANCE_EFFECT[entry.kind] * entry.amount


_Claim = TypeVar("_Claim", "Owed", "Unsettled")


def lot_earning(passed_units: int, rate: Decimal, currency: str) -> Decimal:
    """What a passed lot earns its producer: passed units x the rate carried by its quota, to the minor unit."""
    return to_minor(rate * passed_units, currency)


def advance_room(quota_value: Decimal, cap_share: Decimal, advanced: Decimal, currency: str) -> Decimal:
    """How much more may be advanced against a quota: a share of its value (no interest), less what was advanced."""
    return max(to_minor(quota_value * cap_share, currency) - advanced, Decimal(0))


@dataclass(frozen=True)
class Owed:
    """What is left to recover of one advance."""

    advance_id: str
    amount: Decimal


def recoveries(earned: Decimal, own: Iterable[Owed], left_by_closed: Iterable[Owed]) -> list[Owed]:
    """How an earning pays back advances: first the advances of its own quota, then, oldest first, what quotas that
    closed (declined, released, replaced, finished short) left unrecovered. Never more than was earned."""
    return _in_order(earned, [*own, *left_by_closed])


@dataclass(frozen=True)
class Unsettled:
    """An earning (or an upward correction) with the part of it no recovery or payment has settled yet."""

    entry_id: int
    amount: Decimal


def settle(amount: Decimal, unsettled: Iterable[Unsettled]) -> list[Unsettled]:
    """Which earnings a payment (or a recovery) settles, oldest first, and how much of each: each earning is settled
    once, never beyond its amount."""
    return _in_order(amount, unsettled)


def _in_order(amount: Decimal, claims: Iterable[_Claim]) -> list[_Claim]:
    """The part of ``amount`` each claim takes, in order, none more than its own amount, until nothing is left."""
    taken, left = [], amount
    for claim in claims:
        if left <= 0:
            break
        part = min(claim.amount, left)
        if part > 0:
            taken.append(replace(claim, amount=part))
            left -= part
    return taken


def payout_amounts(
    balances: dict[str, Decimal], in_flight: set[str], chosen: set[str] | None = None
) -> dict[str, Decimal]:
    """What a new payout batch pays: every producer (or every chosen one) with a positive balance, except those with
    a payment of the same currency still in another batch, so nothing is drafted twice."""
    return {
        producer_id: amount
        for producer_id, amount in sorted(balances.items())
        if amount > 0 and producer_id not in in_flight and (chosen is None or producer_id in chosen)
    }


# A payout line's life: draft -> approved (with its batch) -> sending (its amount leaves her balance) -> confirmed,
# or failed (the amount back on her balance) -> sending again on a retry. Mobile money is sent to the provider under
# one reference per attempt; cash is handed over and closed with the aggregator's receipt number. A line that can no
# longer be paid before it is sent (her balance fell) is dropped and pays nothing.
LINE_MOVES = {
    "draft": ("approved", "dropped"),
    "approved": ("sending", "dropped"),
    "sending": ("confirmed", "failed"),
    "failed": ("sending", "dropped"),
    "confirmed": (),
    "dropped": (),
}
FINAL_LINE = ("confirmed", "dropped")


def move_line(status: str, to: str) -> str:
    if to not in LINE_MOVES[status]:
        raise RuleBroken(f"a payout line that is {status} cannot become {to}")
    return to


def may_approve(drafted_by: str, approver: str) -> None:
    """Four eyes: whoever drafted a batch cannot approve it."""
    if drafted_by == approver:
        raise RuleBroken("the person who drafted a payout batch cannot approve it: another aggregator must")


ANY_ORGANISATION = "*"


def may_handle(staff_of: str | None, organisation_id: str) -> bool:
    """Only an organisation's own staff (or an admin, ``*``) see its producers' money or act on it."""
    return staff_of == ANY_ORGANISATION or (staff_of is not None and staff_of == organisation_id)

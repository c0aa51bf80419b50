"""What a producer is told about her money, in plain Python: an advance recorded against her work, a payment that
reached her (for which work), and the balance she asked for with ``BAL``. Amounts arrive as Decimals with their
currency and are written the way her statement writes them (``PGK 240.00``)."""

from collections.abc import Mapping, Sequence
from decimal import Decimal

from services.notification.domain import Notice
from shared.money import show

# The work codes a payment SMS names before it says how many more: the message must stay one SMS.
WORKS_NAMED = 3


def works_paid(refs: Sequence[str], lots: int) -> str:
    """``K7Q2MD, H3B9XP`` (her work codes, which she knows from her offers), ``… +2`` beyond three; ``N lots`` when
    the codes are not known here."""
    unique = list(dict.fromkeys(refs))
    if not unique:
        return f"{lots} lots"
    named = ", ".join(unique[:WORKS_NAMED])
    return named if len(unique) <= WORKS_NAMED else f"{named} +{len(unique) - WORKS_NAMED}"


def advance_recorded(event_id: str, payload: Mapping, ref: str) -> Notice:
    currency = payload["currency"]
    values = {
        "amount": show(payload["amount"], currency),
        "ref": ref,
        "description": payload["description"],
        "balance": show(payload["balance"], currency),
    }
    return Notice(payload["producer_id"], "advance_recorded", event_id, payload["order_id"], values, ref=ref)


def payout_confirmed(event_id: str, payload: Mapping, refs: Sequence[str]) -> Notice:
    values = {
        "amount": show(payload["amount"], payload["currency"]),
        "works": works_paid(refs, len(payload["lots"])),
        "reference": payload["reference"],
    }
    return Notice(payload["producer_id"], "payout_confirmed", event_id, payload["batch_id"], values)


def balance_reported(event_id: str, producer_id: str, balances: Sequence[Mapping]) -> list[Notice]:
    """One message per currency she has money in; when she has none yet, a message that says so."""
    if not balances:
        return [Notice(producer_id, "balance_empty", event_id, producer_id)]
    notices = []
    for account in balances:
        currency, last = account["currency"], account["last_payment"]
        values: dict[str, object] = {
            "balance": show(Decimal(account["balance"]), currency),
            "earned": show(Decimal(account["earned"]), currency),
        }
        kind = "balance_unpaid"
        if last is not None:
            kind = "balance"
            values.update(last_paid=show(last["amount"], currency), paid_on=last["confirmed_at"].date())
        notices.append(Notice(producer_id, kind, f"{event_id}/{currency}", producer_id, values))
    return notices

"""What happens after a delivery attempt fails: try again later, move on to the next channel, or give up. Plain Python.

A temporary failure waits with exponential backoff and full jitter, so that many senders failing at once do not all
retry in step; a permanent refusal (a bad address) leaves the channel for this message at once.
"""

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notification.domain import FAILED, RETRYING


def failures_for(consecutive: Mapping[str, int], exhausted: Iterable[str], max_failures: int) -> dict[str, int]:
    """The failure counts one message is planned with: a channel that refused this message for good (a bad address)
    counts as failed out, whatever its record with other messages."""
    failures = dict(consecutive)
    for channel in exhausted:
        failures[channel] = max(failures.get(channel, 0), max_failures)
    return failures


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_s: float
    cap_s: float


@dataclass(frozen=True)
class NextStep:
    status: str
    at: datetime | None
    give_up_channel: bool = False


def retry_delay_s(attempt: int, base_s: float, cap_s: float, rng: random.Random) -> float:
    """Before the next try after ``attempt`` failed ones (1 for the first): exponential backoff with full jitter,
    uniform in [0, min(cap, base * 2^(attempt-1))], so that many senders failing at once do not retry in step."""
    if attempt < 1:
        raise ValueError("attempt counts failed attempts, from 1")
    return rng.uniform(0, min(cap_s, base_s * 2 ** (attempt - 1)))


def after_failure(
    policy: RetryPolicy,
    attempts: int,
    retryable: bool,
    channel_failures: int,
    max_failures: int,
    now: datetime,
    rng: random.Random,
) -> NextStep:
    """``attempts`` counts this message's attempts, the failed one included; ``channel_failures`` the channel's
    consecutive failures, the same one included.

    A permanent refusal leaves the channel for this message and plans again at once (the next channel); so does a
    channel that has now failed ``max_failures`` times in a row (preferences pass it over). A temporary failure
    waits, with exponential backoff and jitter, and tries again."""
    if attempts >= policy.max_attempts:
        return NextStep(FAILED, None)
    if not retryable:
        return NextStep(RETRYING, now, give_up_channel=True)
    if channel_failures >= max_failures:
        return NextStep(RETRYING, now)
    return NextStep(RETRYING, now + timedelta(seconds=retry_delay_s(attempts, policy.base_s, policy.cap_s, rng)))

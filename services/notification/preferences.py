"""How and when each recipient wants to hear from Bilum, and the decision for one message. Plain Python.

A recipient lists channels in order of preference. A channel that has failed ``max_failures`` times in a row is
passed over for the next one, so a producer whose phone is off for a week still hears by email; when nothing is left
the plan says so, and the service tells the aggregator that the recipient cannot be reached.

Quiet hours are a window of local time ("21:00-06:00" in Pacific/Port_Moresby) during which a phone should not buzz:
they hold back SMS and email, not webhooks (a machine does not sleep). A kind listed in ``urgent_kinds`` (by default
quota offers, top-ups and reminders) goes out during quiet hours anyway when its deadline is near: waiting for the
morning would leave the producer less than ``urgent_within`` to answer. Without a deadline nothing is urgent.

A party may take some kinds as one daily digest instead of one message each (an aggregator does not need a message
per rejected lot); the digest is assembled and sent by the service. Which kinds are digested is the party's choice;
nothing is digested by default.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SMS, EMAIL, WEBHOOK = "sms", "email", "webhook"
CHANNELS = (SMS, EMAIL, WEBHOOK)
QUIET_CHANNELS = frozenset({SMS, EMAIL})
URGENT_KINDS = frozenset({"quota_offered", "quota_top_up_offered", "quota_reminder"})
AGGREGATOR_DIGEST_KINDS = frozenset({"aggregator_shortfall", "aggregator_lot_rejected", "aggregator_shipment_late"})

SEND, DEFER, DIGEST, UNREACHABLE = "send", "defer", "digest", "unreachable"


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time
    zone: str

    def __post_init__(self):
        if self.start == self.end:
            raise ValueError("quiet hours must start and end at different times")
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.zone!r}") from None

    @classmethod
    def parse(cls, window: str, zone: str) -> "QuietHours":
        """``"21:00-06:00"``: the window may cross midnight."""
        try:
            start, end = (time.fromisoformat(part.strip()) for part in window.split("-"))
        except ValueError:
            raise ValueError(f"quiet hours {window!r} are not of the form HH:MM-HH:MM") from None
        return cls(start, end, zone)

    def contains(self, now: datetime) -> bool:
        local = _aware(now).astimezone(ZoneInfo(self.zone)).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, now: datetime) -> datetime:
        """The first end of the window after ``now``, in UTC: its closing time, or earlier, when the clocks change
        in between and the local time jumps out of the window."""
        zone = ZoneInfo(self.zone)
        local = _aware(now).astimezone(zone)
        day = local.date()
        while True:
            end = datetime.combine(day, self.end, tzinfo=zone).astimezone(timezone.utc)
            if end > now:
                break
            day += timedelta(days=1)
        changed = _clock_change(_aware(now), end, zone)
        return changed if changed is not None and not self.contains(changed) else end


def _clock_change(start: datetime, end: datetime, zone: ZoneInfo) -> datetime | None:
    """The first second after ``zone``'s clocks changed between ``start`` and ``end`` (at most one change a day),
    or None."""
    offset = start.astimezone(zone).utcoffset()
    if end.astimezone(zone).utcoffset() == offset:
        return None
    low, high = start, end
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high


@dataclass(frozen=True)
class Preferences:
    channels: tuple[str, ...]
    quiet_hours: QuietHours | None = None
    digest_kinds: frozenset[str] = frozenset()
    urgent_kinds: frozenset[str] = URGENT_KINDS
    urgent_within: timedelta = timedelta(hours=12)
    max_failures: int = 3

    def __post_init__(self):
        unknown = [channel for channel in self.channels if channel not in CHANNELS]
        if unknown:
            raise ValueError(f"unknown channels {unknown}; the channels are {', '.join(CHANNELS)}")
        if len(set(self.channels)) != len(self.channels):
            raise ValueError("a channel is listed twice")
        if self.max_failures < 1:
            raise ValueError("max_failures must be at least 1")


@dataclass(frozen=True)
class Contact:
    mobile: str | None = None
    email: str | None = None
    webhook_url: str | None = None

    def address(self, channel: str) -> str | None:
        return {SMS: self.mobile, EMAIL: self.email, WEBHOOK: self.webhook_url}[channel]


@dataclass(frozen=True)
class DeliveryPlan:
    """``send`` now; ``defer`` until ``send_at`` (plan again then: failures may have changed); ``digest``; or
    ``unreachable`` on every channel, with the reason."""

    action: str
    channel: str | None = None
    address: str | None = None
    send_at: datetime | None = None
    reason: str = ""


def plan_delivery(
    preferences: Preferences,
    contact: Contact,
    kind: str,
    now: datetime,
    failures: Mapping[str, int],
    deadline: datetime | None = None,
) -> DeliveryPlan:
    """``failures`` counts each channel's consecutive failed deliveries (reset by a success); ``deadline`` is when
    the recipient must have acted, for kinds that have one."""
    _aware(now)
    usable = [
        channel
        for channel in preferences.channels
        if contact.address(channel) and failures.get(channel, 0) < preferences.max_failures
    ]
    if not usable:
        return DeliveryPlan(UNREACHABLE, reason=_unreachable_reason(preferences, contact, failures))
    if kind in preferences.digest_kinds:
        return DeliveryPlan(DIGEST)
    channel = usable[0]
    address = contact.address(channel)
    quiet = preferences.quiet_hours
    if channel in QUIET_CHANNELS and quiet is not None and quiet.contains(now):
        quiet_end = quiet.ends_after(now)
        urgent = (
            kind in preferences.urgent_kinds
            and deadline is not None
            and _aware(deadline) - quiet_end < preferences.urgent_within
        )
        if not urgent:
            return DeliveryPlan(DEFER, channel, address, send_at=quiet_end)
    return DeliveryPlan(SEND, channel, address)


def _unreachable_reason(preferences: Preferences, contact: Contact, failures: Mapping[str, int]) -> str:
    if not preferences.channels:
        return "no channel chosen"
    reasons = []
    for channel in preferences.channels:
        if not contact.address(channel):
            reasons.append(f"{channel}: no address")
        else:
            reasons.append(f"{channel}: failed {failures.get(channel, 0)} times in a row")
    return "; ".join(reasons)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times must be timezone-aware")
    return moment

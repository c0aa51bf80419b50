"""What a local Kannel's logs say: bearerbox's access log, and the lines its fake SMSC wrote to the phones
(``fakesmsc``), joined into the messages a phone shows."""

import re
import urllib.parse
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PhoneMessage:
    """What a phone shows: the parts joined in their order, decoded by the coding Kannel sent them with."""

    sender: str
    receiver: str
    text: str
    coding: int
    parts: int


@dataclass(frozen=True)
class AccessLogEntry:
    """One line of bearerbox's access log (its default format). ``text`` is as logged: UCS-2 (coding 2) is decoded
    from the hex Kannel writes; other text has each non-ASCII byte logged as a dot."""

    at: datetime
    event: str
    smsc: str
    service: str
    foreign_id: str
    sender: str
    receiver: str
    coding: int
    dlr_mask: int
    length: int
    text: str
    udh: str


ACCESS_LOG_LINE = re.compile(
    r"(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (?P<event>[^\[]+?) \[SMSC:(?P<smsc>[^\]]*)\] \[SVC:(?P<service>[^\]]*)\] "
    r"\[ACT:[^\]]*\] \[BINF:[^\]]*\] \[FID:(?P<foreign_id>[^\]]*)\] \[META:[^\]]*\] \[from:(?P<sender>[^\]]*)\] "
    r"\[to:(?P<receiver>[^\]]*)\] \[flags:-?\d+:(?P<coding>-?\d+):-?\d+:-?\d+:(?P<dlr_mask>-?\d+)\] "
    r"\[msg:(?P<length>\d+):(?P<text>.*)\] \[udh:\d+:(?P<udh>[^\]]*)\]$"
)
FAKESMSC_LINE = re.compile(r"Got message \d+: <(?P<line>.*)>$")


def access_log_entry(line: str) -> AccessLogEntry | None:
    match = ACCESS_LOG_LINE.match(line)
    if match is None:
        return None
    fields = match.groupdict()
    coding, text = int(fields["coding"]), fields["text"]
    if coding == 2:
        text = bytes.fromhex(text).decode("utf-16-be")
    return AccessLogEntry(
        at=datetime.strptime(fields["at"], "%Y-%m-%d %H:%M:%S"),
        event=fields["event"],
        smsc=fields["smsc"],
        service=fields["service"],
        foreign_id=fields["foreign_id"],
        sender=fields["sender"],
        receiver=fields["receiver"],
        coding=coding,
        dlr_mask=int(fields["dlr_mask"]),
        length=int(fields["length"]),
        text=text,
        udh=fields["udh"],
    )


def url_decoded(value: str) -> bytes:
    """Kannel's URL encoding writes a space as +, and a + as %2B."""
    return urllib.parse.unquote_to_bytes(value.replace("+", " "))


def concatenation(udh: bytes) -> tuple[int, int, int] | None:
    """(reference, total, sequence) from a UDH's concatenation element: 8-bit (IEI 0) or 16-bit (IEI 8) reference."""
    position = 1
    while position + 1 < len(udh):
        element, length = udh[position], udh[position + 1]
        data = udh[position + 2 : position + 2 + length]
        if element == 0x00 and length == 3:
            return data[0], data[1], data[2]
        if element == 0x08 and length == 4:
            return int.from_bytes(data[:2], "big"), data[2], data[3]
        position += 2 + length
    return None


def phone_messages(fakesmsc_lines: list[str], access_log: list[AccessLogEntry], number: str) -> list[PhoneMessage]:
    """The complete messages the phone ``number`` received, oldest first: parts of a concatenated message are joined
    in their order once all have arrived, and each message is decoded with the coding its access-log entry gives
    (the fake link's line for a part does not say it)."""
    complete: list[tuple[str, list[bytes]]] = []
    pending: dict[tuple[str, int], dict[int, bytes]] = {}
    for found in filter(None, map(FAKESMSC_LINE.search, fakesmsc_lines)):
        sender, receiver, kind, rest = found["line"].split(" ", 3)
        if receiver != number:
            continue
        if kind != "udh":
            complete.append((sender, [rest.encode("utf-8") if kind == "text" else url_decoded(rest)]))
            continue
        udh, _, data = rest.partition(" data ")
        reference, total, sequence = concatenation(url_decoded(udh)) or (0, 1, 1)
        received = pending.setdefault((sender, reference), {})
        received[sequence] = url_decoded(data)
        if len(received) == total:
            del pending[(sender, reference)]
            complete.append((sender, [received[index] for index in sorted(received)]))
    sent = [entry for entry in access_log if entry.event == "Sent SMS" and entry.receiver == number]
    messages = []
    for (sender, parts), entry in zip(complete, sent):
        text = b"".join(parts).decode("utf-16-be" if entry.coding == 2 else "utf-8")
        messages.append(PhoneMessage(sender, number, text, entry.coding, len(parts)))
    return messages

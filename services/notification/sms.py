"""SMS for producers on basic phones: the reply grammar, quota references, and GSM-7 length rules. Plain Python.

A reply is typed on a keypad, often by someone for whom English is a second language, so the grammar forgives case,
spacing and stray punctuation, and every refusal is itself the reply to send back: it says what was wrong and shows
the right form.

Length rules follow 3GPP TS 23.038. A message written only in the GSM-7 default alphabet costs one septet per
character, two for the extension table (an escape then the character); up to 160 septets travel as one SMS, a longer
text as concatenated parts of 153 septets (the user data header takes the rest). Any other character switches the whole
message to UCS-2: 70 UTF-16 code units as one SMS, 67 per part. UCS-2 costs more than twice as many parts, which is
why ``to_gsm7`` exists.
"""

import re
import unicodedata
from dataclasses import dataclass

from shared.translations import NC_

ACCEPT, DECLINE, READY, HELP, BALANCE = "accept", "decline", "ready", "help", "balance"
_ACTIONS = {
    "YES": ACCEPT,
    "ACCEPT": ACCEPT,
    "NO": DECLINE,
    "DECLINE": DECLINE,
    "DONE": READY,
    "READY": READY,
    "HELP": HELP,
    "BAL": BALANCE,
    "BALANCE": BALANCE,
}
_REF = re.compile(r"[A-Za-z0-9]{4,10}")
_NUMBER = re.compile(r"[0-9]+")
_SEPARATORS = re.compile(r"[\s,;:]+")
_EDGE_PUNCTUATION = ".,;:!?\"'()"

# The English replies, marked for the ``bilum`` gettext catalogues: services.notification.templates writes them in every
# language, under the kinds ``sms_help`` and ``sms_error_<reason>``.
# Translators: one SMS: 160 GSM-7 characters at most. Keep YES, NO, DONE and BAL in English: producers answer with them.
HELP_TEXT = NC_(
    "sms_help sms",
    "Bilum: reply YES ABC123 to accept, YES ABC123 20 to take only 20, NO ABC123 to decline, "
    "DONE ABC123 20 when 20 are ready, BAL for your money.",
)
REPLY_ERRORS = {
    # Translators: one SMS: 160 GSM-7 characters at most. Keep YES, NO, DONE and HELP in English: producers answer
    # with them.
    "empty": NC_(
        "sms_error_empty sms",
        "Bilum: your message was empty. Reply YES ABC123 to accept, NO ABC123 to decline, DONE ABC123 20 when "
        "20 are ready, or HELP.",
    ),
    # Translators: one SMS: 160 GSM-7 characters at most. Keep YES, NO, DONE and HELP in English: producers answer
    # with them.
    "unknown_command": NC_(
        "sms_error_unknown_command sms",
        "Bilum: sorry, we did not understand. Reply YES ABC123 to accept, NO ABC123 to decline, "
        "DONE ABC123 20 when 20 are ready, or HELP.",
    ),
    # Translators: one SMS: 160 GSM-7 characters at most. Keep YES and DONE in English: producers answer with them.
    "missing_ref": NC_(
        "sms_error_missing_ref sms",
        "Bilum: the code is missing. Put the code from our SMS after the word, e.g. YES ABC123 or DONE ABC123 20.",
    ),
    # Translators: one SMS: 160 GSM-7 characters at most. Keep YES in English: producers answer with it.
    "bad_ref": NC_(
        "sms_error_bad_ref sms",
        "Bilum: that code is not right. A code is 4 to 10 letters and digits, e.g. YES ABC123. Copy it from our SMS.",
    ),
    # Translators: one SMS: 160 GSM-7 characters at most. Keep YES and DONE in English: producers answer with them.
    "extra_words": NC_(
        "sms_error_extra_words sms",
        "Bilum: too many words. Reply YES ABC123 to accept all, YES ABC123 20 to take only 20, or "
        "DONE ABC123 20 when 20 are ready.",
    ),
    # Translators: one SMS: 160 GSM-7 characters at most. Keep NO and YES in English: producers answer with them.
    "unexpected_quantity": NC_(
        "sms_error_unexpected_quantity sms",
        "Bilum: NO takes no number. Reply NO ABC123 to decline, or YES ABC123 20 to take only 20.",
    ),
    # Translators: one SMS: 160 GSM-7 characters at most. Keep DONE in English: producers answer with it.
    "missing_quantity": NC_(
        "sms_error_missing_quantity sms",
        "Bilum: how many are ready? Reply DONE, the code and the number, e.g. DONE ABC123 20.",
    ),
    # Translators: one SMS: 160 GSM-7 characters at most. Keep YES and DONE in English: producers answer with them.
    "bad_quantity": NC_(
        "sms_error_bad_quantity sms",
        "Bilum: the number must be a whole number above 0, e.g. YES ABC123 20 or DONE ABC123 20.",
    ),
}


@dataclass(frozen=True)
class Reply:
    action: str
    quota_ref: str | None
    quantity: int | None


class ReplyError(ValueError):
    """A reply the parser refuses. ``str(error)`` is the English answer to send back; ``template`` names the same
    answer among the templates, to render it in the producer's language."""

    def __init__(self, reason: str):
        super().__init__(REPLY_ERRORS[reason])
        self.reason = reason
        self.template = f"sms_error_{reason}"


def parse_reply(text: str) -> Reply:
    words = [word.strip(_EDGE_PUNCTUATION) for word in _SEPARATORS.split(text)]
    words = [word for word in words if word]
    if not words:
        raise ReplyError("empty")
    action = _ACTIONS.get(words[0].upper())
    if action is None:
        raise ReplyError("unknown_command")
    if action in (HELP, BALANCE):
        # Whatever follows HELP ("help me", "help ABC123") or BAL, the answer is the same: the list of commands, or
        # her balance.
        return Reply(action, None, None)
    if len(words) < 2:
        raise ReplyError("missing_ref")
    if not _REF.fullmatch(words[1]):
        raise ReplyError("bad_ref")
    ref = words[1].upper()
    quantities = words[2:]
    if len(quantities) > 1:
        raise ReplyError("extra_words")
    if action == DECLINE and quantities:
        raise ReplyError("unexpected_quantity")
    if action == READY and not quantities:
        raise ReplyError("missing_quantity")
    if not quantities:
        return Reply(action, ref, None)
    if not _NUMBER.fullmatch(quantities[0]) or int(quantities[0]) == 0:
        raise ReplyError("bad_quantity")
    return Reply(action, ref, int(quantities[0]))


GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _gsm7_cost(char: str) -> int:
    return 2 if char in GSM7_EXTENSION else 1


def _utf16_cost(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def encoded_length(text: str) -> int:
    """Septets for GSM-7 text, UTF-16 code units otherwise: the unit the network counts."""
    cost = _gsm7_cost if is_gsm7(text) else _utf16_cost
    return sum(cost(char) for char in text)


def sms_segments(text: str) -> list[str]:
    """The parts a phone will show as one message. Cuts fall after the last word that fits; a whitespace run at a
    cut is dropped (the phone joins the parts, a space there would only cost a character). A word longer than a whole
    part is cut where it must, never inside a GSM-7 escape pair or a UTF-16 surrogate pair (each is one character
    here), nor before a combining accent."""
    gsm7 = is_gsm7(text)
    cost = _gsm7_cost if gsm7 else _utf16_cost
    single, part = (GSM7_SINGLE, GSM7_PART) if gsm7 else (UCS2_SINGLE, UCS2_PART)
    if sum(cost(char) for char in text) <= single:
        return [text]
    segments = []
    start = 0
    while start < len(text):
        end, used = start, 0
        while end < len(text) and used + cost(text[end]) <= part:
            used += cost(text[end])
            end += 1
        if end == len(text):
            segments.append(text[start:])
            break
        cut = _word_boundary(text, start, end)
        if cut is None:
            cut = _hard_cut(text, start, end)
            segments.append(text[start:cut])
            start = cut
        else:
            segments.append(text[start:cut])
            start = cut
            while start < len(text) and text[start].isspace():
                start += 1
    return segments


def _word_boundary(text: str, start: int, end: int) -> int | None:
    """The last position in (start, end] where a word ends and whitespace begins."""
    for cut in range(end, start, -1):
        if text[cut].isspace() and not text[cut - 1].isspace():
            return cut
    return None


def _hard_cut(text: str, start: int, end: int) -> int:
    cut = end
    while cut > start + 1 and unicodedata.combining(text[cut]):
        cut -= 1
    return cut


# What neither Unicode decomposition (NFD, for accents) nor compatibility folding (NFKC: odd spaces, the ellipsis,
# superscripts, ligatures) turns into GSM-7.
_TRANSLITERATIONS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "`": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2022": "*",
    "\u00b7": ".",
    "\u00d7": "x",
    "\t": " ",
    "\u200b": "",
    "đ": "d",
    "Đ": "D",
    "ł": "l",
    "Ł": "L",
    "œ": "oe",
    "Œ": "OE",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "Th",
    "ı": "i",
    "µ": "u",
}


def to_gsm7(text: str) -> str:
    """The same text in the GSM-7 alphabet where a reader loses nothing that matters: typographic quotes and dashes
    become plain ones, the ellipsis three dots, odd spaces plain spaces, and a letter whose accent GSM-7 lacks loses
    that accent (Vietnamese ``Nguyễn Thị Hương`` -> ``Nguyen Thi Huong``, French ``prête`` -> ``prete``) while the
    accented letters GSM-7 has (``é è à ù ì ò ä ö ü ñ Ä Ö Ü Ñ É Å å Ç``) stay. A character with no plain form
    (an emoji, a Chinese name) is kept: changing what someone wrote is worse than a longer message."""
    return "".join(_gsm7_char(char) for char in text)


def _gsm7_char(char: str) -> str:
    if char in GSM7_BASIC or char in GSM7_EXTENSION:
        return char
    if char in _TRANSLITERATIONS:
        return _TRANSLITERATIONS[char]
    decomposed = unicodedata.normalize("NFD", char)
    base = "".join(part for part in decomposed if not unicodedata.combining(part))
    if base and is_gsm7(base):
        return base
    spaced = unicodedata.normalize("NFKC", char)
    if spaced != char and is_gsm7(spaced):
        return spaced
    return char

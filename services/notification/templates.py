"""What Bilum says to whom, in English, French and Tok Pisin. Plain Python.

The English texts are the code's own (``message_texts``); the other languages are the ``bilum`` gettext catalogues
(``shared/locale/<language>/LC_MESSAGES/bilum.po``), where translators work with the usual tools (``make messages``
extracts new texts into them). Tok Pisin (``tpi``) is the language most producers in Papua New Guinea read. Each form
of a kind is looked up under the context ``"<kind> <form>"`` its English is marked with.

The SMS text is passed through ``to_gsm7``, so a name with accents GSM-7 lacks does not turn it into a three-part
UCS-2 message. Values are written the reader's way (``message_values``).
"""

import string
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from services.notification import sms
from services.notification.message_texts import MESSAGES, MessageTexts
from services.notification.message_values import ValueFormatter
from shared.translations import translations

LANGUAGES = ("en", "fr", "tpi")
FALLBACK_LANGUAGE = "en"
DOMAIN = "bilum"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    sms_text: str
    language: str


def forms(kind: str) -> dict[str, tuple[str, str]]:
    """The kind's subject, text and sms, each as its catalogue context and English text (an answer to an SMS is its
    SMS text in every form)."""
    texts = MESSAGES[kind]
    sms_form = (f"{kind} sms", texts.sms)
    return {
        "subject": (f"{kind} subject", texts.subject),
        "text": sms_form if texts.text is None else (f"{kind} text", texts.text),
        "sms": sms_form,
    }


def _fields(texts: MessageTexts) -> frozenset[str]:
    return frozenset(
        name
        for part in (texts.subject, texts.text or "", texts.sms)
        for _, name, _, _ in string.Formatter().parse(part)
        if name
    )


# The values a kind needs are the ones its English uses; every language uses exactly those (tested).
FIELDS = {kind: _fields(texts) for kind, texts in MESSAGES.items()}
KINDS = tuple(FIELDS)


def choose_language(languages) -> str:
    """The first of the recipient's languages we write (``fr-FR`` counts as ``fr``), else English."""
    for tag in languages or ():
        primary = str(tag).replace("_", "-").split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return FALLBACK_LANGUAGE


def render(kind: str, languages, /, *, zone: str | None = None, **values) -> Rendered:
    """``zone`` is the IANA name of the recipient's time zone; datetimes must be timezone-aware."""
    if kind not in FIELDS:
        raise ValueError(f"unknown message kind {kind!r}")
    missing = FIELDS[kind] - values.keys()
    if missing:
        raise ValueError(f"{kind} needs {', '.join(sorted(missing))}")
    unexpected = values.keys() - FIELDS[kind]
    if unexpected:
        raise ValueError(f"{kind} does not use {', '.join(sorted(unexpected))}")
    language = choose_language(languages)
    catalogue = translations(DOMAIN, language)
    formatter = ValueFormatter(language, catalogue, ZoneInfo(zone) if zone else None)
    written = {
        form: formatter.format(catalogue.pgettext(context, english), **values)
        for form, (context, english) in forms(kind).items()
    }
    return Rendered(
        subject=written["subject"], text=written["text"], sms_text=sms.to_gsm7(written["sms"]), language=language
    )

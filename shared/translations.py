"""The platform's texts in other languages: gettext catalogues (``shared/locale/<language>/LC_MESSAGES/<domain>.po``),
extracted from the code and updated with Babel's tools (``make messages``), compiled by Babel when first needed.

English is the code's own text: a language or message with no translation reads as English. A text written in one
place and shown in another is marked with ``NC_(context, text)`` where it is written and translated with
``translations(domain, language).pgettext(context, text)`` where it is shown."""

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def catalogue_path(domain: str, language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


@lru_cache(maxsize=None)
def translations(domain: str, language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``domain`` in ``language`` (the English text itself for English)."""
    path = catalogue_path(domain, language)
    if language == "en" or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def NC_(context: str, message: str) -> str:
    """Marks ``message`` for ``make messages``, under ``context``, and leaves it as it is (GLib's name): the context
    tells the same English in two places apart (a subject and an SMS may be translated differently)."""
    return message

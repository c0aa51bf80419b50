"""The gettext catalogues: the template holds every text the code asks for, and every language translates every one
of them, not fuzzy, with the same placeholders (a translation that drops {amount} would print a price without it)."""

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from shared.translations import LOCALE_DIR, catalogue_path, translations

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"words": None, "plural": (1, 2), "gettext": None, "ngettext": (1, 2)}
DOMAINS = {"catalogue": ("fr", "ja")}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def template(domain: str):
    with (LOCALE_DIR / f"{domain}.pot").open("rb") as source:
        return read_po(source, domain=domain)


def asked_for_by_the_code() -> set[str]:
    found = extract_from_dir(
        str(ROOT), method_map=[("services/catalogue/**.py", "python")], keywords=KEYWORDS, comment_tags=()
    )
    return {message[0] if isinstance(message, tuple) else message for _, _, message, _, _ in found}


def test_the_template_holds_exactly_what_the_code_asks_for():
    held = {message.id[0] if isinstance(message.id, tuple) else message.id for message in template("catalogue")}
    held.discard("")
    assert held == asked_for_by_the_code(), "run `make messages` and translate the new entries"


@pytest.mark.parametrize(
    "domain,language", [(d, language) for d, languages in DOMAINS.items() for language in languages]
)
def test_every_message_is_translated_not_fuzzy_with_the_same_placeholders(domain, language):
    with catalogue_path(domain, language).open("rb") as source:
        catalog = read_po(source, locale=language, domain=domain)
    expected = {message.id for message in template(domain) if message.id}
    assert {message.id for message in catalog if message.id} == expected
    assert not catalog.obsolete
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"{language}: fuzzy {message.id!r}"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert len(strings) == (catalog.num_plurals if isinstance(message.id, tuple) else 1)
        for translated in strings:
            assert translated.strip(), f"{language}: untranslated {message.id!r}"
            assert placeholders(translated) == placeholders(ids[-1]), f"{language}: placeholders of {message.id!r}"


def test_a_translation_is_what_the_reader_gets_and_english_is_the_codes_own_text():
    assert translations("catalogue", "fr").gettext("Minimum order") == "Commande minimum"
    assert translations("catalogue", "ja").ngettext("{count} unit", "{count} units", 5) == "{count} 点"
    assert translations("catalogue", "en").gettext("Minimum order") == "Minimum order"
    assert re.fullmatch(r"\{amount\}\W+\{currency\}", translations("catalogue", "fr").gettext("{currency} {amount}"))

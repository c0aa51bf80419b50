"""The gettext catalogues: each domain's template holds every text its code asks for, and every language translates
every one of them, not fuzzy, with the same placeholders (a translation that drops {amount} would print a price
without it, one that writes {respond_by} for {respond_by:short} would put an email's date in an SMS)."""

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import read_po

from shared.translations import LOCALE_DIR, catalogue_path, translations

ROOT = Path(__file__).resolve().parents[2]
# What `make messages` looks for (the Makefile's -k options on top of Babel's own), and where, per domain.
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(["words", "plural:1,2", "NC_:1c,2"])}
SOURCES = {
    "catalogue": ("services/catalogue",),
    "bilum": ("services/notification", "services/gateway", "shared/zones.py"),
}
# How files are read (babel.cfg): Python, and the pages' Jinja2 templates.
METHODS = [
    (pattern, method) for method, pattern in re.findall(r"^\[(\w+): (.+)\]$", (ROOT / "babel.cfg").read_text(), re.M)
]
DOMAINS = {"catalogue": ("fr", "ja"), "bilum": ("fr", "tpi")}
SMS_KEYWORDS = ("YES", "NO", "DONE", "HELP", "BAL")


def placeholders(text: str) -> set[tuple[str, str]]:
    return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(text) if name is not None}


def key(message_id, context: str | None) -> tuple[str | None, str]:
    return context, message_id[0] if isinstance(message_id, tuple) else message_id


def template(domain: str):
    with (LOCALE_DIR / f"{domain}.pot").open("rb") as source:
        return read_po(source, domain=domain)


def asked_for_by_the_code(domain: str) -> set[tuple[str | None, str]]:
    found = set()
    for source in SOURCES[domain]:
        path = ROOT / source
        if path.is_file():
            messages = ((m, c) for _, m, _, c in extract_from_file("python", str(path), keywords=KEYWORDS))
        else:
            messages = (
                (m, c)
                for _, _, m, _, c in extract_from_dir(str(path), method_map=METHODS, keywords=KEYWORDS, comment_tags=())
            )
        found |= {key(message, context) for message, context in messages}
    return found


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_template_holds_exactly_what_the_code_asks_for(domain):
    held = {key(message.id, message.context) for message in template(domain) if message.id}
    assert held == asked_for_by_the_code(domain), "run `make messages` and translate the new entries"


@pytest.mark.parametrize(
    "domain,language", [(d, language) for d, languages in DOMAINS.items() for language in languages]
)
def test_every_message_is_translated_not_fuzzy_with_the_same_placeholders(domain, language):
    with catalogue_path(domain, language).open("rb") as source:
        catalog = read_po(source, locale=language, domain=domain)
    expected = {key(message.id, message.context) for message in template(domain) if message.id}
    assert {key(message.id, message.context) for message in catalog if message.id} == expected
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


def test_every_sms_tells_its_translators_its_length_and_the_keywords_to_keep():
    for message in template("bilum"):
        if not (message.context or "").endswith(" sms"):
            continue
        comments = " ".join(message.auto_comments)
        assert "160 GSM-7 characters" in comments, message.context
        for keyword in SMS_KEYWORDS:
            if re.search(rf"\b{keyword}\b", message.id):
                assert re.search(rf"\b{keyword}\b.* in English", comments), (message.context, keyword)


def test_a_translation_is_what_the_reader_gets_and_english_is_the_codes_own_text():
    assert translations("catalogue", "fr").gettext("Minimum order") == "Commande minimum"
    assert translations("catalogue", "ja").ngettext("{count} unit", "{count} units", 5) == "{count} 点"
    assert translations("catalogue", "en").gettext("Minimum order") == "Minimum order"
    assert re.fullmatch(r"\{amount\}\W+\{currency\}", translations("catalogue", "fr").gettext("{currency} {amount}"))
    assert translations("bilum", "tpi").pgettext("payout_confirmed subject", "Paid {amount}") == "Pei {amount}"
    assert translations("bilum", "en").pgettext("payout_confirmed subject", "Paid {amount}") == "Paid {amount}"

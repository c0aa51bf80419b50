"""The pages in their readers' languages: rendered from Jinja2 templates whose texts are messages of the `bilum`
gettext domain, in the language the address or the browser asks for, with the locale data the page formats dates
and money with."""

import json
import re
from pathlib import Path

import pytest
from babel import Locale
from werkzeug.test import EnvironBuilder

from services.gateway import page_locale, page_rendering
from services.gateway.http import HttpError
from services.gateway.routes_pages import language_of
from shared.translations import translations

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ("producer", "buyer")
# English a page in another language must not show (each is a text of the page, not a name or a number).
ENGLISH = ("My money", "Waiting for my answer", "Accept", "Decline", "Report lot", "units", "Loading…", "Shipments")


def page_text(name: str, language: str) -> str:
    return page_rendering.page(name, language).decode()


def script_objects(text: str) -> dict:
    """The JSON objects the template wrote into the page's script (``var T = {...};``)."""
    return {
        name: json.loads(value)
        for name, value in re.findall(r"var (\w+) = (\{\".*?\}|\[\[.*?\]\]);\n", text, flags=re.S)
    }


def _translated(words, english):
    """A text as the page in another language must hold it: a message, or the two forms (one, other) of a count."""
    if isinstance(english, list):
        return [words.ngettext(*english, 1), words.ngettext(*english, 2)]
    return words.gettext(english)


@pytest.mark.parametrize("name", TRANSLATED)
@pytest.mark.parametrize("language", ["fr", "tpi"])
def test_every_text_of_a_page_is_in_its_language(name, language):
    text = page_text(name, language)
    words = translations("bilum", language)
    assert f'<html lang="{language}">' in text
    english_title = "Bilum — my quotas" if name == "producer" else "Bilum — my orders"
    assert re.search(r"<title>(.*)</title>", text).group(1) == words.gettext(english_title) != english_title
    texts = script_objects(text)["T"]
    english = script_objects(page_text(name, "en"))["T"]
    assert texts.keys() == english.keys()
    assert all(texts[key] == _translated(words, english[key]) for key in texts)
    assert sum(texts[key] != english[key] for key in texts) >= len(texts) - 3, "a page left in English"
    visible = re.sub(r"<script>.*?</script>|<style>.*?</style>|<[^>]+>", " ", text, flags=re.S)
    assert not [phrase for phrase in ENGLISH if re.search(rf"\b{re.escape(phrase)}\b", visible)]


def test_a_page_in_english_is_the_codes_own_text():
    text = page_text("producer", "en")
    assert '<html lang="en">' in text and "<title>Bilum — my quotas</title>" in text
    assert script_objects(text)["T"]["answer_by"] == "Answer by {deadline}"
    assert "<!--signin-->" not in text and 'id="signin"' in text, "the sign-in part is in place"


def test_the_language_switch_names_each_language_in_itself_and_marks_the_current_one():
    text = page_text("buyer", "tpi")
    nav = re.search(r'<nav class="languages" aria-label="([^"]+)">(.*?)</nav>', text, flags=re.S)
    assert nav.group(1) == translations("bilum", "tpi").gettext("Language") == "Tok"
    links = re.findall(
        r'<a href="\?language=(\w+)" lang="(\w+)" hreflang="\w+"( aria-current="true")?>([^<]+)</a>', nav.group(2)
    )
    assert [(code, name, bool(current)) for code, _, current, name in links] == [
        ("en", "English", False),
        ("fr", "Français", False),
        ("tpi", "Tok Pisin", True),
    ]


def test_a_page_is_rendered_once_per_language_and_kept_gzipped():
    assert page_rendering.page("producer", "fr") is page_rendering.page("producer", "fr")
    assert page_rendering.page("producer", "fr") != page_rendering.page("producer", "tpi")
    assert len(page_rendering.compressed("producer", "tpi")) < 10 * 1024, "too heavy for a weak connection"


# English the dashboard in another language must not show, and the lists of (key, text) pairs its script writes.
DASHBOARD_ENGLISH = (
    "Overview",
    "Fill rate",
    "On time in full",
    "The last twelve weeks",
    "Unit pipeline",
    "Recent orders",
    "Ledger",
    "Answer by",
    "Close",
    "Refreshes every",
    "Loading…",
)
DASHBOARD_PAIRS = ("PIPELINE", "AGES", "LATENESS", "QUOTAS", "SHIPMENTS")


def script_values(page: str) -> dict:
    """Every JSON value the template wrote into the page's own script (its last: ``var NAME = ...;``)."""
    decoder = json.JSONDecoder()
    text = re.findall(r"<script>(.*?)</script>", page, flags=re.S)[-1]
    return {
        name: decoder.raw_decode(text, start)[0]
        for name, start in ((m.group(1), m.end()) for m in re.finditer(r"\bvar (\w+) = (?=[\[{])", text))
        if _json_at(decoder, text, start)
    }


def _json_at(decoder, text: str, start: int) -> bool:
    try:
        decoder.raw_decode(text, start)
    except ValueError:
        return False
    return True


def _english_of(value, language: str):
    """What ``value`` (the English page's) says in ``language``, word for word from the catalogue."""
    if isinstance(value, str):
        return translations("bilum", language).gettext(value)
    if isinstance(value, list):
        return [_english_of(item, language) for item in value]
    return {key: _english_of(item, language) for key, item in value.items()}


@pytest.mark.parametrize("language", ["fr", "tpi"])
def test_every_text_of_the_dashboard_is_in_its_language(language):
    text = page_text("dashboard", language)
    english = script_values(page_text("dashboard", "en"))
    texts = script_values(text)
    assert f'<html lang="{language}">' in text and "Bilum — fulfilment dashboard" not in text
    assert {"T", "PIPELINE", "TRENDS", "QUOTAS", "ORDER_STATUSES", "LOT_STATUSES"} <= texts.keys() == english.keys()
    for name in DASHBOARD_PAIRS:
        assert [key for key, _ in texts[name]] == [key for key, _ in english[name]], f"{name}: the keys are the code's"
    said = [value for value in _strings(texts) if not re.fullmatch(r"[\W\d_]*|[a-z0-9_-]+|SMS|webhook|\{\w+\}", value)]
    english_said = set(_strings(english))
    left = [value for value in said if value in english_said and value != _english_of(value, language)]
    assert not left, f"{language}: texts left in English: {left}"
    assert sum(value in english_said for value in said) <= 3, "the dashboard's script left in English"
    visible = re.sub(r"<script>.*?</script>|<style>.*?</style>|<[^>]+>", " ", text, flags=re.S)
    assert not [phrase for phrase in DASHBOARD_ENGLISH if re.search(rf"\b{re.escape(phrase)}\b", visible)]


def _strings(value) -> list:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (dict, list)):
        return [text for item in (value.values() if isinstance(value, dict) else value) for text in _strings(item)]
    return []


def test_the_dashboards_counts_carry_their_forms_for_one_and_for_more():
    english, french = (script_values(page_text("dashboard", language)) for language in ("en", "fr"))
    assert english["T"]["regions"] == ["{count} region", "{count} regions"]
    assert french["T"]["regions"] == ["{count} région", "{count} régions"]
    assert [spec["forms"] for spec in french["TRENDS"] if spec["key"] == "days_to_accept"] == [
        ["{count} jour", "{count} jours"]
    ]
    assert script_values(page_text("dashboard", "tpi"))["T"]["regions"] == ["{count} provins"] * 2


def test_the_dashboard_is_lean_in_every_language():
    """Bigger than a producer's page (every figure of a co-operative, with its charts), yet a few seconds on 3G."""
    for language in page_locale.LANGUAGES:
        assert len(page_rendering.compressed("dashboard", language)) < 22 * 1024, language


def _request(query: str = "", accept_language: str | None = None):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    return EnvironBuilder(path="/producer", query_string=query, headers=headers).get_request()


def test_the_language_asked_for_wins_then_the_browsers_then_english():
    assert language_of(_request("language=tpi", "fr-FR,fr;q=0.9")) == "tpi"
    assert language_of(_request("", "de-DE,fr-FR;q=0.8,en;q=0.5")) == "fr"
    assert language_of(_request("", "de-DE")) == "en"
    assert language_of(_request()) == "en"
    with pytest.raises(HttpError) as refused:
        language_of(_request("language=de"))
    assert (refused.value.status, refused.value.fields) == (400, {"language": ["one of en, fr, tpi"]})


@pytest.mark.parametrize(
    "languages, expected",
    [(["tpi", "en"], "tpi"), (["ho", "fr-FR"], "fr"), (["de"], "en"), ([], "en"), (None, "en"), (["TPI"], "tpi")],
)
def test_a_reader_gets_the_first_of_her_languages_the_pages_are_written_in(languages, expected):
    assert page_locale.first_written(languages) == expected


def test_a_profile_without_a_zone_reads_utc_and_names_it_in_the_page_language():
    assert page_locale.profile(["tpi"], None, "fr") == {
        "language": "tpi",
        "languages": [
            {"code": "en", "name": "English"},
            {"code": "fr", "name": "Français"},
            {"code": "tpi", "name": "Tok Pisin"},
        ],
        "time_zone": "UTC",
        "zone_name": "UTC",
    }
    assert page_locale.profile(["tpi"], "Pacific/Port_Moresby", None)["zone_name"] == "PNG taim"


@pytest.mark.parametrize("language", page_locale.LANGUAGES)
def test_the_locale_data_is_babels_and_uses_only_what_the_pages_formatter_knows(language):
    data = page_locale.locale_data(language)
    locale = Locale.parse(language)
    assert data["months"] == [locale.months["format"]["wide"][month] for month in range(1, 13)]
    assert data["weekdays"][0] == locale.days["format"]["wide"][0] and len(data["weekdays"]) == 7, "Monday first"
    for key in ("date", "weekday_date", "time"):
        fields = set(re.sub(r"'[^']*'", "", data[key])) - set(" ,.:-/\u202f\u00a0")
        assert fields <= set("yMdEhHma"), f"{language} {key}: {data[key]}"
    assert "EEEE" in data["weekday_date"] and "{0}" in data["date_time"] and "{1}" in data["date_time"]


def test_tok_pisin_dates_are_written_with_tok_pisin_words():
    data = page_locale.locale_data("tpi")
    assert (data["months"][11], data["weekdays"][4]) == ("Desemba", "Fraide")
    assert data["weekday_date"].startswith("EEEE"), "the weekday in full: Fraide, not Fra"
    assert (data["decimal"], data["group"], data["currency_first"]) == (".", ",", False)
    french = page_locale.locale_data("fr")
    assert (french["decimal"], french["group"], french["time"]) == (",", "\u202f", "HH:mm")


@pytest.mark.parametrize("language, pattern", [("en", "{0}%"), ("fr", "{0}\u00a0%"), ("tpi", "{0}%")])
def test_a_percentage_is_written_the_languages_way(language, pattern):
    assert page_locale.locale_data(language)["percent"] == pattern

"""A catalogue in the buyer's language on SQLite: texts given per language and field, English where one is missing
(and nothing saying so), the producers' stories of the regions that make the theme, whom to contact."""

import base64
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from services.catalogue import offerings, themes
from services.catalogue.store import offerings as offering_table
from services.catalogue.store import producer_groups
from shared.errors import InvalidInput
from tests.usecases.test_catalogue import OFFERING, catalogue  # noqa: F401  (the fixture)

TRANSLATED = {
    "name": "Highlands bilum bag",
    "description": "Looped by hand in the Highlands.",
    "attributes": {"story": "Sales pay school fees.", "materials": "wool and acrylic yarn"},
    "translations": {
        "fr": {"name": "Sac bilum des Hautes-Terres"},
        "ja": {
            "name": "ハイランド・ビルム・バッグ",
            "description": "高地で一つずつ手編みされたバッグです。",
            "materials": "ウールとアクリル糸",
        },
    },
}
THEME = {
    "name": "tokyo-2027",
    "organisation_id": "org",
    "title": "Bilum bags for Tokyo",
    "description": "Hand-looped bags from Papua New Guinea.",
    "how_to_order": "Write to us with the quantities you need.",
    "contact": {"name": "Highlands Co-operative", "email": "orders@example.org", "phone": "+675 7000 1234"},
    "translations": {"ja": {"title": "東京向けビルム・バッグ", "how_to_order": "数量をご連絡ください。"}},
}


def page(db, language: str, name: str = "tokyo-2027") -> str:
    document = db(themes.export_theme, name, {"format": "html", "language": language})
    return base64.b64decode(document["data"]).decode()


def group(db, **values):
    row = {
        "group_id": values.get("name", "group"),
        "organisation_id": "org",
        "name": "Goroka weavers",
        "region": "Eastern Highlands",
        "story": "We loop bilums together on market days.",
        "translations": {"ja": {"story": "市場の日に一緒にビルムを編みます。"}},
        "updated_at": datetime.now(timezone.utc),
        **values,
    }
    with db.database.transaction() as uow:
        uow.session.execute(producer_groups.insert().values(**row))


def test_each_field_is_in_the_buyers_language_or_english_and_nothing_says_which(catalogue):  # noqa: F811
    db, offering_id, _ = catalogue
    shown = db(offerings.publish_offering, {**OFFERING, "sku": "BAG-T", **TRANSLATED})
    assert db(offerings.get_offering, shown["id"])["translations"] == TRANSLATED["translations"]
    db(themes.save_theme, THEME)

    japanese = page(db, "ja")
    assert '<html lang="ja">' in japanese and "<title>東京向けビルム・バッグ</title>" in japanese
    assert "ハイランド・ビルム・バッグ" in japanese and "高地で一つずつ手編みされたバッグです。" in japanese
    assert "Sales pay school fees." in japanese, "no Japanese story given: the English one"
    assert "<dt>素材</dt><dd>ウールとアクリル糸</dd>" in japanese
    assert "Hand-looped bags from Papua New Guinea." in japanese and "数量をご連絡ください。" in japanese
    french = page(db, "fr")
    assert "Sac bilum des Hautes-Terres" in french and "Looped by hand in the Highlands." in french
    assert "Bilum bags for Tokyo" in french and "Comment commander" in french
    for text in (japanese, french):
        assert "English" not in text and "translat" not in text.lower()
    assert "Highlands bilum bag" in page(db, "en") and "ハイランド" not in page(db, "en")
    saved = db(themes.get_theme, "tokyo-2027")
    assert saved["contact"]["email"] == "orders@example.org" and saved["translations"] == THEME["translations"]


def test_the_stories_are_those_of_the_regions_that_make_the_theme(catalogue):  # noqa: F811
    db, _, _ = catalogue
    db(themes.save_theme, THEME)
    group(db, name="Goroka weavers")
    group(db, name="Coastal carvers", region="Madang", story="Not making these.")
    group(db, name="Other co-operative", organisation_id="org-2")
    english, japanese = page(db, "en"), page(db, "ja")
    assert "Goroka weavers" in english and "1 producer" in english
    assert "We loop bilums together on market days." in english
    assert "Coastal carvers" not in english and "Other co-operative" not in english
    assert "市場の日に一緒にビルムを編みます。" in japanese and "生産者 1 名" in japanese


def _offering_count(db) -> int:
    with db.database.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(offering_table)).scalar_one()


@pytest.mark.parametrize(
    "query, field",
    [
        ({"format": "html", "language": "de"}, "language"),
        ({"format": "pdf", "layout": "poster"}, "layout"),
        ({"format": "pdf", "paper": "a3"}, "paper"),
        ({"format": "docx"}, "format"),
    ],
)
def test_an_unknown_language_layout_or_paper_is_refused_naming_it(catalogue, query, field):  # noqa: F811
    db, _, _ = catalogue
    db(themes.save_theme, THEME)
    with pytest.raises(InvalidInput) as refused:
        db(themes.export_theme, "tokyo-2027", query)
    assert field in refused.value.fields


@pytest.mark.parametrize(
    "translations", [{"de": {"name": "Tasche"}}, {"en": {"name": "Bag"}}, {"fr": {"nom": "Sac"}}, {"ja": {"name": ""}}]
)
def test_a_text_in_an_unknown_language_or_field_is_refused_and_nothing_is_written(catalogue, translations):  # noqa: F811
    db, _, _ = catalogue
    before = _offering_count(db)
    with pytest.raises(InvalidInput) as refused:
        db(offerings.publish_offering, {**OFFERING, "sku": "BAG-X", "translations": translations})
    assert "translations" in refused.value.fields
    assert _offering_count(db) == before

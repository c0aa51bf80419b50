"""An offering's export data on SQLite: HS code, country of origin and each market's requirements are checked,
kept, shown, published in ``offering.published`` and printed in the themed catalogues."""

import base64
import csv
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from services.catalogue import offerings, themes
from services.catalogue.store import offerings as offering_table
from shared.errors import InvalidInput
from shared.events import parse
from tests.usecases.test_catalogue import OFFERING

AU = {
    "market": "AU",
    "packaging": "20 bags to a new carton; no straw or used sacks as packing",
    "labelling": "Made in Papua New Guinea; fibre content",
    "certifications": ["DAFF packing declaration"],
}
JP = {
    "market": "JP",
    "packaging": "Each bag in a polybag",
    "labelling": "Japanese label with the importer's name",
    "certifications": [],
}
EXPORTED = {**OFFERING, "hs_code": "420222", "origin_country": "PG", "markets": [AU, JP]}


@pytest.fixture
def db(service_db):
    return service_db("catalogue")


def _offering_count(db) -> int:
    with db.database.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(offering_table)).scalar_one()


def test_an_offering_keeps_shows_and_publishes_its_export_data(db):
    shown = db(offerings.publish_offering, EXPORTED)
    assert (shown["hs_code"], shown["origin_country"]) == ("420222", "PG")
    assert shown["markets"] == [AU, JP]
    assert db(offerings.get_offering, shown["id"])["markets"] == [AU, JP]
    [published] = db.emitted("offering.published")
    event = parse(published)
    assert event.payload["hs_code"] == "420222" and event.payload["origin_country"] == "PG"
    assert event.payload["markets"] == [AU, JP]


def test_an_offering_without_export_data_still_publishes_with_none(db):
    shown = db(offerings.publish_offering, OFFERING)
    assert (shown["hs_code"], shown["origin_country"], shown["markets"]) == (None, None, [])
    payload = parse(db.emitted("offering.published")[0]).payload
    assert (payload["hs_code"], payload["origin_country"], payload["markets"]) == (None, None, [])


@pytest.mark.parametrize(
    "change, field",
    [
        ({"hs_code": "4202.22"}, "hs_code"),
        ({"hs_code": "42022"}, "hs_code"),
        ({"hs_code": "42022212345"}, "hs_code"),
        ({"hs_code": 420222}, "hs_code"),
        ({"origin_country": "pg"}, "origin_country"),
        ({"origin_country": "PNG"}, "origin_country"),
        ({"markets": [AU, {**JP, "market": "AU"}]}, "markets"),
        ({"markets": [{**AU, "market": "Australia"}]}, "markets"),
        ({"markets": [{**AU, "packaging": ""}]}, "markets"),
        ({"markets": [{**AU, "labelling": "x" * 501}]}, "markets"),
        ({"markets": [{**AU, "certifications": ["y" * 101]}]}, "markets"),
        ({"markets": [{**AU, "certifications": [f"certificate {n}" for n in range(11)]}]}, "markets"),
        ({"markets": [{**AU, "incoterm": "FOB"}]}, "markets"),
        ({"markets": [{key: value for key, value in AU.items() if key != "labelling"}]}, "markets"),
    ],
)
def test_bad_export_data_is_refused_naming_the_field_and_nothing_is_written(db, change, field):
    with pytest.raises(InvalidInput) as refused:
        db(offerings.publish_offering, {**EXPORTED, **change})
    assert field in refused.value.fields
    assert _offering_count(db) == 0
    assert db.emitted() == []


def _export(db, export_format: str) -> bytes:
    document = db(themes.export_theme, "pacific", {"format": export_format})
    return base64.b64decode(document["data"])


def test_the_themed_catalogue_prints_hs_code_origin_and_each_market_in_every_format(db):
    db(offerings.publish_offering, EXPORTED)
    db(offerings.publish_offering, {**OFFERING, "sku": "PLAIN", "name": "Plain bag"})
    db(themes.save_theme, {"name": "pacific", "organisation_id": "org", "title": "Pacific bags"})

    page = _export(db, "html").decode()
    assert "<dt>HS code</dt><dd>420222</dd>" in page and "<dt>Country of origin</dt><dd>PG</dd>" in page
    assert '<dd data-market="AU"><p>Packaging: 20 bags to a new carton' in page
    assert "<p>Labelling: Japanese label with the importer&#x27;s name</p>" in page
    assert "Certificates: DAFF packing declaration" in page
    assert page.count('class="markets"') == 1, "an offering naming no market shows no requirements"

    text = "".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(_export(db, "pdf"))).pages)
    assert "HS code 420222" in text and "Country of origin PG" in text
    assert "AU: Packaging: 20 bags to a new carton" in " ".join(text.split())

    rows = {row["sku"]: row for row in csv.DictReader(io.StringIO(_export(db, "csv").decode()))}
    assert (rows["BAG"]["hs_code"], rows["BAG"]["origin_country"]) == ("420222", "PG")
    assert rows["BAG"]["market_requirements"] == (
        "AU: Packaging: 20 bags to a new carton; no straw or used sacks as packing; "
        "Labelling: Made in Papua New Guinea; fibre content; Certificates: DAFF packing declaration | "
        "JP: Packaging: Each bag in a polybag; Labelling: Japanese label with the importer's name"
    )
    assert (rows["PLAIN"]["hs_code"], rows["PLAIN"]["market_requirements"]) == ("", "")

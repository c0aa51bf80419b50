from zoneinfo import ZoneInfo

import pytest
from babel.core import get_global

from bilum.demo_data import PRODUCERS
from shared.zones import REGIONAL_ZONES, zone_label, zone_of


@pytest.mark.parametrize(
    "country, region, zone",
    [
        ("PG", "Eastern Highlands", "Pacific/Port_Moresby"),
        ("PG", "National Capital District", "Pacific/Port_Moresby"),
        ("PG", "Autonomous Region of Bougainville", "Pacific/Bougainville"),
        ("pg", "  bougainville ", "Pacific/Bougainville"),
        ("PG", "Bougainville (AROB)", "Pacific/Bougainville"),
        ("PG", "North Solomons Province", "Pacific/Bougainville"),
        ("PG", None, "Pacific/Port_Moresby"),
        ("JP", "Kanagawa", "Asia/Tokyo"),
        ("FR", None, "Europe/Paris"),
        ("SB", "Guadalcanal", "Pacific/Guadalcanal"),
    ],
)
def test_the_zone_of_a_region(country, region, zone):
    assert zone_of(country, region) == zone


@pytest.mark.parametrize("country, region", [("AU", "Queensland"), ("XX", "Nowhere"), (None, None), ("", "Enga")])
def test_a_zone_that_cannot_be_told_is_none_not_a_guess(country, region):
    """Australia spans several zones and its states are not listed: no zone rather than one hours off."""
    assert zone_of(country, region) is None


def test_a_word_inside_another_does_not_count():
    assert zone_of("PG", "Arobe Plantation, Morobe") == "Pacific/Port_Moresby"


def test_every_listed_zone_is_one_of_its_countrys_in_cldr():
    territory_zones = get_global("territory_zones")
    for country, (regions, rest) in REGIONAL_ZONES.items():
        for zone in (*regions.values(), rest):
            assert zone in territory_zones[country]
            ZoneInfo(zone)


def test_every_demo_producer_has_a_zone():
    assert {zone_of(producer["country"], producer["region"]) for producer in PRODUCERS} == {"Pacific/Port_Moresby"}


@pytest.mark.parametrize(
    "zone, language, expected",
    [
        ("Pacific/Port_Moresby", "tpi", "PNG taim"),
        ("Pacific/Port_Moresby", "fr", "heure de PNG"),
        ("Pacific/Bougainville", "en", "Bougainville time"),
        ("Europe/London", "fr", "heure de Londres"),
        ("UTC", "tpi", "UTC"),
        ("Etc/UTC", "en", "UTC"),
    ],
)
def test_a_zone_is_named_in_words_the_reader_understands(zone, language, expected):
    assert zone_label(zone, language) == expected

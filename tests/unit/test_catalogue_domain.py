from decimal import Decimal

from services.catalogue import domain
from services.catalogue.domain import contact_problems, pricing_problems


def test_the_producer_is_paid_less_than_the_buyer_pays():
    assert pricing_problems(Decimal("38.50"), Decimal("21.00")) == {}
    assert "producer_price" in pricing_problems(Decimal("20.00"), Decimal("20.00"))


def test_a_producer_must_be_reachable():
    assert contact_problems("+67570000101", None) == {}
    assert contact_problems(None, "weaver@example.org") == {}
    assert "mobile" in contact_problems(None, None)


def test_who_can_make_says_whether_everyone_able_covers_the_quantity_beyond_those_listed():
    answer = domain.who_can_make(100, [("c", 50), ("a", 30)], total=115, able=4)
    assert answer["producers"] == [{"producer_id": "c", "available": 50}, {"producer_id": "a", "available": 30}]
    assert (answer["total_available"], answer["producer_count"], answer["can_fulfil"], answer["shortfall"]) == (
        115,
        4,
        True,
        0,
    )
    short = domain.who_can_make(200, [("a", 10)], total=10, able=1)
    assert (short["can_fulfil"], short["shortfall"]) == (False, 190)


def test_access_follows_remoteness():
    assert domain.access_problems("seasonal_road", [1, 2], []) == {}
    assert set(domain.access_problems("seasonal_road", [], [])) == {"closed_months"}
    assert set(domain.access_problems("air_or_boat", [], [])) == {"service_weekdays"}
    assert set(domain.access_problems("all_season_road", [3], [2])) == {"closed_months", "service_weekdays"}


def test_what_producers_are_paid_is_shown_to_their_organisations_staff_and_admins_only():
    assert domain.shows_producer_price("kumul", "kumul")
    assert domain.shows_producer_price(domain.EVERY_ORGANISATION, "kumul")
    assert not domain.shows_producer_price("coastal", "kumul")
    assert not domain.shows_producer_price(None, "kumul")


def test_a_fair_trade_premium_stays_within_the_buyers_price_with_the_producers():
    assert pricing_problems(Decimal("9.80"), Decimal("4.20"), Decimal("0.20")) == {}
    assert "fair_trade_premium" in pricing_problems(Decimal("9.80"), Decimal("4.20"), Decimal("5.60"))

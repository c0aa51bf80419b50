from decimal import Decimal

from services.catalogue.domain import contact_problems, pricing_problems


def test_the_producer_is_paid_less_than_the_buyer_pays():
    assert pricing_problems(Decimal("38.50"), Decimal("21.00")) == {}
    assert "producer_price" in pricing_problems(Decimal("20.00"), Decimal("20.00"))


def test_a_producer_must_be_reachable():
    assert contact_problems("+67570000101", None) == {}
    assert contact_problems(None, "weaver@example.org") == {}
    assert "mobile" in contact_problems(None, None)

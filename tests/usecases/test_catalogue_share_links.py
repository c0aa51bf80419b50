"""A catalogue's public link on SQLite: made with a token answered once and kept hashed, opened without an account
(page, pictures, PDFs) until it is revoked or expires, and the quote requests it brings: refused whole when they
cannot be answered or ask for nothing, otherwise kept and told to the organisation (``quote.requested``), which
notification turns into a message to its desk."""

import base64
import hashlib
import io
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError
from PIL import Image as PillowImage
from sqlalchemy import func, select

from services.catalogue import offerings, producer_groups, quote_requests, share_links, themes
from services.catalogue.share_schemas import NO_WAY_TO_ANSWER, NOTHING_ASKED, QuoteRequestInput
from services.catalogue.store import quote_requests as quote_request_table
from services.catalogue.store import share_links as share_link_table
from services.notification import contacts, quote_notices
from services.notification.store import deliveries
from shared.errors import Gone, InvalidInput, NotFound
from shared.events import parse
from tests.usecases.test_catalogue import OFFERING, PRODUCER, catalogue  # noqa: F401  (the fixture)

NAME = "tokyo-2027"
PRODUCER_PRICE = "21.37"
THEME = {
    "name": NAME,
    "organisation_id": "org",
    "title": "Bilum bags for Tokyo",
    "selection": {},
    "contact": {"name": "Highlands Co-operative", "email": "orders@highlands.example.org"},
}
QUOTE = {
    "name": "Aiko Tanaka",
    "company": "Kiriko Trading",
    "email": "aiko@kiriko.example.jp",
    "phone": "+81 3-1234 5678",
    "country": "jp",
    "items": [{"sku": "BAG-SHARE", "quantity": 120}, {"sku": "BAG", "quantity": 0}],
    "message": "Could they reach Yokohama by March?",
}


def _png(width: int = 900, height: int = 600) -> str:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (width, height), (138, 90, 43)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def shared(catalogue):  # noqa: F811
    """Two offerings of the organisation's in the theme (one with a picture), one of another organisation's; a link in
    French for 30 days."""
    db, *_ = catalogue
    picture = {"content_type": "image/png", "data": _png()}
    db(
        offerings.publish_offering,
        {**OFFERING, "sku": "BAG-SHARE", "unit_price": "38.50", "producer_price": PRODUCER_PRICE, "images": [picture]},
    )
    db(offerings.publish_offering, {**OFFERING, "organisation_id": "elsewhere", "sku": "OTHER-1"})
    db(themes.save_theme, THEME)
    link = db(share_links.create_share_link, NAME, {"language": "fr", "expires_in_days": 30}, "agg-ana")
    return db, link


def _links(db) -> list[dict]:
    return db(share_links.list_share_links, NAME)["items"]


def _stored_requests(db) -> int:
    with db.database.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(quote_request_table)).scalar_one()


def test_a_link_answers_its_token_once_and_keeps_only_its_hash(shared):
    db, link = shared
    token = link["token"]
    assert link["path"] == f"/c/{token}" and len(token) >= 43
    with db.database.engine.connect() as connection:
        [row] = connection.execute(select(share_link_table)).all()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(tuple(row)), "the token itself is stored nowhere"
    [listed] = _links(db)
    assert "token" not in listed and "path" not in listed
    assert (listed["id"], listed["language"], listed["status"], listed["opens"], listed["quote_requests"]) == (
        link["id"],
        "fr",
        "active",
        0,
        0,
    )
    lasts = datetime.fromisoformat(listed["expires_at"]) - datetime.fromisoformat(listed["created_at"])
    assert lasts == timedelta(days=30) and listed["created_by"] == "agg-ana" and listed["last_opened_at"] is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"language": "de"}, "language"),
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 366}, "expires_in_days"),
        ({"expires_in_days": "90"}, "expires_in_days"),
        ({"token": "mine"}, "token"),
    ],
)
def test_a_link_with_a_language_or_expiry_it_cannot_have_is_refused_and_nothing_is_kept(shared, body, field):
    db, _ = shared
    with pytest.raises(InvalidInput) as refused:
        db(share_links.create_share_link, NAME, body, "agg-ana")
    assert set(refused.value.fields) == {field}
    with pytest.raises(NotFound):
        db(share_links.create_share_link, "no-such-catalogue", {}, "agg-ana")
    assert len(_links(db)) == 1


def test_the_page_shows_the_catalogue_in_the_links_language_with_no_producer_price_and_counts_opens(shared):
    db, link = shared
    token = link["token"]
    page = db(share_links.shared_page, token, {})["html"]
    assert '<html lang="fr">' in page
    assert PRODUCER_PRICE not in page and PRODUCER_PRICE.replace(".", ",") not in page
    assert PRODUCER["mobile"] not in page and "38,50" in page, "the selling price, as French writes it"
    assert f'src="/c/{token}/images/BAG-SHARE/0?size=small"' in page
    assert f"/c/{token}/images/BAG-SHARE/0?size=web 640w" in page
    assert f'action="/c/{token}/quote"' in page and 'name="quantity-BAG-SHARE"' in page
    assert "OTHER-1" not in page, "another organisation's offering"
    switch = page.index('<nav class="languages"')
    assert switch < page.index("<main>") and f'href="/c/{token}?language=ja"' in page[switch:]
    assert 'hreflang="fr" aria-current="page"' in page

    japanese = db(share_links.shared_page, token, {"language": "ja"})["html"]
    assert '<html lang="ja">' in japanese and 'hreflang="ja" aria-current="page"' in japanese
    [listed] = _links(db)
    assert listed["opens"] == 2 and listed["last_opened_at"] is not None
    with pytest.raises(InvalidInput):
        db(share_links.shared_page, token, {"language": "de"})
    assert _links(db)[0]["opens"] == 2, "a refused opening is not counted"


def test_pictures_and_pdfs_of_the_catalogue_only_through_the_link(shared):
    db, link = shared
    token = link["token"]
    small = db(share_links.shared_image, token, "BAG-SHARE", 0, "small")
    with PillowImage.open(io.BytesIO(base64.b64decode(small["data"]))) as picture:
        assert small["content_type"] == "image/png" and max(picture.size) <= 320
    with pytest.raises(NotFound):
        db(share_links.shared_image, token, "OTHER-1", 0, "small")
    with pytest.raises(NotFound):
        db(share_links.shared_image, token, "BAG-SHARE", 1, "web")
    with pytest.raises(InvalidInput):
        db(share_links.shared_image, token, "BAG-SHARE", 0, "huge")

    document = db(share_links.shared_pdf, token, {"layout": "flyer"})
    assert base64.b64decode(document["data"]).startswith(b"%PDF")
    assert (document["content_type"], document["filename"]) == ("application/pdf", f"{NAME}-flyer-fr.pdf")
    for query in ({"layout": "poster"}, {"language": "de"}, {"paper": "a3"}, {"colour": "red"}):
        with pytest.raises(InvalidInput):
            db(share_links.shared_pdf, token, query)


def test_a_revoked_or_expired_link_is_gone_and_an_unknown_token_is_not_found(shared, monkeypatch):
    db, link = shared
    token, later = link["token"], datetime.now(timezone.utc) + timedelta(days=31)
    with monkeypatch.context() as clock:
        clock.setattr(share_links, "_now", lambda: later)
        with pytest.raises(Gone, match="a expiré"):
            db(share_links.shared_page, token, {})
        assert _links(db)[0]["status"] == "expired"

    revoked = db(share_links.revoke_share_link, NAME, link["id"])
    assert revoked["status"] == "revoked" and revoked["revoked_at"]
    assert db(share_links.revoke_share_link, NAME, link["id"])["revoked_at"] == revoked["revoked_at"]
    for use in (
        lambda: db(share_links.shared_page, token, {}),
        lambda: db(share_links.shared_pdf, token, {}),
        lambda: db(share_links.shared_image, token, "BAG-SHARE", 0, "small"),
        lambda: db(quote_requests.request_quote, token, QUOTE),
    ):
        with pytest.raises(Gone, match="n’est plus valable"):
            use()
    assert _stored_requests(db) == 0 and db.emitted("quote.requested") == []
    for unknown in ("x" * 43, "x" * 5000, token[:-1]):
        with pytest.raises(NotFound):
            db(share_links.shared_page, unknown, {})
    with pytest.raises(NotFound):
        db(share_links.revoke_share_link, "another-catalogue", link["id"])
    with pytest.raises(NotFound):
        db(share_links.revoke_share_link, NAME, "lnk_unknown")


def test_a_quote_request_is_kept_and_told_to_the_organisation_with_its_id_as_correlation(shared):
    db, link = shared
    sent = db(quote_requests.request_quote, link["token"], QUOTE)
    assert sent["items"] == [{"sku": "BAG-SHARE", "name": "Bilum bag", "quantity": 120}], "nothing asked of BAG"
    assert (sent["phone"], sent["country"], sent["language"], sent["organisation_id"]) == (
        "+81312345678",
        "JP",
        "fr",
        "org",
    )
    [event] = db.emitted("quote.requested")
    assert event["correlation_id"] == sent["id"] == event["payload"]["request_id"]
    payload = event["payload"]
    assert (payload["catalogue"], payload["title"], payload["email"]) == (NAME, THEME["title"], QUOTE["email"])
    assert payload["items"] == sent["items"] and payload["message"] == QUOTE["message"]

    second = db(quote_requests.request_quote, link["token"], {**QUOTE, "email": None, "language": "ja"})
    listed = db(quote_requests.list_quote_requests, {"organisation_id": "org"})
    assert [item["id"] for item in listed["items"]] == [second["id"], sent["id"]] and listed["total"] == 2
    assert second["language"] == "ja" and second["email"] is None
    assert db(quote_requests.list_quote_requests, {"organisation_id": "elsewhere"})["items"] == []
    assert _links(db)[0]["quote_requests"] == 2


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"email": "", "phone": None}, "email", NO_WAY_TO_ANSWER),
        ({"email": None, "phone": "  "}, "email", NO_WAY_TO_ANSWER),
        ({"items": [{"sku": "BAG-SHARE", "quantity": 0}]}, "items", NOTHING_ASKED),
        ({"items": []}, "items", NOTHING_ASKED),
        ({"items": [{"sku": "OTHER-1", "quantity": 5}]}, "items", "OTHER-1 is not in the catalogue tokyo-2027"),
        ({"items": [{"sku": "BAG", "quantity": 1}, {"sku": "BAG", "quantity": 2}]}, "items", "BAG is given twice"),
        ({"items": [{"sku": "BAG", "quantity": -1}]}, "items", None),
        ({"phone": "03 1234 5678"}, "phone", None),
        ({"country": "XX"}, "country", None),
        ({"email": "aiko@"}, "email", None),
        ({"message": "x" * 2001}, "message", None),
        ({"name": ""}, "name", None),
        ({"company": None}, "company", None),
        ({"language": "de"}, "language", None),
        ({"price": "1.00"}, "price", None),
    ],
)
def test_a_quote_request_that_cannot_be_answered_or_asks_for_nothing_is_refused_whole(shared, change, field, message):
    db, link = shared
    with pytest.raises(InvalidInput) as refused:
        db(quote_requests.request_quote, link["token"], {**QUOTE, **change})
    assert field in refused.value.fields
    if message:
        assert message in refused.value.fields[field]
    assert _stored_requests(db) == 0 and db.emitted("quote.requested") == []


@given(
    email=st.sampled_from([None, "", "   ", "aiko@kiriko.example.jp"]),
    phone=st.sampled_from([None, "", " ", "+81312345678", "+81 3 1234 5678"]),
)
def test_a_request_is_answerable_exactly_when_it_gives_an_email_address_or_a_phone_number(email, phone):
    body = {
        "name": "Aiko",
        "company": "Kiriko",
        "items": [{"sku": "BAG", "quantity": 1}],
        "email": email,
        "phone": phone,
    }
    answerable = bool((email or "").strip() or (phone or "").strip())
    try:
        loaded = QuoteRequestInput().load(body)
    except ValidationError as error:
        assert not answerable and error.messages == {"email": [NO_WAY_TO_ANSWER]}
    else:
        assert answerable and (loaded["email"] or loaded["phone"])


def test_the_form_is_answered_with_what_to_fix_in_the_readers_language_or_with_thanks(shared):
    db, link = shared
    token = link["token"]
    form = {"name": "Aiko Tanaka", "company": "Kiriko", "email": "", "phone": "", "language": "ja"}
    fix = db(quote_requests.answer_quote_form, token, {**form, "quantity-BAG-SHARE": "", "quantity-BAG": ""})
    page = fix["html"]
    assert fix["status"] == 422 and '<html lang="ja">' in page and 'role="alert"' in page
    assert "メールアドレスまたは電話番号をご記入ください" in page and "ご希望の数量をご記入ください" in page
    assert 'value="Aiko Tanaka"' in page and 'name="email" value="" aria-invalid="true"' in page
    assert _stored_requests(db) == 0

    thanks = db(
        quote_requests.answer_quote_form, token, {**form, "email": "aiko@kiriko.example.jp", "quantity-BAG-SHARE": "40"}
    )
    assert thanks["status"] == 201 and '<html lang="ja">' in thanks["html"]
    assert "Highlands Co-operative" in thanks["html"] and "aiko@kiriko.example.jp" in thanks["html"]
    assert f'href="/c/{token}?language=ja"' in thanks["html"]
    [stored] = db(quote_requests.list_quote_requests, {})["items"]
    assert (stored["language"], stored["items"][0]["quantity"]) == ("ja", 40)


def test_the_organisations_desk_is_told_who_asks_how_to_answer_what_and_their_message(shared, service_db):
    db, link = shared
    db(quote_requests.request_quote, link["token"], QUOTE)
    [message] = db.emitted("quote.requested")
    event = parse(message)
    notification = service_db("notification")
    notification(
        contacts.set_contact, "org", {"name": "Highlands desk", "email": "desk@example.org", "languages": ["fr"]}
    )
    [notification_id] = notification.handle("notification.on_quote_requested", event, quote_notices.quote_requested)
    with notification.database.engine.connect() as connection:
        row = connection.execute(select(deliveries).where(deliveries.c.notification_id == notification_id)).one()
    assert (row.recipient_id, row.template, row.language, row.correlation_id) == (
        "org",
        "aggregator_quote_requested",
        "fr",
        event.payload["request_id"],
    )
    for text in ("Aiko Tanaka", "Kiriko Trading, JP", "aiko@kiriko.example.jp / +81312345678", QUOTE["message"]):
        assert text in row.body
    assert "120 x Bilum bag (BAG-SHARE)" in row.body and "Kiriko Trading" in row.subject

    elsewhere = parse({**message, "event_id": "6f1c0a52-3c1e-4b55-9d0b-5d7c8a1e2f30"})
    elsewhere.payload["organisation_id"] = "no-contact-org"
    assert notification.handle("notification.on_quote_requested", elsewhere, quote_notices.quote_requested) == []


def test_a_group_picture_is_served_through_the_link_only_for_the_groups_the_catalogue_tells_of(shared):
    db, link = shared
    picture = {"content_type": "image/png", "data": _png(1200, 800)}
    told = db(
        producer_groups.save_group,
        {"organisation_id": "org", "name": "Goroka weavers", "region": PRODUCER["region"], "story": "We loop bilums."},
    )
    db(producer_groups.set_group_picture, told["id"], picture)
    elsewhere = db(
        producer_groups.save_group,
        {"organisation_id": "org", "name": "Coastal carvers", "region": "Madang", "story": "We carve bowls."},
    )
    page = db(share_links.shared_page, link["token"], {})["html"]
    assert f'src="/c/{link["token"]}/groups/{told["id"]}/picture?size=small"' in page and "data:image" not in page
    small = db(share_links.shared_group_picture, link["token"], told["id"], "small")
    assert PillowImage.open(io.BytesIO(base64.b64decode(small["data"]))).size == (320, 213)
    with pytest.raises(NotFound):
        db(share_links.shared_group_picture, link["token"], elsewhere["id"], "small")


def test_a_reader_saving_data_gets_only_the_small_pictures(shared):
    db, link = shared
    page = db(share_links.shared_page, link["token"], {}, save_data=True)["html"]
    assert f'<img src="/c/{link["token"]}/images/BAG-SHARE/0?size=small" alt=' in page
    assert "srcset" not in page and "size=web" not in page
    assert "srcset" in db(share_links.shared_page, link["token"], {})["html"]

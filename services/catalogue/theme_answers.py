"""What the catalogue answers about themed catalogues, their public links, the quote requests those bring and the
producer groups whose stories they tell, as the OpenAPI document describes it (examples: ``answer_examples.json``)."""

from marshmallow import Schema

from services.catalogue.language_schemas import GroupTexts, ThemeTexts
from services.catalogue.schemas import ARRANGEMENTS
from services.catalogue.wording import CATALOGUE_LANGUAGES
from shared.answer_fields import Page, amount, count, day, listing, mapping, moment, nested, one_of, text, texts


class SelectionView(Schema):
    """What the catalogue shows; a criterion left out (null) selects everything."""

    offering_ids = texts("these offerings only", nullable=True)
    colour = text(nullable=True)
    materials = text(nullable=True)
    min_price = amount(nullable=True)
    max_price = amount(nullable=True)
    min_available = count(nullable=True)
    available_by = day(nullable=True)


class ThemeContact(Schema):
    name = text()
    email = text()
    phone = text("empty when not given")
    website = text("empty when not given")


class ThemeView(Schema):
    name = text("the catalogue's address: lower-case letters, digits and dashes")
    organisation_id = text()
    title = text()
    description = text()
    arrange_by = one_of(ARRANGEMENTS)
    selection = nested(SelectionView)
    how_to_order = text()
    contact = nested(ThemeContact, "the desk printed on a booklet's back", nullable=True)
    translations = mapping(ThemeTexts, "texts by language (fr, ja); a text left out is the English one")
    offerings = texts("the SKUs it shows now, in its order")
    updated_at = moment()


class ThemeList(Schema):
    items = listing(ThemeView)


LINK_STATUSES = ("active", "revoked", "expired")


class ShareLinkView(Schema):
    id = text()
    catalogue = text()
    organisation_id = text()
    language = one_of(CATALOGUE_LANGUAGES, "the language the link opens in")
    status = one_of(LINK_STATUSES)
    created_by = text()
    created_at = moment()
    expires_at = moment()
    revoked_at = moment(nullable=True)
    opens = count()
    last_opened_at = moment(nullable=True)
    quote_requests = count()


class NewShareLink(ShareLinkView):
    token = text("the link's secret: shown in this answer only")
    path = text("the public address, /c/<token>")


class ShareLinkList(Schema):
    items = listing(ShareLinkView)


class QuotedItem(Schema):
    sku = text()
    name = text()
    quantity = count()


class QuoteRequestView(Schema):
    id = text()
    link_id = text()
    catalogue = text()
    organisation_id = text()
    name = text()
    company = text()
    email = text(nullable=True)
    phone = text("E.164", nullable=True)
    country = text("ISO 3166 alpha-2", nullable=True)
    language = one_of(CATALOGUE_LANGUAGES)
    items = listing(QuotedItem, "the offerings asked for at least once")
    message = text()
    received_at = moment()


class QuoteRequestPage(Page):
    items = listing(QuoteRequestView)


class GroupPicture(Schema):
    """The addresses of the picture's three copies."""

    print = text()
    web = text()
    small = text()


class GroupView(Schema):
    id = text()
    organisation_id = text()
    name = text()
    region = text()
    story = text()
    translations = mapping(GroupTexts, "texts by language (fr, ja); a text left out is the English one")
    producer_count = count("the organisation's producers in the region")
    picture = nested(GroupPicture, "null until a picture is set", nullable=True)
    updated_at = moment()


class GroupList(Schema):
    items = listing(GroupView)

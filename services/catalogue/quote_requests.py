"""A buyer's request for a quote, sent from a shared catalogue: checked, kept for the organisation that published the
catalogue, and told to it (``quote.requested``, which notification turns into an e-mail to its desk).

A request that cannot be answered (no e-mail address and no phone number), that asks for nothing, or that names an
offering the catalogue does not show is refused whole: nothing is kept and nobody is told."""

from datetime import datetime, timezone

from sqlalchemy import select

from services.catalogue import quote_form, share_links, themes
from services.catalogue.share_schemas import QuoteRequestInput, QuoteRequestSearch
from services.catalogue.store import offerings, quote_requests
from services.catalogue.wording import CATALOGUE_LANGUAGES
from shared.errors import InvalidInput, load_or_refuse
from shared.events import new_event
from shared.ids import new_id
from shared.store import UnitOfWork, page_of, paged


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _view(row) -> dict:
    return {
        "id": row.request_id,
        "link_id": row.link_id,
        "catalogue": row.theme_name,
        "organisation_id": row.organisation_id,
        "name": row.name,
        "company": row.company,
        "email": row.email,
        "phone": row.phone,
        "country": row.country,
        "language": row.language,
        "items": row.items,
        "message": row.message,
        "received_at": row.received_at.isoformat(),
    }


def _items(uow: UnitOfWork, theme: dict, asked: list[dict]) -> list[dict]:
    """The items asked for at least once, named as the catalogue names them; an offering the catalogue does not show
    refuses the request."""
    shown = set(theme["offerings"])
    unknown = [item["sku"] for item in asked if item["sku"] not in shown]
    if unknown:
        raise InvalidInput(
            "quote request refused", {"items": [f"{sku} is not in the catalogue {theme['name']}" for sku in unknown]}
        )
    wanted = [item for item in asked if item["quantity"] >= 1]
    named = uow.session.execute(
        select(offerings.c.sku, offerings.c.name).where(offerings.c.sku.in_([item["sku"] for item in wanted]))
    )
    names = {sku: name for sku, name in named}
    return [{"sku": item["sku"], "name": names[item["sku"]], "quantity": item["quantity"]} for item in wanted]


def request_quote(uow: UnitOfWork, token: str, body: dict) -> dict:
    """Keep the request and tell the organisation; its id is the event's correlation id."""
    session = uow.session
    link = share_links.open_link(session, token)
    data = load_or_refuse(QuoteRequestInput(), body, "quote request")
    theme = themes.get_theme(uow, link.theme_name)
    items = _items(uow, theme, data["items"])
    request_id, received_at = new_id("quo"), _now()
    values = {
        "name": data["name"],
        "company": data["company"],
        "email": data["email"],
        "phone": data["phone"],
        "country": data["country"],
        "language": data["language"] or link.language,
        "items": items,
        "message": data["message"],
    }
    session.execute(
        quote_requests.insert().values(
            request_id=request_id,
            link_id=link.link_id,
            theme_name=link.theme_name,
            organisation_id=link.organisation_id,
            received_at=received_at,
            **values,
        )
    )
    uow.emit(
        new_event(
            "quote.requested",
            {
                "request_id": request_id,
                "organisation_id": link.organisation_id,
                "catalogue": link.theme_name,
                "title": theme["title"],
                "received_at": received_at,
                **values,
            },
            correlation_id=request_id,
        )
    )
    row = session.execute(select(quote_requests).where(quote_requests.c.request_id == request_id)).one()
    return _view(row)


def answer_quote_form(uow: UnitOfWork, token: str, form: dict) -> dict:
    """The page that answers the catalogue's form, with its HTTP status: thanks (201), or the form again under what
    to fix (422), in the language the buyer read the catalogue in."""
    link = share_links.open_link(uow.session, token)
    asked = form.get("language")
    language: str = asked if isinstance(asked, str) and asked in CATALOGUE_LANGUAGES else link.language
    catalogue_path = share_links.public_path(token)
    try:
        sent = request_quote(uow, token, quote_form.form_body(form))
    except InvalidInput as refusal:
        sheet = themes.theme_sheet(uow, link.theme_name, language)
        problems = refusal.fields if isinstance(refusal.fields, dict) else {"form": refusal.fields}
        page = quote_form.render_fixes_page(sheet, f"{catalogue_path}/quote", form, problems)
        return {"status": 422, "html": page}
    theme = themes.get_theme(uow, link.theme_name)
    contact = theme["contact"] or {}
    title = (theme["translations"].get(language) or {}).get("title") or theme["title"]
    page = quote_form.render_thanks_page(
        language,
        title,
        contact.get("name"),
        " / ".join(address for address in (sent["email"], sent["phone"]) if address),
        f"{catalogue_path}?language={language}",
    )
    return {"status": 201, "html": page}


def list_quote_requests(uow: UnitOfWork, query: dict) -> dict:
    """Newest first; ``organisation_id`` (the gateway sets it to the caller's own) and ``catalogue`` narrow the list."""
    filters = load_or_refuse(QuoteRequestSearch(), query, "query")
    conditions = [
        quote_requests.c[column] == filters[key]
        for key, column in (("organisation_id", "organisation_id"), ("catalogue", "theme_name"))
        if key in filters
    ]
    rows, total = page_of(
        uow.session,
        quote_requests,
        conditions,
        (quote_requests.c.received_at.desc(), quote_requests.c.request_id),
        filters["page"],
        filters["page_size"],
    )
    return paged([_view(row) for row in rows], filters["page"], filters["page_size"], total)

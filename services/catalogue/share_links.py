"""A themed catalogue published at an unguessable address: whoever holds the link opens the catalogue, its PDFs and
its pictures without an account, until the organisation revokes the link or it expires.

Only the token's SHA-256 is kept, so a copy of the database opens nothing; the token is answered once, when the link
is made. What the link shows is what a buyer sees in any catalogue: selling prices, never what producers are paid,
and the organisation's desk, never a producer's own contact."""

import base64
import hashlib
import html
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.catalogue import exports, offerings, producer_groups, quote_form, themes
from services.catalogue.language_schemas import ExportOptions
from services.catalogue.share_schemas import PageQuery, ShareLinkInput
from services.catalogue.store import offerings as offerings_table
from services.catalogue.store import quote_requests, share_links
from services.catalogue.store import themes as themes_table
from services.catalogue.wording import CATALOGUE_LANGUAGES, Wording
from shared.errors import Gone, NotFound, load_or_refuse
from shared.ids import new_id
from shared.store import UnitOfWork

TOKEN_BYTES = 32
# A token is 43 characters; anything much longer is not one of ours, and is not hashed to find out.
MAX_TOKEN_CHARS = 100
# Each language in its own name, so a reader finds theirs whatever the page is in.
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "ja": "日本語"}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def public_path(token: str) -> str:
    return f"/c/{token}"


def _status(row, now: datetime) -> str:
    if row.revoked_at is not None:
        return "revoked"
    return "expired" if row.expires_at <= now else "active"


def _view(row, requests_count: int, now: datetime) -> dict:
    return {
        "id": row.link_id,
        "catalogue": row.theme_name,
        "organisation_id": row.organisation_id,
        "language": row.language,
        "status": _status(row, now),
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(),
        "expires_at": row.expires_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
        "opens": row.opens,
        "last_opened_at": row.last_opened_at.isoformat() if row.last_opened_at else None,
        "quote_requests": requests_count,
    }


def _requests_per_link(session: Session, link_ids: list[str]) -> dict[str, int]:
    counted = session.execute(
        select(quote_requests.c.link_id, func.count())
        .where(quote_requests.c.link_id.in_(link_ids))
        .group_by(quote_requests.c.link_id)
    )
    return {link_id: count for link_id, count in counted}


def _link_row(session: Session, link_id: str):
    return session.execute(select(share_links).where(share_links.c.link_id == link_id)).one()


def create_share_link(uow: UnitOfWork, name: str, body: dict, created_by: str) -> dict:
    """The link's token is in this answer only: it is stored hashed, and cannot be shown again."""
    session = uow.session
    data = load_or_refuse(ShareLinkInput(), body, "link")
    organisation_id = session.execute(
        select(themes_table.c.organisation_id).where(themes_table.c.name == name)
    ).scalar_one_or_none()
    if organisation_id is None:
        raise NotFound(f"catalogue theme {name} not found")
    token, link_id, now = secrets.token_urlsafe(TOKEN_BYTES), new_id("lnk"), _now()
    session.execute(
        share_links.insert().values(
            link_id=link_id,
            theme_name=name,
            organisation_id=organisation_id,
            token_hash=token_hash(token),
            language=data["language"],
            created_by=created_by,
            created_at=now,
            expires_at=now + timedelta(days=data["expires_in_days"]),
            opens=0,
        )
    )
    return {**_view(_link_row(session, link_id), 0, now), "token": token, "path": public_path(token)}


def list_share_links(uow: UnitOfWork, name: str) -> dict:
    """The catalogue's links, newest first, with how often each was opened and the quote requests it brought."""
    session = uow.session
    rows = session.execute(
        select(share_links)
        .where(share_links.c.theme_name == name)
        .order_by(share_links.c.created_at.desc(), share_links.c.link_id)
    ).all()
    counts, now = _requests_per_link(session, [row.link_id for row in rows]), _now()
    return {"items": [_view(row, counts.get(row.link_id, 0), now) for row in rows]}


def revoke_share_link(uow: UnitOfWork, name: str, link_id: str) -> dict:
    """From now on the link answers that it is no longer valid; revoking it again changes nothing."""
    session = uow.session
    row = session.execute(
        select(share_links).where(share_links.c.link_id == link_id, share_links.c.theme_name == name).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound(f"catalogue {name} has no link {link_id}")
    if row.revoked_at is None:
        session.execute(update(share_links).where(share_links.c.link_id == link_id).values(revoked_at=_now()))
    return _view(_link_row(session, link_id), _requests_per_link(session, [link_id]).get(link_id, 0), _now())


def open_link(session: Session, token: str):
    """The link a token opens; a token of no link is not found, one of a revoked or expired link is gone, with a
    message in the link's language for the reader who followed it."""
    row = None
    if len(token) <= MAX_TOKEN_CHARS:
        row = session.execute(select(share_links).where(share_links.c.token_hash == token_hash(token))).one_or_none()
    if row is None:
        raise NotFound("no catalogue at this link")
    words, status = Wording(row.language), _status(row, _now())
    if status == "revoked":
        raise Gone(words("This link to the catalogue has been withdrawn: it is no longer valid."))
    if status == "expired":
        raise Gone(words("This link to the catalogue has expired: it is no longer valid."))
    return row


def _image_address(token: str, save_data: bool):
    base = public_path(token)
    return lambda sku, position, size: (
        f"{base}/images/{quote(sku, safe='')}/{position}?size={'small' if save_data else size}"
    )


def _story_address(token: str, save_data: bool):
    base = public_path(token)
    return lambda group_id, size: (
        f"{base}/groups/{quote(group_id, safe='')}/picture?size={'small' if save_data else size}"
    )


def _language_switch(token: str, current: str) -> str:
    words = Wording(current)
    label = words("Language")
    links = " · ".join(
        f'<a href="{public_path(token)}?language={language}" lang="{language}" hreflang="{language}"'
        + (' aria-current="page"' if language == current else "")
        + f">{html.escape(LANGUAGE_NAMES[language])}</a>"
        for language in CATALOGUE_LANGUAGES
    )
    return (
        f'<nav class="languages" aria-label="{html.escape(label)}" '
        f'style="max-width:72rem;margin:0 auto;padding:.5rem 1rem;text-align:right">{links}</nav>'
    )


def shared_page(uow: UnitOfWork, token: str, query: dict, save_data: bool = False) -> dict:
    """The catalogue's web page in the language asked for (the link's own by default), its pictures served through
    the link in the size the reader's screen needs (the small ones only when her browser asks to save data), the
    quote form at its end; the opening is counted."""
    session = uow.session
    data = load_or_refuse(PageQuery(), query, "page")
    row = open_link(session, token)
    language = data["language"] or row.language
    sheet = themes.theme_sheet(uow, row.theme_name, language)
    form = quote_form.render_quote_form(sheet, f"{public_path(token)}/quote")
    page = exports.render_html(
        sheet,
        image_address=_image_address(token, save_data),
        story_address=_story_address(token, save_data),
        extra_section=form,
    )
    session.execute(
        update(share_links)
        .where(share_links.c.link_id == row.link_id)
        .values(opens=share_links.c.opens + 1, last_opened_at=_now())
    )
    # The switch opens the page, above the catalogue: a reader who cannot read the first language finds it first.
    return {"html": page.replace("\n<main>\n", f"\n{_language_switch(token, language)}\n<main>\n", 1)}


def shared_pdf(uow: UnitOfWork, token: str, query: dict) -> dict:
    """A PDF of the catalogue (``layout``, ``language``, ``paper`` as an export takes them; the link's language by
    default), as base64 text."""
    row = open_link(uow.session, token)
    options = load_or_refuse(ExportOptions(), {"language": row.language, **query, "format": "pdf"}, "export")
    sheet = themes.theme_sheet(uow, row.theme_name, options["language"])
    return {
        "content_type": themes.CONTENT_TYPES["pdf"],
        "filename": f"{row.theme_name}-{options['layout']}-{options['language']}.pdf",
        "data": base64.b64encode(themes.render(sheet, options)).decode(),
    }


def shared_image(uow: UnitOfWork, token: str, sku: str, position: int, size: str = "web") -> dict:
    """A picture of one of the catalogue's offerings, in ``size``; any other offering's is not found here."""
    session = uow.session
    row = open_link(session, token)
    if sku not in themes.get_theme(uow, row.theme_name)["offerings"]:
        raise NotFound(f"this catalogue has no offering {sku}")
    offering_id = session.execute(
        select(offerings_table.c.offering_id).where(offerings_table.c.sku == sku)
    ).scalar_one()
    return offerings.get_offering_image(uow, offering_id, position, size)


def shared_group_picture(uow: UnitOfWork, token: str, group_id: str, size: str = "web") -> dict:
    """The picture of a producer group the catalogue tells the story of, in ``size``; any other group's is not
    found here."""
    row = open_link(uow.session, token)
    if group_id not in themes.story_group_ids(uow, row.theme_name):
        raise NotFound(f"this catalogue tells no story of the group {group_id}")
    return producer_groups.get_group_picture(uow, group_id, size)

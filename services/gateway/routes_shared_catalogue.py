"""Routes of a catalogue's public link, and of the quote requests it brings.

Managers make, list and revoke their own organisation's catalogue links, and read the quote requests that came
through them. The public routes (``/c/<token>``) need no account: the token in the path is the only credential, and
only the catalogue service, which keeps its hash, can tell what it opens. What they serve may load nothing but its
own pictures and post nothing but its own form (a Content-Security-Policy), gives no referrer (the token must not
travel to another site in a Referer header) and asks search engines to keep it out of their index. Anyone may send a
quote request, so they are limited per client address, and their bodies are bounded."""

import base64
import gzip
import html
import math
import time
from functools import wraps
from urllib.parse import parse_qsl

from marshmallow import Schema, fields, validate
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from services.gateway import access
from services.gateway.client_address import client_address
from services.gateway.http import (
    PUBLIC,
    HttpError,
    api,
    call,
    json_response,
    read_json,
    read_query,
    refuse_unstorable,
    require_owner,
)
from services.gateway.limits import RateLimiter
from services.gateway.routes_catalogue import MANAGERS

QUOTES_PER_HOUR = 5
MAX_QUOTE_BYTES = 32 * 1024
# A quantity per offering of the largest catalogue, and the form's other fields.
MAX_FORM_FIELDS = 520
FORM_TYPE = "application/x-www-form-urlencoded"
_NO_TRACE = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex", "X-Content-Type-Options": "nosniff"}
PAGE_HEADERS = {
    **_NO_TRACE,
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


class QuoteLimits(DependencyProvider):
    """A few quote requests an hour per client address, counted by this gateway process for all its workers."""

    def setup(self):
        self.limiter = RateLimiter(QUOTES_PER_HOUR / 3600, QUOTES_PER_HOUR)

    def get_dependency(self, worker_ctx):
        return self.limiter


class PageQuery(Schema):
    language = fields.String(validate=validate.Length(min=2, max=8), metadata={"description": "en, fr or ja"})


class PdfQuery(Schema):
    """The catalogue service checks each against what it can print (422 otherwise)."""

    language = fields.String(validate=validate.Length(min=2, max=8), metadata={"description": "en, fr or ja"})
    layout = fields.String(
        validate=validate.Length(min=1, max=16), metadata={"description": "flyer, leaflet or booklet"}
    )
    paper = fields.String(validate=validate.Length(min=1, max=16), metadata={"description": "a4 or letter"})


class ImageQuery(Schema):
    size = fields.String(
        load_default="web", validate=validate.Length(min=1, max=16), metadata={"description": "small, web or print"}
    )


def _is_json(request) -> bool:
    return request.method == "POST" and request.mimetype != FORM_TYPE


def html_response(request, text: str, status: int = 200, headers: dict | None = None) -> Response:
    """Gzipped for a browser that takes it: a catalogue page is mostly repeated markup, a phone's connection slow."""
    zipped = "gzip" in request.headers.get("Accept-Encoding", "")
    body = gzip.compress(text.encode(), mtime=0) if zipped else text.encode()
    return Response(
        body,
        status=status,
        mimetype="text/html",
        headers={
            **PAGE_HEADERS,
            "Vary": "Accept-Encoding",
            **(headers or {}),
            **({"Content-Encoding": "gzip"} if zipped else {}),
        },
    )


def _short_page(request, error: HttpError) -> Response:
    message = html.escape(error.message)
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{message}</title>\n</head>\n<body>\n<main>\n<h1>{message}</h1>\n</main>\n</body>\n</html>\n"
    )
    retry = {"Retry-After": str(max(1, math.ceil(error.retry_after_s)))} if error.retry_after_s else None
    return html_response(request, page, error.status, retry)


def _pages_for_people(handler):
    """A link that is no longer valid (410), or too many requests (429), answers a person's browser with a short page
    saying so; a JSON client gets the usual error."""

    @wraps(handler)
    def wrapper(self, request, principal, *args, **kwargs):
        try:
            return handler(self, request, principal, *args, **kwargs)
        except HttpError as error:
            if error.status not in (410, 429) or _is_json(request):
                raise
            return _short_page(request, error)

    return wrapper


def read_form(request) -> dict[str, str]:
    """The quote form as its fields, each given once, the whole bounded."""
    too_large = HttpError(413, "too_large", f"a quote request is at most {MAX_QUOTE_BYTES // 1024} KiB")
    if request.content_length and request.content_length > MAX_QUOTE_BYTES:
        raise too_large
    raw = request.stream.read(MAX_QUOTE_BYTES + 1)
    if len(raw) > MAX_QUOTE_BYTES:
        raise too_large
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except (UnicodeDecodeError, ValueError) as error:
        raise HttpError(400, "invalid_form", f"the form could not be read: {error}") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise HttpError(400, "invalid_form", f"the field {name!r} is given twice")
        form[name] = value
    refuse_unstorable(form)
    return form


class SharedCatalogueRoutes:
    """Mixed into the gateway, whose ``catalogue`` RPC proxy and ``identity`` (its trusted proxies) they use."""

    quote_limits = QuoteLimits()

    def _own_theme(self, principal, name: str) -> None:
        theme = call(self.catalogue, "get_theme", name)
        require_owner(principal, "catalogue", name, organisation_id=theme["organisation_id"])

    @api(
        "POST",
        "/api/v1/catalogues/{name}/links",
        roles=MANAGERS,
        body="catalogue.share_schemas.ShareLinkInput",
        status=201,
        answer="catalogue.theme_answers.NewShareLink",
        tag="catalogue",
        summary="Publish a catalogue at a new public link (its token is answered this once)",
    )
    def create_share_link(self, request, principal, name):
        self._own_theme(principal, name)
        link = call(self.catalogue, "create_share_link", name, read_json(request), principal.username)
        return json_response(link, 201)

    @api(
        "GET",
        "/api/v1/catalogues/{name}/links",
        roles=MANAGERS,
        answer="catalogue.theme_answers.ShareLinkList",
        tag="catalogue",
        summary="A catalogue's public links: opens, quote requests, status (never their tokens)",
    )
    def list_share_links(self, request, principal, name):
        self._own_theme(principal, name)
        return json_response(call(self.catalogue, "list_share_links", name))

    @api(
        "POST",
        "/api/v1/catalogues/{name}/links/{link_id}/revoke",
        roles=MANAGERS,
        answer="catalogue.theme_answers.ShareLinkView",
        tag="catalogue",
        summary="Revoke a catalogue's public link: it answers 410 from now on",
    )
    def revoke_share_link(self, request, principal, name, link_id):
        self._own_theme(principal, name)
        return json_response(call(self.catalogue, "revoke_share_link", name, link_id))

    @api(
        "GET",
        "/api/v1/quote-requests",
        roles=MANAGERS,
        query="catalogue.share_schemas.QuoteRequestSearch",
        answer="catalogue.theme_answers.QuoteRequestPage",
        tag="catalogue",
        summary="Quote requests sent through the caller's organisation's catalogue links, newest first",
    )
    def list_quote_requests(self, request, principal):
        query = {**request.args.to_dict(), **access.list_filters(principal)}
        return json_response(call(self.catalogue, "list_quote_requests", query))

    @api(
        "GET",
        "/c/{token}",
        roles=PUBLIC,
        query=PageQuery,
        html_errors=(410,),
        answer_type="text/html",
        tag="public catalogue",
        summary="A shared catalogue's web page with its quote form, no account needed (410 once revoked or expired)",
    )
    @_pages_for_people
    def shared_catalogue_page(self, request, principal, token):
        save_data = request.headers.get("Save-Data", "").strip().lower() == "on"
        page = call(self.catalogue, "shared_page", token, read_query(request, PageQuery()), save_data)
        return html_response(request, page["html"], headers={"Vary": "Accept-Encoding, Save-Data"})

    @api(
        "GET",
        "/c/{token}/catalogue.pdf",
        roles=PUBLIC,
        query=PdfQuery,
        html_errors=(410,),
        answer_type="application/pdf",
        tag="public catalogue",
        summary="A shared catalogue as a PDF (flyer, leaflet or booklet; en, fr or ja; A4 or Letter)",
    )
    @_pages_for_people
    def shared_catalogue_pdf(self, request, principal, token):
        document = call(self.catalogue, "shared_pdf", token, read_query(request, PdfQuery()))
        return Response(
            base64.b64decode(document["data"]),
            content_type=document["content_type"],
            headers={**_NO_TRACE, "Content-Disposition": f'inline; filename="{document["filename"]}"'},
        )

    @api(
        "GET",
        "/c/{token}/images/{sku}/{position:int}",
        roles=PUBLIC,
        query=ImageQuery,
        html_errors=(410,),
        answer_type=("image/png", "image/jpeg"),
        tag="public catalogue",
        summary="A picture of one of a shared catalogue's offerings (small, web or print)",
    )
    @_pages_for_people
    def shared_catalogue_image(self, request, principal, token, sku, position):
        size = read_query(request, ImageQuery())["size"]
        picture = call(self.catalogue, "shared_image", token, sku, position, size)
        return Response(
            base64.b64decode(picture["data"]),
            mimetype=picture["content_type"],
            headers={**_NO_TRACE, "Cache-Control": "private, max-age=3600"},
        )

    @api(
        "GET",
        "/c/{token}/groups/{group_id}/picture",
        roles=PUBLIC,
        query=ImageQuery,
        html_errors=(410,),
        answer_type=("image/png", "image/jpeg"),
        tag="public catalogue",
        summary="The picture of a producer group a shared catalogue tells the story of (small, web or print)",
    )
    @_pages_for_people
    def shared_group_picture(self, request, principal, token, group_id):
        size = read_query(request, ImageQuery())["size"]
        picture = call(self.catalogue, "shared_group_picture", token, group_id, size)
        return Response(
            base64.b64decode(picture["data"]),
            mimetype=picture["content_type"],
            headers={**_NO_TRACE, "Cache-Control": "private, max-age=3600"},
        )

    @api(
        "POST",
        "/c/{token}/quote",
        roles=PUBLIC,
        body="catalogue.share_schemas.QuoteRequestInput",
        status=201,
        html_errors=(410, 422, 429),
        answer_type=("application/json", "text/html"),
        answer="catalogue.theme_answers.QuoteRequestView",
        tag="public catalogue",
        summary="Ask the catalogue's publisher for a quote: this JSON, or the page's form (fields name, company, "
        "email, phone, country, message, quantity-<SKU>), answered with a page",
    )
    @_pages_for_people
    def request_quote(self, request, principal, token):
        address = client_address(
            request.remote_addr, request.headers.get("X-Forwarded-For"), self.identity.settings.trusted_proxies
        )
        wait_s = self.quote_limits.take(address, time.monotonic())
        if wait_s:
            minutes = math.ceil(wait_s / 60)
            raise HttpError(
                429,
                "rate_limited",
                f"too many quote requests from your address: try again in {minutes} minutes",
                retry_after_s=wait_s,
            )
        if request.mimetype == FORM_TYPE:
            answer = call(self.catalogue, "answer_quote_form", token, read_form(request))
            return html_response(request, answer["html"], answer["status"])
        return json_response(call(self.catalogue, "request_quote", token, read_json(request, MAX_QUOTE_BYTES)), 201)

"""The web pages (aggregator dashboard, producer page, buyer page) and what only they need.

Each page is one self-contained HTML document: no file is fetched from elsewhere, so a page works offline-ish and on
a weak connection. Pages are rendered per language (``page_rendering``): the one asked for (``?language=``, which
the page's language switch and its reader's profile lead to), else the first of the browser's languages the pages
are written in, else English."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.wrappers import Response

from services.gateway.http import HttpError, error_response, http
from services.gateway.page_locale import LANGUAGES, first_written
from services.gateway.page_rendering import compressed, page


class PageQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    language = fields.String(
        load_default=None, validate=validate.OneOf(LANGUAGES, error=f"one of {', '.join(LANGUAGES)}")
    )


# The pages and the API reference (/api/docs) load nothing from anywhere else: a page's script and style are inline,
# the reference's are files the gateway serves itself. No plugin, no <base>, no framing, no eval.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def language_of(request) -> str:
    """The language asked for in the address, else the first of the browser's (Accept-Language, by preference) the
    pages are written in, else English."""
    try:
        asked = PageQuery().load(request.args.to_dict())["language"]
    except ValidationError as error:
        raise HttpError(400, "invalid_query", "query refused", error.messages) from None
    return asked or first_written(tag for tag, _ in request.accept_languages)


def html(request, name: str) -> Response:
    """The page, gzipped for a browser that takes it: a third of the bytes over a weak connection."""
    try:
        language = language_of(request)
    except HttpError as error:
        return error_response(error)
    zipped = "gzip" in request.headers.get("Accept-Encoding", "")
    return Response(
        compressed(name, language) if zipped else page(name, language),
        mimetype="text/html",
        headers={
            **({"Content-Encoding": "gzip"} if zipped else {}),
            "Content-Language": language,
            "Vary": "Accept-Encoding, Accept-Language",
            "Cache-Control": "no-cache",
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
        },
    )


class PageRoutes:
    """Mixed into the gateway."""

    @http("GET", "/")
    def index(self, request):
        return Response(status=302, headers={"Location": "/dashboard"})

    @http("GET", "/dashboard")
    def dashboard_page(self, request):
        return html(request, "dashboard")

    @http("GET", "/producer")
    def producer_page(self, request):
        return html(request, "producer")

    @http("GET", "/buyer")
    def buyer_page(self, request):
        return html(request, "buyer")

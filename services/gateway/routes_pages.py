"""The web pages (aggregator dashboard, producer page, buyer page) and what only they need.

Each page is one self-contained HTML document: no file is fetched from elsewhere, so a page works offline-ish and on
a weak connection. The sign-in form and the token handling every page shares live in ``pages/_signin.html`` and are
put in place of the ``<!--signin-->`` marker when the page is served."""

import gzip
from functools import lru_cache
from pathlib import Path

from werkzeug.wrappers import Response

from services.gateway.http import http

PAGES = Path(__file__).resolve().parent / "pages"
SIGN_IN_MARKER = b"<!--signin-->"


@lru_cache(maxsize=None)
def page(name: str) -> bytes:
    """A page with the shared sign-in part in place, read once per process."""
    return (PAGES / f"{name}.html").read_bytes().replace(SIGN_IN_MARKER, (PAGES / "_signin.html").read_bytes())


@lru_cache(maxsize=None)
def compressed(name: str) -> bytes:
    return gzip.compress(page(name), mtime=0)


def html(request, name: str) -> Response:
    """The page, gzipped for a browser that takes it: a third of the bytes over a weak connection."""
    zipped = "gzip" in request.headers.get("Accept-Encoding", "")
    return Response(
        compressed(name) if zipped else page(name),
        mimetype="text/html",
        headers={
            **({"Content-Encoding": "gzip"} if zipped else {}),
            "Vary": "Accept-Encoding",
            "Cache-Control": "no-cache",
            # Everything a page needs is inline; nothing may be loaded from anywhere else.
            "Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
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

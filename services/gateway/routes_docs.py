"""The browsable API reference at /api/docs: Swagger UI, from the pinned ``swagger-ui-py`` package, on the served
OpenAPI document.

Its script and style are served by the gateway itself, from the package's files and ``pages/api-docs.*``, under
the pages' Content-Security-Policy: nothing is fetched from anywhere else, and nothing but those files is served
from the package."""

import gzip
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from werkzeug.wrappers import Response

from services.gateway.http import HttpError, error_response, http
from services.gateway.routes_pages import CONTENT_SECURITY_POLICY

PAGES = Path(__file__).resolve().parent / "pages"


def _swagger_ui_files() -> Path:
    """The package's folder of built files, found without importing its adapters for other web frameworks."""
    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed: pip install -c constraints.txt -e .")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


# What /api/docs/static/ serves, by name: Swagger UI's style and script, and ours that starts it.
STATIC = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript", "api-docs.js": "text/javascript"}
HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff"}


@lru_cache(maxsize=None)
def static_file(name: str, zipped: bool) -> bytes:
    """Read once per process; gzipped for a browser that takes it (Swagger UI's script is 1.5 MB, a third so)."""
    raw = ((PAGES if name == "api-docs.js" else _swagger_ui_files()) / name).read_bytes()
    return gzip.compress(raw, mtime=0) if zipped else raw


class DocsRoutes:
    """Mixed into the gateway; public, as the document itself is."""

    @http("GET", "/api/docs")
    def api_docs(self, request):
        return Response(
            (PAGES / "api-docs.html").read_bytes(),
            mimetype="text/html",
            headers={**HEADERS, "Cache-Control": "no-cache"},
        )

    @http("GET", "/api/docs/static/<string:name>")
    def api_docs_static(self, request, name):
        if name not in STATIC:
            return error_response(HttpError(404, "not_found", f"no file {name} in the API reference"))
        zipped = "gzip" in request.headers.get("Accept-Encoding", "")
        return Response(
            static_file(name, zipped),
            mimetype=STATIC[name],
            headers={
                **HEADERS,
                **({"Content-Encoding": "gzip"} if zipped else {}),
                "Vary": "Accept-Encoding",
                "Cache-Control": "public, max-age=86400",
            },
        )

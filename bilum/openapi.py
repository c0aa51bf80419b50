"""The API's OpenAPI document, resolving the schema names the gateway's operations give to the services' classes.

The command line may import every service; the services may not import each other, which is why this lives here."""

import importlib
from importlib.metadata import PackageNotFoundError, version

from services.gateway import openapi
from services.gateway.http import OPERATIONS
from services.gateway.service import OPENAPI_DOCUMENT


def resolve(name: str) -> type:
    """``service.Schema`` is in the service's schemas module; ``service.module.Schema`` in that module."""
    path, _, schema = name.rpartition(".")
    module_name = f"services.{path}" if "." in path else f"services.{path}.schemas"
    try:
        return getattr(importlib.import_module(module_name), schema)
    except (ImportError, AttributeError):
        raise LookupError(f"the gateway names {name}, which {module_name} does not define") from None


def document() -> dict:
    try:
        release = version("bilum")
    except PackageNotFoundError:
        release = "0"
    return openapi.build(OPERATIONS, resolve, release)


def text() -> str:
    return openapi.dumps(document())


def write() -> None:
    OPENAPI_DOCUMENT.write_text(text())

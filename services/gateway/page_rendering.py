"""The pages rendered in a language: Jinja2 templates (``pages/*.html``) whose texts are gettext messages of the
``pages`` domain (``{{ _("My money") }}``; the texts the page's script writes come from the same catalogue, as a JSON
object the template renders into the page). ``make messages`` extracts them with Jinja2's Babel extractor.

A page is rendered once per (page, language) and kept, gzipped too. The sign-in part every page shares
(``_signin.html``) is rendered alike and put in place of the ``<!--signin-->`` marker. A template without
markers renders as the very text it holds, so a page still in plain HTML is served as it is written."""

import gzip
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.gateway.page_locale import language_names, locale_data
from shared.translations import translations

PAGES = Path(__file__).resolve().parent / "pages"
SIGN_IN_MARKER = "<!--signin-->"


@lru_cache(maxsize=None)
def environment(language: str) -> Environment:
    """One environment per language: its gettext is that language's catalogue, installed once."""
    env = Environment(
        loader=FileSystemLoader(PAGES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Texts and locale data go into the page as JSON: as compact as it can be, for a weak connection.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}
    env.install_gettext_translations(translations("bilum", language), newstyle=False)
    return env


@lru_cache(maxsize=None)
def page(name: str, language: str) -> bytes:
    """The page in ``language`` with the sign-in part in place."""
    env = environment(language)
    context = {"language": language, "languages": language_names(), "locale": locale_data(language)}
    text = env.get_template(f"{name}.html").render(context)
    return text.replace(SIGN_IN_MARKER, env.get_template("_signin.html").render(context)).encode()


@lru_cache(maxsize=None)
def compressed(name: str, language: str) -> bytes:
    return gzip.compress(page(name, language), mtime=0)

"""The quote form that closes a shared catalogue's page, and the pages that answer it: thanks, or what to fix.

Plain HTML without JavaScript, for a phone on a weak connection and a page whose policy runs no script: the browser
checks what it can (required fields, an e-mail address, whole numbers from 0), the catalogue checks everything again.
Every text is in the reader's language."""

import html
from collections.abc import Mapping

from services.catalogue.publishing import Theme
from services.catalogue.share_schemas import COUNTRIES, MAX_MESSAGE_CHARS
from services.catalogue.wording import Wording

# A field ``quantity-<SKU>`` per offering: how many the buyer would like of it.
QUANTITY_PREFIX = "quantity-"
FORM_FIELDS = ("name", "company", "email", "phone", "country", "message", "language")
PHONE_EXAMPLE = "+81 3 1234 5678"
# The order in which a page of fixes lists the problems: the form's own.
_FIELD_ORDER = ("items", "name", "company", "email", "phone", "country", "message")

_CSS = """
.quote{margin:2rem 0;padding:1rem;background:#fff;border:1px solid #e3ddd5;border-radius:.5rem}
.quote fieldset{border:1px solid #e3ddd5;border-radius:.5rem;margin:0 0 1rem;padding:.75rem;min-width:0}
.quote legend{font-weight:bold;padding:0 .25rem}
.quote .field{display:flex;flex-direction:column;gap:.25rem;margin:0 0 .75rem}
.quote .quantities .field{flex-direction:row;align-items:center;justify-content:space-between;gap:.75rem}
.quote .quantities input{width:6.5rem;flex:none}
.quote label{font-weight:600;overflow-wrap:anywhere}
.quote input,.quote select,.quote textarea{font:inherit;font-size:1rem;padding:.6rem;border:1px solid #b8ab9b;
border-radius:.35rem;background:#fff;width:100%;min-height:2.75rem}
.quote [aria-invalid=true]{border:2px solid #b3261e}
.quote .hint{margin:0 0 .75rem;color:#555;font-size:.9rem}
.quote button{font:inherit;font-size:1.1rem;font-weight:bold;padding:.8rem 1.5rem;border:0;border-radius:.5rem;
background:#8a5a2b;color:#fff;width:100%;max-width:24rem;min-height:3rem;cursor:pointer}
.quote button:focus,.quote input:focus,.quote select:focus,.quote textarea:focus{outline:3px solid #e0a458;
outline-offset:2px}
.fixes{border:2px solid #b3261e;border-radius:.5rem;padding:.75rem 1rem;background:#fff5f4}
""".strip()


def _marked(invalid: bool) -> str:
    return ' aria-invalid="true"' if invalid else ""


def _input(
    name: str,
    label: str,
    values: Mapping[str, str],
    invalid: frozenset[str],
    *,
    kind: str = "text",
    required: bool = False,
    extra: str = "",
) -> str:
    escape = html.escape
    attributes = f' type="{kind}" id="quote-{name}" name="{name}" value="{escape(values.get(name, ""))}"'
    attributes += ' required aria-required="true"' if required else ""
    attributes += _marked(name in invalid)
    return f'<div class="field"><label for="quote-{name}">{escape(label)}</label><input{attributes}{extra}></div>'


def _country(words: Wording, values: Mapping[str, str], invalid: frozenset[str]) -> str:
    """Countries by their names in the reader's language, in that language's order."""
    escape, chosen = html.escape, values.get("country", "").strip().upper()
    names = words.locale.territories
    options = "".join(
        f'<option value="{code}"{" selected" if code == chosen else ""}>{escape(names.get(code, code))}</option>'
        for code in sorted(COUNTRIES, key=lambda code: names.get(code, code).casefold())
    )
    marked = _marked("country" in invalid)
    label, none_chosen = words("Country"), words("Choose a country")
    return (
        f'<div class="field"><label for="quote-country">{escape(label)}</label>'
        f'<select id="quote-country" name="country" autocomplete="country"{marked}>'
        f'<option value="">{escape(none_chosen)}</option>{options}</select></div>'
    )


def _quantities(theme: Theme, values: Mapping[str, str], invalid: frozenset[str]) -> str:
    escape, words = html.escape, theme.wording
    rows = "".join(
        f'<div class="field"><label for="quote-q-{escape(offering.sku)}">{escape(offering.name)} '
        f'<span class="sku">SKU {escape(offering.sku)}</span></label>'
        f'<input type="number" id="quote-q-{escape(offering.sku)}" name="{QUANTITY_PREFIX}{escape(offering.sku)}" '
        f'min="0" step="1" inputmode="numeric" placeholder="0" '
        f'value="{escape(values.get(QUANTITY_PREFIX + offering.sku, ""))}"{_marked("items" in invalid)}></div>'
        for offering in theme.offerings
    )
    legend = words("How many would you like?")
    return f'<fieldset class="quantities"><legend>{escape(legend)}</legend>{rows}</fieldset>'


def _about_you(words: Wording, values: Mapping[str, str], invalid: frozenset[str]) -> str:
    escape = html.escape
    answer_hint = words("Give an e-mail address or a phone number, so that we can answer you.")
    phone_hint = words("With its country code, for example {example}.", example=PHONE_EXAMPLE)
    legend = words("About you")
    parts = [
        f"<fieldset><legend>{escape(legend)}</legend>",
        _input(
            "name", words("Your name"), values, invalid, required=True, extra=' autocomplete="name" maxlength="200"'
        ),
        _input(
            "company",
            words("Company"),
            values,
            invalid,
            required=True,
            extra=' autocomplete="organization" maxlength="200"',
        ),
        f'<p class="hint" id="quote-answer-hint">{escape(answer_hint)}</p>',
        _input(
            "email",
            words("E-mail"),
            values,
            invalid,
            kind="email",
            extra=' autocomplete="email" maxlength="200" aria-describedby="quote-answer-hint"',
        ),
        _input(
            "phone",
            words("Phone"),
            values,
            invalid,
            kind="tel",
            extra=' autocomplete="tel" maxlength="32" aria-describedby="quote-answer-hint quote-phone-hint"',
        ),
        f'<p class="hint" id="quote-phone-hint">{escape(phone_hint)}</p>',
        _country(words, values, invalid),
        "</fieldset>",
    ]
    return "".join(parts)


def render_quote_form(
    theme: Theme, action: str, values: Mapping[str, str] | None = None, invalid: frozenset[str] = frozenset()
) -> str:
    """The form as a section of the page; ``values`` fill it again (as the buyer sent it) and ``invalid`` marks the
    fields to fix."""
    words, escape, given = theme.wording, html.escape, values or {}
    introduction = words("Tell us how many you would like and how to reach you: we answer every request.")
    heading, message, send = words("Ask for a quote"), words("Message"), words("Send the request")
    parts = [
        f'<section class="quote" aria-labelledby="quote-heading"><style>{_CSS}</style>',
        f'<h2 id="quote-heading">{escape(heading)}</h2>',
        f'<p class="hint">{escape(introduction)}</p>',
        f'<form method="post" action="{escape(action)}" accept-charset="utf-8">',
        f'<input type="hidden" name="language" value="{escape(theme.language)}">',
        _quantities(theme, given, invalid),
        _about_you(words, given, invalid),
        f'<div class="field"><label for="quote-message">{escape(message)}</label>',
        f'<textarea id="quote-message" name="message" rows="4" maxlength="{MAX_MESSAGE_CHARS}"',
        f"{_marked('message' in invalid)}>{escape(given.get('message', ''))}</textarea></div>",
        f'<button type="submit">{escape(send)}</button></form></section>',
    ]
    return "".join(parts)


def form_body(form: Mapping[str, str]) -> dict:
    """The form's fields as the request's body: one item per quantity filled in; fields the form does not have are
    left out, as a browser add-on may add some."""
    body: dict = {name: form[name] for name in FORM_FIELDS if name in form}
    body["items"] = [
        {"sku": name.removeprefix(QUANTITY_PREFIX), "quantity": value.strip()}
        for name, value in form.items()
        if name.startswith(QUANTITY_PREFIX) and value.strip()
    ]
    return body


def _hint(words: Wording, field: str, values: Mapping[str, str]) -> str:
    if field == "items":
        return words("Write how many you would like of at least one offering.")
    if field == "name":
        return words("Write your name.")
    if field == "company":
        return words("Write the name of your company.")
    if field == "email" and values.get("email", "").strip():
        return words("This e-mail address does not look right.")
    if field == "email":
        return words("Give an e-mail address or a phone number, so that we can answer you.")
    if field == "phone":
        return words("Write the phone number with its country code, for example {example}.", example=PHONE_EXAMPLE)
    if field == "country":
        return words("Choose a country from the list.")
    if field == "message":
        return words("The message can be at most {count} characters long.", count=words.number(MAX_MESSAGE_CHARS))
    return words("Something in the form was not right: please check it and send it again.")


def _page(language: str, title: str, body: str) -> str:
    escape = html.escape
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f'<title>{escape(title)}</title>\n<style>body{{margin:0;font-family:system-ui,-apple-system,"Segoe UI",'
        'Roboto,"Noto Sans",sans-serif;color:#222;background:#faf8f5;line-height:1.45}main{max-width:48rem;'
        "margin:0 auto;padding:1rem}h1{font-size:clamp(1.4rem,5vw,2rem)}a{color:#8a5a2b}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def render_fixes_page(theme: Theme, action: str, values: Mapping[str, str], problems: Mapping) -> str:
    """The form again as the buyer filled it, under the list of what to change before it can be sent."""
    words, escape = theme.wording, html.escape
    fields = sorted(problems, key=lambda field: (_FIELD_ORDER.index(field) if field in _FIELD_ORDER else 99, field))
    hints = list(dict.fromkeys(_hint(words, field, values) for field in fields))
    title = words("Please check your request")
    introduction = words("A few answers need a change before we can send your request:")
    summary = (
        f'<div class="fixes" role="alert" aria-labelledby="fixes-heading"><h1 id="fixes-heading">{escape(title)}</h1>'
        f"<p>{escape(introduction)}</p>"
        f"<ul>{''.join(f'<li>{escape(hint)}</li>' for hint in hints)}</ul></div>"
    )
    form = render_quote_form(theme, action, values, frozenset(problems))
    return _page(theme.language, f"{title} · {theme.title}", summary + form)


def render_thanks_page(language: str, catalogue: str, answered_by: str | None, address: str, back: str) -> str:
    """Sent: who will answer and where, and the way back to the catalogue."""
    words, escape = Wording(language), html.escape
    title = words("Thank you")
    sent, way_back = words("Your request for a quote has been sent."), words("Back to the catalogue")
    answer = (
        words("{organisation} will answer you at {address}.", organisation=answered_by, address=address)
        if answered_by
        else words("We will answer you at {address}.", address=address)
    )
    return _page(
        language,
        f"{title} · {catalogue}",
        f"<h1>{escape(title)}</h1><p>{escape(sent)}</p>"
        f'<p>{escape(answer)}</p><p><a href="{escape(back)}">{escape(way_back)}</a></p>',
    )

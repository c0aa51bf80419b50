"""CSV files that buyers, forwarders and co-operative staff open in a spreadsheet, where no cell may run as a formula.

A spreadsheet runs a cell as a formula when it starts with = + - @ (or their full-width forms), and some do after a
leading tab or line break. The file is written with commas and every cell quoted, but a spreadsheet set to split on
a semicolon or a tab (the default in many countries) cuts a line at every one of those, quotes or not, and then
``x;=1+1`` is two cells, the second a formula. So every place where a cell could begin, in any of these readings (the
start of the text, or after a comma, semicolon, tab, bar or line break, past spaces and quotes), an apostrophe goes
before a formula's first character: spreadsheets show an apostrophe that starts a cell as text, and elsewhere it is
one visible character in text that was written to attack. Numbers are written as they are."""

import csv
import io
import re
from collections.abc import Iterable, Sequence

_FORMULA_STARTS = "=+-@\uff1d\uff0b\uff0d\uff20"
_SEPARATORS = ",;\t|\r\n"
_PADDING = ' "'
_CELL_START = re.compile(f"^([{re.escape(_PADDING)}]*)(?=[{re.escape(_FORMULA_STARTS + chr(9) + chr(13) + chr(10))}])")
_AFTER_SEPARATOR = re.compile(f"([{re.escape(_SEPARATORS)}][{re.escape(_PADDING)}]*)(?=[{re.escape(_FORMULA_STARTS)}])")


def inert(value):
    """The cell as a spreadsheet may show it but never run it, however it splits the line."""
    if not isinstance(value, str):
        return value
    value = _AFTER_SEPARATOR.sub(r"\1'", value)
    return "'" + value if _CELL_START.match(value) else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows([inert(cell) for cell in row] for row in rows)
    return buffer.getvalue()

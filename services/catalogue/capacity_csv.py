"""Capacity calendars imported from a CSV file, one row per producer, SKU and ISO week.

An aggregator fixes a spreadsheet of forty producers and uploads it again, so a refusal must name every bad row at
once, by the line number her spreadsheet shows, rather than stop at the first. Nothing is imported from a file with
any bad row: half a calendar would promise capacity that is not there, or hide capacity that is.

Only the file is checked here. Whether each producer and SKU exists is the service's question: it passes its check
as ``check_rows`` (``unknown_rows`` does the comparing), so that one refusal names the file's problems and the
service's together, by the same row numbers.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Callable, Collection, Iterable, cast

from marshmallow import Schema, ValidationError, fields, validate

from shared.weeks import IsoWeek, iso_week

COLUMNS = ("producer_id", "sku", "week", "units", "lead_time_days", "min_lot")
MAX_ROWS = 100_000
MAX_BYTES = 16 * 1024 * 1024
HEADER_ROW = 1


@dataclass(frozen=True)
class CapacityRow:
    row_number: int  # line of the file, the header being line 1
    producer_id: str
    sku: str
    week: str
    week_start: date  # the Monday of ``week``
    units: int
    lead_time_days: int
    min_lot: int


class CapacityCsvRejected(ValueError):
    """Every problem of a refused file as ``(row_number, reason)``; row_number None is the file as a whole."""

    def __init__(self, errors: Iterable[tuple[int | None, str]]):
        self.errors = sorted(errors, key=lambda error: (error[0] is not None, error[0] or 0))
        shown = "; ".join(f"row {row}: {reason}" if row is not None else reason for row, reason in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"capacity file refused, {len(self.errors)} problem(s): {shown}{more}")


class WholeNumber(fields.Integer):
    """Digits only: Python's int() would also take "1_000" or other scripts' digits, which a spreadsheet never
    means."""

    default_error_messages = {"invalid": "must be a whole number"}
    _DIGITS = re.compile(r"^[+-]?[0-9]+$")

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not self._DIGITS.match(value):
            raise self.make_error("invalid")
        return int(value)


_LENGTH = "must be {min} to {max} characters, not empty"
_RANGE = "must be from {min} to {max}, not {input}"


class CapacityRowInput(Schema):
    producer_id = fields.String(required=True, validate=validate.Length(min=1, max=64, error=_LENGTH))
    sku = fields.String(required=True, validate=validate.Length(min=1, max=64, error=_LENGTH))
    week = IsoWeek(required=True)
    units = WholeNumber(required=True, validate=validate.Range(min=0, max=1_000_000, error=_RANGE))
    lead_time_days = WholeNumber(required=True, validate=validate.Range(min=0, max=365, error=_RANGE))
    min_lot = WholeNumber(required=True, validate=validate.Range(min=1, max=1_000_000, error=_RANGE))


RowCheck = Callable[[list[CapacityRow]], Iterable[tuple[int, str]]]


def parse_capacity_csv(content: str | bytes, check_rows: RowCheck | None = None) -> list[CapacityRow]:
    """Every row of the file, typed; or CapacityCsvRejected naming every problem of the whole file.

    Takes the text, or the bytes as uploaded (UTF-8, with or without a byte order mark). Blank lines are skipped but
    still counted, so row numbers stay the spreadsheet's line numbers. ``check_rows`` gets, in one call so that it
    can look them up in one query, the rows that passed the file's checks, and gives ``(row_number, reason)`` for
    those it refuses.
    """
    text = _decoded(content)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CapacityCsvRejected([(None, f"the file is empty; its first line must be {','.join(COLUMNS)}")]) from None
    except csv.Error as error:
        raise CapacityCsvRejected([(HEADER_ROW, f"header: {error}")]) from None
    positions = _column_positions(header)

    schema = CapacityRowInput()
    rows: list[CapacityRow] = []
    errors: list[tuple[int, str]] = []
    first_row_of: dict[tuple[str, str, date], int] = {}
    data_rows = 0
    line_number = reader.line_num
    while True:
        row_number = line_number + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise CapacityCsvRejected([*errors, (row_number, f"the file cannot be read from here: {error}")]) from None
        line_number = reader.line_num
        if not any(value.strip() for value in values):
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise CapacityCsvRejected(
                [(row_number, f"more than {MAX_ROWS:,} rows; split the file and import each part")]
            )
        if len(values) != len(COLUMNS):
            errors.append((row_number, f"{len(values)} values where the header has {len(COLUMNS)}"))
            continue
        try:
            data = schema.load({column: values[position].strip() for column, position in positions.items()})
        except ValidationError as error:
            # One row is one object: its errors are keyed by column.
            by_column = cast(dict, error.messages)
            errors.extend(
                (row_number, f"{field}: {' '.join(messages)}")
                for field, messages in sorted(by_column.items(), key=lambda item: _order(item[0]))
            )
            continue
        monday = data.pop("week")
        key = (data["producer_id"], data["sku"], monday)
        if key in first_row_of:
            errors.append(
                (
                    row_number,
                    f"week: {iso_week(monday)} of producer {data['producer_id']} and sku "
                    f"{data['sku']} is already given on row {first_row_of[key]}",
                )
            )
            continue
        first_row_of[key] = row_number
        rows.append(CapacityRow(row_number=row_number, week=iso_week(monday), week_start=monday, **data))
    if not rows and not errors:
        raise CapacityCsvRejected([(None, "the file has a header but no rows")])
    if check_rows is not None and rows:
        errors.extend(check_rows(rows))
    if errors:
        raise CapacityCsvRejected(errors)
    return rows


def unknown_rows(
    rows: Iterable[CapacityRow], known_producer_ids: Collection[str], known_skus: Collection[str]
) -> list[tuple[int, str]]:
    """``(row_number, reason)`` for every row whose producer or SKU the catalogue does not know, in the words of
    the file's own checks."""
    errors = []
    for row in rows:
        if row.producer_id not in known_producer_ids:
            errors.append((row.row_number, f"producer_id: no producer {row.producer_id} is registered"))
        if row.sku not in known_skus:
            errors.append((row.row_number, f"sku: no published offering has sku {row.sku}"))
    return errors


def _decoded(content: str | bytes) -> str:
    size = len(content)
    if isinstance(content, str) and size <= MAX_BYTES:
        size = len(content.encode("utf-8", "replace"))
    if size > MAX_BYTES:
        raise CapacityCsvRejected(
            [(None, f"the file is {size:,} bytes, more than the {MAX_BYTES:,} allowed; split it and import each part")]
        )
    if isinstance(content, bytes):
        raw = content
        try:
            content = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise CapacityCsvRejected([(line, "not UTF-8 text; save the sheet as CSV UTF-8")]) from None
    return content.removeprefix("\ufeff")


def _column_positions(header: list[str]) -> dict[str, int]:
    """Columns are found by name, so a sheet with them in another order is still read right."""
    names = [name.strip() for name in header]
    problems = []
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        problems.append((HEADER_ROW, f"header: missing column(s) {', '.join(missing)}"))
    extra = [name for name in names if name not in COLUMNS]
    if extra:
        problems.append(
            (
                HEADER_ROW,
                f"header: unexpected column(s) {', '.join(repr(name) for name in extra)}; "
                f"the columns are {','.join(COLUMNS)}",
            )
        )
    twice = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if twice:
        problems.append((HEADER_ROW, f"header: column(s) given twice: {', '.join(twice)}"))
    if problems:
        raise CapacityCsvRejected(problems)
    return {column: names.index(column) for column in COLUMNS}


def _order(field: str) -> int:
    return COLUMNS.index(field) if field in COLUMNS else len(COLUMNS)

"""Fields of the API's answers, as every service answers them alike: ids, moments and days, amounts of money as
decimal text, lists and pages. The services' answer schemas are made of these for the OpenAPI document; the
integration tests check every answer the gateway gives against that document, so a field is required unless the
answer may truly leave it out, and nullable only where it may truly be null."""

from marshmallow import Schema, fields, validate

# Money and rates travel as decimal text ("38.50"), never as a JSON number that a client would read as a float.
DECIMAL_TEXT = validate.Regexp(r"^-?[0-9]+(\.[0-9]+)?$", error="a decimal number written as text, e.g. 38.50")


def text(description: str = "", nullable: bool = False, **kwargs) -> fields.String:
    return fields.String(required=True, allow_none=nullable, metadata=_described(description), **kwargs)


def amount(
    description: str = "a decimal amount as text, e.g. 38.50", nullable: bool = False, required: bool = True
) -> fields.String:
    """``required=False`` for an amount only some callers are shown."""
    return fields.String(
        required=required, allow_none=nullable, validate=DECIMAL_TEXT, metadata=_described(description)
    )


def count(description: str = "", nullable: bool = False) -> fields.Integer:
    return fields.Integer(required=True, allow_none=nullable, metadata=_described(description))


def number(description: str = "", nullable: bool = False) -> fields.Float:
    return fields.Float(required=True, allow_none=nullable, metadata=_described(description))


def flag(description: str = "") -> fields.Boolean:
    return fields.Boolean(required=True, metadata=_described(description))


def moment(description: str = "ISO 8601 with its offset", nullable: bool = False) -> fields.DateTime:
    return fields.DateTime(required=True, allow_none=nullable, metadata=_described(description))


def day(description: str = "", nullable: bool = False) -> fields.Date:
    return fields.Date(required=True, allow_none=nullable, metadata=_described(description))


def one_of(values, description: str = "", nullable: bool = False) -> fields.String:
    return fields.String(
        required=True, allow_none=nullable, validate=validate.OneOf(tuple(values)), metadata=_described(description)
    )


def nested(schema, description: str = "", nullable: bool = False) -> fields.Nested:
    return fields.Nested(schema, required=True, allow_none=nullable, metadata=_described(description))


def listing(item, description: str = "", nullable: bool = False) -> fields.List:
    """A list of ``item``: a schema class (each a JSON object) or a field."""
    inner = fields.Nested(item) if isinstance(item, type) and issubclass(item, Schema) else item
    return fields.List(inner, required=True, allow_none=nullable, metadata=_described(description))


def texts(description: str = "", nullable: bool = False) -> fields.List:
    return listing(fields.String(), description, nullable)


def mapping(values, description: str = "", nullable: bool = False) -> fields.Dict:
    """A JSON object whose keys are data (languages, defect classes, ...), each holding ``values``."""
    inner = fields.Nested(values) if isinstance(values, type) and issubclass(values, Schema) else values
    return fields.Dict(
        keys=fields.String(), values=inner, required=True, allow_none=nullable, metadata=_described(description)
    )


def _described(description: str) -> dict:
    return {"description": description} if description else {}


class Page(Schema):
    """One page of a list: ``items`` (declared by each list), the page asked for, its size and the total."""

    page = count("the page asked for, from 1")
    page_size = count()
    total = count("items on every page together")

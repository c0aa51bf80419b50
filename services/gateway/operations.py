"""An operation of the API as its route declares it: what the OpenAPI document and the access checks are made
of."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Operation:
    """One operation of the API, as declared on its route: what the OpenAPI document and the checks are made of."""

    method: str
    path: str
    name: str
    summary: str
    roles: frozenset | None
    query: type | None = None
    body: str | None = None
    body_type: str = "application/json"
    status: int | tuple = 200
    answer_type: str | tuple = "application/json"
    tag: str = ""
    params: tuple = ()
    headers: type | None = None
    # The service schema of a JSON answer ("orders.answers.OrderView"); its example is kept beside it (openapi.py).
    answer: str | type | None = None
    # Error statuses a person's browser is answered with a short HTML page instead of the JSON error.
    html_errors: tuple = ()

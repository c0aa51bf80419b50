"""What the gateway answers of its own accounts: the caller, users and API keys, as the OpenAPI document describes
them (examples: ``answers.examples.json``)."""

from marshmallow import Schema

from services.gateway.auth import ROLES
from shared.answer_fields import Page, flag, listing, moment, one_of, text


class Caller(Schema):
    username = text()
    role = one_of(ROLES)
    organisation_id = text("the organisation the caller acts for; null for an admin", nullable=True)
    producer_id = text("a producer's own id, for a producer", nullable=True)


class UserView(Caller):
    id = text()
    disabled = flag()
    created_at = moment()


class UserPage(Page):
    items = listing(UserView)


class ApiKeyCreated(Schema):
    id = text()
    name = text()
    key = text("send it as X-API-Key: shown in this answer only")
    created_at = moment()


class RevokedApiKey(Schema):
    id = text()
    revoked_at = moment()

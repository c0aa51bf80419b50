"""The caller's page settings: the language her pages open in and the time zone they show times in.

A producer's come from her record in the catalogue (her languages, her country and region); a buyer's or an
aggregator's from its organisation's contact, which notification keeps (its languages and time zone); anyone else,
or an organisation that has given no contact, reads English in UTC."""

from marshmallow import Schema, fields, validate

from services.gateway.auth import ANYONE, PRODUCER
from services.gateway.http import HttpError, api, call, json_response, read_query
from services.gateway.page_locale import LANGUAGES, profile
from shared.zones import zone_of


class ProfileQuery(Schema):
    language = fields.String(
        validate=validate.OneOf(LANGUAGES, error=f"one of {', '.join(LANGUAGES)}"),
        metadata={"description": "The language to name the time zone in (the page's); the caller's own by default"},
    )


class LanguageView(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "The language named in itself"})


class ProfileView(Schema):
    """Its example is in ``routes_profile.examples.json``."""

    language = fields.String(required=True, metadata={"description": "The language the caller's pages open in"})
    languages = fields.List(
        fields.Nested(LanguageView), required=True, metadata={"description": "The languages the pages are written in"}
    )
    time_zone = fields.String(required=True, metadata={"description": "IANA name of the zone of the caller's times"})
    zone_name = fields.String(required=True, metadata={"description": "The zone in words, in the language asked for"})


class ProfileRoutes:
    """Mixed into the gateway, whose ``catalogue`` and ``notification`` RPC proxies it calls."""

    @api(
        "GET",
        "/api/v1/me/profile",
        roles=ANYONE,
        query=ProfileQuery,
        answer="gateway.routes_profile.ProfileView",
        tag="accounts",
        summary="The caller's language and time zone, for the pages",
    )
    def my_profile(self, request, principal):
        shown_in = read_query(request, ProfileQuery()).get("language")
        if principal.role == PRODUCER and principal.producer_id:
            producer = call(self.catalogue, "get_producer", principal.producer_id)
            return json_response(
                profile(producer["languages"], zone_of(producer["country"], producer["region"]), shown_in)
            )
        contact = self._contact_of(principal.organisation_id)
        return json_response(profile(contact.get("languages"), contact.get("timezone"), shown_in))

    def _contact_of(self, organisation_id: str | None) -> dict:
        if not organisation_id:
            return {}
        try:
            return call(self.notification, "get_contact", organisation_id)
        except HttpError as error:
            if error.status != 404:
                raise
            return {}

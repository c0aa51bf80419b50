"""What a sign-in session's operations read and answer: the refresh request, the tokens handed out, a sign-out."""

from marshmallow import RAISE, Schema, fields, validate

from services.gateway import auth


class RefreshRequest(Schema):
    class Meta:
        unknown = RAISE

    refresh_token = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The refresh token of the last sign-in or refresh; it is spent by this one"},
    )


class SessionUser(Schema):
    username = fields.String(required=True, metadata={"example": "kumul-desk"})
    role = fields.String(required=True, validate=validate.OneOf(auth.ROLES), metadata={"example": auth.AGGREGATOR})
    organisation_id = fields.String(required=True, allow_none=True, metadata={"example": "kumul"})
    producer_id = fields.String(required=True, allow_none=True, metadata={"example": None})


class SessionTokens(Schema):
    """A sign-in or a refresh: a short-lived access token, and a refresh token that renews it once."""

    access_token = fields.String(required=True, metadata={"description": "Send as 'Authorization: Bearer <token>'"})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(
        required=True, metadata={"description": "Seconds the access token is valid", "example": 900}
    )
    refresh_token = fields.String(
        required=True, metadata={"description": "Exchange it at /api/v1/auth/refresh, once, for new tokens"}
    )
    refresh_expires_in = fields.Integer(
        required=True,
        metadata={
            "description": "Seconds the refresh token may wait unused (never past the session)",
            "example": 14400,
        },
    )
    user = fields.Nested(SessionUser, required=True)


class SignedOut(Schema):
    ended_at = fields.DateTime(required=True, metadata={"description": "When the session ended, with all its tokens"})

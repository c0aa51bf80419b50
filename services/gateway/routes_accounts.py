"""Routes of the gateway's own accounts: sign-in, its refresh and sign-out, the caller, users and API keys."""

from services.gateway import accounts, schemas, session_schemas
from services.gateway.auth import ADMIN, AGGREGATOR, ANYONE, PRODUCER
from services.gateway.client_address import client_address
from services.gateway.http import PUBLIC, HttpError, api, call, json_response, read_json, read_query, refusal_of
from shared.errors import EXPECTED, Conflict, load_or_refuse

MANAGERS = frozenset({ADMIN, AGGREGATOR})


def _answer(use_case, *args):
    """The accounts live in the gateway itself: their refusals map to statuses as a service's would."""
    try:
        return use_case(*args)
    except EXPECTED as error:
        raise refusal_of(error) from None


class AccountRoutes:
    """Mixed into the gateway, whose ``identity`` dependency holds the accounts."""

    @api(
        "POST",
        "/api/v1/auth/token",
        roles=PUBLIC,
        body=schemas.SignIn,
        answer=session_schemas.SessionTokens,
        tag="accounts",
        summary="Sign in with username and password: a short-lived bearer token and a refresh token",
    )
    def sign_in(self, request, principal):
        """Counted per address and username: behind a trusted proxy, the address it forwarded (one client cannot
        spend another's attempts by sharing the proxy's)."""
        data = _answer(load_or_refuse, schemas.SignIn(), read_json(request), "sign-in")
        address = client_address(
            request.remote_addr, request.headers.get("X-Forwarded-For"), self.identity.settings.trusted_proxies
        )
        wait_s = self.identity.wait_before(self.identity.sign_ins, f"{address}\n{data['username']}")
        if wait_s:
            raise HttpError(429, "rate_limited", "too many sign-in attempts: wait", retry_after_s=wait_s)
        return json_response(self.identity.sign_in(data["username"], data["password"]))

    @api(
        "POST",
        "/api/v1/auth/refresh",
        roles=PUBLIC,
        body=session_schemas.RefreshRequest,
        answer=session_schemas.SessionTokens,
        tag="accounts",
        summary="Exchange a refresh token, once, for a new access token and a new refresh token",
    )
    def refresh_session(self, request, principal):
        """Counted per address like any caller's requests: a refresh token cannot be guessed, but trying costs a
        database lookup each."""
        data = _answer(load_or_refuse, session_schemas.RefreshRequest(), read_json(request), "refresh")
        address = client_address(
            request.remote_addr, request.headers.get("X-Forwarded-For"), self.identity.settings.trusted_proxies
        )
        wait_s = self.identity.wait_before(self.identity.requests, f"refresh\n{address}")
        if wait_s:
            raise HttpError(429, "rate_limited", "too many requests: slow down", retry_after_s=wait_s)
        return json_response(self.identity.refresh(data["refresh_token"]))

    @api(
        "POST",
        "/api/v1/auth/sign-out",
        roles=ANYONE,
        answer=session_schemas.SignedOut,
        tag="accounts",
        summary="End the sign-in session of the bearer token: it and its refresh token stop working",
    )
    def sign_out(self, request, principal):
        if principal.session_id is None:
            raise HttpError(400, "no_session", "an API key has no session to end: revoke the key instead")
        return json_response(self.identity.sign_out(principal.session_id))

    @api(
        "GET",
        "/api/v1/me",
        roles=ANYONE,
        answer="gateway.answers.Caller",
        tag="accounts",
        summary="Who the credentials belong to",
    )
    def me(self, request, principal):
        return json_response(principal.public())

    @api(
        "POST",
        "/api/v1/users",
        roles=MANAGERS,
        body=schemas.NewUser,
        status=201,
        answer="gateway.answers.UserView",
        tag="accounts",
        summary="Make a user (an aggregator: of its own organisation)",
    )
    def create_user(self, request, principal):
        """A taken username is answered 409 a few times a minute per caller, then 429: names cannot be harvested."""
        body = read_json(request)
        producer_organisation = self._organisation_of_producer(body)
        try:
            with self.identity.database.transaction() as uow:
                user = accounts.create_user(uow, body, self.identity.now(), principal, producer_organisation)
        except Conflict as taken:
            wait_s = self.identity.wait_before(self.identity.sign_ins, f"taken usernames\n{principal.user_id}")
            if wait_s:
                raise HttpError(
                    429, "rate_limited", "too many taken usernames tried: wait", retry_after_s=wait_s
                ) from None
            raise refusal_of(taken) from None
        except EXPECTED as error:
            raise refusal_of(error) from None
        return json_response(user, 201)

    def _organisation_of_producer(self, body: dict) -> str | None:
        """A producer's user is tied to a producer the catalogue knows; whose it is decides who may make the user."""
        producer_id = body.get("producer_id")
        if body.get("role") != PRODUCER or not isinstance(producer_id, str) or not producer_id:
            return None
        try:
            return call(self.catalogue, "get_producer", producer_id)["organisation_id"]
        except HttpError as error:
            if error.status == 404:
                raise HttpError(404, "not_found", f"no producer {producer_id}") from None
            raise

    @api(
        "GET",
        "/api/v1/users",
        roles=MANAGERS,
        query=schemas.UserQuery,
        answer="gateway.answers.UserPage",
        tag="accounts",
        summary="Users (an aggregator: of its own organisation)",
    )
    def list_users(self, request, principal):
        query = read_query(request, schemas.UserQuery())
        organisation = query.get("organisation_id") if principal.role == ADMIN else principal.organisation_id
        with self.identity.database.transaction() as uow:
            return json_response(accounts.list_users(uow, query["page"], query["page_size"], organisation))

    @api(
        "POST",
        "/api/v1/api-keys",
        roles=ANYONE,
        body=schemas.NewApiKey,
        status=201,
        answer="gateway.answers.ApiKeyCreated",
        tag="accounts",
        summary="A new API key acting as the caller (shown once)",
    )
    def create_api_key(self, request, principal):
        name = _answer(load_or_refuse, schemas.NewApiKey(), read_json(request), "API key")["name"]
        with self.identity.database.transaction() as uow:
            return json_response(accounts.create_api_key(uow, principal, name, self.identity.now()), 201)

    @api(
        "DELETE",
        "/api/v1/api-keys/{key_id}",
        roles=ANYONE,
        answer="gateway.answers.RevokedApiKey",
        tag="accounts",
        summary="Revoke one of your API keys",
    )
    def revoke_api_key(self, request, principal, key_id):
        with self.identity.database.transaction() as uow:
            return json_response(_answer(accounts.revoke_api_key, uow, principal, key_id, self.identity.now()))

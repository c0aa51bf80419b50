"""Routes of the catalogue's pictures and producer groups: an offering's images uploaded as a camera gives them, a
group's story and picture, and any picture in the size a reader needs.

A picture is sent as its raw bytes (``Content-Type: image/jpeg`` or ``image/png``), not as base64 in JSON: a phone's
photo is several megabytes, which the catalogue resizes once on upload."""

import base64

from werkzeug.wrappers import Response

from services.gateway import access
from services.gateway.auth import ADMIN
from services.gateway.http import HttpError, api, call, json_response, read_json, require_owner
from services.gateway.routes_catalogue import MANAGERS, STAFF

IMAGE_TYPES = ("image/jpeg", "image/png")
# A phone's camera photo; the catalogue keeps only the copies it makes of it.
MAX_IMAGE_UPLOAD_BYTES = 8 * 1024 * 1024


def read_image(request) -> dict:
    """The body as an image for the catalogue: its type as declared and its bytes as base64 text for the RPC. The
    catalogue checks that the bytes are a whole image of that type."""
    if request.mimetype not in IMAGE_TYPES:
        raise HttpError(
            415,
            "unsupported_media_type",
            f"send the picture's bytes as {' or '.join(IMAGE_TYPES)}, not {request.mimetype or 'no Content-Type'}",
        )
    too_large = HttpError(413, "too_large", f"a picture is at most {MAX_IMAGE_UPLOAD_BYTES // (1024 * 1024)} MiB")
    if request.content_length and request.content_length > MAX_IMAGE_UPLOAD_BYTES:
        raise too_large
    raw = request.stream.read(MAX_IMAGE_UPLOAD_BYTES + 1)
    if len(raw) > MAX_IMAGE_UPLOAD_BYTES:
        raise too_large
    return {"content_type": request.mimetype, "data": base64.b64encode(raw).decode("ascii")}


def picture_response(picture: dict) -> Response:
    return Response(
        base64.b64decode(picture["data"]),
        mimetype=picture["content_type"],
        headers={"Cache-Control": "private, max-age=3600"},
    )


class CatalogueMediaRoutes:
    """Mixed into the gateway, whose ``catalogue`` RPC proxy they call; ``_offering`` is ``CatalogueRoutes``'."""

    def _group(self, principal, group_id):
        group = call(self.catalogue, "get_group", group_id)
        require_owner(principal, "producer group", group_id, organisation_id=group["organisation_id"])
        return group

    @api(
        "PUT",
        "/api/v1/offerings/{offering_id}/images/{position:int}",
        roles=MANAGERS,
        body_type="image/jpeg",
        answer="catalogue.answers.OfferingView",
        tag="catalogue",
        summary="Replace an offering's image, or add the next: its JPEG or PNG bytes, up to 8 MiB (a phone's photo)",
    )
    def put_offering_image(self, request, principal, offering_id, position):
        self._offering(principal, offering_id)
        image = read_image(request)
        return json_response(call(self.catalogue, "put_offering_image", offering_id, position, image))

    @api(
        "POST",
        "/api/v1/producer-groups",
        roles=MANAGERS,
        body="catalogue.group_schemas.GroupInput",
        status=201,
        answer="catalogue.theme_answers.GroupView",
        tag="catalogue",
        summary="Save a producer group of the caller's organisation (a new one, or one of its own by id or name)",
    )
    def save_group(self, request, principal):
        body = access.owner_fields(principal, read_json(request))
        return json_response(call(self.catalogue, "save_group", body), 201)

    @api(
        "GET",
        "/api/v1/producer-groups",
        roles=STAFF,
        query="catalogue.group_schemas.GroupSearch",
        answer="catalogue.theme_answers.GroupList",
        tag="catalogue",
        summary="The producer groups of the caller's organisation (an admin's: every one's, or one organisation's)",
    )
    def list_groups(self, request, principal):
        query = request.args.to_dict() if principal.role == ADMIN else access.list_filters(principal)
        return json_response(call(self.catalogue, "list_groups", query))

    @api(
        "PUT",
        "/api/v1/producer-groups/{group_id}/picture",
        roles=MANAGERS,
        body_type="image/jpeg",
        answer="catalogue.theme_answers.GroupView",
        tag="catalogue",
        summary="Set a producer group's picture: the JPEG or PNG bytes, up to 8 MiB",
    )
    def set_group_picture(self, request, principal, group_id):
        self._group(principal, group_id)
        image = read_image(request)
        return json_response(call(self.catalogue, "set_group_picture", group_id, image))

    @api(
        "GET",
        "/api/v1/producer-groups/{group_id}/picture",
        roles=STAFF,
        query="catalogue.group_schemas.PictureQuery",
        answer_type=IMAGE_TYPES,
        tag="catalogue",
        summary="A producer group's picture, print, web (the default) or small (for a phone)",
    )
    def group_picture(self, request, principal, group_id):
        self._group(principal, group_id)
        return picture_response(call(self.catalogue, "get_group_picture", group_id, request.args.get("size", "web")))

"""One error format for the whole API: ``{"error": {"code", "message", "fields"}}``.

``code`` is stable for programs; ``message`` follows the request's Accept-Language (French by
default, like the pages).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from hygie.lib.errors import HygieError


def error_body(
    code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(
        request: HttpRequest,
        status: int,
        code: str,
        message: str,
        fields: dict[str, list[str]] | None = None,
    ) -> HttpResponse:
        return api.create_response(request, error_body(code, message, fields), status=status)

    @api.exception_handler(NinjaValidationError)
    def _invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for problem in exc.errors:
            location = ".".join(str(part) for part in problem.get("loc", ())[1:]) or "body"
            fields.setdefault(location, []).append(str(problem.get("msg", "invalid")))
        return respond(request, 422, "invalid_request", _("The request is not valid."), fields)

    @api.exception_handler(ValidationError)
    def _invalid_data(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = (
            {key: [str(m) for m in messages] for key, messages in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"__all__": [str(m) for m in exc.messages]}
        )
        return respond(request, 422, "invalid_data", _("The data is not valid."), fields)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(
            request,
            401,
            "unauthenticated",
            _("Authentication required: a valid, unexpired API token or a verified session."),
        )

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, "forbidden", str(exc) or _("You may not do this."))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # Same answer whether the object does not exist or belongs to another establishment.
        return respond(request, 404, "not_found", _("Not found."))

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {
            400: "bad_request",
            401: "unauthenticated",
            403: "forbidden",
            404: "not_found",
            409: "conflict",
            413: "too_large",
            415: "unsupported_media_type",
            429: "too_many_requests",
        }.get(exc.status_code, "error")
        return respond(request, exc.status_code, code, str(exc))

    @api.exception_handler(HygieError)
    def _hygie_error(request: HttpRequest, exc: HygieError) -> HttpResponse:
        return respond(request, 400, "bad_request", exc.message)

    @api.exception_handler(RecursionError)
    def _too_deep(request: HttpRequest, exc: RecursionError) -> HttpResponse:
        # json.loads (and any recursive walk) gives up on a body nested thousands of levels
        # deep. The only way a request reaches that depth is its body, so it is the client's
        # error, answered in the API's format rather than as an HTML 500. Handlers stay on the
        # fast json.loads: bounding depth beforehand would cost every normal request.
        return respond(request, 400, "bad_request", _("The request body is nested too deeply."))

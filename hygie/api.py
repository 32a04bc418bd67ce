"""The REST API root: /api/v1. Each app's ``api.py`` exposes a ninja ``router`` mounted here."""

from collections.abc import Callable
from functools import wraps
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger

from hygie import __version__, modules


def _error_response(status: int, code: str, message: str, **headers: str) -> JsonResponse:
    from hygie.core.api.errors import error_body

    response = JsonResponse(error_body(code, message), status=status)
    for name, value in headers.items():
        response[name] = value
    return response


@csrf_exempt
def unknown_route(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """Unknown paths under /api/v1 answer in the API's error format, not with an HTML page."""
    return _error_response(404, "not_found", "No such API route; see /api/v1/docs.")


def _json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a wrong method with a bare 405; give it the API's error format."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return _error_response(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed on this route.",
                Allow=response.get("Allow", ""),
            )
        return response

    return wrapped


class HygieAPI(NinjaAPI):
    """ninja's API with one error format even where ninja itself answers (404, 405)."""

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                if pattern.name == "api-root":
                    pattern.callback = unknown_route
                else:
                    pattern.callback = _json_method_not_allowed(pattern.callback)
        return [*patterns, re_path(r"^.*$", unknown_route, name="unknown-route")]


class HygieSwagger(Swagger):
    """ninja's Swagger UI page with Hygie's bar: back to the application, the API guide, the
    tokens page (core/api_docs.html)."""

    template = "core/api_docs.html"


def build_api() -> NinjaAPI:
    from hygie.core.api.auth import API_AUTH
    from hygie.core.api.errors import install_error_handlers

    built = HygieAPI(
        title="Hygie API",
        version=__version__,
        description="REST API of Hygie. Authenticate with a personal token "
        "(`Authorization: Bearer hyg_…`) or a browser session. Errors always have "
        'the body `{"error": {"code", "message", "fields"}}`. '
        "The API guide and the way back to Hygie are in the bar at the top of this page.",
        auth=API_AUTH,
        urls_namespace="api",
        # Swagger UI is served from ninja's bundled static files ("ninja" is in INSTALLED_APPS)
        # and its settings travel as JSON read by ninja's external init script, so the page
        # runs under the strict CSP (script-src 'self') without any exemption.
        docs=HygieSwagger(settings={"persistAuthorization": False, "displayRequestDuration": True}),
        docs_url="/docs",
    )
    install_error_handlers(built)
    for module in modules.discover():  # every module's api.py, in module order
        dotted = f"{module.package}.api"
        if find_spec(dotted) is not None:
            api_module = import_module(dotted)
            built.add_router(f"/{getattr(api_module, 'PREFIX', module.label)}", api_module.router)
    return built


api = build_api()

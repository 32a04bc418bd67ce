"""Root URL conf: the shell (core), each module's pages under /<module>/, the API under /api/v1/."""

from importlib.util import find_spec

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from hygie import modules
from hygie.api import api


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _module_urls() -> list:
    """Mount every module that ships a urls.py at /<label>/ (core is mounted at /)."""
    return [
        path(f"{module.label}/", include(f"{module.package}.urls"))
        for module in modules.discover()
        if module.label != "core" and find_spec(f"{module.package}.urls") is not None
    ]


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    *_module_urls(),
    path("", include("hygie.core.urls")),
]

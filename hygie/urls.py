"""Root URL conf: the shell (core), each module's pages under /<module>/, the API under /api/v1/."""

from importlib.util import find_spec

from django.apps import apps
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from hygie.api import api


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _module_urls() -> list:
    """Mount every Hygie module app that ships a urls.py at /<label>/ (core is mounted at /)."""
    patterns = []
    for config in apps.get_app_configs():
        if config.name.startswith("hygie.") and config.label != "core":
            if find_spec(f"{config.name}.urls") is not None:
                patterns.append(path(f"{config.label}/", include(f"{config.name}.urls")))
    return patterns


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    *_module_urls(),
    path("", include("hygie.core.urls")),
]

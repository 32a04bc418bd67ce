"""The awareness module's pages, mounted at /awareness/ (URL names ``awareness:<model>_<action>``)."""

from django.urls import URLPattern, URLResolver

app_name = "awareness"

urlpatterns: list[URLPattern | URLResolver] = []

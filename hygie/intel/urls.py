"""The intel module's pages, mounted at /intel/ (URL names ``intel:<model>_<action>``)."""

from django.urls import URLPattern, URLResolver

app_name = "intel"

urlpatterns: list[URLPattern | URLResolver] = []

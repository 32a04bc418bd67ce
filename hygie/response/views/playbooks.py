"""Response pages: playbooks."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

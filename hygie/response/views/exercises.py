"""Response pages: exercises."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

from django.urls import path

from hygie.core.views import pages

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
]

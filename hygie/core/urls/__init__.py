"""Core URL conf: account pages under /accounts/, the shell's pages at the root."""

from hygie.core.urls import accounts, pages

app_name = "core"
urlpatterns = [*accounts.urlpatterns, *pages.urlpatterns]

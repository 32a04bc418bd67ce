"""Core URL conf: account pages under /accounts/, the shell's pages at the root."""

from hygie.core.urls import accounts, audit, pages

app_name = "core"
urlpatterns = [*accounts.urlpatterns, *audit.urlpatterns, *pages.urlpatterns]

"""TAXII collections pages (list, add, edit, access rights per partner, credentials)."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []

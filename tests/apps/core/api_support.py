"""Helpers for the API tests: a token-authenticated JSON client and personal tokens."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from hygie.core.models import APIToken

API = "/api/v1"


def issue_token(user: Any, scope: str = "write", *, days: int = 30) -> str:
    _, raw = APIToken.issue(user, f"{scope} token", scope, timezone.now() + timedelta(days=days))
    return raw


class APIClient:
    """Django's test client speaking JSON to /api/v1 with a bearer token."""

    def __init__(self, token: str | None, client: Client | None = None) -> None:
        self.client = client or Client()
        # Integrations usually ask for English; French (the default) is tested separately.
        self.headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if token:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def request(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        url = path if path.startswith("/") and path.startswith(API) else API + path
        if method == "GET":
            return self.client.get(url, data=body, **self.headers, **extra)
        data = json.dumps(body) if body is not None else ""
        return self.client.generic(
            method, url, data, content_type="application/json", **self.headers, **extra
        )

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        return self.request("PUT", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self.request("PATCH", path, body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        url = path if path.startswith(API) else API + path
        return self.client.post(url, data=data, **self.headers)


def error_of(response: Any) -> dict[str, Any]:
    """The ``error`` object of an API error answer, checking the one error format on the way."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]

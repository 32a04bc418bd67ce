"""The OpenAPI document and the interactive docs: served locally, under the strict CSP."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.apps.core.api_support import API


@pytest.mark.django_db
def test_openapi_document_lists_the_core_resources():
    schema = Client().get(f"{API}/openapi.json").json()
    assert schema["info"]["title"] == "Hygie API"
    for path in (
        "/organisations",
        "/establishments/{establishment_id}",
        "/departments",
        "/people/import",
        "/assets/export.csv",
        "/alerts/{alert_id}",
        "/evidence",
        "/jobs/{job_id}",
        "/audit/verify",
        "/tokens/{token_id}",
    ):
        assert f"{API}{path}" in schema["paths"], path


@pytest.mark.django_db
def test_docs_page_loads_only_local_assets_and_no_inline_script():
    response = Client().get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # Every asset is under /static/ and really shipped with the package (offline hospitals).
    assets = re.findall(r'<(?:script|link|img)\b[^>]*?(?:src|href)="([^"]+)"', html)
    assert assets
    for url in assets:
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), url
    # The only inline <script> is JSON data, which the CSP does not need to allow.
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
        assert "src=" not in attributes or not body.strip()


@pytest.mark.django_db
def test_summaries_use_the_right_article():
    """Issue 10: the docs said "Create a organisation", "Get a asset"."""
    schema = Client().get(f"{API}/openapi.json").json()
    summaries = [
        operation.get("summary", "")
        for item in schema["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
    ]
    assert "Create an organisation" in summaries and "Get an asset" in summaries
    assert "Delete an establishment" in summaries and "Update a person" in summaries
    wrong = [text for text in summaries if re.search(r"\ba [aeio]", text)]
    assert wrong == []


@pytest.mark.django_db
def test_docs_page_leads_back_to_the_app_and_to_a_real_guide(client, user_a, login):
    """Issue 10: the docs page had no way back, and its guide was a repository path."""
    from django.urls import reverse

    html = Client().get(f"{API}/docs").content.decode()
    assert f'href="{reverse("core:dashboard")}" data-back-to-app' in html
    assert reverse("core:api_guide") in html and reverse("core:token_list") in html
    schema = Client().get(f"{API}/openapi.json").json()
    assert "docs/" not in schema["info"]["description"]  # no repository path shown to users
    login(user_a)
    guide = client.get(reverse("core:api_guide"))
    assert guide.status_code == 200
    text = guide.content.decode()
    assert f"{API}/docs" in text and reverse("core:token_list") in text
    assert "http://testserver/api/v1/" in text
    # The user menu of every page links the docs and the guide.
    home = client.get(reverse("core:search")).content.decode()
    menu = home.split('class="user-menu__panel"', 1)[1].split("</details>", 1)[0]
    assert f'href="{API}/docs"' in menu and reverse("core:api_guide") in menu

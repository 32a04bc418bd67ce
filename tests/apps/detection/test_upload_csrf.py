"""Upload pages whose view overrides dispatch must stay CSRF-exempt at the middleware (the
upload mixin installs its size limit, then checks the token itself). A browser's upload goes
through the CSRF middleware; the default test client does not, so this enforces CSRF."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hygie.core.testing import login_with_mfa


@pytest.fixture
def home(tmp_path, settings):
    settings.HYGIE_HOME = tmp_path / "home"
    return settings.HYGIE_HOME


def test_rule_pack_upload_passes_the_csrf_middleware(home, make_user):
    browser = login_with_mfa(
        Client(enforce_csrf_checks=True), make_user("root", "admin", all_establishments=True)
    )
    url = reverse("detection:rulepack_add")
    assert browser.get(url).status_code == 200
    token = browser.cookies["csrftoken"].value
    upload = SimpleUploadedFile("pack.zip", b"not a zip", content_type="application/zip")
    response = browser.post(url, {"name": "x", "file": upload, "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 400, 422), response.status_code  # refused, not 500
    # the token is still checked
    upload = SimpleUploadedFile("pack.zip", b"not a zip", content_type="application/zip")
    assert browser.post(url, {"name": "x", "file": upload}).status_code == 403

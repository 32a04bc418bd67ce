"""The rule library API: list with per-establishment status and filters, enable/disable, zip
pack import (organisation-wide only), load errors and packs."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.core.models import AuditEntry
from hygie.detection import services
from tests.apps.core.api_support import APIClient, error_of, issue_token
from tests.apps.detection.conftest import SQLI_RULE

pytestmark = pytest.mark.django_db

PACK_RULE_ID = "6a1e8c4e-2b0f-4d8e-9a51-0c7d3b2e9f10"
PACK_RULE = f"""title: Pack Rule Marker
id: {PACK_RULE_ID}
status: test
logsource:
    product: linux
    service: sshd
detection:
    selection:
        message|contains: 'packmarker'
    condition: selection
level: low
tags:
    - attack.t1110
"""
BROKEN = "title: Broken\nid: not-a-uuid\ndetection: {}\n"


@pytest.fixture
def home(tmp_path, settings):
    settings.HYGIE_HOME = tmp_path / "home"
    return settings.HYGIE_HOME


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _rules(api: APIClient, **params) -> list[dict]:
    response = api.get("/detection/rules", {"limit": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_list_rules_with_status_and_filters(user_a, establishment_a):
    services.set_rule_enabled(establishment_a, SQLI_RULE, False)
    api = APIClient(issue_token(user_a, "read"))
    rules = {rule["id"]: rule for rule in _rules(api, establishment=establishment_a.pk)}
    sqli = rules[SQLI_RULE]
    assert sqli["is_enabled"] is False and sqli["level"] == "high"
    assert sqli["logsource"]["category"] == "webserver"
    assert "attack.t1190" in sqli["tags"] and sqli["file"].endswith(".yml")
    assert all(rule["is_enabled"] for rule in rules.values() if rule["id"] != SQLI_RULE)
    assert all(rule["is_enabled"] is None for rule in _rules(api))
    assert [r["id"] for r in _rules(api, q="sql injection attempt")] == [SQLI_RULE]
    assert SQLI_RULE in [r["id"] for r in _rules(api, tag="attack.t1190", level="high")]
    disabled = _rules(api, establishment=establishment_a.pk, is_enabled=False)
    assert [r["id"] for r in disabled] == [SQLI_RULE]


def test_enable_disable_is_audited_scoped_and_checked(
    user_a, analyst, establishment_a, establishment_b
):
    api = APIClient(issue_token(user_a))
    body = {"establishment_id": establishment_a.pk, "rule_id": SQLI_RULE, "is_enabled": False}
    response = api.put("/detection/rule-settings", body)
    assert response.status_code == 200, response.content
    assert response.json()["is_enabled"] is False
    assert SQLI_RULE in services.disabled_rule_ids(establishment_a)
    assert AuditEntry.objects.filter(object_type="detection.rulesetting").exists()
    api.put("/detection/rule-settings", {**body, "is_enabled": True})
    assert SQLI_RULE not in services.disabled_rule_ids(establishment_a)
    unknown = api.put("/detection/rule-settings", {**body, "rule_id": "nope"})
    assert unknown.status_code == 422 and "rule_id" in error_of(unknown)["fields"]
    other = api.put("/detection/rule-settings", {**body, "establishment_id": establishment_b.pk})
    assert other.status_code == 404
    denied = APIClient(issue_token(analyst)).put("/detection/rule-settings", body)
    assert denied.status_code == 403
    read_only = APIClient(issue_token(user_a, "read")).put("/detection/rule-settings", body)
    assert read_only.status_code == 403


def test_import_a_zip_pack_and_read_its_problems(home, make_user, user_a, establishment_a):
    admin = make_user("group-admin", "admin", [], all_establishments=True)
    api = APIClient(issue_token(admin))
    upload = {
        "name": "sigmahq",
        "file": SimpleUploadedFile(
            "pack.zip",
            _zip({"rules/marker.yml": PACK_RULE, "rules/broken.yml": BROKEN}),
            content_type="application/zip",
        ),
    }
    response = api.upload("/detection/rule-packs", upload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["files"], body["valid"]) == ("sigmahq", 2, 1)
    assert {p["file"] for p in body["problems"]} == {"imported/sigmahq/rules/broken.yml"}
    broken = len(body["problems"])  # every problem of the file, reported at once
    assert AuditEntry.objects.filter(object_type="detection.rulepack").exists()
    assert PACK_RULE_ID in [r["id"] for r in _rules(api, q="pack rule marker")]
    problems = api.get("/detection/rule-problems", {"pack": "sigmahq"}).json()
    assert problems["count"] == broken and problems["items"][0]["reason"]
    assert api.get("/detection/rule-packs").json() == [
        {"name": "sigmahq", "rules": 1, "problems": broken}
    ]
    # A scoped administrator may not change what runs for every establishment.
    scoped = APIClient(issue_token(user_a)).upload(
        "/detection/rule-packs",
        {"name": "other", "file": SimpleUploadedFile("p.zip", _zip({"r.yml": PACK_RULE}))},
    )
    assert scoped.status_code == 403


def test_a_pack_without_valid_rule_or_not_a_zip_is_refused(home, make_user):
    admin = make_user("group-admin", "admin", [], all_establishments=True)
    api = APIClient(issue_token(admin))
    empty = api.upload(
        "/detection/rule-packs",
        {"name": "bad", "file": SimpleUploadedFile("p.zip", _zip({"broken.yml": BROKEN}))},
    )
    assert empty.status_code == 400 and error_of(empty)["code"] == "bad_request"
    not_zip = api.upload(
        "/detection/rule-packs", {"name": "bad", "file": SimpleUploadedFile("p.zip", b"not a zip")}
    )
    assert not_zip.status_code == 400
    bad_name = api.upload(
        "/detection/rule-packs",
        {"name": "Bad Name", "file": SimpleUploadedFile("p.zip", _zip({"r.yml": PACK_RULE}))},
    )
    assert bad_name.status_code == 422
    # Issue 9: a file and a folder of the same name gave an HTML 500 and a staging folder.
    clash = api.upload(
        "/detection/rule-packs",
        {
            "name": "clash",
            "file": SimpleUploadedFile(
                "p.zip", _zip({"a.yml": PACK_RULE, "a.yml/b.yml": PACK_RULE})
            ),
        },
    )
    assert clash.status_code == 400, clash.content
    assert "both as a file and as a folder" in error_of(clash)["message"]
    assert not (home / "rules").exists() or not list((home / "rules").iterdir())

"""GET /api/v1/detection/events (search, filters, time range, rule, paging) and the event detail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.core.models import Alert
from hygie.detection import services
from hygie.detection.models import Event
from tests.apps.core.api_support import APIClient, error_of, issue_token
from tests.apps.detection.conftest import SQLI_RULE

pytestmark = pytest.mark.django_db


def _event(establishment, host: str, raw: str, **extra) -> Event:
    extra.setdefault("received_at", timezone.now())
    return Event.objects.create(
        establishment=establishment, source=extra.pop("source", "file"), host=host, raw=raw, **extra
    )


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_search_is_scoped_filtered_and_paginated(analyst, establishment_a, establishment_b):
    api = APIClient(issue_token(analyst, "read"))
    now = timezone.now()
    ssh = _event(
        establishment_a,
        "pacs-01",
        "sshd failed password",
        product="linux",
        service="sshd",
        source="syslog",
    )
    web = _event(
        establishment_a,
        "ehr-02",
        "GET /portail",
        category="webserver",
        received_at=now - timedelta(days=3),
        occurred_at=now - timedelta(days=3),
    )
    broken = _event(establishment_a, "", "{broken", parse_error="not JSON")
    _event(establishment_b, "other-b", "b line")
    assert sorted(_ids(api.get("/detection/events"))) == sorted([ssh.pk, web.pk, broken.pk])
    assert _ids(api.get("/detection/events", {"host": "EHR"})) == [web.pk]
    assert _ids(api.get("/detection/events", {"q": "failed password"})) == [ssh.pk]
    assert _ids(api.get("/detection/events", {"source": "syslog"})) == [ssh.pk]
    assert _ids(api.get("/detection/events", {"service": "sshd"})) == [ssh.pk]
    assert _ids(api.get("/detection/events", {"has_parse_error": "true"})) == [broken.pk]
    assert broken.pk not in _ids(api.get("/detection/events", {"has_parse_error": "false"}))
    since = (now - timedelta(days=1)).isoformat()
    assert web.pk not in _ids(api.get("/detection/events", {"since": since}))
    assert _ids(api.get("/detection/events", {"until": since})) == [web.pk]
    assert _ids(api.get("/detection/events", {"occurred_until": since})) == [web.pk]
    assert _ids(api.get("/detection/events", {"establishment": establishment_b.pk})) == []
    page = api.get("/detection/events", {"limit": 2, "offset": 0, "ordering": "received_at"})
    assert page.json()["count"] == 3 and _ids(page) == [web.pk, ssh.pk]
    bad = api.get("/detection/events", {"ordering": "raw"})
    assert bad.status_code == 422 and error_of(bad)["code"] == "invalid_data"


def test_rule_filter_and_detail(analyst, establishment_a, sqli_lines):
    services.ingest_lines(establishment_a, [*sqli_lines, "unrelated line"])
    alert = Alert.objects.get(rule_id=SQLI_RULE)
    api = APIClient(issue_token(analyst, "read"))
    assert sorted(_ids(api.get("/detection/events", {"rule": SQLI_RULE}))) == sorted(
        alert.details["event_ids"]
    )
    event_id = alert.details["event_ids"][0]
    detail = api.get(f"/detection/events/{event_id}")
    assert detail.status_code == 200, detail.content
    body = detail.json()
    assert body["alert_ids"] == [alert.pk]
    assert body["matched_rules"] == [
        {
            "id": SQLI_RULE,
            "title": "SQL Injection Attempt on the Patient Portal",
            "fields": ["url.decoded"],
        }
    ]
    assert "sqlmap" in body["raw"] or "httpx" in body["raw"]
    assert body["fields"]["url.decoded"]


def test_detail_of_another_establishment_and_capability(
    analyst, make_user, establishment_a, establishment_b
):
    other = _event(establishment_b, "b", "b line")
    response = APIClient(issue_token(analyst, "read")).get(f"/detection/events/{other.pk}")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    mine = _event(establishment_a, "a", "a line")
    staff = APIClient(issue_token(make_user("nurse", "staff", [establishment_a]), "read"))
    assert staff.get(f"/detection/events/{mine.pk}").status_code == 403
    assert staff.get("/detection/events").status_code == 403
    assert APIClient(None).get("/detection/events").status_code == 401

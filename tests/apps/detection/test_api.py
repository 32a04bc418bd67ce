"""POST /api/v1/detection/events: auth, scope, capability, body limit, back-pressure, counts."""

from __future__ import annotations

import json

import pytest

from hygie.core.models import Alert
from hygie.detection import services
from hygie.detection.models import Event
from tests.apps.core.api_support import API, APIClient, error_of, issue_token
from tests.apps.detection.conftest import SQLI_RULE

pytestmark = pytest.mark.django_db
URL = f"{API}/detection/events"


def post(
    token: str | None,
    establishment_id: int,
    body: str | bytes,
    content_type: str = "application/x-ndjson",
):  # noqa: ANN201
    client = APIClient(token)
    return client.client.generic(
        "POST",
        f"{URL}?establishment={establishment_id}",
        body,
        content_type=content_type,
        **client.headers,
    )


def test_json_lines_are_ingested_and_counted(analyst, establishment_a, sqli_lines):
    response = post(
        issue_token(analyst), establishment_a.pk, "\n".join([*sqli_lines, "not a log line"])
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"events": 4, "parse_errors": 1, "matches": 3, "alerts": 1}
    assert Event.objects.filter(establishment=establishment_a, source="http").count() == 4
    assert Alert.objects.get(rule_id=SQLI_RULE).establishment == establishment_a


def test_json_array_body(analyst, establishment_a):
    events = [
        {"@timestamp": "2026-11-24T10:00:00Z", "host.name": "pacs-01", "message": "hello"},
        {"user": {"name": "jdoe"}},
    ]
    response = post(
        issue_token(analyst), establishment_a.pk, json.dumps(events), "application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["events"] == 2
    assert set(Event.objects.values_list("host", flat=True)) == {"pacs-01", ""}
    assert any(e.fields.get("user.name") == "jdoe" for e in Event.objects.all())


def test_deeply_nested_body_gets_the_api_error_format(analyst, establishment_a):
    # Issue 9: json.loads raised RecursionError and the client got an HTML 500.
    token = issue_token(analyst)
    for body in ("[" * 100_000 + "]" * 100_000, '[{"a": ' * 50_000 + "1" + "}]" * 50_000):
        response = post(token, establishment_a.pk, body, "application/json")
        assert response.status_code == 400, response.content
        assert error_of(response) == {
            "code": "bad_request",
            "fields": {},
            "message": "The request body is nested too deeply.",
        }
    assert not Event.objects.exists()
    # The ingestion slot was given back.
    assert post(token, establishment_a.pk, "hello").status_code == 200


def test_requires_a_token_with_write_scope(analyst, establishment_a):
    assert post(None, establishment_a.pk, "x").status_code == 401
    read_only = post(issue_token(analyst, "read"), establishment_a.pk, "x")
    assert read_only.status_code == 403
    assert not Event.objects.exists()


def test_role_without_ingest_capability_is_refused(make_user, establishment_a):
    dpo = make_user("dpo", "dpo", [establishment_a])
    response = post(issue_token(dpo), establishment_a.pk, "x")
    assert response.status_code == 403, response.content
    assert not Event.objects.exists()


def test_other_establishment_is_not_found(analyst, establishment_b):
    response = post(issue_token(analyst), establishment_b.pk, "x")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert not Event.objects.exists()


def test_body_too_large_is_413(analyst, establishment_a, settings):
    settings.HYGIE_INGEST_MAX_BODY_BYTES = 100
    response = post(issue_token(analyst), establishment_a.pk, "x" * 101)
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert not Event.objects.exists()


def test_busy_answers_429_with_retry_after(analyst, establishment_a):
    slots = services.ingest_slots()
    held = 0
    while slots.acquire(blocking=False):
        held += 1
    try:
        response = post(issue_token(analyst), establishment_a.pk, "a line")
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        assert not Event.objects.exists()
    finally:
        for _ in range(held):
            slots.release()
    assert post(issue_token(analyst), establishment_a.pk, "a line").status_code == 200

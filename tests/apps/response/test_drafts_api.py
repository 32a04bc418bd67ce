"""REST API of the drafts & reports area: drafts, exports, report, KPIs, breach register."""

# ruff: noqa: F401, F811  (fixtures shared with test_drafts_services are imported by name)

from __future__ import annotations

import csv
import io
import json

import pytest

from hygie.core.models import AuditEntry
from hygie.response.models import NotificationDraft
from tests.apps.core.api_support import APIClient, error_of, issue_token
from tests.apps.response.test_drafts_services import breach, field

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user_a):
    return APIClient(issue_token(user_a))


@pytest.fixture
def read_api(user_a):
    return APIClient(issue_token(user_a, "read"))


@pytest.fixture
def auditor_api(make_user, establishment_a):
    return APIClient(issue_token(make_user("aud", "auditor", [establishment_a])))


@pytest.fixture
def staff_api(make_user, establishment_a):
    return APIClient(issue_token(make_user("stf", "staff", [establishment_a])))


def test_generate_list_get_update_flow(api, breach):
    url = f"/response/incidents/{breach.pk}/drafts"
    created = api.post(url, {"kind": "cnil", "language": "fr"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "cnil" and body["incident_reference"] == breach.reference
    assert body["to_complete"] > 0
    assert api.post(url, {"kind": "cnil", "language": "fr"}).status_code == 200
    listed = api.get(url).json()
    assert [d["id"] for d in listed] == [body["id"]]
    patched = api.patch(
        f"/response/drafts/{body['id']}", {"values": {"nature.records": "1300"}, "status": "final"}
    )
    assert patched.status_code == 200, patched.content
    data = patched.json()
    assert data["status"] == "final"
    records = [
        f
        for g in data["groups"]
        if g["key"] == "nature"
        for f in g["fields"]
        if f["key"] == "records"
    ][0]
    assert records == {**records, "value": "1300", "to_complete": False, "edited": True}
    assert api.get(f"/response/drafts/{body['id']}").json()["status"] == "final"


def test_update_unknown_field_is_422_and_atomic(api, breach):
    draft = api.post(
        f"/response/incidents/{breach.pk}/drafts", {"kind": "cert_sante", "language": "en"}
    ).json()
    response = api.patch(
        f"/response/drafts/{draft['id']}", {"values": {"nope.x": "1"}, "status": "sent"}
    )
    assert response.status_code == 422
    assert "values" in error_of(response)["fields"]
    assert NotificationDraft.objects.get(pk=draft["id"]).status == "draft"


def test_invalid_bodies(api, breach):
    url = f"/response/incidents/{breach.pk}/drafts"
    assert api.post(url, {"kind": "fax"}).status_code == 422
    assert api.post(url, {"kind": "cnil", "language": "de"}).status_code == 422
    draft = api.post(url, {"kind": "cnil"}).json()
    too_long = api.patch(
        f"/response/drafts/{draft['id']}", {"values": {"nature.records": "x" * 20001}}
    )
    assert too_long.status_code == 422
    nul = api.patch(f"/response/drafts/{draft['id']}", {"values": {"nature.records": "a\x00"}})
    assert nul.status_code == 422


def test_sent_draft_cannot_be_regenerated(api, breach):
    url = f"/response/incidents/{breach.pk}/drafts"
    draft = api.post(url, {"kind": "cnil"}).json()
    api.patch(f"/response/drafts/{draft['id']}", {"status": "sent"})
    response = api.post(url, {"kind": "cnil"})
    assert response.status_code == 422


def test_permissions(read_api, auditor_api, staff_api, api, breach):
    url = f"/response/incidents/{breach.pk}/drafts"
    assert staff_api.get(url).status_code == 403
    assert auditor_api.get(url).status_code == 200
    assert auditor_api.post(url, {"kind": "cnil"}).status_code == 403
    assert read_api.post(url, {"kind": "cnil"}).status_code in (401, 403)
    assert not NotificationDraft.objects.exists()


def test_other_establishment_is_404(api, incident_b, user_b):
    from hygie.response.services.drafts import generate_draft

    theirs = generate_draft(incident_b, "cnil", "fr", user_b)[0]
    assert api.get(f"/response/incidents/{incident_b.pk}/drafts").status_code == 404
    assert (
        api.post(f"/response/incidents/{incident_b.pk}/drafts", {"kind": "cnil"}).status_code == 404
    )
    assert api.get(f"/response/drafts/{theirs.pk}").status_code == 404
    assert api.patch(f"/response/drafts/{theirs.pk}", {"status": "sent"}).status_code == 404
    assert api.get(f"/response/drafts/{theirs.pk}/export/json").status_code == 404
    assert api.get(f"/response/incidents/{incident_b.pk}/report").status_code == 404
    assert api.get(f"/response/incidents/{incident_b.pk}/kpis").status_code == 404


@pytest.mark.parametrize("fmt, magic", [("pdf", b"%PDF"), ("docx", b"PK"), ("json", b"{")])
def test_exports(auditor_api, breach, user_a, fmt, magic):
    from hygie.response.services.drafts import generate_draft

    draft = generate_draft(breach, "nis2_early_warning", "en", user_a)[0]
    response = auditor_api.get(f"/response/drafts/{draft.pk}/export/{fmt}")
    assert response.status_code == 200
    assert response.content.startswith(magic)
    assert AuditEntry.objects.filter(
        action="export", object_id=str(draft.pk), channel="api"
    ).exists()
    assert auditor_api.get(f"/response/drafts/{draft.pk}/export/exe").status_code == 422


def test_report_and_incident_kpis(api, breach):
    report = api.get(f"/response/incidents/{breach.pk}/report")
    assert report.status_code == 200 and report.content.startswith(b"%PDF")
    kpis = api.get(f"/response/incidents/{breach.pk}/kpis").json()
    assert kpis["time_to_detect_seconds"] == 11 * 3600
    assert kpis["time_to_contain_seconds"] == 6 * 3600
    assert kpis["time_to_recover_seconds"] is None
    assert kpis["obligations"]["total"] >= 3


def test_aggregated_kpis(api, breach, incident_b):
    body = api.get("/response/kpis", {"since": "2026-01-01T00:00:00Z"}).json()
    assert body["overall"]["incidents"] == 1  # incident_b is not visible
    assert body["overall"]["time_to_detect"]["median_seconds"] == 11 * 3600
    assert [e["label"] for e in body["establishments"]] == ["CH Alpha"]
    empty = api.get("/response/kpis", {"since": "2027-01-01T00:00:00Z"}).json()
    assert empty["overall"]["incidents"] == 0
    assert empty["overall"]["time_to_detect"]["median_seconds"] is None
    assert (
        api.get(
            "/response/kpis", {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}
        ).status_code
        == 422
    )


def test_breach_register_json_and_csv(api, breach, incident_b):
    body = api.get("/response/breach-register").json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["reference"] == breach.reference and row["to_confirm"] is False
    assert row["individuals"] == 1200
    response = api.get("/response/breach-register/export/csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Reference" and rows[1][0] == breach.reference
    document = json.loads(api.get("/response/breach-register/export/json").content)
    assert document["schema"] == "hygie.response.breach_register/1"
    assert api.get("/response/breach-register", {"personal_data": "unknown"}).json()["count"] == 0
    assert api.get("/response/breach-register", {"personal_data": "maybe"}).status_code == 422
